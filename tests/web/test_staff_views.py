"""The staff's voice on the platform: the staff survey by role in the inputs, the staff
sections of the school and trust pages, the API and the downloads, to those who may see
them (and small staff groups hidden)."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learnsurvey.analysis.figures import staff as contract
from learnsurvey.instruments import load_instrument
from learnsurvey.web.accounts.models import ApiToken, User
from learnsurvey.web.dashboards import payloads
from learnsurvey.web.dashboards.results import school_payload, trust_payload
from learnsurvey.web.reports.sources import inputs_from_database
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import Response, Wave
from personas import World, answer, logged_in

STAFF = {
    "aspen": {"teacher": 12, "leader": 3},  # too few leaders: pooled into all staff
    "birch": {"teacher": 8, "leader": 6},
    "cedar": {"teacher": 3},  # fewer than 5 staff: every staff figure hidden
    "dale": {"teaching_assistant": 2},
}


def _add_staff(wave: Wave, school: School, role: str, n: int, seed: int) -> None:
    """``n`` members of staff in ``role``, answering 2–5 at random."""
    inst = wave.instrument()
    rng = np.random.default_rng(seed)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    Response.objects.bulk_create(
        Response(
            wave=wave,
            school=school,
            role=role,
            answers="".join(str(v) for v in rng.integers(2, 6, len(inst.items))),
            submitted_hour=hour,
            idempotency_key=uuid.uuid4(),
        )
        for _ in range(n)
    )


@pytest.fixture
def voiced(world: World) -> World:
    """The personas' wave answered by pupils (:func:`personas.answer`) and by staff
    (:data:`STAFF`) in its paired staff survey."""
    answer(world)
    inst = load_instrument("staff-survey")
    staff = Wave.objects.create(
        name="Phase Two staff",
        instrument_id=inst.id,
        instrument_version=inst.version,
        opens=world.wave.opens,
        closes=world.wave.closes,
        pupil_wave=world.wave,
    )
    seed = 0
    for school, roles in STAFF.items():
        for role, n in roles.items():
            seed += 1
            _add_staff(staff, getattr(world, school), role, n, seed)
    return world


def _page(world: World, user: User, name: str, *args: object) -> Any:
    return logged_in(user).get(reverse(f"dashboards:{name}", args=[world.wave.pk, *args]))


def _api(client: Client, user: User, url: str) -> Any:
    _token, secret = ApiToken.issue(user, "test")
    return client.get(f"/api/v1{url}", headers={"Authorization": f"Bearer {secret}"})


def _csv(client: Client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_it_reads_the_staff_survey_by_role_into_the_inputs(voiced: World) -> None:
    inputs = inputs_from_database(voiced.wave)
    assert inputs.staff is not None
    assert int(inputs.staff.responses["n"].sum()) == 12 + 3 + 8 + 2 + 6 + 3
    counts = {role: int(s.responses["n"].sum()) for role, s in inputs.staff_by_role.items()}
    assert counts == {"teacher": 23, "teaching_assistant": 2, "leader": 9}
    role_ids = [r.id for r in load_instrument("staff-survey").demographics.roles]
    assert list(inputs.staff_by_role) == [r for r in role_ids if r in counts]


def test_it_shows_the_school_its_staff_beside_its_pupils(voiced: World) -> None:
    response = _page(voiced, voiced.sam, "school", voiced.aspen.urn)
    page = response.content.decode()
    voice = response.context["d"].staff
    assert voice is not None
    assert voice.leaders_pooled
    assert "Staff and pupils" in page
    assert "their answers are counted in “all staff” only" in page
    assert "15 members of staff answered" in page
    inst = voiced.wave.instrument()
    for dim in inst.dimensions:
        assert dim.name in page
    staff = [
        v for d in voice.dimensions for v in d.groups if v.group == "staff" and not v.suppressed
    ]
    assert staff
    assert f"{staff[0].mean:.2f}" in page
    assert all(v.n is None for d in voice.dimensions for v in d.groups if v.group == "leaders")
    large = [g for d in voice.dimensions for g in d.gaps if g.large]
    assert all(g.hedges_g is not None and abs(g.hedges_g) >= 0.5 for g in large)
    for g in large:
        assert f"{g.difference:.2f}" in page
    assert ("Large gaps:" in page) == bool(large)
    assert page.count('class="dot dot-') >= len(voice.dimensions)


def test_it_hides_the_staff_figures_of_fewer_than_five(voiced: World) -> None:
    page = _page(voiced, voiced.sara, "school", voiced.cedar.urn).content.decode()
    assert "no staff figure is shown" in page
    voice = school_payload(voiced.wave, voiced.cedar).staff
    assert voice is not None
    assert voice.staff_answered
    staff = [v for d in voice.dimensions for v in d.groups if v.group != "pupils"]
    assert staff
    assert all(v.suppressed and v.mean is None for v in staff)
    assert all(g.suppressed and g.difference is None for d in voice.dimensions for g in d.gaps)


def test_it_shows_a_teacher_the_schools_staff_results_in_aggregate_only(voiced: World) -> None:
    page = _page(voiced, voiced.tom, "school", voiced.aspen.urn).content.decode()
    assert "Staff and pupils" in page
    assert _page(voiced, voiced.tom, "trust", voiced.trust.pk).status_code == 404
    assert _page(voiced, voiced.tom, "school", voiced.birch.urn).status_code == 404


def test_it_shows_the_trust_leader_every_schools_staff_side_by_side(voiced: World) -> None:
    response = _page(voiced, voiced.tess, "trust", voiced.trust.pk)
    page = response.content.decode()
    assert response.context["d"].staff_voice is not None
    assert "Staff and pupils, school by school" in page
    tables = response.context["staff_schools"]
    assert tables
    for table in tables:
        assert [r["school"].school_name for r in table["rows"]] == [
            "Aspen Primary",
            "Birch Academy",
        ]
    assert "Cedar Primary" not in page
    birch = school_payload(voiced.wave, voiced.birch).staff
    assert birch is not None
    assert not birch.leaders_pooled
    shown = next(
        g for d in birch.dimensions for g in d.gaps if g.group_b == "leaders" and not g.suppressed
    )
    assert f"{shown.difference:.2f}" in page


def test_it_shows_staff_pages_only_to_those_who_may_see_them(voiced: World) -> None:
    assert _page(voiced, voiced.bob, "school", voiced.aspen.urn).status_code == 404
    assert _page(voiced, voiced.sara, "school", voiced.birch.urn).status_code == 404
    assert _page(voiced, voiced.bob, "trust", voiced.trust.pk).status_code == 404
    assert _page(voiced, voiced.rita, "school", voiced.aspen.urn).status_code == 404
    exports = reverse(
        "exports:trust", args=[voiced.wave.pk, voiced.trust.pk, "school_staff_gaps", "csv"]
    )
    assert logged_in(voiced.bob).get(exports).status_code == 404
    assert logged_in(voiced.sam).get(exports).status_code == 404


def test_it_serves_the_staff_voice_in_the_api_results(client: Client, voiced: World) -> None:
    wave = voiced.wave
    body = _api(client, voiced.sam, f"/waves/{wave.pk}/schools/{voiced.aspen.urn}/results").json()
    expected = school_payload(wave, voiced.aspen).staff
    assert expected is not None
    assert body["staff"] == expected.model_dump(mode="json")
    assert body["staff"]["dimensions"][0]["groups"][0]["label"] == "Pupils"
    trust = _api(client, voiced.tess, f"/waves/{wave.pk}/trusts/{voiced.trust.pk}/results").json()
    voice = trust_payload(wave, voiced.trust).staff_voice
    assert voice is not None
    assert trust["staff_voice"] == voice.model_dump(mode="json")


def test_it_exports_the_staff_voice_as_shown(voiced: World) -> None:
    wave = voiced.wave
    sam = logged_in(voiced.sam)
    voice = school_payload(wave, voiced.aspen).staff
    assert voice is not None
    url = reverse("exports:school", args=[wave.pk, voiced.aspen.urn, "staff", "csv"])
    rows = _csv(sam, url)
    assert len(rows) == sum(len(d.groups) for d in voice.dimensions)
    leaders = [r for r in rows if r["group"] == "leaders"]
    assert leaders
    assert all(r["mean"] == "" for r in leaders)  # pooled: blank
    url = reverse("exports:school", args=[wave.pk, voiced.aspen.urn, "staff_gaps", "csv"])
    gaps = _csv(sam, url)
    flat = [g for d in voice.dimensions for g in d.gaps]
    assert [r["large"] for r in gaps] == [str(g.large).lower() for g in flat]
    url = reverse("exports:trust", args=[wave.pk, voiced.trust.pk, "school_staff_gaps", "csv"])
    schools = _csv(logged_in(voiced.tess), url)
    assert {r["urn"] for r in schools} == {voiced.aspen.urn, voiced.birch.urn}


def test_it_has_no_staff_tables_without_a_staff_survey(world: World) -> None:
    answer(world)
    url = reverse("exports:school", args=[world.wave.pk, world.aspen.urn, "staff", "csv"])
    assert logged_in(world.sam).get(url).status_code == 404
    page = _page(world, world.sam, "school", world.aspen.urn).content.decode()
    assert 'id="staff"' not in page


@pytest.mark.parametrize(
    ("shown", "figures"),
    [
        (payloads.GroupView, contract.GroupView),
        (payloads.PerceptionGap, contract.PerceptionGap),
        (payloads.ViewsOfDimension, contract.ViewsOfDimension),
        (payloads.StaffVoice, contract.StaffVoice),
    ],
)
def test_it_shows_every_figure_of_the_staff_contract(shown: type[Any], figures: type[Any]) -> None:
    assert set(figures.model_fields) <= set(shown.model_fields)
