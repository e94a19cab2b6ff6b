"""Tests for learnsurvey.io: reading responses, writing responses and result tables."""

from __future__ import annotations

import csv
import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill

import learnsurvey.io.tables as tables_module
from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.io import (
    ResponseDataError,
    count_rows,
    read_responses,
    write_responses,
    write_tables,
)

INSTRUMENT: Instrument = load_instrument("learning-survey")
ITEMS = INSTRUMENT.item_ids
COLUMNS = ["school", "key_stage", "gender", "wave", *ITEMS]
FORMATS = ["csv", "xlsx", "parquet"]
MAX_PROBLEMS = ResponseDataError.MAX_PROBLEMS

Row = dict[str, Any]


@contextmanager
def _unraisable() -> Iterator[list[Any]]:
    """Collect what Python would print as "Exception ignored in ..." (e.g. unclosed files)."""
    caught: list[Any] = []
    previous = sys.unraisablehook
    sys.unraisablehook = caught.append
    try:
        yield caught
    finally:
        sys.unraisablehook = previous


def _describe(caught: list[Any]) -> list[str]:
    return [f"{u.exc_type.__name__}: {u.exc_value}" for u in caught]


# --- building files -----------------------------------------------------------------------


def _row(school: str = "Ashgrove Primary", value: Any = 3, **cells: Any) -> Row:
    """A pupil who answered every item with ``value``, with any cells overridden."""
    row: Row = {"school": school, "key_stage": "KS2", "gender": "girl", "wave": "2024"}
    row.update(dict.fromkeys(ITEMS, value))
    row.update(cells)
    return row


def _random_rows(n: int, seed: int = 1) -> list[Row]:
    rng = np.random.default_rng(seed)
    schools = ["Ashgrove Primary", "Birchfield Academy", "Cedar Vale High"]
    rows = []
    for _ in range(n):
        answers = rng.integers(1, 6, size=len(ITEMS)).tolist()
        row: Row = {
            "school": schools[int(rng.integers(3))],
            "key_stage": ["KS1", "KS2", "KS3", None][int(rng.integers(4))],
            "gender": ["boy", "girl", "other", "prefer_not_to_say", None][int(rng.integers(5))],
            "wave": "2024",
        }
        for item, a in zip(ITEMS, answers, strict=True):
            row[item] = None if rng.random() < 0.15 else a
        rows.append(row)
    return rows


def _write(path: Path, rows: list[Row], columns: list[str] | None = None) -> Path:
    """Write rows as CSV, XLSX or Parquet by suffix; ``None`` is an empty cell."""
    columns = columns or COLUMNS
    kind = path.suffix.lstrip(".")
    if kind == "csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for r in rows:
                writer.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
    elif kind == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.append(columns)
        for r in rows:
            ws.append([r.get(c) for c in columns])
        wb.save(path)
    elif kind == "parquet":
        data = {}
        for c in columns:
            values = [r.get(c) for r in rows]
            if any(isinstance(v, str) for v in values):
                values = [None if v is None else str(v) for v in values]
            data[c] = pa.array(values)
        pq.write_table(pa.table(data), path)
    else:
        raise AssertionError(kind)
    return path


def _expected_codes(rows: list[Row]) -> np.ndarray:
    lo = INSTRUMENT.scale.min
    return np.array([[-1 if r[i] is None else int(r[i]) - lo for i in ITEMS] for r in rows])


def _decoded(path: Path, **kwargs: Any) -> dict[str, Any]:
    """Read a whole file: per-row labels of each demographic, answer codes, chunk starts."""
    out: dict[str, Any] = {"school": [], "key_stage": [], "gender": [], "wave": [], "first": []}
    answers = []
    try:
        for chunk in read_responses(path, INSTRUMENT, **kwargs):
            out["first"].append(chunk.first_row)
            for name in ("school", "key_stage", "gender", "wave"):
                coded = getattr(chunk, name)
                out[name] += [coded.labels[c] if c >= 0 else None for c in coded.codes]
            answers.append(chunk.answers)
    except ResponseDataError as exc:
        exc.__traceback__ = None  # as in _problems
        raise AssertionError(f"the file was rejected: {exc}") from None
    out["answers"] = np.vstack(answers)
    return out


