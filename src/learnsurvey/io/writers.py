"""Write responses (Arrow tables, streamed) as CSV, Parquet or XLSX."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from .responses import file_format

__all__ = ["XLSX_MAX_ROWS", "write_responses"]

XLSX_MAX_ROWS = 1_048_575


def write_responses(
    path: Path | str,
    tables: Iterable[pa.Table],
    *,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Stream ``tables`` to ``path`` (format from its suffix); return the rows written.

    The file appears only when complete (written beside it, then renamed).
    """
    path = Path(path)
    kind = file_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    writer = {"csv": _write_csv, "parquet": _write_parquet, "xlsx": _write_xlsx}[kind]
    try:
        rows = writer(partial, tables, on_rows or (lambda n: None))
        if not partial.exists():
            raise ValueError("no responses to write")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return rows


class _ArrowWriter(Protocol):
    def write_table(self, table: pa.Table) -> None: ...
    def close(self) -> None: ...


def _write_arrow(
    path: Path,
    tables: Iterable[pa.Table],
    on_rows: Callable[[int], None],
    open_writer: Callable[[Path, pa.Schema], _ArrowWriter],
) -> int:
    rows = 0
    writer: _ArrowWriter | None = None
    try:
        for table in tables:
            if writer is None:
                writer = open_writer(path, table.schema)
            writer.write_table(table)
            rows += table.num_rows
            on_rows(table.num_rows)
    finally:
        if writer is not None:
            writer.close()
    return rows


def _write_csv(path: Path, tables: Iterable[pa.Table], on_rows: Callable[[int], None]) -> int:
    import pyarrow.csv as pacsv

    options = pacsv.WriteOptions(quoting_style="needed")
    return _write_arrow(
        path, tables, on_rows, lambda p, schema: pacsv.CSVWriter(p, schema, write_options=options)
    )


def _write_parquet(path: Path, tables: Iterable[pa.Table], on_rows: Callable[[int], None]) -> int:
    import pyarrow.parquet as pq

    return _write_arrow(
        path, tables, on_rows, lambda p, schema: pq.ParquetWriter(p, schema, compression="zstd")
    )


def _write_xlsx(path: Path, tables: Iterable[pa.Table], on_rows: Callable[[int], None]) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("responses")
    rows = 0
    header = False
    try:
        for table in tables:
            if not header:
                ws.append(table.column_names)
                header = True
            if rows + table.num_rows > XLSX_MAX_ROWS:
                raise ValueError(f"XLSX holds at most {XLSX_MAX_ROWS:,} rows; use CSV or Parquet")
            for record in zip(*(col.to_pylist() for col in table.columns), strict=True):
                ws.append(list(record))
            rows += table.num_rows
            on_rows(table.num_rows)
    except BaseException:
        ws.close()  # openpyxl keeps a temporary file open until the sheet is closed
        raise
    if header:
        wb.save(path)
    return rows
