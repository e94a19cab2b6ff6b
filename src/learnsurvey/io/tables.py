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

import pandas as pd

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
                table.to_csv(target, index=False, float_format="%.6g")
            else:
                target.write_text(_to_json(table), encoding="utf-8")
            written.append(out / target.name)
        out.mkdir(exist_ok=True)
        for src in staging.iterdir():
            os.replace(src, out / src.name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