def _problems(path: Path, **kwargs: Any) -> ResponseDataError:
    with pytest.raises(ResponseDataError) as info:
        for _ in read_responses(path, INSTRUMENT, **kwargs):
            pass
    error = info.value
    # Free the reader's frames now rather than in some later test's garbage collection: an
    # XLSX reader rejected at its header can warn about an unclosed file when collected.
    error.__traceback__ = None
    del info
    return error


def _where(error: ResponseDataError) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in error.problems]


# --- reading good files -------------------------------------------------------------------


@pytest.mark.parametrize("kind", FORMATS)
def test_it_decodes_answers_to_category_codes(tmp_path: Path, kind: str) -> None:
    rows = _random_rows(25)
    data = _decoded(_write(tmp_path / f"responses.{kind}", rows))
    assert data["answers"].dtype == np.int8
    np.testing.assert_array_equal(data["answers"], _expected_codes(rows))
    assert data["school"] == [r["school"] for r in rows]
    assert data["key_stage"] == [r["key_stage"] for r in rows]
    assert data["gender"] == [r["gender"] for r in rows]
    assert data["wave"] == ["2024"] * 25


@pytest.mark.parametrize("kind", FORMATS)
def test_it_normalises_key_stages_and_genders(tmp_path: Path, kind: str) -> None:
    raw = [
        ("ks3", "Prefer not to say", "KS3", "prefer_not_to_say"),
        (" Ks 2 ", "GIRL", "KS2", "girl"),
        ("KS3", "prefer-not-to-say", "KS3", "prefer_not_to_say"),
        ("eyfs", " boy ", "EYFS", "boy"),
        ("", "Other", None, "other"),
    ]
    rows = [_row(key_stage=ks, gender=g) for ks, g, _, _ in raw]
    data = _decoded(_write(tmp_path / f"responses.{kind}", rows))
    assert data["key_stage"] == [r[2] for r in raw]
    assert data["gender"] == [r[3] for r in raw]


@pytest.mark.parametrize("kind", FORMATS)
def test_it_reads_the_same_data_in_small_chunks(tmp_path: Path, kind: str) -> None:
    rows = _random_rows(23, seed=5)
    path = _write(tmp_path / f"responses.{kind}", rows)
    whole = _decoded(path)
    chunked = _decoded(path, chunk_rows=4)
    np.testing.assert_array_equal(chunked["answers"], whole["answers"])
    for name in ("school", "key_stage", "gender", "wave"):
        assert chunked[name] == whole[name]


@pytest.mark.parametrize("kind", ["xlsx", "parquet"])
def test_it_yields_chunks_of_the_size_asked_for(tmp_path: Path, kind: str) -> None:
    path = _write(tmp_path / f"responses.{kind}", _random_rows(10))
    sizes = [c.n_rows for c in read_responses(path, INSTRUMENT, chunk_rows=4)]
    assert sizes == [4, 4, 2]


def test_it_reads_a_school_column_without_demographics(tmp_path: Path) -> None:
    columns = ["school", *ITEMS]
    path = _write(tmp_path / "responses.csv", [_row(), _row(value=5)], columns)
    data = _decoded(path)
    assert data["key_stage"] == [None, None]
    assert data["gender"] == [None, None]
    np.testing.assert_array_equal(data["answers"][:, 0], [2, 4])


def test_it_reads_a_csv_saved_by_excel_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = _write(tmp_path / "responses.csv", [_row(value=4)])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    data = _decoded(path)
    assert data["school"] == ["Ashgrove Primary"]
    np.testing.assert_array_equal(data["answers"], np.full((1, len(ITEMS)), 3))


def test_it_trims_spaces_around_numbers_and_names(tmp_path: Path) -> None:
    path = _write(tmp_path / "responses.csv", [_row(school="  Birchfield  ", value=" 2 ")])
    data = _decoded(path)
    assert data["school"] == ["Birchfield"]
    np.testing.assert_array_equal(data["answers"], np.full((1, len(ITEMS)), 1))


