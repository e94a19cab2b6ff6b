"""Streamed exports as CSV, XLSX and Parquet, with spreadsheet formula injection neutralised.

Every writer takes an iterable of chunks (pandas DataFrames, pyarrow RecordBatches or Tables)
and one fixed :class:`pyarrow.Schema`; it holds one chunk at a time, so memory stays flat at
any number of rows:

- :func:`csv_chunks` yields encoded bytes, chunk by chunk (for Django's
  ``StreamingHttpResponse`` or a file);
- :func:`write_xlsx` writes a workbook, one sheet per table, straight into its zip entries
  (:mod:`.xlsx`) at a path or binary file;
- :func:`write_parquet` writes one Parquet row group per chunk (zstd).

Formula injection. A spreadsheet treats a text cell starting with ``=``, ``+``, ``-`` or
``@`` as a formula (and tab, CR and LF as the start of one in some programs), so a school or
a free-text value written by an outsider could run a formula on a leader's machine.
:func:`neutralise` prefixes such text with a single quote, as the OWASP guidance says
(OWASP, *CSV Injection*, https://owasp.org/www-community/attacks/CSV_Injection). It applies
to every *text* cell and header of every format; numbers stay numbers (a negative mean is a
number, which no spreadsheet runs). Parquet columns are typed and are never read as formulas,
but a researcher may well save a Parquet file as CSV later, so its text is neutralised too:
the three formats then hold the same values.

CSV is UTF-8 with a byte order mark, so Excel reads names in Welsh, Polish or Urdu right
(Python's ``csv`` reads it with ``encoding="utf-8-sig"``; pandas and pyarrow skip it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .writers import XLSX_MAX_ROWS

__all__ = [
    "DANGEROUS_FIRST",
    "XLSX_MAX_ROWS",
    "Chunk",
    "Sheet",
    "csv_chunks",
    "neutralise",
    "neutralise_table",
    "table_of_records",
    "write_parquet",
    "write_xlsx",
]

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r", "\n")
"""First characters that make a spreadsheet read a text cell as a formula (OWASP)."""
_DANGEROUS_PATTERN = "^[=+\\-@\t\r\n]"
_BOM = "\ufeff".encode()
XLSX_MAX_SHEET_NAME = 31

type Chunk = pd.DataFrame | pa.RecordBatch | pa.Table
type Target = str | Path | IO[bytes]
type OnRows = Callable[[int], None]


def neutralise(value: Any) -> Any:
    """``value`` with a single quote before it when it is text a spreadsheet would run.

    Anything that is not a ``str`` (numbers, None, dates) is returned unchanged.
    """
    if isinstance(value, str) and value[:1] in DANGEROUS_FIRST:
        return "'" + value
    return value


def neutralise_table(table: pa.Table) -> pa.Table:
    """Every text column of ``table`` neutralised, vectorised (numbers untouched)."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.match_substring_regex(column, _DANGEROUS_PATTERN)
            quoted = pc.binary_join_element_wise("'", column, "")
            column = pc.if_else(pc.fill_null(risky, False), quoted, column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def _as_table(chunk: Chunk, schema: pa.Schema) -> pa.Table:
    """One chunk as a table of exactly ``schema`` (refusing a chunk of another shape)."""
    if isinstance(chunk, pd.DataFrame):
        if [str(c) for c in chunk.columns] != schema.names:
            raise ValueError(
                f"a chunk has the columns {list(chunk.columns)}, not the export's {schema.names}"
            )
        table = pa.Table.from_pandas(chunk, schema=schema, preserve_index=False)
    elif isinstance(chunk, pa.RecordBatch):
        table = pa.Table.from_batches([chunk])
    else:
        table = chunk
    if table.schema.names != schema.names:
        raise ValueError(
            f"a chunk has the columns {table.schema.names}, not the export's {schema.names}"
        )
    if not table.schema.equals(schema):
        table = table.cast(schema)
    return neutralise_table(table)


def _header(schema: pa.Schema) -> list[str]:
    return [str(neutralise(name)) for name in schema.names]


def table_of_records(records: list[dict[str, Any]], columns: list[str]) -> pa.Table:
    """Small tables of mixed records (the dashboards' payloads) as a typed Arrow table.

    Each column is typed from its values (integers with gaps stay integers); a column that
    mixes numbers and text is written as text.
    """
    arrays = []
    for name in columns:
        values = [r.get(name) for r in records]
        try:
            array = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            array = pa.array([None if v is None else str(v) for v in values], type=pa.string())
        if pa.types.is_null(array.type):
            array = pa.array(values, type=pa.string())  # an all-blank column is text
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=columns)


