"""The staff journey on a staff survey's code: language, role, the statements, thanks; its
retry-safe submission (a role, never a year group or gender); and the wave's season."""

from __future__ import annotations

import importlib
import json
import re
import uuid
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client

from learnsurvey.web.waves.models import Response, Wave
from personas import World, logged_in
from staff_personas import StaffWorld, add_staff_wave

ROLES = ["teacher", "teaching_assistant", "leader", "other"]
SEASON_MIGRATION = "0005_wave_season_response_role"


@pytest.fixture
def staff(world: World) -> StaffWorld:
    return add_staff_wave(world)


def _answers(staff: StaffWorld) -> dict[str, int]:
    return {item.id: 4 for item in staff.staff_wave.instrument().items}


def _post(client: Client, code: str, body: dict[str, Any]) -> Any:
    return client.post(f"/s/{code}/responses", json.dumps(body), content_type="application/json")


def _body(staff: StaffWorld, **change: Any) -> dict[str, Any]:
    body = {
        "key": str(uuid.uuid4()),
        "role": "teacher",
        "language": "en",
        "answers": _answers(staff),
    }
    return body | change


def test_it_reads_the_roles_from_the_staff_instrument(staff: StaffWorld) -> None:
    assert staff.staff_wave.instrument().demographics.role_ids == ROLES


def test_it_takes_a_staff_code_to_the_role_page(client: Client, staff: StaffWorld) -> None:
    code = staff.aspen_staff_code.code
    language = client.get(f"/s/{code}/")
    assert language.status_code == 200
    assert f'href="/s/{code}/role/?lang=en"' in language.content.decode()
    role = client.get(f"/s/{code}/role/?lang=en")
    assert role.status_code == 200
    page = role.content.decode()
    assert "What is your role in the school?" in page
    for role_id, name in [(r.id, r.name) for r in staff.staff_wave.instrument().demographics.roles]:
        assert f'value="{role_id}"' in page
        assert name in page
    # One thing per page: nothing about year groups or gender.
    assert 'name="year"' not in page
    assert 'name="gender"' not in page
    # A pupil's "about you" link on a staff code leads to the role page.
    about = client.get(f"/s/{code}/about/?lang=en")
    assert about.status_code == 302
    assert about["Location"] == f"/s/{code}/role/?lang=en"


def test_it_keeps_pupils_off_the_role_page(client: Client, staff: StaffWorld) -> None:
    code = staff.world.aspen_code.code
    assert client.get(f"/s/{code}/").content.decode().count(f"/s/{code}/about/") >= 1
    response = client.get(f"/s/{code}/role/?lang=en")
    assert response.status_code == 302
    assert response["Location"] == f"/s/{code}/about/?lang=en"


@pytest.mark.parametrize("query", ["", "&role=", "&role=headteacher%3Cb%3E"])
def test_it_requires_a_role(client: Client, staff: StaffWorld, query: str) -> None:
    response = client.get(f"/s/{staff.aspen_staff_code.code}/survey/?lang=en{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#role-teacher"' in page  # the summary links to the first radio
    assert 'id="role-error"' in page
    assert re.search(r"<title>Error:", page)
    assert "headteacher" not in page  # what was sent is not repeated


def test_it_shows_staff_the_statements_in_words(client: Client, staff: StaffWorld) -> None:
    response = client.get(f"/s/{staff.aspen_staff_code.code}/survey/?lang=en&role=leader")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<input type="hidden" name="role" value="leader">' in page
    assert 'name="year"' not in page
    assert 'name="gender"' not in page
    assert 'class="face"' not in page  # faces are for young pupils
    assert "How do you see learning in your school?" in page
    assert 'data-page="2"' in page  # short pages, the same survey script
    assert "pupil/survey" in page


def test_it_stores_the_role_and_no_year_group_or_gender(client: Client, staff: StaffWorld) -> None:
    response = _post(client, staff.aspen_staff_code.code, _body(staff, role="teaching_assistant"))
    assert response.status_code == 201
    stored = Response.objects.get(wave=staff.staff_wave)
    assert stored.school == staff.world.aspen
    assert stored.role == "teaching_assistant"
    assert stored.year_group is None
    assert stored.key_stage == ""
    assert stored.gender == ""
    assert stored.submitted_hour.minute == 0
    field_names = {f.name for f in Response._meta.get_fields()}
    assert not field_names & {"name", "email", "ip", "ip_address", "user"}


def test_it_makes_a_retry_with_the_same_key_a_no_op(client: Client, staff: StaffWorld) -> None:
    body = _body(staff)
    first = _post(client, staff.aspen_staff_code.code, body)
    again = _post(client, staff.aspen_staff_code.code, body | {"role": "leader"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"status": "already_stored"}
    assert Response.objects.filter(wave=staff.staff_wave).count() == 1
    assert Response.objects.get(wave=staff.staff_wave).role == "teacher"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "Head<script>"}, "role"),
        ({"role": None}, "role"),
        ({"year_group": 5}, "year_group"),
        ({"gender": "girl"}, "gender"),
    ],
)
def test_it_refuses_what_a_staff_survey_does_not_ask(
    client: Client, staff: StaffWorld, change: dict[str, Any], field: str
) -> None:
    response = _post(client, staff.aspen_staff_code.code, _body(staff, **change))
    assert response.status_code == 400
    message = response.json()["error"]
    assert message.startswith(f"{field}:")
    assert "script" not in message
    assert "girl" not in message
    assert not Response.objects.filter(wave=staff.staff_wave).exists()