def test_it_accepts_whole_numbers_stored_as_decimals(tmp_path: Path) -> None:
    path = _write(tmp_path / "responses.xlsx", [_row(value=4.0)])
    np.testing.assert_array_equal(_decoded(path)["answers"], np.full((1, len(ITEMS)), 3))


def test_it_ignores_formatted_blank_rows_after_the_data(tmp_path: Path) -> None:
    # Spreadsheets often carry empty but formatted rows below the data.
    path = tmp_path / "responses.xlsx"
    _write(path, [_row(school=f"School {k}") for k in range(3)])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    for r in range(5, 9):
        ws.cell(row=r, column=1).fill = PatternFill("solid", fgColor="FFFF00")
    wb.save(path)
    assert _decoded(path)["school"] == ["School 0", "School 1", "School 2"]
    # The same file read in chunks that end inside the blank rows.
    assert _decoded(path, chunk_rows=2)["school"] == ["School 0", "School 1", "School 2"]


# --- rejected files: every problem names its row and column -------------------------------


@pytest.mark.parametrize("kind", FORMATS)
def test_it_names_the_row_and_column_of_a_value_off_the_scale(tmp_path: Path, kind: str) -> None:
    rows = [_row(), _row(), _row(challenge_2=7)]
    error = _problems(_write(tmp_path / f"responses.{kind}", rows))
    # Spreadsheet numbering: the header is row 1, so the third pupil is row 4.
    assert _where(error) == [(4, "challenge_2")]
    assert "7 is not a whole number from 1 to 5" in str(error)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_it_numbers_rows_across_chunks(tmp_path: Path, kind: str) -> None:
    rows = [_row() for _ in range(9)]
    rows[6] = _row(learning_4=0)
    error = _problems(_write(tmp_path / f"responses.{kind}", rows), chunk_rows=2)
    assert _where(error) == [(8, "learning_4")]


def test_it_numbers_rows_across_csv_blocks(tmp_path: Path) -> None:
    # About 3 MB: pyarrow reads it in several blocks (of at least 1 MiB).
    path = tmp_path / "responses.csv"
    good = ",".join(["Ashgrove Primary", "KS2", "girl", "2024", *(["3"] * len(ITEMS))])
    bad = good[: -len(",3")] + ",9"
    n = 30_000
    lines = [",".join(COLUMNS), *([good] * (n - 1)), bad]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = _problems(path, chunk_rows=1000)
    assert _where(error) == [(n + 1, ITEMS[-1])]
    path.write_text("\n".join([*lines[:-1], good]) + "\n", encoding="utf-8")
    chunks = list(read_responses(path, INSTRUMENT, chunk_rows=1000))
    assert len(chunks) > 1
    assert sum(c.n_rows for c in chunks) == n
    assert [c.first_row for c in chunks][1] == 2 + chunks[0].n_rows


@pytest.mark.parametrize("kind", FORMATS)
def test_it_names_the_row_of_an_empty_school(tmp_path: Path, kind: str) -> None:
    rows = [_row(), _row(), _row(school="")]
    error = _problems(_write(tmp_path / f"responses.{kind}", rows))
    assert _where(error) == [(4, "school")]
    assert "every row needs a school" in str(error)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("3.5", "3.5 is not a whole number from 1 to 5", id="fraction"),
        pytest.param("abc", "'abc' is not a number", id="text"),
        pytest.param("0", "0 is not a whole number from 1 to 5", id="below-scale"),
        pytest.param("7", "7 is not a whole number from 1 to 5", id="above-scale"),
    ],
)
def test_it_rejects_a_value_that_is_not_on_the_scale(
    tmp_path: Path, value: str, message: str
) -> None:
    rows = [_row(), _row(school_safe_1=value)]
    error = _problems(_write(tmp_path / "responses.csv", rows))
    assert _where(error) == [(3, "school_safe_1")]
    assert message in str(error.problems[0])


