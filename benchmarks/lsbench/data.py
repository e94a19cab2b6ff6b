"""Benchmark sizes and their synthetic data sets, generated once and reused.

A data set is ``responses-<rows>-s<schools>-seed<seed>.parquet`` in the data folder, with a
manifest (``.json``) beside it. It is reused when the manifest matches (rows, schools, seed,
model parameters, learnsurvey version) and the file holds that many rows; otherwise it is
generated again. Sizes up to :data:`CSV_MAX_ROWS` also get a CSV copy of the same rows (CSV
is the common import format, and R reads it).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from learnsurvey import __version__
from learnsurvey.instruments import load_instrument
from learnsurvey.io import count_rows, write_responses
from learnsurvey.synth import ResponseModel, load_params

from .progress import Steps

__all__ = [
    "CSV_MAX_ROWS",
    "DEFAULT_SIZES",
    "INSTRUMENT",
    "PARAMS",
    "Dataset",
    "Size",
    "ensure_dataset",
    "parse_sizes",
]

INSTRUMENT = "learning-survey"
PARAMS = "phase-one"
PUPILS_PER_SCHOOL = 345
"""Phase One had 29,940 pupils in 87 schools; larger sizes keep that school size."""
MIN_SCHOOLS = 10
CSV_MAX_ROWS = 1_000_000
DEFAULT_SIZES = ("30k", "1m", "10m")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$", re.IGNORECASE)
_MULTIPLIER = {"": 1, "k": 1_000, "m": 1_000_000}


@dataclass(frozen=True)
class Size:
    label: str
    rows: int

    @property
    def schools(self) -> int:
        return max(MIN_SCHOOLS, round(self.rows / PUPILS_PER_SCHOOL))


def parse_size(text: str) -> Size:
    """``"30k"`` → 30,000 rows; ``"1m"``, ``"10M"``, ``"2000"`` likewise."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (use e.g. 30k, 1m, 10m or 2000)")
    rows = round(float(match.group(1)) * _MULTIPLIER[match.group(2).lower()])
    if rows < MIN_SCHOOLS:
        raise ValueError(f"a size needs at least {MIN_SCHOOLS} rows: {text!r}")
    return Size(label=text.strip().lower(), rows=rows)


def parse_sizes(text: str) -> list[Size]:
    sizes = [parse_size(part) for part in text.split(",") if part.strip()]
    if not sizes:
        raise ValueError("no sizes given")
    return sorted({s.rows: s for s in sizes}.values(), key=lambda s: s.rows)


@dataclass(frozen=True)
class Dataset:
    size: Size
    seed: int
    parquet: Path
    csv: Path | None
    generated_s: float | None
    """Seconds spent generating this run (``None`` when every file was reused)."""


@dataclass(frozen=True)
class _Manifest:
    rows: int
    schools: int
    seed: int
    params: str
    learnsurvey: str


def ensure_dataset(size: Size, seed: int, data_dir: Path, steps: Steps) -> Dataset:
    """The Parquet (and, up to :data:`CSV_MAX_ROWS`, CSV) files of ``size``: reused or made."""
    data_dir.mkdir(parents=True, exist_ok=True)
    stem = f"responses-{size.rows}-s{size.schools}-seed{seed}"
    manifest = _Manifest(size.rows, size.schools, seed, PARAMS, __version__)
    parquet = data_dir / f"{stem}.parquet"
    csv = data_dir / f"{stem}.csv" if size.rows <= CSV_MAX_ROWS else None
    spent = 0.0
    fresh = _is_current(parquet, manifest)
    if not fresh:
        spent += _timed(lambda: _generate(parquet, size, seed, steps))
        _write_manifest(parquet, manifest)
    if csv is not None and not (fresh and _is_current(csv, manifest)):
        spent += _timed(lambda: _parquet_to_csv(parquet, csv, size, steps))
        _write_manifest(csv, manifest)
    return Dataset(size, seed, parquet, csv, spent or None)


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _manifest_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.json")


def _write_manifest(path: Path, manifest: _Manifest) -> None:
    _manifest_path(path).write_text(json.dumps(asdict(manifest), indent=1) + "\n")


def _is_current(path: Path, manifest: _Manifest) -> bool:
    meta = _manifest_path(path)
    if not (path.is_file() and meta.is_file()):
        return False
    try:
        recorded = json.loads(meta.read_text())
    except json.JSONDecodeError:
        return False
    return bool(recorded == asdict(manifest) and count_rows(path) == manifest.rows)


def _generate(path: Path, size: Size, seed: int, steps: Steps) -> None:
    model = ResponseModel(load_instrument(INSTRUMENT), load_params(PARAMS))
    label = f"Generating {size.rows:,} rows ({size.schools:,} schools) → {path.name}"
    with steps.rows(label, size.rows) as advance:
        write_responses(path, model.tables(size.rows, size.schools, seed), on_rows=advance)


def _parquet_to_csv(parquet: Path, csv: Path, size: Size, steps: Steps) -> None:
    """The same rows as CSV, written by the same writer as ``learnsurvey synth``."""
    with steps.rows(f"Writing CSV copy → {csv.name}", size.rows) as advance:
        write_responses(csv, _parquet_tables(parquet), on_rows=advance)


def _parquet_tables(path: Path) -> Iterator[pa.Table]:
    for batch in pq.ParquetFile(path).iter_batches(batch_size=200_000):
        yield pa.Table.from_batches([batch])
