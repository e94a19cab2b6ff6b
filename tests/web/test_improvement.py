"""Priorities, actions and their impact: the records, the actions that change them (with
their history), the pages, the API and the plans handed to the reports, to those who may
see them.

The figures shown (suggestions, impact) are stored ones: the tests store them as the
dashboards' computation would, so each test checks what is presented, not the statistics
(tests/analysis test those)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from learnsurvey.web.accounts.models import ApiToken, User
from learnsurvey.web.dashboards.models import OverTimePart, OverTimeResult, SchoolResult
from learnsurvey.web.improvement.actions import (
    ImprovementError,
    do_add_action,
    do_adopt_trust_priority,
    do_set_priority,
    do_set_trust_priority,
    do_update_action,
    do_update_priority,
)
from learnsurvey.web.improvement.models import (
    Action,
    Priority,
    Revision,
    TrustPriority,
    valid_academic_year,
)
from learnsurvey.web.improvement.plans import school_plans
from learnsurvey.web.improvement.present import IMPACT_WORDS
from learnsurvey.web.improvement.series import academic_year_of, is_editable, open_years
from learnsurvey.web.reports.prepared import Prepared
from learnsurvey.web.waves.models import Participation, Wave, WaveResult
from personas import ASPEN_ACCESS, World, logged_in

YEAR = academic_year_of(timezone.localdate())
SLUG = YEAR.replace("/", "-")


# --- helpers ---------------------------------------------------------------------------------


def _dims(world: World) -> list[str]:
    return world.wave.instrument().dimension_ids


def _suggest(world: World, urn: str, dimension: str, reasons: list[str] | None = None) -> None:
    """Store the wave's result with one suggested priority for ``urn`` (as the computation
    would store it)."""
    result, _created = WaveResult.objects.update_or_create(
        wave=world.wave,
        defaults={
            "computed": timezone.now(),
            "max_response_id": 0,
            "n_responses": 40,
            "threshold": settings.MIN_GROUP_SIZE,
            "payload": {"format": 3, "publication": 0, "series": None},
        },
    )
    SchoolResult.objects.update_or_create(
        result=result,
        urn=urn,
        defaults={
            "payload": {
                "school": urn,
                "wave": world.wave.name,
                "threshold": settings.MIN_GROUP_SIZE,
                "publishable": True,
                "n_responses": 40,
                "suggested_priorities": [
                    {
                        "dimension": dimension,
                        "reasons": reasons or ["below_all"],
                        "mean": 3.1,
                        "benchmark_mean": 3.4,
                        "similar_mean": 3.3,
                        "change": -0.3,
                    }
                ],
            }
        },
    )


def _next_wave(world: World, *, days: int, schools: list[Any] | None = None) -> Wave:
    """The next wave of the series, opening in ``days`` days (negative: already open)."""
    today = timezone.localdate()
    wave = Wave.objects.create(
        name="Phase Three",
        instrument_id=world.wave.instrument_id,
        instrument_version=world.wave.instrument_version,
        opens=today + timedelta(days=days),
        closes=today + timedelta(days=days + 30),
    )
    for school in schools if schools is not None else [world.aspen]:
        Participation.objects.create(wave=wave, school=school)
    return wave


def _impact(world: World, later: Wave, dimension: str, verdict: str, **figures: Any) -> None:
    """Store the figures over time of the series ending at ``later`` with one impact for
    Aspen (as the computation would store them)."""
    stored = OverTimeResult.objects.create(
        wave=later,
        computed=timezone.now(),
        payload={
            "instrument": world.wave.instrument_id,
            "threshold": 10,
            "waves": [],
            "comparability": {
                "versions": [],
                "same_version": True,
                "dimensions": [],
                "dropped_dimensions": [],
                "items": [],
                "dropped_items": [],
            },
            "season_caution": False,
            "global_": {},
        },
    )
    impact = {
        "kind": "dimension",
        "score": dimension,
        "from_wave": world.wave.name,
        "to_wave": later.name,
        "change": 0.4,
        "change_ci_low": 0.2,
        "change_ci_high": 0.6,
        "mdc": 0.15,
        "similar_change": 0.05,
        "similar_ci_low": -0.05,
        "similar_ci_high": 0.15,
        "n_similar_schools": 12,
        "did": 0.35,
        "did_ci_low": 0.12,
        "did_ci_high": 0.58,
        "verdict": verdict,
        "suppressed": False,
        **figures,
    }
    OverTimePart.objects.create(
        result=stored,
        kind=OverTimePart.Kind.SCHOOL,
        key=world.aspen.urn,
        payload={"school": world.aspen.urn, "waves": [], "impacts": [impact]},
    )


def _priority(world: World, dimension: str | None = None, **kwargs: Any) -> Priority:
    return do_set_priority(
        world.sam,
        world.aspen,
        academic_year=YEAR,
        dimension=dimension or _dims(world)[0],
        baseline_wave=world.wave,
        **kwargs,
    )


def _action(world: World, priority: Priority, **kwargs: Any) -> Action:
    fields = {"what": "Lesson study on feedback", "kind": "lesson_study", "lead_role": "Deputy"}
    return do_add_action(world.sam, priority, **(fields | kwargs))


def _api(user: User, url: str) -> Any:
    _token, secret = ApiToken.issue(user, "test")
    return logged_in(None).get(f"/api/v1{url}", headers={"Authorization": f"Bearer {secret}"})


def _url(name: str, *args: object) -> str:
    return reverse(f"improvement:{name}", args=args)


# --- the records and their actions -----------------------------------------------------------


def test_it_reads_academic_years() -> None:
    assert academic_year_of(date(2026, 9, 1)) == "2026/27"
    assert academic_year_of(date(2027, 8, 31)) == "2026/27"
    assert academic_year_of(date(1999, 10, 1)) == "1999/00"
    assert valid_academic_year("2026/27")
    assert valid_academic_year("1999/00")
    assert not valid_academic_year("2026/28")
    assert not valid_academic_year("2026-27")
    assert open_years(date(2026, 3, 1)) == ["2025/26"]
    assert open_years(date(2026, 6, 1)) == ["2025/26", "2026/27"]


def test_it_sets_a_priority_and_keeps_its_history(world: World) -> None:
    priority = _priority(world, theory_of_action="  Coaching first.  ")
    assert priority.theory_of_action == "Coaching first."
    assert priority.created_by == world.sam
    do_update_priority(world.sam, priority, theory_of_action="Coaching.", hoped_change="More")
    do_update_priority(world.tess, priority, theory_of_action="Coaching.", hoped_change="More")
    action = _action(world, priority)
    do_update_action(
        world.tess,
        action,
        what=action.what,
        kind=action.kind,
        lead_role=action.lead_role,
        starts=date(2026, 9, 1),
        ends=None,
        status="in_progress",
    )
    revisions = list(Revision.objects.filter(priority=priority))
    # The repeated update changed nothing, so wrote nothing.
    assert [r.change for r in revisions] == ["created", "updated", "created", "updated"]
    assert revisions[0].snapshot["theory_of_action"] == "Coaching first."
    assert revisions[1].snapshot["theory_of_action"] == "Coaching."
    assert revisions[3].snapshot["status"] == "in_progress"
    assert revisions[3].snapshot["starts"] == "2026-09-01"
    assert revisions[3].changed_by == world.tess


def test_it_allows_at_most_three_priorities_a_year_each_dimension_once(world: World) -> None:
    dims = _dims(world)
    for d in dims[:3]:
        _priority(world, d)
    with pytest.raises(ImprovementError, match="at most 3"):
        _priority(world, dims[3])
    with pytest.raises(ImprovementError, match="already a priority"):
        _priority(world, dims[0])
    # Another year has places of its own.
    do_set_priority(
        world.sam,
        world.aspen,
        academic_year="2030/31",
        dimension=dims[3],
        baseline_wave=world.wave,
    )
    assert Priority.objects.filter(school=world.aspen).count() == 4


def test_it_refuses_a_dimension_the_instrument_lacks_and_a_bad_year(world: World) -> None:
    with pytest.raises(ImprovementError, match="dimensions") as refused:
        _priority(world, "not_a_dimension")
    assert refused.value.field == "dimension"
    with pytest.raises(ImprovementError, match="2026/27"):
        do_set_priority(
            world.sam,
            world.aspen,
            academic_year="2026",
            dimension=_dims(world)[0],
            baseline_wave=world.wave,
        )


def test_it_refuses_a_baseline_wave_the_school_does_not_take_part_in(world: World) -> None:
    other = _next_wave(world, days=-400, schools=[world.cedar])
    with pytest.raises(ImprovementError, match="take part"):
        do_set_priority(
            world.sam,
            world.aspen,
            academic_year=YEAR,
            dimension=_dims(world)[0],
            baseline_wave=other,
        )


def test_it_checks_actions(world: World) -> None:
    priority = _priority(world)
    with pytest.raises(ImprovementError, match="kind"):
        _action(world, priority, kind="party")
    with pytest.raises(ImprovementError, match="end"):
        _action(world, priority, starts=date(2026, 9, 2), ends=date(2026, 9, 1))
    with pytest.raises(ImprovementError, match="what"):
        _action(world, priority, what="  ")
    assert not priority.actions.exists()


@pytest.mark.parametrize("who", ["tom", "rita", "sara", "bob", "dev"])
def test_it_refuses_every_action_to_those_who_may_not_change_the_school(
    world: World, who: str
) -> None:
    user = getattr(world, who)
    priority = _priority(world)
    action = _action(world, priority)
    tp = do_set_trust_priority(
        world.tess, world.trust, academic_year=YEAR, dimension=_dims(world)[1]
    )
    with pytest.raises(PermissionDenied):
        do_set_priority(
            user,
            world.aspen,
            academic_year=YEAR,
            dimension=_dims(world)[2],
            baseline_wave=world.wave,
        )
    with pytest.raises(PermissionDenied):
        do_update_priority(user, priority, theory_of_action="x", hoped_change="")
    with pytest.raises(PermissionDenied):
        do_add_action(user, priority, what="x", kind="other", lead_role="Head")
    with pytest.raises(PermissionDenied):
        do_update_action(
            user,
            action,
            what="x",
            kind="other",
            lead_role="Head",
            starts=None,
            ends=None,
            status="done",
        )
    with pytest.raises(PermissionDenied):
        do_adopt_trust_priority(user, world.aspen, tp, baseline_wave=world.wave)
    with pytest.raises(PermissionDenied):
        do_set_trust_priority(user, world.trust, academic_year=YEAR, dimension=_dims(world)[0])
    assert Revision.objects.filter(changed_by=user).count() == 0


def test_it_refuses_changes_once_the_next_wave_has_opened(world: World) -> None:
    priority = _priority(world)
    action = _action(world, priority)
    later = _next_wave(world, days=10)
    assert is_editable(priority)
    later.opens = timezone.localdate()
    later.save()
    assert not is_editable(priority)
    with pytest.raises(ImprovementError, match="next wave"):
        do_update_priority(world.sam, priority, theory_of_action="late", hoped_change="")
    with pytest.raises(ImprovementError, match="next wave"):
        _action(world, priority)
    with pytest.raises(ImprovementError, match="next wave"):
        do_update_action(
            world.sam,
            action,
            what="late",
            kind="other",
            lead_role="Head",
            starts=None,
            ends=None,
            status="done",
        )
    priority.refresh_from_db()
    assert priority.theory_of_action == ""
    assert Revision.objects.filter(priority=priority).count() == 2


def test_it_ends_editing_only_with_a_wave_of_the_same_series_the_school_takes_part_in(
    world: World,
) -> None:
    priority = _priority(world)
    _next_wave(world, days=-1, schools=[world.cedar])  # Aspen does not take part
    staff = Wave.objects.create(
        name="Staff",
        instrument_id="staff-survey",
        instrument_version="1",
        opens=timezone.localdate(),
        closes=timezone.localdate() + timedelta(days=5),
    )
    Participation.objects.create(wave=staff, school=world.aspen)
    assert is_editable(priority)


def test_it_lets_a_trust_set_priorities_and_a_school_adopt_one(world: World) -> None:
    dims = _dims(world)
    tp = do_set_trust_priority(
        world.tess, world.trust, academic_year=YEAR, dimension=dims[1], note="Reading"
    )
    assert (
        do_set_trust_priority(
            world.tess, world.trust, academic_year=YEAR, dimension=dims[1], note="Reading more"
        ).pk
        == tp.pk
    )
    adopted = do_adopt_trust_priority(world.sam, world.aspen, tp, baseline_wave=world.wave)
    assert adopted.trust_priority == tp
    assert adopted.dimension == dims[1]
    assert Revision.objects.get(priority=adopted).change == "adopted"
    assert [r.change for r in Revision.objects.filter(trust_priority=tp)] == [
        "created",
        "updated",
    ]
    # A school of another trust cannot adopt it; nor can the trust set another trust's.
    with pytest.raises(PermissionDenied):
        do_adopt_trust_priority(world.sara, world.cedar, tp, baseline_wave=world.wave)
    with pytest.raises(PermissionDenied):
        do_set_trust_priority(world.tess, world.other_trust, academic_year=YEAR, dimension=dims[0])


def test_it_links_an_existing_priority_when_the_school_adopts_the_same_dimension(
    world: World,
) -> None:
    own = _priority(world)
    tp = do_set_trust_priority(world.tess, world.trust, academic_year=YEAR, dimension=own.dimension)
    adopted = do_adopt_trust_priority(world.sam, world.aspen, tp, baseline_wave=world.wave)
    assert adopted.pk == own.pk
    assert adopted.trust_priority == tp


# --- the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), ASPEN_ACCESS)
def test_it_shows_the_school_priorities_page_to_those_who_may_see_the_school(
    world: World, who: str, status: int
) -> None:
    priority = _priority(world)
    response = logged_in(getattr(world, who)).get(_url("school", world.aspen.urn))
    assert response.status_code == status
    page = logged_in(getattr(world, who)).get(_url("priority", world.aspen.urn, priority.pk))
    assert page.status_code == status


def test_it_sends_anonymous_readers_to_sign_in(world: World) -> None:
    priority = _priority(world)
    for url in (
        _url("school", world.aspen.urn),
        _url("priority", world.aspen.urn, priority.pk),
        _url("trust", world.trust.pk),
        _url("choose", world.aspen.urn, SLUG),
    ):
        assert logged_in(None).get(url).status_code == 302


def test_it_gives_404_for_another_schools_priority(world: World) -> None:
    priority = _priority(world)
    client = logged_in(world.sara)
    assert client.get(_url("priority", world.cedar.urn, priority.pk)).status_code == 404
    assert client.get(_url("edit", world.cedar.urn, priority.pk)).status_code == 404
    assert client.get(_url("add_action", world.cedar.urn, priority.pk)).status_code == 404
    # Aspen's own leader reaches it only under Aspen's address.
    assert (
        logged_in(world.sam).get(_url("priority", world.cedar.urn, priority.pk)).status_code == 404
    )


def test_it_shows_suggestions_with_their_reasons_in_words(world: World) -> None:
    dim = _dims(world)[2]
    _suggest(world, world.aspen.urn, dim, ["below_all", "below_similar", "down_since_last"])
    page = logged_in(world.tom).get(_url("school", world.aspen.urn)).content.decode()
    name = world.wave.instrument().dimension(dim).name
    assert name in page
    assert "Below all schools: 3.10 against 3.40 (the interval lies wholly below)" in page
    assert "Below similar schools: 3.10 against 3.30" in page
    assert "Down since the last wave by 0.30" in page
    # A teacher sees the page, but not the buttons that change it.
    assert "Choose priorities for" not in page


def test_it_lets_a_leader_choose_priorities_keeping_the_suggestions_reasons(world: World) -> None:
    dims = _dims(world)
    _suggest(world, world.aspen.urn, dims[2])
    client = logged_in(world.sam)
    page = client.get(_url("school", world.aspen.urn)).content.decode()
    assert f"Choose priorities for {YEAR}" in page
    form = client.get(_url("choose", world.aspen.urn, SLUG)).content.decode()
    assert "Suggested" in form
    assert form.index(f'value="{dims[2]}"') < form.index(f'value="{dims[0]}"')
    response = client.post(
        _url("choose", world.aspen.urn, SLUG), {"dimensions": [dims[2], dims[0]]}
    )
    assert response.status_code == 302
    chosen = {p.dimension: p for p in Priority.objects.filter(school=world.aspen)}
    assert set(chosen) == {dims[0], dims[2]}
    assert chosen[dims[2]].suggested_reasons["reasons"] == ["below_all"]
    assert chosen[dims[2]].suggested_reasons["wave"] == world.wave.name
    assert chosen[dims[0]].suggested_reasons == {}
    assert chosen[dims[0]].baseline_wave == world.wave
    # Two chosen, one place left: choosing two more is refused with the error summary.
    refused = client.post(_url("choose", world.aspen.urn, SLUG), {"dimensions": dims[3:5]})
    assert refused.status_code == 200
    assert "There is a problem" in refused.content.decode()
    assert "Choose 1 dimension at most." in refused.content.decode()
    assert Priority.objects.filter(school=world.aspen).count() == 2
    empty = client.post(_url("choose", world.aspen.urn, SLUG), {})
    assert "Choose at least one dimension." in empty.content.decode()


def test_it_refuses_the_choose_page_for_a_year_not_open(world: World) -> None:
    assert logged_in(world.sam).get(_url("choose", world.aspen.urn, "1990-91")).status_code == 404


def test_it_lets_a_leader_write_the_theory_of_action_and_add_and_change_actions(
    world: World,
) -> None:
    priority = _priority(world)
    client = logged_in(world.sam)
    response = client.post(
        _url("edit", world.aspen.urn, priority.pk),
        {"theory_of_action": "Coaching on questioning.", "hoped_change": "Pupils say so."},
    )
    assert response.status_code == 302
    added = client.post(
        _url("add_action", world.aspen.urn, priority.pk),
        {
            "what": "Instructional coaching cycle",
            "kind": "instructional_coaching",
            "lead_role": "Deputy head",
            "starts": "2026-09-01",
            "ends": "2027-03-31",
            "status": "planned",
        },
    )
    assert added.status_code == 302
    action = priority.actions.get()
    changed = client.post(
        _url("edit_action", world.aspen.urn, priority.pk, action.pk),
        {
            "what": "Instructional coaching cycle",
            "kind": "instructional_coaching",
            "lead_role": "Deputy head",
            "starts": "2026-09-01",
            "ends": "2027-03-31",
            "status": "in_progress",
        },
    )
    assert changed.status_code == 302
    page = client.get(_url("priority", world.aspen.urn, priority.pk)).content.decode()
    assert "Coaching on questioning." in page
    assert "Instructional coaching cycle" in page
    assert "In progress" in page
    assert "Add an action" in page
    assert "4 changes" in page  # created, theory written, action added, action changed


def test_it_shows_form_errors_in_a_summary(world: World) -> None:
    priority = _priority(world)
    response = logged_in(world.sam).post(
        _url("add_action", world.aspen.urn, priority.pk),
        {
            "what": "",
            "kind": "other",
            "lead_role": "Head",
            "starts": "2026-09-02",
            "ends": "2026-09-01",
            "status": "planned",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'href="#id_what"' in body
    assert "The end must be on or after the start." in body
    assert not priority.actions.exists()


def test_it_refuses_the_edit_pages_to_a_teacher_with_403_and_shows_no_edit_links(
    world: World,
) -> None:
    priority = _priority(world)
    action = _action(world, priority)
    client = logged_in(world.tom)
    for url in (
        _url("choose", world.aspen.urn, SLUG),
        _url("edit", world.aspen.urn, priority.pk),
        _url("add_action", world.aspen.urn, priority.pk),
        _url("edit_action", world.aspen.urn, priority.pk, action.pk),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"theory_of_action": "x"}).status_code == 403
    page = client.get(_url("priority", world.aspen.urn, priority.pk)).content.decode()
    assert "Add an action" not in page
    assert "Write the theory of action" not in page
    assert _url("edit_action", world.aspen.urn, priority.pk, action.pk) not in page
    priority.refresh_from_db()
    assert priority.theory_of_action == ""


@pytest.mark.parametrize("who", ["rita", "sara", "bob", "dev"])
def test_it_gives_404_on_the_edit_pages_to_outsiders(world: World, who: str) -> None:
    priority = _priority(world)
    action = _action(world, priority)
    client = logged_in(getattr(world, who))
    for url in (
        _url("choose", world.aspen.urn, SLUG),
        _url("edit", world.aspen.urn, priority.pk),
        _url("add_action", world.aspen.urn, priority.pk),
        _url("edit_action", world.aspen.urn, priority.pk, action.pk),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404


def test_it_refuses_the_edit_pages_once_the_next_wave_has_opened(world: World) -> None:
    priority = _priority(world)
    action = _action(world, priority)
    _next_wave(world, days=0)
    client = logged_in(world.sam)
    for url in (
        _url("edit", world.aspen.urn, priority.pk),
        _url("add_action", world.aspen.urn, priority.pk),
        _url("edit_action", world.aspen.urn, priority.pk, action.pk),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"theory_of_action": "late"}).status_code == 403
    page = client.get(_url("priority", world.aspen.urn, priority.pk)).content.decode()
    assert "can no longer" not in page or "kept as they were" in page
    assert "kept as they were, with their history" in page
    assert "Add an action" not in page


@pytest.mark.parametrize(
    "verdict",
    ["clearly_more", "as_similar", "no_clear_change", "declined", "declined_more", "unknown"],
)
def test_it_shows_the_stored_impact_in_words(world: World, verdict: str) -> None:
    dims = _dims(world)
    priority = _priority(world, dims[0])
    other = _priority(world, dims[1])
    later = _next_wave(world, days=-1)
    page = logged_in(world.tom).get(_url("priority", world.aspen.urn, priority.pk)).content
    assert "Not yet: the impact is shown" in page.decode()
    _impact(world, later, dims[0], verdict)
    page = logged_in(world.tom).get(_url("priority", world.aspen.urn, priority.pk)).content
    body = page.decode()
    assert str(IMPACT_WORDS[verdict]) in body.replace("&#x27;", "'")
    assert "is still open: this may change" in body
    assert "Difference: 0.35 (0.12 to 0.58)" in body
    # The other priority's dimension has no impact stored.
    page = logged_in(world.tom).get(_url("priority", world.aspen.urn, other.pk)).content
    assert "Not yet: the impact is shown" in page.decode()


def test_it_hides_the_figures_of_a_suppressed_impact(world: World) -> None:
    priority = _priority(world)
    later = _next_wave(world, days=-3)
    later.closes = timezone.localdate() - timedelta(days=1)
    later.save()
    _impact(
        world, later, priority.dimension, "clearly_more", suppressed=True, change=None, did=None
    )
    body = logged_in(world.sam).get(_url("priority", world.aspen.urn, priority.pk)).content.decode()
    assert str(IMPACT_WORDS["unknown"]) in body
    assert "Difference:" not in body
    assert "still open" not in body


# --- the trust -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("alice", 200),
        ("tess", 200),
        ("sam", 404),
        ("tom", 404),
        ("rita", 404),
        ("bob", 404),
        ("sara", 404),
        ("dev", 404),
    ],
)
def test_it_shows_the_trust_page_only_to_the_trust_leader_and_admin(
    world: World, who: str, status: int
) -> None:
    client = logged_in(getattr(world, who))
    assert client.get(_url("trust", world.trust.pk)).status_code == status
    assert client.get(_url("add_trust_priority", world.trust.pk)).status_code == status
    assert client.post(_url("add_trust_priority", world.trust.pk), {}).status_code == status


def test_it_shows_every_school_of_the_trust_in_one_table(world: World) -> None:
    dims = _dims(world)
    priority = _priority(world, dims[0])
    _action(world, priority, status="in_progress")
    do_set_priority(
        world.sara, world.cedar, academic_year=YEAR, dimension=dims[1], baseline_wave=world.wave
    )
    later = _next_wave(world, days=-1)
    _impact(world, later, dims[0], "clearly_more")
    body = logged_in(world.tess).get(_url("trust", world.trust.pk)).content.decode()
    assert "Aspen Primary" in body
    assert "Cedar Primary" not in body  # another trust's school
    assert "Lesson study on feedback" in body
    assert "1 in progress" in body
    assert "Improved clearly more than similar schools" in body


def test_it_lets_the_trust_leader_set_a_trust_priority_and_a_school_leader_adopt_it(
    world: World,
) -> None:
    dim = _dims(world)[3]
    response = logged_in(world.tess).post(
        _url("add_trust_priority", world.trust.pk),
        {"academic_year": YEAR, "dimension": dim, "note": "Across the trust"},
    )
    assert response.status_code == 302
    tp = TrustPriority.objects.get(trust=world.trust)
    assert tp.created_by == world.tess
    client = logged_in(world.sam)
    page = client.get(_url("school", world.aspen.urn)).content.decode()
    assert "Your trust's priorities" in page
    assert _url("adopt", world.aspen.urn, tp.pk) in page
    assert client.get(_url("adopt", world.aspen.urn, tp.pk)).status_code == 200
    adopted = client.post(_url("adopt", world.aspen.urn, tp.pk))
    assert adopted.status_code == 302
    assert Priority.objects.get(school=world.aspen).trust_priority == tp
    # The teacher may not adopt; another trust's leader does not find it.
    assert logged_in(world.tom).post(_url("adopt", world.aspen.urn, tp.pk)).status_code == 403
    assert logged_in(world.sara).get(_url("adopt", world.cedar.urn, tp.pk)).status_code == 404
    assert logged_in(world.dev).get(_url("adopt", world.dale.urn, tp.pk)).status_code == 404


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), ASPEN_ACCESS)
def test_it_serves_the_schools_priorities_in_the_api(world: World, who: str, status: int) -> None:
    priority = _priority(world)
    _action(world, priority)
    later = _next_wave(world, days=-1)
    _impact(world, later, priority.dimension, "as_similar")
    response = _api(getattr(world, who), f"/schools/{world.aspen.urn}/priorities")
    assert response.status_code == status
    if status == 200:
        [body] = response.json()
        assert body["dimension"] == priority.dimension
        assert body["academic_year"] == YEAR
        assert body["baseline_wave"] == world.wave.name
        assert body["editable"] is False
        assert body["actions"][0]["kind"] == "lesson_study"
        assert body["impact"]["verdict"] == "as_similar"
        assert body["impact"]["words"] == "Improved, as similar schools did"
        assert body["impact"]["did_ci_low"] == 0.12


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("tess", 200), ("sam", 404), ("rita", 404), ("bob", 404)],
)
def test_it_serves_the_trusts_priorities_in_the_api(world: World, who: str, status: int) -> None:
    tp = do_set_trust_priority(
        world.tess, world.trust, academic_year=YEAR, dimension=_dims(world)[0]
    )
    do_adopt_trust_priority(world.sam, world.aspen, tp, baseline_wave=world.wave)
    response = _api(getattr(world, who), f"/trusts/{world.trust.pk}/priorities")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["priorities"][0]["adopted_by"] == [world.aspen.urn]
        assert [p["school"] for p in body["schools"]] == [world.aspen.urn]
        assert body["schools"][0]["impact"] is None


def test_it_refuses_the_api_without_a_token(world: World) -> None:
    assert logged_in(None).get(f"/api/v1/schools/{world.aspen.urn}/priorities").status_code == 401


# --- the reports -----------------------------------------------------------------------------


def test_it_hands_the_reports_each_schools_plan_with_translated_labels(world: World) -> None:
    priority = _priority(world, theory_of_action="Coaching.")
    _action(world, priority, status="in_progress")
    earlier = Wave.objects.create(
        name="Phase Zero",
        instrument_id=world.wave.instrument_id,
        instrument_version=world.wave.instrument_version,
        opens=world.wave.opens - timedelta(days=800),
        closes=world.wave.closes - timedelta(days=800),
    )
    Participation.objects.create(wave=earlier, school=world.aspen)
    Participation.objects.create(wave=earlier, school=world.cedar)
    old = do_set_priority(
        world.sam,
        world.aspen,
        academic_year="2020/21",
        dimension=_dims(world)[1],
        baseline_wave=earlier,
    )
    plans = school_plans(world.wave)
    assert set(plans) == {world.aspen.urn}
    plan = plans[world.aspen.urn]
    assert [p.dimension for p in plan.priorities] == [priority.dimension, old.dimension]
    [first, _old] = plan.priorities
    assert first.baseline_wave == world.wave.name
    assert first.theory_of_action == "Coaching."
    assert first.actions[0].kind_label == "Lesson study"
    assert first.actions[0].status_label == "In progress"
    # A report of the earlier wave shows only the earlier priority.
    assert [p.dimension for p in school_plans(earlier)[world.aspen.urn].priorities] == [
        old.dimension
    ]
    prepared = Prepared(inputs=None, wave_id=world.wave.pk)  # type: ignore[arg-type]
    assert set(prepared.plans()) == {world.aspen.urn}
