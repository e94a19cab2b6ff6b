"""CSV imports: schools and responses, all or nothing, with row-numbered errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.actions import decode_answers
from learnsurvey.web.waves.imports import ImportRejected, do_import_responses, do_import_schools
from learnsurvey.web.waves.leaving import do_delete_school_responses
from learnsurvey.web.waves.models import Response
from personas import World

SCHOOLS_HEADER = (
    "urn,name,phase,trust,region,country,fsm_pct,eal_pct,send_pct,"
    "inspection_rating,inspection_date,research_opt_in\n"
)
GOOD_SCHOOLS = SCHOOLS_HEADER + (
    "500001,Fir Primary,primary,Northern Lights Trust,North West,England,21.5,8,12,good,"
    "2023-05-10,yes\n"
    "500002,Gorse Academy,Secondary,New Horizons Trust,,,,,,,,\n"
    "100001,Aspen Primary School,primary,Northern Lights Trust,North East,England,30,,,"
    "outstanding,,no\n"
)
BAD_SCHOOLS = SCHOOLS_HEADER + (
    "500001,Fir Primary,primary,,,,,,,,,\n"
    "500002,,nursery,,,,120,,,great,10/05/2023,maybe\n"
    "500001,Fir Again,primary,,,,,,,,,\n"
)


def test_it_imports_schools(world: World) -> None:
    result = do_import_schools(GOOD_SCHOOLS)
    assert (result.created, result.updated, result.trusts_created) == (2, 1, 1)
    fir = School.objects.get(urn="500001")
    assert fir.trust == world.trust
    assert fir.fsm_pct == 21.5
    assert fir.inspection_rating == "good"
    assert fir.inspection_date is not None
    assert fir.inspection_date.isoformat() == "2023-05-10"
    assert fir.research_opt_in
    gorse = School.objects.get(urn="500002")
    assert gorse.phase == "secondary"
    assert gorse.trust == Trust.objects.get(name="New Horizons Trust")
    assert gorse.country == "England"
    assert gorse.fsm_pct is None
    world.aspen.refresh_from_db()
    assert world.aspen.name == "Aspen Primary School"
    assert world.aspen.region == "North East"


def test_it_rejects_a_bad_schools_file_whole(world: World) -> None:
    before = School.objects.count()
    with pytest.raises(ImportRejected) as caught:
        do_import_schools(BAD_SCHOOLS)
    where = {(p.row, p.column) for p in caught.value.problems}
    assert {
        (3, "name"),
        (3, "phase"),
        (3, "fsm_pct"),
        (3, "inspection_rating"),
        (3, "inspection_date"),
        (3, "research_opt_in"),
        (4, "urn"),
    } <= where
    assert "URN 500001 is also on row 2" in str(caught.value)
    assert School.objects.count() == before  # row 2 was fine, yet nothing was written


def test_it_requires_the_school_columns(world: World) -> None:
    with pytest.raises(ImportRejected, match=r"row 1: missing required column\(s\): phase"):
        do_import_schools("urn,name\n500001,Fir\n")


# --- responses -------------------------------------------------------------------------------


def _responses_csv(world: World, rows: list[tuple[str, str, str, list[str]]]) -> str:
    items = world.wave.instrument().item_ids
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["school", "key_stage", "gender", "wave", *items])
    for school, key_stage, gender, answers in rows:
        writer.writerow([school, key_stage, gender, "2026", *answers])
    return out.getvalue()


def _answers(world: World, first: str = "4") -> list[str]:
    n = len(world.wave.instrument().item_ids)
    return [first, "", *(["3"] * (n - 2))]


@pytest.fixture
def good_file(tmp_path: Path, world: World) -> Path:
    path = tmp_path / "responses.csv"
    path.write_text(
        _responses_csv(
            world,
            [
                ("100001", "KS2", "girl", _answers(world, "5")),
                ("Birch Academy", "ks 4", "", _answers(world, "1")),
                ("300001", "", "Prefer not to say", _answers(world)),
            ],
        )
    )
    return path


def test_it_imports_responses(world: World, good_file: Path) -> None:
    result = do_import_responses(world.wave, good_file)
    assert result.created == 3
    assert not result.already_imported
    stored = {r.school.urn: r for r in Response.objects.select_related("school")}
    assert set(stored) == {"100001", "100002", "300001"}
    aspen = stored["100001"]
    assert (aspen.key_stage, aspen.gender, aspen.source) == ("KS2", "girl", "import")
    assert aspen.submitted_hour.minute == 0
    answers = decode_answers(world.wave.instrument(), aspen.answers)
    assert list(answers.values())[:3] == [5, None, 3]
    assert stored["100002"].key_stage == "KS4"
    assert stored["300001"].gender == "prefer_not_to_say"
    assert stored["300001"].key_stage == ""


def test_it_imports_the_same_file_once(world: World, good_file: Path) -> None:
    do_import_responses(world.wave, good_file)
    again = do_import_responses(world.wave, good_file)
    assert again.already_imported
    assert again.created == 0
    assert Response.objects.count() == 3


def test_it_rejects_bad_rows_and_writes_nothing(tmp_path: Path, world: World) -> None:
    path = tmp_path / "bad.csv"
    bad = _answers(world)
    bad[3] = "7"
    path.write_text(
        _responses_csv(
            world,
            [
                ("100001", "KS2", "girl", _answers(world)),
                ("100001", "KS9", "girl", _answers(world)),
                ("100001", "KS2", "x", bad),
            ],
        )
    )
    with pytest.raises(ImportRejected) as caught:
        do_import_responses(world.wave, path)
    rows = sorted(p.row for p in caught.value.problems if p.row is not None)
    assert rows == [3, 4, 4]
    assert Response.objects.count() == 0


def test_it_reports_unknown_schools_by_row(tmp_path: Path, world: World) -> None:
    path = tmp_path / "unknown.csv"
    path.write_text(
        _responses_csv(
            world,
            [
                ("100001", "KS2", "girl", _answers(world)),
                ("999999", "KS2", "girl", _answers(world)),
                ("Nowhere School", "KS2", "girl", _answers(world)),
                ("999999", "KS2", "girl", _answers(world)),
            ],
        )
    )
    with pytest.raises(ImportRejected) as caught:
        do_import_responses(world.wave, path)
    messages = [str(p) for p in caught.value.problems]
    assert messages[0].startswith("row 3, column 'school': '999999' is not a school taking part")
    assert "(and 1 more row(s))" in messages[0]
    assert messages[1].startswith("row 4, column 'school': 'Nowhere School'")
    assert Response.objects.count() == 0


def test_it_refuses_answers_for_a_school_that_has_left(tmp_path: Path, world: World) -> None:
    do_delete_school_responses(world.dale, by=world.alice)
    path = tmp_path / "left.csv"
    path.write_text(_responses_csv(world, [("300001", "KS3", "girl", _answers(world))]))
    with pytest.raises(ImportRejected) as caught:
        do_import_responses(world.wave, path)
    assert str(caught.value.problems[0]).startswith("row 2, column 'school': '300001'")
    assert Response.objects.count() == 0


def test_it_refuses_a_school_that_is_not_in_the_wave(tmp_path: Path, world: World) -> None:
    world.wave.participations.filter(school=world.dale).delete()
    path = tmp_path / "dale.csv"
    path.write_text(_responses_csv(world, [("300001", "KS3", "boy", _answers(world))]))
    with pytest.raises(ImportRejected, match="row 2"):
        do_import_responses(world.wave, path)


def test_it_imports_thousands_of_rows_in_batches(tmp_path: Path, world: World) -> None:
    path = tmp_path / "many.csv"
    rows = [("100002", "KS3", "boy", _answers(world))] * 12_000
    path.write_text(_responses_csv(world, rows))
    assert do_import_responses(world.wave, path).created == 12_000
    assert Response.objects.filter(school=world.birch).count() == 12_000


# --- management commands ---------------------------------------------------------------------


def test_it_imports_from_the_command_line(tmp_path: Path, world: World, good_file: Path) -> None:
    schools = tmp_path / "schools.csv"
    schools.write_text(GOOD_SCHOOLS)
    out = io.StringIO()
    call_command("import_schools", str(schools), stdout=out)
    assert "2 school(s) created, 1 updated" in out.getvalue()
    call_command("import_responses", "--wave", str(world.wave.pk), str(good_file), stdout=out)
    assert "3 response(s) imported" in out.getvalue()


def test_it_fails_on_the_command_line_with_row_numbers(tmp_path: Path, world: World) -> None:
    schools = tmp_path / "schools.csv"
    schools.write_text(BAD_SCHOOLS)
    with pytest.raises(CommandError, match=r"row 3, column 'phase'"):
        call_command("import_schools", str(schools))
    with pytest.raises(CommandError, match="no wave"):
        call_command("import_responses", "--wave", "999", str(schools))


# --- web pages -------------------------------------------------------------------------------


def test_it_imports_schools_through_the_page(client: Client, world: World) -> None:
    client.force_login(world.alice)
    upload = SimpleUploadedFile("schools.csv", GOOD_SCHOOLS.encode(), "text/csv")
    page = client.post(reverse("waves:import_schools"), {"file": upload})
    assert page.status_code == 200
    assert "2 schools created, 1 updated" in page.content.decode()
    assert School.objects.filter(urn="500002").exists()


def test_it_lists_errors_by_row_on_the_page(client: Client, world: World) -> None:
    client.force_login(world.alice)
    upload = SimpleUploadedFile("schools.csv", BAD_SCHOOLS.encode(), "text/csv")
    page = client.post(reverse("waves:import_schools"), {"file": upload})
    body = page.content.decode()
    assert "nothing was imported" in body
    assert "nursery" in body
    assert not School.objects.filter(urn="500001").exists()


def test_it_imports_responses_through_the_page(
    client: Client, world: World, good_file: Path
) -> None:
    client.force_login(world.alice)
    url = reverse("waves:import_responses", args=[world.wave.pk])
    upload = SimpleUploadedFile("r.csv", good_file.read_bytes(), "text/csv")
    assert "Imported 3 responses" in client.post(url, {"file": upload}).content.decode()
    upload = SimpleUploadedFile("r.csv", good_file.read_bytes(), "text/csv")
    assert "already been imported" in client.post(url, {"file": upload}).content.decode()
    upload = SimpleUploadedFile("r.txt", b"hello", "text/plain")
    assert ".csv, .xlsx or .parquet" in client.post(url, {"file": upload}).content.decode()
    assert Response.objects.count() == 3


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, world: World) -> None:
    for url in (
        reverse("waves:import_schools"),
        reverse("waves:import_responses", args=[world.wave.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["tess", "sam", "tom", "rita", "bob", "sara"])
def test_it_lets_only_platform_admins_import(client: Client, world: World, persona: str) -> None:
    client.force_login(getattr(world, persona))
    assert client.get(reverse("waves:import_schools")).status_code == 403
    upload = SimpleUploadedFile("schools.csv", GOOD_SCHOOLS.encode(), "text/csv")
    assert client.post(reverse("waves:import_schools"), {"file": upload}).status_code == 403
    url = reverse("waves:import_responses", args=[world.wave.pk])
    assert client.get(url).status_code == 403
    assert not School.objects.filter(urn="500001").exists()


def test_it_answers_404_for_an_unknown_wave_import(client: Client, world: World) -> None:
    client.force_login(world.alice)
    url = reverse("waves:import_responses", args=[world.wave.pk + 99])
    assert client.get(url).status_code == 404


def test_it_imports_a_parquet_file(tmp_path: Path, world: World, good_file: Path) -> None:
    path = tmp_path / "responses.parquet"
    pd.read_csv(good_file, dtype={"school": str}).to_parquet(path)
    assert do_import_responses(world.wave, path).created == 3
    assert Response.objects.filter(school=world.dale, gender="prefer_not_to_say").count() == 1
