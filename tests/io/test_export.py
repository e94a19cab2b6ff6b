"""The streamed export writers: formula injection neutralised, numbers kept, formats readable."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from learnsurvey.io.export import (
    DANGEROUS_FIRST,
    Sheet,
    csv_chunks,
    neutralise,
    table_of_records,
    write_parquet,
    write_xlsx,
)

SCHEMA = pa.schema([("name", pa.string()), ("g", pa.float64()), ("n", pa.int64())])
ATTACKS = [f"{first}1+1" if first not in "\t\r\n" else f"{first}=1+1" for first in DANGEROUS_FIRST]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [*ATTACKS, '=HYPERLINK("http://evil.example")', "Aspen", None],
            "g": [-0.25] * len(ATTACKS) + [-1.5, 0.5, None],
            "n": list(range(len(ATTACKS) + 3)),
        }
    )


def _csv(chunks: list[pd.DataFrame]) -> list[dict[str, str]]:
    body = b"".join(csv_chunks(chunks, SCHEMA)).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize("first", DANGEROUS_FIRST)
def test_neutralise_quotes_text_starting_with_each_dangerous_character(first: str) -> None:
    assert neutralise(f"{first}cmd") == f"'{first}cmd"


def test_neutralise_leaves_other_values_alone() -> None:
    assert neutralise("Aspen Primary") == "Aspen Primary"
    assert neutralise("") == ""
    assert neutralise(-3) == -3
    assert neutralise(-0.5) == -0.5
    assert neutralise(None) is None


def test_csv_quotes_every_dangerous_text_cell_but_not_negative_numbers() -> None:
    rows = _csv([_frame()])
    for row, attack in zip(rows, ATTACKS, strict=False):
        assert row["name"] == "'" + attack
        assert row["g"] == "-0.25"  # a number: written as it is
    assert rows[len(ATTACKS)]["name"].startswith("'=HYPERLINK")
    assert rows[len(ATTACKS)]["g"] == "-1.5"
    assert rows[-2]["name"] == "Aspen"
    assert rows[-1]["name"] == ""
    assert rows[-1]["g"] == ""


def test_csv_streams_a_header_then_one_piece_per_chunk() -> None:
    frame = _frame()
    pieces = list(csv_chunks([frame.iloc[:3], frame.iloc[:0], frame.iloc[3:]], SCHEMA))
    assert len(pieces) == 3  # the empty chunk writes nothing
    assert pieces[0] == "\ufeffname,g,n\n".encode()
    assert len(_csv([frame.iloc[:3], frame.iloc[3:]])) == len(frame)
    # pyarrow reads it back too, skipping the byte order mark
    table = pacsv.read_csv(io.BytesIO(b"".join(pieces)))
    assert table.column_names == ["name", "g", "n"]
    assert table.num_rows == len(frame)


def test_csv_neutralises_header_cells() -> None:
    schema = pa.schema([("=evil", pa.int64())])
    first = next(iter(csv_chunks([], schema)))
    assert first.decode("utf-8-sig") == "'=evil\n"


def test_xlsx_writes_dangerous_text_as_text_and_numbers_as_numbers() -> None:
    out = io.BytesIO()
    rows = write_xlsx(out, [Sheet("t", SCHEMA, [_frame()])])
    assert rows == len(_frame())
    out.seek(0)
    sheet = openpyxl.load_workbook(out)["t"]
    cells = list(sheet.iter_rows(min_row=2))
    for row, attack in zip(cells, ATTACKS, strict=False):
        name, g, _ = row
        assert name.data_type == "s"  # text, never a formula ("f")
        # XML reads a raw CR back as LF (line-end normalisation): compare them as one.
        assert name.value.replace("\r", "\n") == ("'" + attack).replace("\r", "\n")
        assert g.data_type == "n"
        assert g.value == -0.25
    assert all(c.data_type != "f" for row in cells for c in row)


def test_xlsx_drops_control_characters_xml_cannot_hold() -> None:
    frame = pd.DataFrame({"name": ["a\x01b"], "g": [1.0], "n": [1]})
    out = io.BytesIO()
    write_xlsx(out, [Sheet("t", SCHEMA, [frame])])
    out.seek(0)
    assert openpyxl.load_workbook(out)["t"]["A2"].value == "ab"


def test_xlsx_refuses_more_rows_than_a_spreadsheet_holds() -> None:
    with pytest.raises(ValueError, match="CSV or Parquet"):
        write_xlsx(io.BytesIO(), [Sheet("t", SCHEMA, [_frame(), _frame()])], max_rows=10)


def test_xlsx_names_sheets_as_excel_allows() -> None:
    out = io.BytesIO()
    long = "a_very_long_table_name_beyond_thirty_one"
    write_xlsx(out, [Sheet(long, SCHEMA, []), Sheet(long, SCHEMA, []), Sheet("a/b", SCHEMA, [])])
    out.seek(0)
    names = openpyxl.load_workbook(out).sheetnames
    assert all(len(n) <= 31 for n in names)
    assert len(set(names)) == 3
    assert names[2] == "a_b"


def test_parquet_writes_a_row_group_per_chunk_with_text_neutralised() -> None:
    out = io.BytesIO()
    frame = _frame()
    batches = [pa.RecordBatch.from_pandas(frame.iloc[:4], schema=SCHEMA, preserve_index=False)]
    rows = write_parquet(out, [*batches, frame.iloc[4:]], SCHEMA)
    assert rows == len(frame)
    out.seek(0)
    parquet = pq.ParquetFile(out)
    assert parquet.metadata.num_row_groups == 2
    table = parquet.read()
    assert table.schema.field("g").type == pa.float64()
    assert table.column("name").to_pylist()[0] == "'" + ATTACKS[0]
    assert table.column("g").to_pylist()[0] == -0.25


def test_writers_refuse_a_chunk_of_another_shape() -> None:
    with pytest.raises(ValueError, match="columns"):
        list(csv_chunks([pd.DataFrame({"other": [1]})], SCHEMA))


def test_table_of_records_keeps_integers_with_gaps_and_types_mixed_columns_as_text() -> None:
    table = table_of_records(
        [{"n": 12, "mean": 3.5, "mixed": 1}, {"n": None, "mean": None, "mixed": "a"}],
        ["n", "mean", "mixed", "blank"],
    )
    assert table.schema.field("n").type == pa.int64()
    assert table.schema.field("mean").type == pa.float64()
    assert table.column("mixed").to_pylist() == ["1", "a"]
    assert table.schema.field("blank").type == pa.string()


def test_xlsx_writes_each_sheet_with_its_own_columns_and_types() -> None:
    other = pa.schema([("ok", pa.bool_()), ("x", pa.float64()), ("when", pa.date32())])
    extra = pa.table(
        {"ok": [True, None], "x": [float("nan"), 1e-20], "when": [None, None]}, schema=other
    )
    out = io.BytesIO()
    write_xlsx(out, [Sheet("first", SCHEMA, [_frame()]), Sheet("second", other, [extra])])
    out.seek(0)
    book = openpyxl.load_workbook(out)
    assert [c.value for c in book["first"][1]] == ["name", "g", "n"]
    rows = list(book["second"].iter_rows(values_only=True))
    assert rows[0] == ("ok", "x", "when")
    assert rows[1] == (True, None, None)  # NaN, which no spreadsheet holds, is left empty
    assert rows[2][0] is None
    assert rows[2][1] == pytest.approx(1e-20)


def test_xlsx_escapes_markup_and_keeps_spaces_and_carriage_returns() -> None:
    frame = pd.DataFrame({"name": ["a < b & c > d", "  padded  ", "one\rtwo"], "g": 1.0, "n": 1})
    out = io.BytesIO()
    write_xlsx(out, [Sheet("t", SCHEMA, [frame])])
    out.seek(0)
    values = [row[0] for row in openpyxl.load_workbook(out)["t"].iter_rows(values_only=True)]
    assert values[1:] == ["a < b & c > d", "  padded  ", "one\rtwo"]