def test_it_rejects_text_in_a_spreadsheet_number_column(tmp_path: Path) -> None:
    error = _problems(_write(tmp_path / "responses.xlsx", [_row(), _row(expectations_3="abc")]))
    assert _where(error) == [(3, "expectations_3")]
    assert "'abc' is not a number" in str(error)


@pytest.mark.parametrize(
    ("column", "value"), [("key_stage", "Year 7"), ("gender", "robot")], ids=["key-stage", "gender"]
)
def test_it_rejects_an_unknown_demographic(tmp_path: Path, column: str, value: str) -> None:
    rows = [_row(), _row(), _row(**{column: value})]
    error = _problems(_write(tmp_path / "responses.csv", rows))
    assert _where(error) == [(4, column)]
    assert repr(value) in str(error)


def test_it_names_a_missing_item_column(tmp_path: Path) -> None:
    columns = [c for c in COLUMNS if c != "teachers_help_3"]
    error = _problems(_write(tmp_path / "responses.csv", [_row()], columns))
    assert _where(error) == [(1, None)]
    assert "missing required column(s): teachers_help_3" in str(error)


def test_it_names_a_missing_school_column(tmp_path: Path) -> None:
    columns = [c for c in COLUMNS if c != "school"]
    error = _problems(_write(tmp_path / "responses.parquet", [_row()], columns))
    assert "missing required column(s): school" in str(error)


@pytest.mark.parametrize("kind", FORMATS)
def test_it_puts_every_row_in_one_school_when_told_the_file_has_none(
    tmp_path: Path, kind: str
) -> None:
    columns = [c for c in COLUMNS if c != "school"]
    path = _write(tmp_path / f"responses.{kind}", [_row(), _row(value=5)], columns)
    data = _decoded(path, school_if_missing="bfi")
    assert data["school"] == ["bfi", "bfi"]
    np.testing.assert_array_equal(data["answers"][:, 0], [2, 4])


def test_it_keeps_the_school_column_when_one_is_given_as_a_fallback(tmp_path: Path) -> None:
    path = _write(tmp_path / "responses.csv", [_row("Ashgrove Primary"), _row("Beech Hill")])
    assert _decoded(path, school_if_missing="bfi")["school"] == ["Ashgrove Primary", "Beech Hill"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_it_rejects_a_column_that_appears_twice(tmp_path: Path, kind: str) -> None:
    columns = [*COLUMNS, "challenge_1"]
    error = _problems(_write(tmp_path / f"responses.{kind}", [_row()], columns))
    assert _where(error) == [(1, "challenge_1")]
    assert "appears twice" in str(error)


@pytest.mark.parametrize("kind", FORMATS)
def test_it_rejects_a_file_with_a_header_and_no_answers(tmp_path: Path, kind: str) -> None:
    error = _problems(_write(tmp_path / f"responses.{kind}", []))
    assert "header but no rows of answers" in str(error)


def test_it_rejects_an_empty_csv(tmp_path: Path) -> None:
    path = tmp_path / "responses.csv"
    path.write_text("", encoding="utf-8")
    error = _problems(path)
    assert _where(error) == [(1, None)]
    assert "no header row" in str(error)


def test_it_rejects_an_unknown_file_type(tmp_path: Path) -> None:
    path = tmp_path / "responses.txt"
    path.write_text("school\n", encoding="utf-8")
    error = _problems(path)
    assert "unknown file type" in str(error)
    assert error.path == path


def test_it_rejects_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    error = _problems(path)
    assert "no such file" in str(error)
    assert str(path) in str(error)


def test_it_says_nothing_was_written(tmp_path: Path) -> None:
    path = _write(tmp_path / "responses.csv", [_row(challenge_1=6)])
    message = str(_problems(path))
    assert message.startswith(f"{path}: rejected, nothing was written")
    assert "row 2, column 'challenge_1': 6 is not a whole number from 1 to 5" in message


def test_it_reports_every_problem_of_a_chunk_up_to_the_limit(tmp_path: Path) -> None:
    rows = [_row(), _row(key_stage="Year 9"), _row(challenge_1="x"), _row(school="")]
    error = _problems(_write(tmp_path / "responses.csv", rows))
    assert sorted(_where(error), key=str) == sorted(
        [(3, "key_stage"), (4, "challenge_1"), (5, "school")], key=str
    )


def test_it_lists_at_most_max_problems(tmp_path: Path) -> None:
    rows = [_row(key_stage=f"Year {k}", challenge_1=9) for k in range(30)]
    error = _problems(_write(tmp_path / "responses.csv", rows))
    assert len(error.problems) == MAX_PROBLEMS
    assert "... and more" in str(error)


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([_row(value=9)], id="one-row-of-36-bad-values"),
        pytest.param([_row(challenge_1=9) for _ in range(30)], id="thirty-rows-one-bad-value"),
    ],
)
def test_it_says_when_problems_were_left_off(tmp_path: Path, rows: list[Row]) -> None:
    error = _problems(_write(tmp_path / "responses.csv", rows))
    assert len(error.problems) == MAX_PROBLEMS
    assert "... and more" in str(error)


