"""Staff access codes on the school's codes page (separate from pupils', printable, created
by leaders), and a staff wave's responses streamed by role (``dashboards.chunks``)."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from django.utils import timezone

from learnsurvey.web.dashboards.chunks import response_chunks
from learnsurvey.web.waves.actions import do_create_access_codes
from learnsurvey.web.waves.models import AccessCode, Publication, Response
from personas import World, logged_in
from staff_personas import StaffWorld, add_staff_wave


@pytest.fixture
def staff(world: World) -> StaffWorld:
    return add_staff_wave(world)


def _codes_url(staff: StaffWorld) -> str:
    return f"/schools/{staff.world.aspen.urn}/codes/"


def test_it_lists_pupil_and_staff_codes_in_separate_sections(staff: StaffWorld) -> None:
    page = logged_in(staff.world.sam).get(_codes_url(staff)).content.decode()
    pupils = page.index('id="pupil-codes"')
    staff_at = page.index('id="staff-codes"')
    assert pupils < staff_at
    assert "Pupils’ access codes" in page
    assert "Staff access codes" in page
    assert pupils < page.index(staff.world.aspen_code.display) < staff_at
    assert page.index(staff.aspen_staff_code.display) > staff_at
    assert staff.cedar_staff_code.display not in page
    season = staff.world.wave.get_season_display()
    assert f"({season}, " in page  # each wave with its season


@pytest.mark.parametrize("who", ["sam", "tess", "alice"])
def test_it_lets_leaders_create_staff_codes(staff: StaffWorld, who: str) -> None:
    response = logged_in(getattr(staff.world, who)).post(
        _codes_url(staff), {"staff-wave": staff.staff_wave.pk, "staff-label": "Support staff"}
    )
    assert response.status_code == 302
    made = AccessCode.objects.get(label="Support staff")
    assert (made.wave, made.school, made.year_group) == (staff.staff_wave, staff.world.aspen, None)


def test_it_offers_only_staff_surveys_in_the_staff_form(staff: StaffWorld) -> None:
    client = logged_in(staff.world.sam)
    wrong = client.post(_codes_url(staff), {"staff-wave": staff.world.wave.pk})
    assert wrong.status_code == 400
    also_wrong = client.post(_codes_url(staff), {"wave": staff.staff_wave.pk, "label": "x"})
    assert also_wrong.status_code == 400
    assert not AccessCode.objects.filter(label="x").exists()
    with pytest.raises(ValueError, match="no year group"):
        do_create_access_codes(staff.staff_wave, staff.world.aspen, [("x", 5)])


def test_it_refuses_staff_codes_for_a_school_outside_the_pupil_wave(staff: StaffWorld) -> None:
    staff.world.dale.participations.all().delete()
    with pytest.raises(ValueError, match="does not take part"):
        do_create_access_codes(staff.staff_wave, staff.world.dale, [("x", None)])


def test_it_prints_staff_codes_on_their_own_sheet(staff: StaffWorld) -> None:
    client = logged_in(staff.world.sam)
    url = f"/schools/{staff.world.aspen.urn}/codes/sheet/?wave={staff.staff_wave.pk}"
    page = client.get(url).content.decode()
    assert staff.aspen_staff_code.display in page
    assert staff.world.aspen_code.display not in page
    assert "Your staff survey code:" in page
    assert "For the staff survey" in page
    assert "For the teacher" not in page
    assert f"/s/{staff.aspen_staff_code.code}/" in page
    assert 'class="segno"' in page


def _staff_responses(staff: StaffWorld, roles: list[str]) -> None:
    publication = Publication.objects.create(wave=staff.staff_wave, number=1)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    n_items = len(staff.staff_wave.instrument().items)
    Response.objects.bulk_create(
        Response(
            wave=staff.staff_wave,
            school=staff.world.aspen,
            role=role,
            answers=str(1 + i % 5) * n_items,
            submitted_hour=hour,
            idempotency_key=uuid.uuid4(),
            publication=publication,
        )
        for i, role in enumerate(roles)
    )


def _rows(chunks: object) -> int:
    return sum(len(chunk.answers) for chunk in chunks)  # type: ignore[attr-defined]


def test_it_streams_a_staff_waves_responses_by_role(staff: StaffWorld) -> None:
    _staff_responses(staff, ["teacher"] * 4 + ["leader"] * 2 + ["teaching_assistant"])
    wave = staff.staff_wave
    assert _rows(response_chunks(wave)) == 7
    assert _rows(response_chunks(wave, role="teacher")) == 4
    assert _rows(response_chunks(wave, roles=["leader", "teaching_assistant"])) == 3
    assert _rows(response_chunks(wave, roles=["other"])) == 0
    leaders = list(response_chunks(wave, role="leader", chunk_rows=1))
    assert len(leaders) == 2
    assert np.all(leaders[0].answers >= 0)


def test_it_refuses_roles_the_instrument_does_not_have(staff: StaffWorld) -> None:
    with pytest.raises(ValueError, match="not roles of staff-survey"):
        list(response_chunks(staff.staff_wave, role="caretaker"))
    with pytest.raises(ValueError, match="not both"):
        list(response_chunks(staff.staff_wave, role="teacher", roles=["leader"]))
