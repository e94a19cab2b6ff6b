"""Write result tables as CSV or JSON, all at once or not at all."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["write_tables"]


def write_tables(
    tables: Mapping[str, pd.DataFrame], out_dir: Path | str, *, fmt: Literal["csv", "json"] = "csv"
) -> list[Path]:
    """Write each table to ``out_dir/<name>.<fmt>``.

    The files are written to a temporary folder beside ``out_dir`` and moved into place only
    when every one has been written, so a failure leaves no half-written set behind.
    """
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        written = []
        for name, table in tables.items():
            target = staging / f"{name}.{fmt}"
            if fmt == "csv":
                _write_csv(table, target)
            else:
                target.write_text(_to_json(table), encoding="utf-8")
            written.append(out / target.name)
        out.mkdir(exist_ok=True)
        for src in staging.iterdir():
            os.replace(src, out / src.name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_csv(table: pd.DataFrame, target: Path) -> None:
    """CSV through pyarrow's writer (pandas formats floats one by one, slow for big tables),
    with floats to six significant digits and blanks for missing values."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rounded = table.copy()
    for col in rounded.columns:
        if pd.api.types.is_float_dtype(rounded[col]):
            rounded[col] = round_significant(rounded[col].to_numpy(dtype=float))
        elif pd.api.types.is_bool_dtype(rounded[col]):  # True/False, as pandas writes them
            rounded[col] = rounded[col].map({True: "True", False: "False"}).astype(object)
    arrow = pa.Table.from_pandas(rounded, preserve_index=False)
    pacsv.write_csv(arrow, target, write_options=pacsv.WriteOptions(quoting_style="needed"))


def round_significant(values: NDArray[np.float64], digits: int = 6) -> NDArray[np.float64]:
    """Round to ``digits`` significant digits (as ``%.6g`` prints), leaving 0, NaN and ±inf."""
    out = values.copy()
    finite = np.isfinite(values) & (values != 0)
    idx = np.flatnonzero(finite)
    places = (digits - 1 - np.floor(np.log10(np.abs(values[idx])))).astype(int)
    for p in np.unique(places):
        chosen = idx[places == p]
        if p <= 300:  # below that a double has no more decimals to drop
            out[chosen] = np.round(values[chosen], int(p))
    return out


def _to_json(table: pd.DataFrame) -> str:
    records = []
    for row in table.to_dict(orient="records"):
        records.append({str(k): _plain(v) for k, v in row.items()})
    return json.dumps(records, indent=1, ensure_ascii=False) + "\n"


def _plain(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _plain(value.item())
    return value