# --- counting rows ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", FORMATS)
def test_it_counts_data_rows(tmp_path: Path, kind: str) -> None:
    path = _write(tmp_path / f"responses.{kind}", _random_rows(17))
    assert count_rows(path) == 17


def test_it_counts_the_last_csv_row_without_a_final_newline(tmp_path: Path) -> None:
    path = _write(tmp_path / "responses.csv", _random_rows(5))
    path.write_bytes(path.read_bytes().rstrip(b"\r\n"))
    assert sum(c.n_rows for c in read_responses(path, INSTRUMENT)) == 5
    assert count_rows(path) == 5


# --- writing responses --------------------------------------------------------------------


def _arrow_tables(rows: list[Row], size: int) -> Iterator[pa.Table]:
    for start in range(0, len(rows), size):
        part = rows[start : start + size]
        columns = {"school": pa.array([r["school"] for r in part], pa.string())}
        for c in ("key_stage", "gender", "wave"):
            columns[c] = pa.array([r[c] for r in part], pa.string())
        for item in ITEMS:
            columns[item] = pa.array([r[item] for r in part], pa.int8())
        yield pa.table(columns)


@pytest.mark.parametrize("kind", FORMATS)
def test_it_writes_responses_that_read_back_identically(tmp_path: Path, kind: str) -> None:
    rows = _random_rows(31, seed=9)
    seen: list[int] = []
    path = tmp_path / "out" / f"responses.{kind}"
    written = write_responses(path, _arrow_tables(rows, 10), on_rows=seen.append)
    assert written == 31
    assert seen == [10, 10, 10, 1]
    data = _decoded(path)
    np.testing.assert_array_equal(data["answers"], _expected_codes(rows))
    for name in ("school", "key_stage", "gender", "wave"):
        assert data[name] == [r[name] for r in rows]
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize("kind", FORMATS)
def test_it_writes_responses_whose_first_batch_is_empty(tmp_path: Path, kind: str) -> None:
    rows = _random_rows(6, seed=2)
    tables = [next(_arrow_tables(rows, 6)).slice(0, 0), *_arrow_tables(rows, 3)]
    path = tmp_path / f"responses.{kind}"
    assert write_responses(path, tables) == 6
    np.testing.assert_array_equal(_decoded(path)["answers"], _expected_codes(rows))


@pytest.mark.parametrize("kind", FORMATS)
def test_it_leaves_no_file_when_writing_responses_fails(tmp_path: Path, kind: str) -> None:
    def failing() -> Iterator[pa.Table]:
        yield from _arrow_tables(_random_rows(4), 2)
        raise RuntimeError("the generator broke")

    path = tmp_path / f"responses.{kind}"
    with pytest.raises(RuntimeError, match="generator broke"):
        write_responses(path, failing())
    assert list(tmp_path.iterdir()) == []
    # Nothing is left half-open either (an unclosed writer complains when collected).
    with _unraisable() as leaks:
        gc.collect()
    assert _describe(leaks) == []


