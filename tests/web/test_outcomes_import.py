"""Context and outcomes imports: two CSV kinds told by the header, all or nothing, with
row-numbered errors naming the column; a re-import changes nothing; the latest year sets the
school's current context; through the command line and the admins' upload page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from learnsurvey.web.dashboards.compute import is_stale
from learnsurvey.web.dashboards.results import compute_wave_result
from learnsurvey.web.reports.sources import inputs_from_database, inputs_version
from learnsurvey.web.schools.imports import ImportRejected, do_import_outcomes
from learnsurvey.web.schools.models import OutcomeValue, School, SchoolYear
from personas import World, answer, logged_in

CONTEXT = (
    "urn,year,fsm_pct,eal_pct,send_pct,pupils,inspection_rating,inspection_date\n"
    "100001,2024/25,30,12.5,14,410,good,2022-03-01\n"
    "100001,2025/26,32,13,,420,,\n"
    "100002,2025/26,18,6,11,1100,Outstanding,2024-11-20\n"
)
OUTCOMES = (
    "urn,year,measure,unit,value\n"
    "100001,2024/25,KS2 expected standard,%,61\n"
    "100001,2024/25,Attendance,%,95.1\n"
    "100002,2024/25,Progress 8,score,-0.21\n"
    "200001,2024/25,KS2 expected standard,%,55\n"
)


def _where(rejected: pytest.ExceptionInfo[ImportRejected]) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in rejected.value.problems}


def test_it_imports_a_context_file_by_school_and_year(world: World) -> None:
    result = do_import_outcomes(CONTEXT)
    assert (result.kind, result.created, result.updated, result.unchanged) == ("context", 3, 0, 0)
    assert result.schools_updated == 2
    year = SchoolYear.objects.get(school=world.aspen, year="2024/25")
    assert (year.fsm_pct, year.eal_pct, year.pupils, year.inspection_rating) == (
        30,
        12.5,
        410,
        "good",
    )
    assert SchoolYear.objects.get(school=world.birch).inspection_rating == "outstanding"


def test_it_sets_the_current_context_from_the_latest_year_with_a_value(world: World) -> None:
    do_import_outcomes(CONTEXT)
    world.aspen.refresh_from_db()
    # 2025/26 gives FSM, EAL and pupils; SEND and the inspection are kept from 2024/25.
    assert (world.aspen.fsm_pct, world.aspen.eal_pct, world.aspen.pupils) == (32, 13, 420)
    assert world.aspen.send_pct == 14
    assert world.aspen.inspection_rating == "good"
    assert world.aspen.inspection_date is not None
    assert world.aspen.inspection_date.isoformat() == "2022-03-01"


def test_it_imports_an_outcomes_file_with_free_form_measures(world: World) -> None:
    result = do_import_outcomes(OUTCOMES)
    assert (result.kind, result.created, result.updated, result.unchanged) == ("outcomes", 4, 0, 0)
    p8 = OutcomeValue.objects.get(school=world.birch, measure="Progress 8")
    assert (p8.year, p8.unit, p8.value) == ("2024/25", "score", -0.21)


def test_it_changes_nothing_when_the_same_file_is_imported_again(world: World) -> None:
    for text in (CONTEXT, OUTCOMES):
        do_import_outcomes(text)
    before = {
        "years": list(SchoolYear.objects.values_list("pk", "updated")),
        "outcomes": list(OutcomeValue.objects.values_list("pk", "updated")),
    }
    again = [do_import_outcomes(text) for text in (CONTEXT, OUTCOMES)]
    assert [(r.created, r.updated, r.unchanged, r.schools_updated) for r in again] == [
        (0, 0, 3, 0),
        (0, 0, 4, 0),
    ]
    assert list(SchoolYear.objects.values_list("pk", "updated")) == before["years"]
    assert list(OutcomeValue.objects.values_list("pk", "updated")) == before["outcomes"]


def test_it_updates_a_value_imported_before(world: World) -> None:
    do_import_outcomes(OUTCOMES)
    result = do_import_outcomes("urn,year,measure,unit,value\n100001,2024/25,Attendance,%,96\n")
    assert (result.created, result.updated) == (0, 1)
    assert OutcomeValue.objects.get(school=world.aspen, measure="Attendance").value == 96


def test_it_rejects_a_bad_context_file_whole_naming_rows_and_columns(world: World) -> None:
    bad = (
        "urn,year,fsm_pct,pupils,inspection_rating,inspection_date\n"
        "100001,2025/26,20,400,good,2024-01-01\n"
        "100002,2025/27,120,lots,great,01/02/2024\n"
        "999999,2025/26,,,,\n"
        "100001,2025/26,21,,,\n"
        "abc,,,,,\n"
    )
    with pytest.raises(ImportRejected) as caught:
        do_import_outcomes(bad)
    assert {
        (3, "year"),
        (3, "fsm_pct"),
        (3, "pupils"),
        (3, "inspection_rating"),
        (3, "inspection_date"),
        (4, "urn"),
        (5, "urn"),
        (6, "urn"),
        (6, "year"),
    } <= _where(caught)
    message = str(caught.value)
    assert "after 2025 comes 2026" in message
    assert "URN 999999 is not a school on the platform" in message
    assert "URN 100001 in 2025/26 is also on row 2" in message
    assert not SchoolYear.objects.exists()  # row 2 was fine, yet nothing was written
    world.aspen.refresh_from_db()
    assert world.aspen.fsm_pct is None


def test_it_rejects_a_bad_outcomes_file_whole(world: World) -> None:
    bad = (
        "urn,year,measure,unit,value\n"
        "100001,2024/25,Attendance,%,95\n"
        "100001,2024/25,,%,\n"
        "100002,2024,Progress 8,score,n/a\n"
        "100001,2024/25,Attendance,%,94\n"
    )
    with pytest.raises(ImportRejected) as caught:
        do_import_outcomes(bad)
    assert {(3, "measure"), (3, "value"), (4, "value"), (5, "urn")} <= _where(caught)
    assert "URN 100001 in 2024/25, Attendance, is also on row 2" in str(caught.value)
    assert not OutcomeValue.objects.exists()


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("urn,year,measure,value\n", r"missing required column\(s\): unit"),
        ("urn,measure,unit,value\n", r"missing required column\(s\): year"),
        ("urn,year,measure,unit,value,fsm_pct\n", "outcomes or context, not both"),
        ("urn,year,colour\n", "not an outcomes file"),
        ("urn,year,fsm_pct,fsm_pct\n", "appears twice"),
    ],
)
def test_it_tells_the_kind_of_file_by_its_header(world: World, header: str, words: str) -> None:
    with pytest.raises(ImportRejected, match=words) as caught:
        do_import_outcomes(header + "100001,2024/25,1,2,3,4\n")
    assert {p.row for p in caught.value.problems} == {1}


def test_it_refuses_a_file_with_no_rows(world: World) -> None:
    with pytest.raises(ImportRejected, match="no rows"):
        do_import_outcomes("urn,year,measure,unit,value\n\n")


def test_it_imports_from_the_command_line(tmp_path: Path, world: World) -> None:
    from io import StringIO

    path = tmp_path / "outcomes.csv"
    path.write_text("\ufeff" + OUTCOMES, encoding="utf-8")
    out = StringIO()
    call_command("import_outcomes", str(path), stdout=out)
    assert "4 outcome value(s) created, 0 updated, 0 unchanged" in out.getvalue()
    context = tmp_path / "context.csv"
    context.write_text(CONTEXT, encoding="utf-8")
    call_command("import_outcomes", str(context), stdout=out)
    assert "2 school(s) given a new current context" in out.getvalue()


def test_it_fails_on_the_command_line_with_row_numbers(tmp_path: Path, world: World) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("urn,year,measure,unit,value\n100001,2024/25,Attendance,%,lots\n")
    with pytest.raises(CommandError, match="row 2, column 'value': 'lots' is not a number"):
        call_command("import_outcomes", str(path))
    with pytest.raises(CommandError, match=r"missing\.csv"):
        call_command("import_outcomes", str(tmp_path / "missing.csv"))


def test_it_imports_through_the_page(world: World) -> None:
    client = logged_in(world.alice)
    url = reverse("schools:import_outcomes")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("outcomes.csv", OUTCOMES.encode(), content_type="text/csv")
    page = client.post(url, {"file": upload}).content.decode()
    assert "Imported outcomes: 4 values created, 0 updated, 0 unchanged." in page
    upload = SimpleUploadedFile("context.csv", CONTEXT.encode(), content_type="text/csv")
    page = client.post(url, {"file": upload}).content.decode()
    assert "Imported context: 3 school years created" in page


def test_it_lists_the_problems_by_row_on_the_page(world: World) -> None:
    client = logged_in(world.alice)
    bad = b"urn,year,fsm_pct\n100001,2025/26,200\n"
    upload = SimpleUploadedFile("context.csv", bad, content_type="text/csv")
    page = client.post(reverse("schools:import_outcomes"), {"file": upload}).content.decode()
    assert "The file was rejected: nothing was imported" in page
    assert "fsm_pct" in page
    assert "is not a percentage from 0 to 100" in page
    upload = SimpleUploadedFile("context.csv", "é".encode("latin-1"), content_type="text/csv")
    page = client.post(reverse("schools:import_outcomes"), {"file": upload}).content.decode()
    assert "not UTF-8" in page


@pytest.mark.parametrize("persona", ["tess", "sam", "tom", "rita", "bob", "sara", "dev"])
def test_it_lets_only_platform_admins_import(world: World, persona: str) -> None:
    client = logged_in(getattr(world, persona))
    url = reverse("schools:import_outcomes")
    assert client.get(url).status_code == 403
    upload = SimpleUploadedFile("outcomes.csv", OUTCOMES.encode(), content_type="text/csv")
    assert client.post(url, {"file": upload}).status_code == 403
    assert not OutcomeValue.objects.exists()


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, world: World) -> None:
    response = client.get(reverse("schools:import_outcomes"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_links_the_admin_lists_to_the_upload_page(world: World) -> None:
    client = logged_in(world.alice)
    do_import_outcomes(OUTCOMES)
    for name in ("admin:schools_outcomevalue_changelist", "admin:schools_schoolyear_changelist"):
        page = client.get(reverse(name)).content.decode()
        assert reverse("schools:import_outcomes") in page
    page = client.get(reverse("admin:schools_outcomevalue_changelist")).content.decode()
    assert "KS2 expected standard" in page


def test_it_hands_the_context_and_outcomes_to_the_reports(world: World) -> None:
    answer(world)
    School.objects.filter(pk=world.cedar.pk).update(region="South West")
    do_import_outcomes(CONTEXT)
    do_import_outcomes(OUTCOMES)
    inputs = inputs_from_database(world.wave)
    schools = inputs.schools.set_index("school")
    assert schools.loc["100001", "pupils"] == 420
    assert schools.loc["100001", "eal_pct"] == 13
    assert schools.loc["100001", "send_pct"] == 14
    assert schools.loc["200001", "region"] == "South West"
    assert inputs.outcomes is not None
    assert list(inputs.outcomes.columns) == ["school", "year", "measure", "unit", "value"]
    assert len(inputs.outcomes) == 4
    row = inputs.outcomes[inputs.outcomes["measure"] == "Progress 8"].iloc[0]
    assert (row["school"], row["year"], row["unit"], row["value"]) == (
        "100002",
        "2024/25",
        "score",
        -0.21,
    )


def test_it_gives_no_outcomes_table_when_none_are_imported(world: World) -> None:
    answer(world)
    assert inputs_from_database(world.wave).outcomes is None


def test_it_makes_the_stored_results_stale_when_outcomes_are_imported(world: World) -> None:
    answer(world)
    result = compute_wave_result(world.wave)
    version = inputs_version(world.wave)
    assert not is_stale(result)
    do_import_outcomes(OUTCOMES)
    assert is_stale(result)
    assert inputs_version(world.wave) != version
    result = compute_wave_result(world.wave)
    assert not is_stale(result)
    do_import_outcomes(OUTCOMES)  # the same file again: nothing changed
    assert not is_stale(result)
