"""Downloads: who may export what, and what the files hold (suppressed, anonymised, safe)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from learnsurvey.web.dashboards.results import compute_wave_result
from learnsurvey.web.exports import views
from learnsurvey.web.waves.models import WaveResult
from personas import ASPEN_ACCESS, World, answer, logged_in

FORMATS = ("csv", "xlsx", "parquet")


@pytest.fixture
def answered(world: World) -> World:
    """Aspen 40 pupils, Birch 35, Cedar 20, Dale 6; Aspen, Birch and Dale opted in to research."""
    answer(world)
    for school in (world.aspen, world.birch, world.dale):
        school.research_opt_in = True
        school.save()
    return world


def _school(w: World, table: str = "scores", fmt: str = "csv", urn: str | None = None) -> str:
    return reverse("exports:school", args=[w.wave.pk, urn or w.aspen.urn, table, fmt])


def _trust(w: World, table: str = "schools", fmt: str = "csv", trust_id: int | None = None) -> str:
    return reverse("exports:trust", args=[w.wave.pk, trust_id or w.trust.pk, table, fmt])


def _global(w: World, table: str = "school_summary", fmt: str = "csv") -> str:
    return reverse("exports:global", args=[w.wave.pk, table, fmt])


def _responses(w: World, fmt: str = "csv") -> str:
    return reverse("exports:responses", args=[w.wave.pk, fmt])


def _body(response: object) -> bytes:
    """The whole body; the test client closes a streamed response once it is read to its end
    (which deletes the temporary file behind a FileResponse), as a WSGI server would."""
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)  # type: ignore[arg-type]
    return bytes(response.content)  # type: ignore[attr-defined]


def _status(client: Client, url: str) -> int:
    response = client.get(url)
    _body(response)
    return int(response.status_code)


def _csv_rows(response: object) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_body(response).decode("utf-8-sig"))))


def _xlsx_rows(response: object, sheet: str | None = None) -> list[dict[str, object]]:
    body = response if isinstance(response, bytes) else _body(response)
    book = openpyxl.load_workbook(io.BytesIO(body))
    rows = list((book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def _parquet_rows(response: object) -> list[dict[str, object]]:
    return pq.read_table(io.BytesIO(_body(response))).to_pylist()


def test_it_sends_anonymous_visitors_to_the_login_page(world: World) -> None:
    client = Client()
    for url in (_school(world), _trust(world), _global(world), _responses(world)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("persona", "status"), ASPEN_ACCESS)
def test_it_exports_a_schools_tables_only_to_those_who_may_see_the_school(
    answered: World, persona: str, status: int
) -> None:
    client = logged_in(getattr(answered, persona))
    for fmt in FORMATS:
        assert _status(client, _school(answered, fmt=fmt)) == status
    assert _status(client, _school(answered, "all", "xlsx")) == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("tess", 200), ("sam", 404), ("tom", 404), ("rita", 404), ("bob", 404)],
)
def test_it_exports_a_trusts_tables_only_to_its_leaders(
    answered: World, persona: str, status: int
) -> None:
    client = logged_in(getattr(answered, persona))
    for fmt in FORMATS:
        assert _status(client, _trust(answered, fmt=fmt)) == status
    assert _status(client, _trust(answered, "all", "xlsx")) == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("rita", 200), ("tess", 403), ("sam", 403), ("tom", 403), ("bob", 403)],
)
def test_it_exports_the_global_tables_and_responses_to_researchers_and_admins_only(
    answered: World, persona: str, status: int
) -> None:
    client = logged_in(getattr(answered, persona))
    for fmt in FORMATS:
        assert _status(client, _global(answered, fmt=fmt)) == status
        assert _status(client, _responses(answered, fmt)) == status
    assert _status(client, _global(answered, "all", "xlsx")) == status


def test_it_refuses_unknown_tables_and_formats(answered: World) -> None:
    client = logged_in(answered.alice)
    assert _status(client, _school(answered, "no_such_table")) == 404
    assert _status(client, _school(answered, fmt="json")) == 404
    assert _status(client, _school(answered, "all", "csv")) == 404
    assert _status(client, _responses(answered, "ods")) == 404
    url = reverse("exports:school", args=[99999, answered.aspen.urn, "scores", "csv"])
    assert _status(client, url) == 404
    assert _status(client, _trust(answered, trust_id=99999)) == 404


def test_it_streams_csv_and_sends_other_formats_as_files(answered: World) -> None:
    client = logged_in(answered.rita)
    for url in (_responses(answered), _global(answered)):
        response = client.get(url)
        assert isinstance(response, StreamingHttpResponse)
        assert not isinstance(response, FileResponse)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith("attachment;")
    for fmt in ("xlsx", "parquet"):
        response = client.get(_responses(answered, fmt))
        assert isinstance(response, FileResponse)
        assert _body(response)


def test_it_leaves_suppressed_figures_blank_in_every_format(answered: World) -> None:
    client = logged_in(answered.rita)
    # Dale (6 pupils, opted in so named) is hidden; Cedar ("School 3": it did not opt in) is
    # hidden beside it, or Dale's figures could be recovered from the wave's total.
    for fmt, read in (("csv", _csv_rows), ("xlsx", _xlsx_rows), ("parquet", _parquet_rows)):
        rows = read(client.get(_global(answered, fmt=fmt)))
        names = {str(r["school"]) for r in rows}
        assert not names & {"Cedar Primary", answered.cedar.urn, answered.dale.urn}
        assert {"Aspen Primary", "Dale School", "School 3"} <= names
        hidden = [r for r in rows if r["school"] in ("Dale School", "School 3")]
        assert hidden
        assert all(r["n"] in ("", None) and r["mean"] in ("", None) for r in hidden)
        shown = [r for r in rows if str(r["suppressed"]).lower() == "false"]
        assert shown
        assert all(int(str(r["n"])) >= 10 for r in shown)


def test_it_exports_a_school_without_enough_pupils_as_headers_only(answered: World) -> None:
    client = logged_in(answered.dev)
    rows = _csv_rows(client.get(_school(answered, urn=answered.dale.urn)))
    assert rows == []
    body = _body(client.get(_school(answered, urn=answered.dale.urn))).decode("utf-8-sig")
    assert body.startswith("kind,score,name,n,mean")


def test_it_exports_a_schools_tables_in_one_workbook(answered: World) -> None:
    body = _body(logged_in(answered.sam).get(_school(answered, "all", "xlsx")))
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    assert book.sheetnames[:3] == ["scores", "key_stage_counts", "gender_counts"]
    assert len(book.sheetnames) == 9
    scores = _xlsx_rows(body, "scores")
    assert {"pct_very_high", "benchmark_mean", "hedges_g"} <= set(scores[0])
    overall = next(r for r in scores if r["kind"] == "overall")
    assert isinstance(overall["mean"], float)
    assert isinstance(overall["n"], int)
    assert overall["n"] <= 40


def test_it_neutralises_formulas_in_names_but_keeps_negative_numbers(answered: World) -> None:
    answered.aspen.name = '=HYPERLINK("http://evil.example","Click")'
    answered.aspen.save()
    client = logged_in(answered.tess)
    rows = _xlsx_rows(client.get(_trust(answered, fmt="xlsx")))
    aspen = [r for r in rows if r["urn"] == answered.aspen.urn]
    assert aspen
    assert all(str(r["school_name"]).startswith("'=HYPERLINK") for r in aspen)
    csv_rows = _csv_rows(client.get(_trust(answered)))
    assert all(r["school_name"].startswith("'=") for r in csv_rows if r["urn"] == "100001")
    effects = _xlsx_rows(
        logged_in(answered.sam).get(_school(answered, "key_stage_effects", "xlsx"))
    )
    negative = [r["hedges_g"] for r in effects if isinstance(r["hedges_g"], float)]
    assert all(isinstance(g, float) for g in negative)  # numbers, never quoted text


def _released_cells(rows: list[dict[str, object]]) -> Counter[tuple[object, object, object]]:
    return Counter((r["school_pseudonym"], r["key_stage"], r["gender"]) for r in rows)


def test_it_exports_responses_of_opted_in_schools_only_under_pseudonyms(answered: World) -> None:
    result: WaveResult = compute_wave_result(answered.wave)
    numbers = result.payload["pseudonyms"]
    response = logged_in(answered.rita).get(_responses(answered))
    body = _body(response).decode("utf-8-sig")
    for secret in ("Aspen", "Birch", "Cedar", "Dale", answered.aspen.urn, answered.cedar.urn):
        assert secret not in body
    rows = list(csv.DictReader(io.StringIO(body)))
    inst = answered.wave.instrument()
    assert list(rows[0]) == ["school_pseudonym", "phase", "key_stage", "gender", *inst.item_ids]
    schools = {int(r["school_pseudonym"]) for r in rows}
    # Cedar did not opt in; Dale did, but has fewer pupils than the threshold.
    assert schools <= {numbers[answered.aspen.urn], numbers[answered.birch.urn]}
    assert numbers[answered.aspen.urn] in schools
    per_school = Counter(int(r["school_pseudonym"]) for r in rows)
    assert per_school[numbers[answered.aspen.urn]] <= 40
    assert all(n >= 10 for n in _released_cells(rows).values())  # type: ignore[arg-type]
    answers = {r[i] for r in rows for i in inst.item_ids}
    assert answers <= {"", "1", "2", "3", "4", "5"}
    phases = {(int(r["school_pseudonym"]), r["phase"]) for r in rows}
    assert (numbers[answered.aspen.urn], "primary") in phases


def test_it_writes_the_same_responses_in_every_format(answered: World) -> None:
    client = logged_in(answered.alice)
    as_csv = _csv_rows(client.get(_responses(answered, "csv")))
    as_xlsx = _xlsx_rows(client.get(_responses(answered, "xlsx")))
    as_parquet = _parquet_rows(client.get(_responses(answered, "parquet")))
    assert len(as_csv) == len(as_xlsx) == len(as_parquet) > 0

    def norm(rows: list[dict[str, object]]) -> list[tuple[str, ...]]:
        return sorted(tuple("" if v is None else str(v) for v in r.values()) for r in rows)

    assert norm(as_csv) == norm(as_xlsx) == norm(as_parquet)  # type: ignore[arg-type]
    assert isinstance(as_xlsx[0]["school_pseudonym"], int)
    assert any(isinstance(as_parquet[0][k], int) for k in as_parquet[0])


def test_it_refuses_a_response_workbook_beyond_the_spreadsheet_limit(
    answered: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "XLSX_MAX_ROWS", 20)
    response = logged_in(answered.rita).get(_responses(answered, "xlsx"))
    assert response.status_code == 400
    message = response.content.decode()
    assert "CSV or Parquet" in message
    assert _status(logged_in(answered.rita), _responses(answered, "parquet")) == 200


def test_the_export_command_writes_the_same_files(answered: World, tmp_path: Path) -> None:
    from learnsurvey.cli_export import export

    runner = CliRunner()
    wave = str(answered.wave.pk)
    out = tmp_path / "responses.parquet"
    done = runner.invoke(
        export, ["--wave", wave, "--responses-level", "--format", "parquet", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    from_web = _parquet_rows(logged_in(answered.rita).get(_responses(answered, "parquet")))
    assert pq.read_table(out).to_pylist() == from_web
    out = tmp_path / "reliability.csv"
    done = runner.invoke(export, ["--wave", wave, "--table", "reliability", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_bytes() == _body(logged_in(answered.rita).get(_global(answered, "reliability")))
    out = tmp_path / "all.xlsx"
    args = ["--wave", wave, "--table", "all", "--format", "xlsx", "--out", str(out)]
    assert runner.invoke(export, args).exit_code == 0
    assert "school_summary" in openpyxl.load_workbook(out, read_only=True).sheetnames


def test_the_export_command_refuses_bad_requests(answered: World, tmp_path: Path) -> None:
    from learnsurvey.cli_export import export

    runner = CliRunner()
    out = str(tmp_path / "x.csv")
    neither = runner.invoke(export, ["--wave", str(answered.wave.pk), "--out", out])
    assert neither.exit_code == 2
    assert "exactly one" in neither.output
    missing = runner.invoke(export, ["--wave", "99999", "--responses-level", "--out", out])
    assert missing.exit_code == 2
    assert "no wave 99999" in missing.output
    args = ["--wave", str(answered.wave.pk), "--table", "nope", "--out", out]
    unknown = runner.invoke(export, args)
    assert unknown.exit_code == 2
    assert "no table 'nope'" in unknown.output
    assert not Path(out).exists()


def test_it_numbers_schools_as_the_wave_results_will_before_they_exist(answered: World) -> None:
    before = _csv_rows(logged_in(answered.rita).get(_responses(answered)))
    numbers = compute_wave_result(answered.wave).payload["pseudonyms"]
    after = _csv_rows(logged_in(answered.rita).get(_responses(answered)))
    assert before == after
    assert {int(r["school_pseudonym"]) for r in after} == {
        numbers[answered.aspen.urn],
        numbers[answered.birch.urn],
    }


def test_it_links_the_dashboards_to_their_downloads(answered: World) -> None:
    pages = [
        (answered.sam, reverse("dashboards:school", args=[answered.wave.pk, answered.aspen.urn])),
        (answered.tess, reverse("dashboards:trust", args=[answered.wave.pk, answered.trust.pk])),
        (answered.rita, reverse("dashboards:global", args=[answered.wave.pk])),
    ]
    links = [_school(answered, "all", "xlsx"), _trust(answered, "all", "xlsx")]
    links += [_global(answered, "all", "xlsx"), _responses(answered, "parquet")]
    for (user, url), link in zip(pages, links[:3], strict=True):
        page = logged_in(user).get(url).content.decode()
        assert link in page
        assert _status(logged_in(user), link) == 200
    assert links[3] in logged_in(answered.rita).get(pages[2][1]).content.decode()
    # The old per-table CSV links of the global page still work.
    assert (
        _status(
            logged_in(answered.rita),
            reverse("dashboards:global_csv", args=[answered.wave.pk, "reliability"]),
        )
        == 200
    )
