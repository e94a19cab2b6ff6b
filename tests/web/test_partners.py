"""Partner schools: opting in to be found, the suggestions for one dimension, the request
flow (email, accept shares both addresses, decline reveals nothing), the rate limits, the
API, and who may open each page and take each action.

The strengths are stored as the dashboards' computation stores them (a school's
``SchoolFigures`` with ``strengths``); the choosing itself is
:func:`learnsurvey.analysis.partners.suggest_partners` (tested in tests/analysis)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learnsurvey.analysis.figures.improvement import (
    PartnerContext,
    PartnerSuggestion,
    StrengthFigure,
)
from learnsurvey.analysis.figures.school import SchoolFigures
from learnsurvey.web.accounts.models import ApiToken, Role, User
from learnsurvey.web.dashboards.models import SchoolResult
from learnsurvey.web.dashboards.named import Names
from learnsurvey.web.partners.actions import (
    REQUESTS_PER_DAY,
    PartnerError,
    do_accept_request,
    do_decline_request,
    do_send_request,
    do_set_open,
)
from learnsurvey.web.partners.models import PartnerOptIn, PartnerRequest
from learnsurvey.web.partners.present import explain
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import Participation, WaveResult
from personas import PASSWORD, World, logged_in

DIMENSION = "school_fair"
MESSAGE = "We would like to learn how you made behaviour policies feel fair to pupils."
SAM_EMAIL = "sam@example.org"
SARA_EMAIL = "sara@example.org"

# Each persona with the status of a partner page or action about Aspen: its leaders (school,
# trust, platform) may; teachers and researchers never see partner pages (403); any other
# school's leader gets 404.
ASPEN_PARTNERS: list[tuple[str, int]] = [
    ("alice", 200),
    ("tess", 200),
    ("sam", 200),
    ("tom", 403),
    ("rita", 403),
    ("bob", 404),
    ("sara", 404),
    ("dev", 404),
]
# The same for Cedar (Harbour Trust: bob is its trust leader, sara its school leader).
CEDAR_PARTNERS: list[tuple[str, int]] = [
    ("alice", 200),
    ("bob", 200),
    ("sara", 200),
    ("tom", 403),
    ("rita", 403),
    ("tess", 404),
    ("sam", 404),
    ("dev", 404),
]


@dataclass
class Partners:
    world: World
    elm: School
    fir: School
    erin: User


def _strength(dimension: str = DIMENSION, mean: float = 3.6) -> StrengthFigure:
    return StrengthFigure(
        dimension=dimension,
        mean=mean + 0.02,
        shrunken_mean=mean,
        shrunken_ci_low=mean - 0.3,
        shrunken_ci_high=mean + 0.2,
        benchmark_mean=3.0,
        clearly_above=True,
    )


def _store(world: World, strengths: dict[str, list[StrengthFigure]]) -> WaveResult:
    """The wave's result as the computation stores it: each school's figures with its
    strengths (publishable, 40 pupils)."""
    result, _created = WaveResult.objects.update_or_create(
        wave=world.wave,
        defaults={
            "computed": timezone.now(),
            "max_response_id": 0,
            "n_responses": 40 * len(strengths),
            "threshold": settings.MIN_GROUP_SIZE,
            "payload": {"format": 3, "publication": 0, "series": None},
        },
    )
    for urn, found in strengths.items():
        figures = SchoolFigures(
            school=urn,
            wave=world.wave.name,
            threshold=settings.MIN_GROUP_SIZE,
            publishable=True,
            n_responses=40,
            phase="primary",
            strengths=found,
        )
        SchoolResult.objects.update_or_create(
            result=result, urn=urn, defaults={"payload": figures.model_dump(mode="json")}
        )
    return result


def _open(school: School, user: User) -> None:
    PartnerOptIn.objects.update_or_create(
        school=school, defaults={"open": True, "changed_by": user}
    )


@pytest.fixture
def partners(world: World) -> Partners:
    """Aspen (primary, FSM 28%) looks for partners; Cedar (primary, other trust) and Elm
    (primary, standalone) are strong in School is Fair and open to partners; Fir is strong
    too but has not opted in; Dale (secondary) has opted in but is strong in nothing."""
    w = world
    School.objects.filter(pk=w.aspen.pk).update(fsm_pct=28, eal_pct=10, region="North West")
    School.objects.filter(pk=w.cedar.pk).update(
        fsm_pct=31, eal_pct=12, region="North West", pupils=420
    )
    w.aspen.refresh_from_db()
    w.cedar.refresh_from_db()
    elm = School.objects.create(urn="400001", name="Elm Primary", phase="primary", fsm_pct=25)
    fir = School.objects.create(urn="400002", name="Fir Primary", phase="primary", fsm_pct=29)
    erin = User.objects.create_user(
        "erin", "erin@example.org", PASSWORD, role=Role.SCHOOL_LEADER, school=elm
    )
    for school in (elm, fir):
        Participation.objects.create(wave=w.wave, school=school)
    _store(
        w,
        {
            w.aspen.urn: [],
            w.cedar.urn: [_strength(mean=3.6)],
            elm.urn: [_strength(mean=3.5)],
            fir.urn: [_strength(mean=3.9)],
            w.dale.urn: [],
        },
    )
    _open(w.cedar, w.sara)
    _open(elm, erin)
    _open(w.dale, w.dev)
    return Partners(world=w, elm=elm, fir=fir, erin=erin)


@pytest.fixture
def outbox() -> list[Any]:
    mail.outbox = []
    return mail.outbox


def _user(world: World, name: str) -> User:
    found: User = getattr(world, name)
    return found


def _send(p: Partners, to: School | None = None, dimension: str = DIMENSION) -> PartnerRequest:
    return do_send_request(
        p.world.sam,
        p.world.aspen,
        to or p.world.cedar,
        dimension=dimension,
        message=MESSAGE,
    )


def _page(user: User, urn: str) -> str:
    response = logged_in(user).get(reverse("partners:school", args=[urn]))
    assert response.status_code == 200
    return response.content.decode()


# --- access: every page and every action -----------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), ASPEN_PARTNERS)
def test_it_shows_the_partner_page_only_to_the_schools_leaders(
    partners: Partners, persona: str, status: int
) -> None:
    user = _user(partners.world, persona)
    response = logged_in(user).get(reverse("partners:school", args=[partners.world.aspen.urn]))
    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), ASPEN_PARTNERS)
def test_it_shows_the_suggestions_only_to_the_schools_leaders(
    partners: Partners, persona: str, status: int
) -> None:
    user = _user(partners.world, persona)
    url = reverse("partners:suggestions", args=[partners.world.aspen.urn])
    response = logged_in(user).get(url, {"dimension": DIMENSION})
    assert response.status_code == status
    if status != 200:
        assert b"Cedar Primary" not in response.content


@pytest.mark.parametrize(("persona", "status"), ASPEN_PARTNERS)
def test_it_shows_the_request_form_only_to_the_schools_leaders(
    partners: Partners, persona: str, status: int
) -> None:
    user = _user(partners.world, persona)
    url = reverse("partners:request", args=[partners.world.aspen.urn, partners.world.cedar.urn])
    response = logged_in(user).get(url, {"dimension": DIMENSION})
    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), ASPEN_PARTNERS)
def test_it_lets_only_the_schools_leaders_send_a_request(
    partners: Partners, persona: str, status: int, outbox: list[Any]
) -> None:
    user = _user(partners.world, persona)
    url = reverse("partners:request", args=[partners.world.aspen.urn, partners.world.cedar.urn])
    response = logged_in(user).post(url, {"dimension": DIMENSION, "message": MESSAGE})
    assert response.status_code == (302 if status == 200 else status)
    assert PartnerRequest.objects.exists() == (status == 200)


@pytest.mark.parametrize(("persona", "status"), ASPEN_PARTNERS)
def test_it_lets_only_the_schools_leaders_open_it_to_requests(
    partners: Partners, persona: str, status: int
) -> None:
    user = _user(partners.world, persona)
    url = reverse("partners:set_open", args=[partners.world.aspen.urn])
    response = logged_in(user).post(url, {"open": "1"})
    assert response.status_code == (302 if status == 200 else status)
    opted = PartnerOptIn.objects.filter(school=partners.world.aspen, open=True).exists()
    assert opted == (status == 200)


@pytest.mark.parametrize("action", ["accept", "decline"])
@pytest.mark.parametrize(("persona", "status"), CEDAR_PARTNERS)
def test_it_lets_only_the_asked_schools_leaders_answer(
    partners: Partners, persona: str, status: int, action: str
) -> None:
    request = _send(partners)
    user = _user(partners.world, persona)
    url = reverse(f"partners:{action}", args=[partners.world.cedar.urn, request.pk])
    response = logged_in(user).post(url)
    assert response.status_code == (302 if status == 200 else status)
    request.refresh_from_db()
    assert request.is_open == (status != 200)


def test_it_answers_404_for_a_request_to_another_school(partners: Partners) -> None:
    request = _send(partners)
    # Dale's leader names its own school but Cedar's request.
    url = reverse("partners:accept", args=[partners.world.dale.urn, request.pk])
    assert logged_in(partners.world.dev).post(url).status_code == 404
    request.refresh_from_db()
    assert request.is_open


def test_it_sends_the_anonymous_to_sign_in(partners: Partners) -> None:
    urn = partners.world.aspen.urn
    for url in (
        reverse("partners:school", args=[urn]),
        reverse("partners:suggestions", args=[urn]) + f"?dimension={DIMENSION}",
        reverse("partners:request", args=[urn, partners.world.cedar.urn]),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_it_refuses_the_actions_to_teachers_and_other_schools(partners: Partners) -> None:
    w = partners.world
    with pytest.raises(PermissionDenied):
        do_set_open(w.tom, w.aspen, open=True)
    with pytest.raises(PermissionDenied):
        do_send_request(w.tom, w.aspen, w.cedar, dimension=DIMENSION, message=MESSAGE)
    with pytest.raises(PermissionDenied):
        do_send_request(w.sara, w.aspen, partners.elm, dimension=DIMENSION, message=MESSAGE)
    request = _send(partners)
    for user in (w.sam, w.tess, w.rita, w.tom):  # the requester's side may not answer
        with pytest.raises(PermissionDenied):
            do_accept_request(user, request)
        with pytest.raises(PermissionDenied):
            do_decline_request(user, request)


# --- opting in --------------------------------------------------------------------------------


def test_it_keeps_a_school_closed_until_its_leader_opens_it(partners: Partners) -> None:
    w = partners.world
    assert not PartnerOptIn.objects.filter(school=w.aspen).exists()
    assert "is not open to partner requests" in _page(w.sam, w.aspen.urn)
    client = logged_in(w.sam)
    client.post(reverse("partners:set_open", args=[w.aspen.urn]), {"open": "1"})
    opt_in = PartnerOptIn.objects.get(school=w.aspen)
    assert opt_in.open
    assert opt_in.changed_by == w.sam
    assert opt_in.changed is not None
    assert "is open to partner requests" in _page(w.sam, w.aspen.urn)


def test_it_closes_unanswered_requests_when_a_school_stops_being_found(
    partners: Partners,
) -> None:
    w = partners.world
    request = _send(partners)
    logged_in(w.sara).post(reverse("partners:set_open", args=[w.cedar.urn]), {"open": "0"})
    request.refresh_from_db()
    assert request.status == PartnerRequest.Status.CLOSED
    assert not PartnerOptIn.objects.get(school=w.cedar).open
    # The school that asked no longer sees the closed school's name.
    page = _page(w.sam, w.aspen.urn)
    assert "Cedar Primary" not in page
    assert "A school no longer open to partners" in page


# --- suggestions ------------------------------------------------------------------------------


def test_it_suggests_only_schools_open_to_partners(partners: Partners) -> None:
    w = partners.world
    url = reverse("partners:suggestions", args=[w.aspen.urn])
    response = logged_in(w.sam).get(url, {"dimension": DIMENSION})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Partner schools for School is Fair" in page
    assert "Cedar Primary" in page
    assert "Elm Primary" in page
    # Fir is the strongest but has not opted in: nothing about it is shown.
    assert "Fir Primary" not in page
    assert partners.fir.urn not in page
    assert "Similar: primary, 420 pupils, FSM 31% against 28%" in page  # Cedar
    assert "School is Fair 3.6 against 3.0, clearly above" in page  # Cedar's shrunken mean
    assert reverse("partners:request", args=[w.aspen.urn, w.cedar.urn]) in page


def test_it_never_suggests_a_school_that_has_not_opted_in(partners: Partners) -> None:
    w = partners.world
    PartnerOptIn.objects.filter(school__in=[w.cedar, partners.elm]).update(open=False)
    url = reverse("partners:suggestions", args=[w.aspen.urn])
    page = logged_in(w.sam).get(url, {"dimension": DIMENSION}).content.decode()
    for name in ("Cedar Primary", "Elm Primary", "Fir Primary"):
        assert name not in page
    assert "No school open to partner requests is strong in this dimension" in page


def test_it_says_when_the_dimension_is_unknown(partners: Partners) -> None:
    w = partners.world
    url = reverse("partners:suggestions", args=[w.aspen.urn])
    response = logged_in(w.sam).get(url, {"dimension": "no_such_thing"})
    assert response.status_code == 400
    assert "Choose a dimension of the survey." in response.content.decode()
    assert logged_in(w.sam).get(url).status_code == 200  # the chooser alone


def test_it_explains_a_suggestion_in_one_line(partners: Partners) -> None:
    w = partners.world
    suggestion = PartnerSuggestion(
        school=w.cedar.urn,
        dimension=DIMENSION,
        distance=0.4,
        context=PartnerContext(
            school=w.cedar.urn,
            phase="primary",
            pupils=420,
            fsm_pct=31.0,
            eal_pct=12.0,
            send_pct=None,
            region="North West",
        ),
        strength=StrengthFigure(
            dimension=DIMENSION,
            mean=3.62,
            shrunken_mean=3.58,
            shrunken_ci_low=3.3,
            shrunken_ci_high=3.8,
            benchmark_mean=3.01,
            clearly_above=True,
        ),
        closest=["fsm_pct", "eal_pct"],
    )
    line = explain(w.aspen, suggestion, Names(w.wave.instrument()))
    assert line == (
        "Similar: primary, 420 pupils, FSM 31% against 28%, EAL 12% against 10%, also in "
        "North West; strong: School is Fair 3.6 against 3.0, clearly above"
    )


# --- requests ---------------------------------------------------------------------------------


def test_it_sends_a_request_and_emails_the_other_schools_leaders(
    partners: Partners, outbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    w = partners.world
    url = reverse("partners:request", args=[w.aspen.urn, w.cedar.urn])
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(w.sam).post(url, {"dimension": DIMENSION, "message": MESSAGE})
    assert response.status_code == 302
    request = PartnerRequest.objects.get()
    assert (request.from_school, request.to_school, request.dimension) == (
        w.aspen,
        w.cedar,
        DIMENSION,
    )
    assert request.from_user == w.sam
    assert request.message == MESSAGE
    assert request.is_open
    [email] = outbox
    assert email.to == [SARA_EMAIL]
    assert "Aspen Primary" in email.subject
    assert MESSAGE in email.body
    assert "School is Fair" in email.body
    assert SAM_EMAIL not in email.body  # shared only on acceptance
    # The asked school sees the request and the message, not the requester's address.
    page = _page(w.sara, w.cedar.urn)
    assert "Aspen Primary" in page
    assert MESSAGE in page
    assert SAM_EMAIL not in page


def test_it_emails_the_trust_leaders_of_a_school_without_a_leader(
    partners: Partners, outbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    w = partners.world
    w.sara.is_active = False
    w.sara.save()
    with django_capture_on_commit_callbacks(execute=True):
        _send(partners)
    [email] = outbox
    assert email.to == ["bob@example.org"]


def test_it_refuses_a_request_to_a_school_that_has_not_opted_in(
    partners: Partners, outbox: list[Any]
) -> None:
    w = partners.world
    url = reverse("partners:request", args=[w.aspen.urn, partners.fir.urn])
    client = logged_in(w.sam)
    assert client.get(url, {"dimension": DIMENSION}).status_code == 404
    assert client.post(url, {"dimension": DIMENSION, "message": MESSAGE}).status_code == 404
    # Nor to one that does not exist, nor to itself: the same answer.
    unknown = reverse("partners:request", args=[w.aspen.urn, "999999"])
    assert client.get(unknown, {"dimension": DIMENSION}).status_code == 404
    itself = reverse("partners:request", args=[w.aspen.urn, w.aspen.urn])
    assert client.get(itself, {"dimension": DIMENSION}).status_code == 404
    with pytest.raises(PartnerError, match="not open to partner requests"):
        _send(partners, to=partners.fir)
    assert not PartnerRequest.objects.exists()
    assert outbox == []


def test_it_refuses_an_unknown_dimension_in_a_request(partners: Partners) -> None:
    w = partners.world
    url = reverse("partners:request", args=[w.aspen.urn, w.cedar.urn])
    assert logged_in(w.sam).get(url, {"dimension": "nope"}).status_code == 404
    with pytest.raises(PartnerError, match="dimension"):
        _send(partners, dimension="nope")


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("", "Write a message to the school."),
        ("Hello", "Write at least 20 characters."),
        ("x" * 1001, "Write at most 1000 characters."),
    ],
)
def test_it_validates_the_message(partners: Partners, message: str, error: str) -> None:
    w = partners.world
    url = reverse("partners:request", args=[w.aspen.urn, w.cedar.urn])
    response = logged_in(w.sam).post(url, {"dimension": DIMENSION, "message": message})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not PartnerRequest.objects.exists()


def test_it_allows_one_open_request_per_school_and_dimension(partners: Partners) -> None:
    w = partners.world
    _send(partners)
    url = reverse("partners:request", args=[w.aspen.urn, w.cedar.urn])
    response = logged_in(w.tess).post(url, {"dimension": DIMENSION, "message": MESSAGE})
    assert response.status_code == 200
    assert "already asked this school about this dimension" in response.content.decode()
    assert PartnerRequest.objects.count() == 1
    _send(partners, dimension="school_safe")  # another dimension is another request
    assert PartnerRequest.objects.count() == 2


def test_it_rate_limits_a_schools_requests(partners: Partners) -> None:
    w = partners.world
    dimensions = w.wave.instrument().dimension_ids
    for dimension in dimensions[:REQUESTS_PER_DAY]:
        _send(partners, dimension=dimension)
    url = reverse("partners:request", args=[w.aspen.urn, partners.elm.urn])
    response = logged_in(w.sam).post(url, {"dimension": DIMENSION, "message": MESSAGE})
    assert response.status_code == 200
    assert (
        f"Your school has sent {REQUESTS_PER_DAY} partner requests in the last 24 hours"
        in response.content.decode()
    )
    assert PartnerRequest.objects.count() == REQUESTS_PER_DAY
    # A day later the school may ask again.
    day_ago = timezone.now() - timedelta(hours=25)
    PartnerRequest.objects.update(created=day_ago)
    _send(partners, to=partners.elm)
    assert PartnerRequest.objects.count() == REQUESTS_PER_DAY + 1


def test_it_waits_before_asking_again_after_a_decline(partners: Partners) -> None:
    w = partners.world
    do_decline_request(w.sara, _send(partners))
    with pytest.raises(PartnerError, match="declined a request about this dimension"):
        _send(partners)


def test_it_shares_both_addresses_when_a_request_is_accepted(
    partners: Partners, outbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    w = partners.world
    request = _send(partners)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(w.sara).post(
            reverse("partners:accept", args=[w.cedar.urn, request.pk])
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == PartnerRequest.Status.ACCEPTED
    assert request.decided_by == w.sara
    assert request.decided is not None
    for user, urn in ((w.sam, w.aspen.urn), (w.sara, w.cedar.urn)):
        page = _page(user, urn)
        assert SAM_EMAIL in page
        assert SARA_EMAIL in page
    [email] = outbox
    assert email.to == [SAM_EMAIL]
    assert SARA_EMAIL in email.body
    assert "Cedar Primary" in email.subject


def test_it_reveals_nothing_when_a_request_is_declined(
    partners: Partners, outbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    w = partners.world
    request = _send(partners)
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(w.sara).post(reverse("partners:decline", args=[w.cedar.urn, request.pk]))
    request.refresh_from_db()
    assert request.status == PartnerRequest.Status.DECLINED
    requester = _page(w.sam, w.aspen.urn)
    assert "Declined" in requester
    assert SARA_EMAIL not in requester
    assert "bob@example.org" not in requester
    assert SAM_EMAIL not in _page(w.sara, w.cedar.urn)
    assert outbox == []  # no email on a decline


def test_it_answers_a_request_only_once(partners: Partners) -> None:
    w = partners.world
    request = _send(partners)
    do_accept_request(w.sara, request)
    with pytest.raises(PartnerError, match="already been answered"):
        do_decline_request(w.bob, request)
    response = logged_in(w.bob).post(reverse("partners:decline", args=[w.cedar.urn, request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.is_accepted


def test_it_logs_each_change(partners: Partners, caplog: pytest.LogCaptureFixture) -> None:
    w = partners.world
    with caplog.at_level("INFO", logger="learnsurvey.partners"):
        request = _send(partners)
        do_accept_request(w.sara, request)
    logged = caplog.text
    assert f"request {request.pk} from {w.aspen.urn} to {w.cedar.urn}" in logged
    assert f"request {request.pk} accepted" in logged
    assert MESSAGE not in logged  # ids and URNs only
    assert SAM_EMAIL not in logged


# --- the API ----------------------------------------------------------------------------------


def _api(user: User, urn: str, dimension: str = DIMENSION) -> Any:
    _token, secret = ApiToken.issue(user, "test")
    return Client().get(
        f"/api/v1/schools/{urn}/partners",
        {"dimension": dimension},
        headers={"Authorization": f"Bearer {secret}"},
    )


def test_it_serves_the_suggestions_in_the_api(partners: Partners) -> None:
    w = partners.world
    response = _api(w.sam, w.aspen.urn)
    assert response.status_code == 200
    body = response.json()
    assert body["school"] == w.aspen.urn
    assert body["wave"] == w.wave.name
    urns = [p["urn"] for p in body["partners"]]
    assert set(urns) == {w.cedar.urn, partners.elm.urn}
    assert partners.fir.urn not in response.content.decode()
    cedar = next(p for p in body["partners"] if p["urn"] == w.cedar.urn)
    assert cedar["name"] == "Cedar Primary"
    assert cedar["dimension_name"] == "School is Fair"
    assert cedar["strength"]["clearly_above"] is True
    assert cedar["explanation"].startswith("Similar: primary")


@pytest.mark.parametrize(("persona", "status"), ASPEN_PARTNERS)
def test_it_applies_the_pages_access_rules_in_the_api(
    partners: Partners, persona: str, status: int
) -> None:
    response = _api(_user(partners.world, persona), partners.world.aspen.urn)
    assert response.status_code == status


def test_it_refuses_an_unknown_dimension_in_the_api(partners: Partners) -> None:
    w = partners.world
    assert _api(w.sam, w.aspen.urn, "nope").status_code == 400
    assert Client().get(f"/api/v1/schools/{w.aspen.urn}/partners").status_code == 401


# --- the admin --------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["partneroptin", "partnerrequest"])
def test_it_lists_opt_ins_and_requests_read_only_in_the_admin(
    partners: Partners, model: str
) -> None:
    _send(partners)
    url = f"/admin/partners/{model}/"
    response = logged_in(partners.world.alice).get(url)
    assert response.status_code == 200
    assert "Cedar Primary" in response.content.decode()
    assert logged_in(partners.world.alice).get(url + "add/").status_code == 403
    assert logged_in(partners.world.sam).get(url).status_code == 302  # to the admin's login