def csv_chunks(
    chunks: Iterable[Chunk], schema: pa.Schema, *, on_rows: OnRows | None = None
) -> Iterator[bytes]:
    """The CSV file as byte strings: the BOM and header first, then one piece per chunk.

    Missing values are empty cells; text is quoted (pyarrow's ``needed`` style).
    """
    import csv
    import io

    import pyarrow.csv as pacsv

    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(_header(schema))
    yield _BOM + header.getvalue().encode("utf-8")
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    for chunk in chunks:
        table = _as_table(chunk, schema)
        if table.num_rows == 0:
            continue
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table, sink, write_options=options)
        yield sink.getvalue().to_pybytes()
        if on_rows is not None:
            on_rows(table.num_rows)


class Sheet:
    """One sheet of a workbook: its name, schema and chunks of rows."""

    def __init__(self, name: str, schema: pa.Schema, chunks: Iterable[Chunk]) -> None:
        self.name = name
        self.schema = schema
        self.chunks = chunks


def write_xlsx(
    target: Target,
    sheets: Iterable[Sheet],
    *,
    max_rows: int = XLSX_MAX_ROWS,
    on_rows: OnRows | None = None,
) -> int:
    """Write each sheet into one workbook at ``target``; return the rows written.

    Streamed (see :mod:`.xlsx`): one chunk in memory at a time. Raises ValueError when a
    sheet would pass Excel's limit of ``max_rows`` data rows below the header.
    """
    from .xlsx import XlsxSheet, write_workbook

    def check(rows: int) -> None:
        if rows > max_rows:
            raise ValueError(
                f"a spreadsheet holds at most {max_rows:,} rows; "
                "export this as CSV or Parquet instead"
            )

    used: set[str] = set()
    planned = [
        XlsxSheet(
            _sheet_name(sheet.name, used),
            _header(sheet.schema),
            _tables(sheet),
        )
        for sheet in sheets
    ]
    return write_workbook(target, planned, check_rows=check, on_rows=on_rows)


def _tables(sheet: Sheet) -> Iterator[pa.Table]:
    for chunk in sheet.chunks:
        yield _as_table(chunk, sheet.schema)


def _sheet_name(name: str, used: set[str]) -> str:
    """A name Excel accepts: at most 31 characters, none of []:*?/\\, unique in the book."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:XLSX_MAX_SHEET_NAME] or "data"
    candidate, k = clean, 2
    while candidate.lower() in used:
        suffix = f" ({k})"
        candidate = clean[: XLSX_MAX_SHEET_NAME - len(suffix)] + suffix
        k += 1
    used.add(candidate.lower())
    return candidate


def write_parquet(
    target: Target,
    chunks: Iterable[Chunk],
    schema: pa.Schema,
    *,
    on_rows: OnRows | None = None,
) -> int:
    """Write the chunks as one Parquet file (a row group per chunk); return the rows written."""
    import pyarrow.parquet as pq

    rows = 0
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        for chunk in chunks:
            table = _as_table(chunk, schema)
            if table.num_rows == 0:
                continue
            writer.write_table(table, row_group_size=table.num_rows)
            rows += table.num_rows
            if on_rows is not None:
                on_rows(table.num_rows)
    return rows