def test_it_refuses_a_role_on_a_pupil_wave(client: Client, staff: StaffWorld) -> None:
    world = staff.world
    body = {
        "key": str(uuid.uuid4()),
        "year_group": 5,
        "role": "teacher",
        "answers": {item.id: 4 for item in world.wave.instrument().items},
    }
    response = _post(client, world.aspen_code.code, body)
    assert response.status_code == 400
    assert response.json()["error"].startswith("role:")
    assert not Response.objects.exists()
    # Without the role the pupil's submission is stored as before.
    assert _post(client, world.aspen_code.code, body | {"role": ""}).status_code == 201


def test_it_stores_the_form_without_javascript(client: Client, staff: StaffWorld) -> None:
    code = staff.aspen_staff_code.code
    three = dict.fromkeys(list(_answers(staff))[:3], "5")
    post = {"key": str(uuid.uuid4()), "lang": "en", "role": "other"} | three
    response = client.post(f"/s/{code}/submit/", post)
    assert response.status_code == 302
    assert response["Location"] == f"/thanks/?lang=en&who=staff&next={code}"
    assert Response.objects.get(wave=staff.staff_wave).role == "other"
    thanks = client.get(response["Location"]).content.decode()
    assert "never one person" in thanks


def test_a_teacher_sees_the_staff_codes_but_makes_none(staff: StaffWorld) -> None:
    client = logged_in(staff.world.tom)
    urn = staff.world.aspen.urn
    assert client.get(f"/schools/{urn}/codes/").status_code == 200
    sheet = client.get(f"/schools/{urn}/codes/sheet/?wave={staff.staff_wave.pk}")
    assert sheet.status_code == 200
    assert staff.aspen_staff_code.display in sheet.content.decode()
    created = client.post(f"/schools/{urn}/codes/", {"staff-wave": staff.staff_wave.pk})
    assert created.status_code == 403


@pytest.mark.parametrize("who", ["sara", "bob", "dev", "rita"])
def test_it_hides_another_schools_staff_codes_page(staff: StaffWorld, who: str) -> None:
    client = logged_in(getattr(staff.world, who))
    urn = staff.world.aspen.urn
    assert client.get(f"/schools/{urn}/codes/").status_code == 404
    sheet = client.get(f"/schools/{urn}/codes/sheet/?wave={staff.staff_wave.pk}")
    assert sheet.status_code == 404
    created = client.post(f"/schools/{urn}/codes/", {"staff-wave": staff.staff_wave.pk})
    assert created.status_code == 404


def test_it_fills_a_blank_season_from_the_opening_date(world: World) -> None:
    assert world.wave.season  # the personas' wave, saved without one
    autumn = Wave(
        name="A", instrument_version="x", opens=date(2025, 10, 1), closes=date(2025, 11, 1)
    )
    autumn.save()
    chosen = Wave.objects.create(
        name="B",
        instrument_version="x",
        opens=date(2025, 10, 1),
        closes=date(2025, 11, 1),
        season=Wave.Season.SPRING,
    )
    assert (autumn.season, chosen.season) == ("autumn", "spring")


def test_it_fills_the_seasons_of_existing_waves_in_the_migration(world: World) -> None:
    for name, opens in [
        ("Jan", date(2022, 1, 10)),
        ("Jun", date(2022, 6, 6)),
        ("Oct", date(2022, 10, 3)),
    ]:
        Wave.objects.create(name=name, instrument_version="x", opens=opens, closes=opens)
    chosen = Wave.objects.create(
        name="Chosen",
        instrument_version="x",
        opens=date(2022, 6, 6),
        closes=date(2022, 6, 6),
        season=Wave.Season.AUTUMN,
    )
    Wave.objects.exclude(pk=chosen.pk).update(season="")  # as the schema change left them
    migration = importlib.import_module(f"learnsurvey.web.waves.migrations.{SEASON_MIGRATION}")
    state = MigrationLoader(connection).project_state(("waves", SEASON_MIGRATION))
    migration.fill_seasons(state.apps, None)
    seasons = dict(Wave.objects.values_list("name", "season"))
    assert seasons["Jan"] == "spring"
    assert seasons["Jun"] == "summer"
    assert seasons["Oct"] == "autumn"
    assert seasons["Chosen"] == "autumn"  # a season already set is kept
    assert seasons[world.wave.name] == Wave.Season(seasons[world.wave.name])