def test_it_refuses_an_unknown_output_type(tmp_path: Path) -> None:
    with pytest.raises(ResponseDataError, match="unknown file type"):
        write_responses(tmp_path / "responses.ods", _arrow_tables(_random_rows(2), 2))


# --- writing result tables ----------------------------------------------------------------


def _tables() -> dict[str, pd.DataFrame]:
    schools = pd.DataFrame(
        {
            "school": ["Ashgrove Primary", "Dunmore"],
            "n": pd.array([120, pd.NA], dtype="Int64"),
            "mean": [3.4567891234, np.nan],
            "suppressed": [False, True],
        }
    )
    icc = pd.DataFrame({"dimension": ["challenge"], "icc": [0.11], "n_schools": [np.int64(12)]})
    return {"school_summary": schools, "icc": icc}


def test_it_writes_every_table_as_csv(tmp_path: Path) -> None:
    out = tmp_path / "tables"
    written = write_tables(_tables(), out)
    assert written == [out / "school_summary.csv", out / "icc.csv"]
    assert sorted(p.name for p in out.iterdir()) == ["icc.csv", "school_summary.csv"]
    back = pd.read_csv(out / "school_summary.csv")
    assert back["school"].tolist() == ["Ashgrove Primary", "Dunmore"]
    assert back["n"].iloc[0] == 120
    assert pd.isna(back["n"].iloc[1])
    assert back["mean"].iloc[0] == pytest.approx(3.45679, abs=1e-12)  # six significant digits
    assert pd.isna(back["mean"].iloc[1])
    # Nothing but the tables is left beside the output folder.
    assert [p.name for p in tmp_path.iterdir()] == ["tables"]


def test_it_writes_json_with_null_for_missing_values(tmp_path: Path) -> None:
    out = tmp_path / "tables"
    written = write_tables(_tables(), out, fmt="json")
    assert written == [out / "school_summary.json", out / "icc.json"]
    text = (out / "school_summary.json").read_text(encoding="utf-8")
    assert "NaN" not in text
    records = json.loads(text)
    assert records == [
        {"school": "Ashgrove Primary", "n": 120, "mean": 3.4567891234, "suppressed": False},
        {"school": "Dunmore", "n": None, "mean": None, "suppressed": True},
    ]
    assert json.loads((out / "icc.json").read_text(encoding="utf-8")) == [
        {"dimension": "challenge", "icc": 0.11, "n_schools": 12}
    ]


class _ExplodingFrame(pd.DataFrame):
    """A table that cannot be written, as when the disk fills up halfway through."""


@pytest.fixture(autouse=True)
def _exploding_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    real = tables_module._write_csv

    def write(table: pd.DataFrame, target: Path) -> None:
        if isinstance(table, _ExplodingFrame):
            raise OSError("No space left on device")
        real(table, target)

    monkeypatch.setattr(tables_module, "_write_csv", write)


def test_it_writes_all_tables_or_none(tmp_path: Path) -> None:
    tables = {**_tables(), "broken": _ExplodingFrame({"a": [1]}), "later": _tables()["icc"]}
    out = tmp_path / "tables"
    with pytest.raises(OSError, match="No space left"):
        write_tables(tables, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no staging folder left behind


def test_it_leaves_an_earlier_set_of_tables_untouched_when_writing_fails(tmp_path: Path) -> None:
    out = tmp_path / "tables"
    write_tables(_tables(), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    changed = {name: t.assign(extra=1) for name, t in _tables().items()}
    with pytest.raises(OSError, match="No space left"):
        write_tables({**changed, "broken": _ExplodingFrame({"a": [1]})}, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["tables"]


def test_it_writes_no_json_when_a_table_cannot_be_serialised(tmp_path: Path) -> None:
    tables = {**_tables(), "odd": pd.DataFrame({"value": [{1, 2}]})}
    with pytest.raises(TypeError):
        write_tables(tables, tmp_path / "tables", fmt="json")
    assert list(tmp_path.iterdir()) == []
