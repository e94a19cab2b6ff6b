"""Read pupil responses (CSV, XLSX or Parquet) in validated chunks.

The format is described in docs/data-format.md. Files are streamed: memory stays bounded
whatever the number of rows. Every problem names its row (as a spreadsheet numbers it: the
header is row 1) and column; callers write nothing until the whole file has been read.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from learnsurvey.instruments import Instrument

from ._prefetch import prefetch
from .errors import Problem, ResponseDataError

__all__ = ["DEMOGRAPHIC_COLUMNS", "ResponseChunk", "count_rows", "read_responses"]

DEMOGRAPHIC_COLUMNS = ("school", "key_stage", "gender", "wave")
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet"}
CHUNK_ROWS = 1 << 15  # small chunks stay in cache and overlap reading with counting


@dataclass(frozen=True)
class Coded:
    """A categorical column of a chunk: ``codes`` index ``labels``; −1 means empty."""

    codes: NDArray[np.int32]
    labels: list[str]


@dataclass(frozen=True)
class ResponseChunk:
    first_row: int
    school: Coded
    key_stage: Coded
    gender: Coded
    wave: Coded
    answers: NDArray[np.int8]
    """(rows × items) category codes ``0..K−1`` in instrument item order; −1 = no answer."""
    role: Coded | None = None
    """The ``role`` column of a staff file (labels are the instrument's role ids); None when
    the instrument has no roles (a pupil survey)."""

    @property
    def n_rows(self) -> int:
        return int(self.answers.shape[0])


def file_format(path: Path) -> str:
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise ResponseDataError(
            path, [Problem(None, None, "unknown file type: use .csv, .xlsx or .parquet")]
        ) from None


def count_rows(path: Path) -> int:
    """Number of data rows (cheap: metadata for Parquet/XLSX, a newline count for CSV)."""
    kind = file_format(path)
    if kind == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    if kind == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        rows = int(wb.worksheets[0].max_row or 1) - 1
        wb.close()
        return rows
    lines, last = 0, b"\n"
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1  # the last row has no newline
    return max(lines - 1, 0)


def read_responses(
    path: Path | str,
    instrument: Instrument,
    *,
    chunk_rows: int = CHUNK_ROWS,
    school_if_missing: str | None = None,
) -> Iterator[ResponseChunk]:
    """Yield validated chunks of ``path``; raise :class:`ResponseDataError` on bad input.

    A file without a ``school`` column is refused, unless ``school_if_missing`` names the
    one school all its rows belong to (a file from one school, or a data set such as psych's
    ``bfi`` that has no school at all).
    """
    path = Path(path)
    if not path.is_file():
        raise ResponseDataError(path, [Problem(None, None, "no such file")])
    kind = file_format(path)
    batches = {"csv": _csv_batches, "xlsx": _xlsx_batches, "parquet": _parquet_batches}[kind]
    validator = _Validator(path, instrument, school_if_missing)
    first_row = 2  # rows are numbered as a spreadsheet shows them, in every format
    for table in prefetch(batches(path, validator, chunk_rows)):
        chunk = validator.chunk(table, first_row)
        first_row += table.num_rows
        if chunk is not None:
            yield chunk
    validator.finish()


class _Validator:
    def __init__(
        self, path: Path, instrument: Instrument, school_if_missing: str | None = None
    ) -> None:
        self.path = path
        self.instrument = instrument
        self.school_if_missing = school_if_missing
        self.has_school = True
        self.problems: list[Problem] = []
        self.more = False
        self.rows = 0
        demo = instrument.demographics
        self.allowed = {
            "key_stage": {_norm_key_stage(v): v for v in demo.key_stages},
            "gender": {_norm_gender(v): v for v in demo.genders},
        }
        if demo.roles:
            self.allowed["role"] = {_norm_gender(r.id): r.id for r in demo.roles}

    def add(self, row: int | None, column: str | None, message: str) -> None:
        if len(self.problems) >= ResponseDataError.MAX_PROBLEMS:
            self.more = True
        else:
            self.problems.append(Problem(row, column, message))

    def fail(self) -> ResponseDataError:
        return ResponseDataError(self.path, self.problems, more=self.more)

    def check_header(self, columns: list[str]) -> None:
        seen: set[str] = set()
        for name in columns:
            if name in seen:
                self.add(1, name, "the column appears twice")
            seen.add(name)
        self.has_school = "school" in seen or self.school_if_missing is None
        required = ["school"] if self.has_school else []
        required += self.instrument.item_ids
        missing = [c for c in required if c not in seen]
        if missing:
            shown = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
            self.add(1, None, f"missing required column(s): {shown}")
        if self.problems:
            raise self.fail()

    def chunk(self, table: pa.Table, first_row: int) -> ResponseChunk | None:
        self.rows += table.num_rows
        if table.num_rows == 0:
            return None
        school = (
            self._coded(table, "school", first_row, required=True)
            if self.has_school
            else Coded(np.zeros(table.num_rows, dtype=np.int32), [str(self.school_if_missing)])
        )
        key_stage = self._coded(table, "key_stage", first_row)
        gender = self._coded(table, "gender", first_row)
        wave = self._coded(table, "wave", first_row)
        answers = self._answers(table, first_row)
        role = self._coded(table, "role", first_row) if "role" in self.allowed else None
        if self.problems:
            raise self.fail()
        return ResponseChunk(first_row, school, key_stage, gender, wave, answers, role)

    def finish(self) -> None:
        if self.rows == 0:
            self.add(None, None, "the file has a header but no rows of answers")
        if self.problems:
            raise self.fail()

    def _coded(
        self, table: pa.Table, name: str, first_row: int, *, required: bool = False
    ) -> Coded:
        n = table.num_rows
        if name not in table.column_names:
            return Coded(np.full(n, -1, dtype=np.int32), [])
        col = pc.utf8_trim_whitespace(table[name].cast(pa.string()))
        col = pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)
        encoded = pc.dictionary_encode(col).combine_chunks()
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
        labels: list[str] = encoded.dictionary.to_pylist()
        if required and (codes < 0).any():
            for i in np.flatnonzero(codes < 0)[: ResponseDataError.MAX_PROBLEMS + 1]:
                self.add(first_row + int(i), name, "is empty; every row needs a school")
        if name in self.allowed:
            allowed = self.allowed[name]
            norm = _norm_key_stage if name == "key_stage" else _norm_gender  # roles as genders
            mapped = []
            for k, label in enumerate(labels):
                value = allowed.get(norm(label))
                if value is None:
                    i = int(np.flatnonzero(codes == k)[0])
                    choices = ", ".join(allowed.values())
                    self.add(first_row + i, name, f"{label!r} is not one of: {choices} (or empty)")
                mapped.append(value or label)
            labels = mapped
        return Coded(codes, labels)

    def _answers(self, table: pa.Table, first_row: int) -> NDArray[np.int8]:
        columns = [self._numbers(table[item], item, first_row) for item in self.instrument.item_ids]
        codes = self._codes_if_all_valid(columns)
        return codes if codes is not None else self._checked_codes(columns, first_row)

    def _codes_if_all_valid(self, columns: list[NDArray[np.float64]]) -> NDArray[np.int8] | None:
        """The codes, column by column (cache-friendly), or ``None`` if any answer is off the
        scale (then :meth:`_checked_codes` reports each one)."""
        scale = self.instrument.scale
        top = scale.max - scale.min
        out = np.empty((len(columns), len(columns[0]) if columns else 0), dtype=np.int8)
        for j, x in enumerate(columns):
            with np.errstate(invalid="ignore"):
                code = x - scale.min
                valid = (code >= 0) & (code <= top) & (code == np.rint(code))  # NaN: False
            if np.count_nonzero(valid) != len(x) - np.count_nonzero(np.isnan(x)):
                return None
            out[j] = np.where(valid, code, -1)
        return np.ascontiguousarray(out.T)

    def _checked_codes(
        self, columns: list[NDArray[np.float64]], first_row: int
    ) -> NDArray[np.int8]:
        scale = self.instrument.scale
        values = np.column_stack(columns)
        observed = ~np.isnan(values)
        with np.errstate(invalid="ignore"):
            bad = observed & (
                (values != np.rint(values)) | (values < scale.min) | (values > scale.max)
            )
        # One more than can be shown, so that `add` knows to say there are more.
        for i, j in np.argwhere(bad)[: ResponseDataError.MAX_PROBLEMS + 1]:
            self.add(
                first_row + int(i),
                self.instrument.item_ids[j],
                f"{values[i, j]:g} is not a whole number from {scale.min} to {scale.max}",
            )
        codes = np.where(observed & ~bad, values - scale.min, -1)
        return codes.astype(np.int8)

    def _numbers(self, column: pa.ChunkedArray, name: str, first_row: int) -> NDArray[np.float64]:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.utf8_trim_whitespace(column)
            column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
        try:
            numbers = column.cast(pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return self._locate_bad_numbers(column, name, first_row)
        return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=np.float64)

    def _locate_bad_numbers(
        self, column: pa.ChunkedArray, name: str, first_row: int
    ) -> NDArray[np.float64]:
        out = np.full(len(column), np.nan)
        for i, value in enumerate(column.to_pylist()):
            if value is None:
                continue
            try:
                out[i] = float(value)
            except (TypeError, ValueError):
                self.add(first_row + i, name, f"{value!r} is not a number")
        return out


def _norm_key_stage(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def _norm_gender(value: str) -> str:
    return value.strip().lower().replace(" ", "_").replace("-", "_")


def _csv_batches(path: Path, validator: _Validator, chunk_rows: int) -> Iterator[pa.Table]:

    with path.open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), None)
    if not header:
        raise ResponseDataError(path, [Problem(1, None, "the file is empty: no header row")])
    columns = [h.strip() for h in header]
    validator.check_header(columns)
    # Answers are parsed as numbers by pyarrow (fast). A cell that is not a plain number stops
    # that reader; the rest of the file is then read as text, where the validator reports
    # every bad cell with its row.
    items = set(validator.instrument.item_ids)
    typed = {c: pa.float64() if c in items else pa.string() for c in columns}
    done = 0
    try:
        for table in _csv_tables(path, columns, typed, chunk_rows, skip=0):
            yield table
            done += table.num_rows
        return
    except pa.ArrowInvalid:
        pass
    try:
        yield from _csv_tables(path, columns, dict.fromkeys(columns, pa.string()), chunk_rows, done)
    except pa.ArrowInvalid as exc:
        raise ResponseDataError(path, [_csv_problem(path, len(columns), exc)]) from None


def _csv_problem(path: Path, n_columns: int, exc: Exception) -> Problem:
    """Find the row pyarrow stumbled on (it does not say which when streaming)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for number, row in enumerate(csv.reader(fh), start=1):
            if row and len(row) != n_columns:
                what = f"{len(row)} fields where the header has {n_columns}"
                return Problem(number, None, f"{what}; check for a missing or extra comma")
    return Problem(None, None, f"not valid CSV: {exc}")


def _csv_tables(
    path: Path, columns: list[str], types: dict[str, pa.DataType], chunk_rows: int, skip: int
) -> Iterator[pa.Table]:
    import pyarrow.csv as pacsv

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            column_names=columns,
            skip_rows=1,
            skip_rows_after_names=skip,
            block_size=max(1 << 20, chunk_rows * 120),
        ),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True),
    )
    for batch in reader:
        yield pa.Table.from_batches([batch])


