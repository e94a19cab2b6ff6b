"""Learning beside outcomes on the pages and in the API: the global page (researchers and
platform admins only), the school's "Where you stand on outcomes" block (whoever sees the
school), and the two endpoints with the same access rules. The figures are built by hand
from the contract (:mod:`learnsurvey.analysis.figures.outcomes`) and stored as the wave's
result would hold them; one test computes them from imported outcomes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from learnsurvey.analysis.figures.outcomes import (
    OutcomeBin,
    OutcomeCorrelation,
    OutcomeFigures,
    OutcomeMeasure,
    SchoolOutcome,
)
from learnsurvey.web.accounts.models import ApiToken, User
from learnsurvey.web.dashboards.models import SchoolResult
from learnsurvey.web.dashboards.outcome_chart import binned_scatter
from learnsurvey.web.dashboards.outcomes_payloads import (
    NamedCorrelation,
    global_outcomes,
    school_outcomes,
)
from learnsurvey.web.dashboards.outcomes_views import reading
from learnsurvey.web.dashboards.results import compute_wave_result
from learnsurvey.web.schools.imports import do_import_outcomes
from learnsurvey.web.waves.models import WaveResult
from personas import ASPEN_ACCESS, World, answer, logged_in

BASE = "/api/v1"
KS2 = "KS2 expected standard"
GLOBAL_ACCESS = [
    ("alice", 200),
    ("rita", 200),
    ("tess", 403),
    ("sam", 403),
    ("tom", 403),
    ("bob", 403),
    ("sara", 403),
    ("dev", 403),
]


def _correlation(kind: str, score: str, r: float | None, *, hidden: bool = False) -> Any:
    return OutcomeCorrelation(
        kind=kind,
        score=score,
        measure=KS2,
        n_schools=None if hidden else 24,
        r=None if hidden else r,
        ci_low=None if hidden else (r or 0) - 0.3,
        ci_high=None if hidden else (r or 0) + 0.3,
        p=None if hidden else 0.012,
        suppressed=hidden,
    )


def _bin(kind: str, score: str, k: int, mean: float | None) -> OutcomeBin:
    hidden = mean is None
    return OutcomeBin(
        kind=kind,
        score=score,
        measure=KS2,
        bin=k,
        measure_low=40.0 + 10 * k,
        measure_high=49.0 + 10 * k,
        measure_mean=45.0 + 10 * k,
        n_schools=None if hidden else 8,
        mean=mean,
        ci_low=None if hidden else (mean or 0) - 0.2,
        ci_high=None if hidden else (mean or 0) + 0.2,
        suppressed=hidden,
    )


ASPEN_KS2 = SchoolOutcome(
    measure=KS2, unit="%", year="2024/25", value=61.0, percentile=75.0, n_schools=23
)
FIGURES = OutcomeFigures(
    measures=[OutcomeMeasure(measure=KS2, unit="%", year="2024/25", n_schools=24)],
    correlations=[
        _correlation("dimension", "expectations", 0.42),
        _correlation("dimension", "challenge", -0.05),
        _correlation("dimension", "aiming_high", None, hidden=True),
        _correlation("overall", "overall", 0.38),
    ],
    bins=[
        _bin("overall", "overall", 0, 3.1),
        _bin("overall", "overall", 1, 3.4),
        _bin("overall", "overall", 2, None),
        _bin("dimension", "expectations", 0, 2.9),
        _bin("dimension", "expectations", 1, 3.6),
    ],
    schools={"100001": [ASPEN_KS2]},
)
FIGURES_NAMED = [NamedCorrelation(**c.model_dump(), name="x") for c in FIGURES.correlations]


@pytest.fixture
def stored(world: World) -> World:
    """The world with answers and a computed result holding :data:`FIGURES`."""
    answer(world)
    result = compute_wave_result(world.wave)
    payload = dict(result.payload)
    payload["outcomes"] = FIGURES.model_dump(mode="json", exclude={"schools"})
    WaveResult.objects.filter(pk=result.pk).update(payload=payload)
    part = SchoolResult.objects.get(result=result, urn=world.aspen.urn)
    part.payload = {**part.payload, "outcomes": [ASPEN_KS2.model_dump(mode="json")]}
    part.save()
    return world


def _api(client: Client, user: User, url: str) -> Any:
    _token, secret = ApiToken.issue(user, "test")
    return client.get(url, headers={"Authorization": f"Bearer {secret}"})


def _outcomes_url(world: World) -> str:
    return reverse("dashboards:global_outcomes", args=[world.wave.pk])


def test_it_reads_the_stored_figures_with_the_scores_names(stored: World) -> None:
    d = global_outcomes(stored.wave)
    assert d.available
    assert [m.measure for m in d.measures] == [KS2]
    names = {(c.kind, c.score): c.name for c in d.correlations}
    assert names[("overall", "overall")] == "Overall"
    assert names[("dimension", "expectations")] == stored.wave.instrument().dimensions[0].name
    assert school_outcomes(stored.wave, stored.aspen).outcomes == [ASPEN_KS2]
    assert school_outcomes(stored.wave, stored.birch).outcomes == []


def test_it_shows_researchers_the_correlations_with_their_intervals(stored: World) -> None:
    page = logged_in(stored.rita).get(_outcomes_url(stored)).content.decode()
    assert "Learning beside outcomes" in page
    assert KS2 in page
    assert "0.42" in page
    assert "(0.12 to 0.72)" in page  # r with its 95% CI
    assert "clearly higher where the measure is higher" in page
    assert "no clear association" in page
    assert "Hidden: too few schools" in page


def test_it_shows_the_caveats(stored: World) -> None:
    page = logged_in(stored.alice).get(_outcomes_url(stored)).content.decode()
    assert "Schools, not pupils" in page
    assert "Correlation, not cause" in page


def test_it_draws_the_binned_scatter_beside_its_table(stored: World) -> None:
    page = logged_in(stored.rita).get(_outcomes_url(stored)).content.decode()
    svg = re.search(r'<svg class="line-chart".*?</svg>', page, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert svg.group(0).count("<circle") == 2  # the hidden bin is not drawn
    assert "Overall, by groups of schools" in page
    assert "3.40" in page


def test_it_draws_the_chosen_score(stored: World) -> None:
    url = _outcomes_url(stored) + "?score=dimension:expectations"
    page = logged_in(stored.rita).get(url).content.decode()
    name = stored.wave.instrument().dimensions[0].name
    assert f"{name}, by groups of schools" in page
    assert "3.60" in page
    # An unknown choice falls back to a score that has figures.
    page = logged_in(stored.rita).get(_outcomes_url(stored) + "?score=nope").content.decode()
    assert "by groups of schools" in page


def test_it_says_so_when_there_are_no_outcomes(world: World) -> None:
    answer(world)
    compute_wave_result(world.wave)
    page = logged_in(world.rita).get(_outcomes_url(world)).content.decode()
    assert "No outcome measures have been imported" in page


@pytest.mark.parametrize(("persona", "status"), GLOBAL_ACCESS)
def test_it_shows_the_global_outcomes_page_only_to_researchers_and_admins(
    stored: World, persona: str, status: int
) -> None:
    assert logged_in(getattr(stored, persona)).get(_outcomes_url(stored)).status_code == status


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, world: World) -> None:
    response = client.get(_outcomes_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_answers_404_for_an_unknown_wave(world: World) -> None:
    url = reverse("dashboards:global_outcomes", args=[world.wave.pk + 99])
    assert logged_in(world.rita).get(url).status_code == 404


def test_it_links_the_global_tables_to_the_outcomes_page(stored: World) -> None:
    page = logged_in(stored.rita).get(reverse("dashboards:global", args=[stored.wave.pk]))
    assert _outcomes_url(stored) in page.content.decode()


@pytest.mark.parametrize(("persona", "status"), ASPEN_ACCESS)
def test_it_shows_where_the_school_stands_to_whoever_sees_the_school(
    stored: World, persona: str, status: int
) -> None:
    url = reverse("dashboards:school", args=[stored.wave.pk, stored.aspen.urn])
    response = logged_in(getattr(stored, persona)).get(url)
    assert response.status_code == status
    if status == 200:  # the teacher too: it is the school's own page
        page = response.content.decode()
        assert "Where you stand on outcomes" in page
        assert KS2 in page
        assert "75% of 23 schools" in page


def test_it_shows_no_outcomes_block_for_a_school_without_outcomes(stored: World) -> None:
    url = reverse("dashboards:school", args=[stored.wave.pk, stored.birch.urn])
    page = logged_in(stored.tess).get(url).content.decode()
    assert "Where you stand on outcomes" not in page


def test_it_serves_the_global_outcomes_in_the_api(client: Client, stored: World) -> None:
    body = _api(client, stored.rita, f"{BASE}/waves/{stored.wave.pk}/global/outcomes").json()
    assert body["available"] is True
    assert body["measures"][0]["measure"] == KS2
    overall = next(c for c in body["correlations"] if c["kind"] == "overall")
    assert (overall["r"], overall["ci_low"], overall["name"]) == (0.38, 0.38 - 0.3, "Overall")
    assert len(body["bins"]) == 5
    assert "schools" not in body  # no school's own values in the global figures


@pytest.mark.parametrize(("persona", "status"), GLOBAL_ACCESS)
def test_it_serves_the_global_outcomes_only_to_researchers_and_admins(
    client: Client, stored: World, persona: str, status: int
) -> None:
    url = f"{BASE}/waves/{stored.wave.pk}/global/outcomes"
    assert _api(client, getattr(stored, persona), url).status_code == status


def test_it_serves_the_schools_outcomes_in_the_api(client: Client, stored: World) -> None:
    url = f"{BASE}/waves/{stored.wave.pk}/schools/{stored.aspen.urn}/outcomes"
    body = _api(client, stored.tom, url).json()
    assert body["urn"] == stored.aspen.urn
    assert body["outcomes"] == [ASPEN_KS2.model_dump(mode="json")]


@pytest.mark.parametrize(("persona", "status"), ASPEN_ACCESS)
def test_it_serves_a_schools_outcomes_only_to_whoever_sees_the_school(
    client: Client, stored: World, persona: str, status: int
) -> None:
    url = f"{BASE}/waves/{stored.wave.pk}/schools/{stored.aspen.urn}/outcomes"
    assert _api(client, getattr(stored, persona), url).status_code == status


def test_it_answers_401_without_a_token_and_404_for_unknown_waves(
    client: Client, stored: World
) -> None:
    url = f"{BASE}/waves/{stored.wave.pk}/global/outcomes"
    assert client.get(url).status_code == 401
    assert _api(client, stored.rita, f"{BASE}/waves/999/global/outcomes").status_code == 404
    assert _api(client, stored.sam, f"{BASE}/waves/999/schools/100001/outcomes").status_code == 404


def test_it_lists_the_outcomes_endpoints_in_the_openapi_schema(
    client: Client, world: World
) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/waves/{wave_id}/global/outcomes" in paths
    assert "/api/v1/waves/{wave_id}/schools/{urn}/outcomes" in paths


def test_it_reads_a_correlation_only_from_its_interval() -> None:
    assert reading(FIGURES_NAMED[0]) == "positive"
    assert reading(FIGURES_NAMED[1]) == "unclear"
    assert reading(FIGURES_NAMED[2]) == "hidden"
    low = FIGURES_NAMED[1].model_copy(update={"ci_low": -0.5, "ci_high": -0.1})
    assert reading(low) == "negative"


def test_it_draws_nothing_when_every_bin_is_hidden(world: World) -> None:
    instrument = world.wave.instrument()
    assert binned_scatter([_bin("overall", "overall", 0, None)], instrument) is None
    one = binned_scatter([_bin("overall", "overall", 0, 3.0)], instrument)
    assert one is not None
    assert one.line == ""  # a single bin has no line through it
    assert one.frame.left <= one.points[0].x_low < one.points[0].x_high <= one.frame.right


def test_it_computes_and_stores_the_outcomes_from_imported_values(world: World) -> None:
    # The wave's four schools, imported outcomes, and a full compute (analysis.outcomes).
    answer(world)
    rows = [
        (world.aspen.urn, 61),
        (world.birch.urn, 48),
        (world.cedar.urn, 55),
        (world.dale.urn, 70),
    ]
    do_import_outcomes(
        "urn,year,measure,unit,value\n" + "".join(f"{urn},2024/25,{KS2},%,{v}\n" for urn, v in rows)
    )
    compute_wave_result(world.wave)
    d = global_outcomes(world.wave)
    assert [m.measure for m in d.measures] == [KS2]
    assert all(c.suppressed for c in d.correlations)  # three schools with scores: too few
    mine = school_outcomes(world.wave, world.aspen).outcomes
    assert [(o.measure, o.value, o.year) for o in mine] == [(KS2, 61.0, "2024/25")]
    page = logged_in(world.sam).get(
        reverse("dashboards:school", args=[world.wave.pk, world.aspen.urn])
    )
    assert "Where you stand on outcomes" in page.content.decode()
