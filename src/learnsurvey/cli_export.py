"""`learnsurvey export`: a wave's anonymised responses or a global table, from the platform.

The same functions as the web downloads, reached through :mod:`learnsurvey._platform`, so
the files are the same: suppressed, pseudonymised, formula injection neutralised. Django is
set up only when the command runs (``DJANGO_SETTINGS_MODULE`` defaults to the platform's
settings).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
from rich.console import Console
from rich.markup import escape

from learnsurvey._progress import row_progress

if TYPE_CHECKING:
    from learnsurvey._platform import PlatformWave

__all__ = ["export"]

console = Console(stderr=True)


@click.command()
@click.option("--wave", "wave_id", type=int, required=True, help="The wave's number.")
@click.option(
    "--responses-level",
    "responses_level",
    is_flag=True,
    help="Anonymised response-level data of the schools that opted in to research.",
)
@click.option("--table", help="A global table by name, or 'all' (XLSX: one sheet per table).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "parquet"]),
    default="csv",
    show_default=True,
)
@click.option("--out", "out", type=click.Path(path_type=Path), required=True)
def export(wave_id: int, responses_level: bool, table: str | None, fmt: str, out: Path) -> None:
    """Export a wave's anonymised responses or one of its global tables as CSV, XLSX or Parquet."""
    if responses_level == (table is not None):
        raise click.UsageError("give exactly one of --responses-level and --table NAME")
    from learnsurvey import _platform

    try:
        wave = _platform.wave_by_id(wave_id)
    except ValueError as exc:
        _fail(str(exc))
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        write = _responses if responses_level else _table_writer(str(table))
        rows = write(wave, fmt, out)
    except ValueError as exc:
        out.unlink(missing_ok=True)
        _fail(str(exc))
    console.print(
        f"{rows:,} rows written to {escape(str(out))} in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )


def _responses(wave: PlatformWave, fmt: str, out: Path) -> int:
    from learnsurvey._platform import plan_response_export

    release = plan_response_export(wave)
    with row_progress(console, "Exporting responses", release.n_rows) as advance:
        return release.write(fmt, out, progress=advance)


def _table_writer(name: str) -> Callable[[PlatformWave, str, Path], int]:
    return lambda wave, fmt, out: _table(wave, name, fmt, out)


def _table(wave: PlatformWave, name: str, fmt: str, out: Path) -> int:
    from learnsurvey._platform import ALL_TABLES, global_tables
    from learnsurvey.io.export import Sheet, csv_chunks, write_parquet, write_xlsx

    tables = global_tables(wave)
    if name == ALL_TABLES:
        if fmt != "xlsx" or not tables:
            raise ValueError("every table at once comes as a workbook (--format xlsx) only")
        return write_xlsx(out, [Sheet(n, t.schema, [t]) for n, t in tables.items()])
    found = tables.get(name)
    if found is None:
        raise ValueError(f"no table {name!r}; the wave has {', '.join(tables) or 'none yet'}")
    if fmt == "xlsx":
        return write_xlsx(out, [Sheet(name, found.schema, [found])])
    if fmt == "parquet":
        return write_parquet(out, [found], found.schema)
    with out.open("wb") as f:
        for piece in csv_chunks([found], found.schema):
            f.write(piece)
    return int(found.num_rows)


def _fail(message: str) -> NoReturn:
    console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)
    sys.exit(2)