def _xlsx_batches(path: Path, validator: _Validator, chunk_rows: int) -> Iterator[pa.Table]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    rows = wb.worksheets[0].iter_rows(values_only=True)
    try:
        header = next(rows, None)
        if not header:
            raise ResponseDataError(path, [Problem(1, None, "the sheet is empty: no header row")])
        columns = ["" if h is None else str(h).strip() for h in header]
        while columns and columns[-1] == "":
            columns.pop()
        validator.check_header(columns)
        # Spreadsheets often carry formatted but empty rows after the data: blank rows are
        # held back until a row with data follows them, and dropped at the end.
        buffer: list[tuple[object, ...]] = []
        blanks: list[tuple[object, ...]] = []
        for row in rows:
            if all(v is None for v in row):
                blanks.append(row)
                continue
            buffer += blanks
            blanks = []
            buffer.append(row)
            if len(buffer) >= chunk_rows:
                yield _text_table(columns, buffer)
                buffer = []
        if buffer:
            yield _text_table(columns, buffer)
    finally:
        rows.close()
        wb.close()


def _text_table(columns: list[str], rows: list[tuple[object, ...]]) -> pa.Table:
    data: dict[str, list[str | None]] = {}
    for j, name in enumerate(columns):
        data[name] = [None if j >= len(r) or r[j] is None else _cell_text(r[j]) for r in rows]
    return pa.table({k: pa.array(v, type=pa.string()) for k, v in data.items()})


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parquet_batches(path: Path, validator: _Validator, chunk_rows: int) -> Iterator[pa.Table]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    validator.check_header(list(pf.schema_arrow.names))
    for batch in pf.iter_batches(batch_size=chunk_rows):
        yield pa.Table.from_batches([batch])
