"""The "Over time" views: the series of waves read from the database, stored with the wave's
result, and shown on the pages, the API and the downloads, to those who may see them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from learnsurvey.analysis.figures import over_time as contract
from learnsurvey.web.accounts.models import ApiToken, User
from learnsurvey.web.dashboards import over_time_payloads as payloads
from learnsurvey.web.dashboards.compute import is_stale, stored_result
from learnsurvey.web.dashboards.models import OverTimeResult
from learnsurvey.web.dashboards.over_time_store import over_time_parts
from learnsurvey.web.dashboards.over_time_views import latest_changes
from learnsurvey.web.dashboards.results import (
    compute_wave_result,
    global_over_time,
    school_over_time,
    trust_over_time,
)
from learnsurvey.web.reports.sources import series_waves, timeline_from_database
from learnsurvey.web.waves.models import Publication, Response, Wave
from personas import ASPEN_ACCESS, World, add_responses, logged_in

CURRENT = {"aspen": (40, 1), "birch": (35, 2), "cedar": (20, 3), "dale": (15, 4)}
EARLIER = {"aspen": (30, 11), "birch": (25, 12), "cedar": (20, 13), "dale": (6, 14)}
"""Pupils and seed per school in each wave: Dale has 6 pupils in Phase One (hidden)."""


def _wave_before(wave: Wave, name: str, days: int, season: str = "summer") -> Wave:
    return Wave.objects.create(
        name=name,
        instrument_id=wave.instrument_id,
        instrument_version=wave.instrument_version,
        opens=wave.opens - timedelta(days=days),
        closes=wave.closes - timedelta(days=days),
        season=season,
    )


def _answer(world: World, wave: Wave, plan: dict[str, tuple[int, int]]) -> None:
    for school, (n, seed) in plan.items():
        add_responses(wave, getattr(world, school), n, seed=seed)


@pytest.fixture
def series(world: World) -> World:
    """Phase One (summer, a year earlier) and Phase Two (autumn, the personas' wave),
    computed once."""
    earlier = _wave_before(world.wave, "Phase One", 365)
    _answer(world, earlier, EARLIER)
    _answer(world, world.wave, CURRENT)
    compute_wave_result(world.wave)
    return world


def _page(world: World, user: User, name: str, *args: object) -> Any:
    return logged_in(user).get(reverse(f"dashboards:{name}", args=[world.wave.pk, *args]))


def _stored(world: World) -> contract.OverTimeFigures:
    found = over_time_parts(world.wave)
    assert found is not None
    return found[0]


def _api(client: Client, user: User, url: str) -> Any:
    _token, secret = ApiToken.issue(user, "test")
    return client.get(f"/api/v1{url}", headers={"Authorization": f"Bearer {secret}"})


def _without_time(body: dict[str, Any]) -> dict[str, Any]:
    """The body without its computed time (the API writes it to the millisecond)."""
    assert body["computed"]
    return {k: v for k, v in body.items() if k != "computed"}


def _csv(client: Client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


# --- the series from the database ------------------------------------------------------------


def test_it_reads_the_series_oldest_first_passing_over_waves_without_responses(
    world: World,
) -> None:
    earlier = _wave_before(world.wave, "Phase One", 365)
    _wave_before(world.wave, "Phase One and a half", 100)  # no responses: passed over
    later = _wave_before(world.wave, "Phase Three", -100)  # opens after: not in the series
    add_responses(earlier, world.aspen, 12, seed=5)
    add_responses(world.wave, world.aspen, 15, seed=6)
    add_responses(later, world.aspen, 15, seed=7)
    assert [w.name for w in series_waves(world.wave)] == ["Phase One", "Phase Two"]
    timeline = timeline_from_database(world.wave)
    assert [w.wave for w in timeline.waves] == ["Phase One", "Phase Two"]
    assert [w.season for w in timeline.waves] == ["summer", world.wave.season]
    assert [int(w.statistics.responses["n"].sum()) for w in timeline.waves] == [12, 15]
    assert list(timeline.schools["school"]) == [world.aspen.urn]
    assert timeline.threshold == 10


def test_it_stores_the_figures_over_time_with_the_waves_result(series: World) -> None:
    stored = OverTimeResult.objects.get(wave=series.wave)
    assert stored.parts.filter(kind="school").count() == 4
    figures = _stored(series)
    assert [w.wave for w in figures.waves] == ["Phase One", "Phase Two"]
    assert set(figures.schools) == {s.urn for s in (series.aspen, series.birch, series.cedar)} | {
        series.dale.urn
    }
    # Read back whole, or one school's part only (a page reads its own).
    one = over_time_parts(series.wave, schools=[series.aspen.urn], trusts=[])
    assert one is not None
    assert list(one[0].schools) == [series.aspen.urn]
    assert one[0].schools[series.aspen.urn] == figures.schools[series.aspen.urn]
    assert one[0].trusts == {}


def test_it_computes_again_when_an_earlier_wave_publishes_late_responses(series: World) -> None:
    result = stored_result(series.wave)
    assert result is not None
    assert not is_stale(result)
    earlier = Wave.objects.get(name="Phase One")
    add_responses(earlier, series.aspen, 15, seed=21)
    assert not is_stale(result)  # pending in an earlier wave: nothing has changed yet
    # A later batch of the earlier wave is published (as reading that wave would do).
    batch = Publication.objects.create(wave=earlier, number=2, n_responses=15)
    Response.objects.filter(wave=earlier, publication__isnull=True).update(publication=batch)
    assert is_stale(result)


# --- the school page -------------------------------------------------------------------------


def test_it_shows_a_school_each_score_wave_by_wave_and_the_latest_change(series: World) -> None:
    response = _page(series, series.sam, "school_over_time", series.aspen.urn)
    assert response.status_code == 200
    page = response.content.decode()
    aspen = _stored(series).schools[series.aspen.urn]
    inst = series.wave.instrument()
    for dim in inst.dimensions:
        assert dim.name in page
    assert page.count('<svg class="line-chart"') == len(aspen.series)
    first = aspen.series[0].points
    assert f"{first[0].mean:.2f}" in page
    assert f"{first[1].mean:.2f}" in page
    changes = latest_changes(response.context["latest"])
    assert [(c.from_wave, c.to_wave) for c in changes] == [("Phase One", "Phase Two")] * len(
        changes
    )
    for change in aspen.changes:
        assert f"{change.difference:.2f}" in page
        if change.verdict == "within_detectable":
            assert (
                f"Within what the school can detect (smallest detectable change {change.mdc:.2f})"
                in page
            )
        elif change.verdict == "clear_up":
            assert "Clearly up" in page
    # Two waves only: no trend yet. The seasons differ (summer, then autumn): a caution.
    assert "Trend over the waves" not in page
    assert "ran in different seasons" in page
    assert "script" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_it_shows_no_change_for_a_school_hidden_in_one_wave(series: World) -> None:
    dale = _stored(series).schools[series.dale.urn]
    assert all(s.points[0].suppressed and s.points[0].mean is None for s in dale.series)
    assert dale.changes
    assert all(c.suppressed and c.difference is None for c in dale.changes)
    page = _page(series, series.dev, "school_over_time", series.dale.urn).content.decode()
    assert "Hidden: too few pupils in one of the waves" in page
    assert "Within what the school can detect" not in page
    assert "Clearly" not in page.replace("Clearly up", "").replace("Clearly down", "")
    shown = dale.series[0].points[1]
    assert f"{shown.mean:.2f}" in page  # Phase Two's own figures stand


def test_it_shows_the_trend_over_three_waves(world: World) -> None:
    first = _wave_before(world.wave, "Phase Zero", 730, season="autumn")
    second = _wave_before(world.wave, "Phase One", 365, season="autumn")
    for wave, seed in ((first, 30), (second, 40), (world.wave, 50)):
        add_responses(wave, world.aspen, 15, seed=seed)
        add_responses(wave, world.birch, 12, seed=seed + 1)
    page = _page(world, world.sam, "school_over_time", world.aspen.urn).content.decode()
    trends = _stored(world).schools[world.aspen.urn].trends
    assert trends
    assert all(t.n_waves == 3 for t in trends)
    assert "Trend over the waves" in page
    assert f"{trends[0].slope:.2f}" in page
    assert "different seasons" not in page  # all three in autumn
    assert "Table: the changes between earlier waves" in page


def test_it_notes_what_is_not_compared_when_versions_differ(series: World) -> None:
    stored = OverTimeResult.objects.get(wave=series.wave)
    stored.payload["comparability"] |= {
        "versions": ["0.9.0", "1.0.0"],
        "same_version": False,
        "dropped_dimensions": ["school_safe", "homework"],
        "dropped_items": ["school_safe_1", "homework_1"],
        "dropped_notions": ["safety"],
        "overall": False,
    }
    stored.save()
    page = _page(series, series.sam, "school_over_time", series.aspen.urn).content.decode()
    assert "different versions of the survey (0.9.0, 1.0.0)" in page
    assert "Dimensions not compared: School is Safe, homework." in page
    assert "Notions not compared: Safety to Learn." in page
    assert "2 statements are not compared" in page
    assert "The overall score is not compared" in page


def test_it_links_the_school_and_trust_pages_to_their_pages_over_time(series: World) -> None:
    school = _page(series, series.tess, "school", series.aspen.urn).content.decode()
    url = reverse("dashboards:school_over_time", args=[series.wave.pk, series.aspen.urn])
    assert f'href="{url}"' in school
    trust = _page(series, series.tess, "trust", series.trust.pk).content.decode()
    url = reverse("dashboards:trust_over_time", args=[series.wave.pk, series.trust.pk])
    assert f'href="{url}"' in trust


# --- the trust and global pages --------------------------------------------------------------


def test_it_shows_the_trust_each_schools_change_and_how_many_changed_clearly(
    series: World,
) -> None:
    response = _page(series, series.tess, "trust_over_time", series.trust.pk)
    assert response.status_code == 200
    page = response.content.decode()
    part = _stored(series).trusts[series.trust.name]
    assert [s.school for s in part.schools] == [series.aspen.urn, series.birch.urn]
    assert "Each school's latest change" in page
    assert "Aspen Primary" in page
    assert "Birch Academy" in page
    assert "Cedar Primary" not in page  # another trust's school
    rows = response.context["side_by_side"]["rows"]
    assert [r["school"].school_name for r in rows] == ["Aspen Primary", "Birch Academy"]
    for count in part.clear_counts:
        assert count.n_up + count.n_down + count.n_within == count.n_schools
    assert "Schools that changed clearly" in page
    if part.changes:
        shown = next(c for c in part.changes if not c.suppressed)
        assert f"{shown.difference:.2f}" in page


def test_it_shows_researchers_every_school_together_and_the_key_stage_decline(
    series: World,
) -> None:
    response = _page(series, series.rita, "global_over_time")
    assert response.status_code == 200
    page = response.content.decode()
    whole = _stored(series).global_
    assert "From primary to secondary, wave by wave" in page
    assert len(whole.series) == len(response.context["charts"])
    assert whole.key_stage_decline
    assert len(response.context["declines"]) == len(whole.key_stage_decline)
    shown = [k for k in whole.key_stage_decline if not k.suppressed]
    for k in shown:
        assert f"{k.hedges_g:.2f}" in page


def test_it_shows_each_over_time_page_only_to_those_who_may_see_it(series: World) -> None:
    for persona, status in ASPEN_ACCESS:
        user = getattr(series, persona)
        response = _page(series, user, "school_over_time", series.aspen.urn)
        assert response.status_code == status, persona
    trust = {"alice": 200, "tess": 200, "bob": 404, "sam": 404, "tom": 404, "rita": 404}
    for persona, status in trust.items():
        response = _page(series, getattr(series, persona), "trust_over_time", series.trust.pk)
        assert response.status_code == status, persona
    whole = {"alice": 200, "rita": 200, "tess": 403, "sam": 403, "tom": 403, "bob": 403}
    for persona, status in whole.items():
        assert _page(series, getattr(series, persona), "global_over_time").status_code == status
    # Another trust's leader or school leader, another school: 404 for pages that exist.
    assert _page(series, series.bob, "school_over_time", series.birch.urn).status_code == 404
    assert _page(series, series.sara, "school_over_time", series.aspen.urn).status_code == 404
    assert _page(series, series.sam, "school_over_time", "999999").status_code == 404
    anonymous = Client().get(
        reverse("dashboards:school_over_time", args=[series.wave.pk, series.aspen.urn])
    )
    assert anonymous.status_code == 302


def test_it_stores_nothing_over_time_for_a_single_wave(world: World) -> None:
    add_responses(world.wave, world.aspen, 15, seed=3)
    page = _page(world, world.sam, "school_over_time", world.aspen.urn).content.decode()
    assert "Figures over time appear once a second wave of this survey has results" in page
    assert not OverTimeResult.objects.exists()
    assert not school_over_time(world.wave, world.aspen).available


# --- the API and the downloads ---------------------------------------------------------------


def test_it_serves_the_figures_over_time_in_the_api_as_stored(
    client: Client, series: World
) -> None:
    wave = series.wave
    body = _api(client, series.sam, f"/waves/{wave.pk}/schools/{series.aspen.urn}/over-time")
    assert body.status_code == 200
    expected = school_over_time(wave, series.aspen).model_dump(mode="json", exclude={"computed"})
    assert _without_time(body.json()) == expected
    stored = _stored(series).schools[series.aspen.urn]
    assert body.json()["school"]["changes"][0]["mdc"] == stored.changes[0].mdc
    assert body.json()["school"]["changes"][0]["name"] == "Expectations"
    trust = _api(client, series.tess, f"/waves/{wave.pk}/trusts/{series.trust.pk}/over-time")
    assert _without_time(trust.json()) == trust_over_time(wave, series.trust).model_dump(
        mode="json", exclude={"computed"}
    )
    assert [s["school_name"] for s in trust.json()["trust"]["schools"]] == [
        "Aspen Primary",
        "Birch Academy",
    ]
    whole = _api(client, series.rita, f"/waves/{wave.pk}/global/over-time")
    assert _without_time(whole.json()) == global_over_time(wave).model_dump(
        mode="json", exclude={"computed"}
    )
    # The pages' access rules: another school 404, a role that never sees it 403.
    school_url = f"/waves/{wave.pk}/schools/{series.aspen.urn}/over-time"
    assert _api(client, series.bob, school_url).status_code == 404
    trust_url = f"/waves/{wave.pk}/trusts/{series.trust.pk}/over-time"
    assert _api(client, series.bob, trust_url).status_code == 404
    assert _api(client, series.sam, f"/waves/{wave.pk}/global/over-time").status_code == 403
    assert client.get(f"/api/v1{school_url}").status_code == 401


def test_it_lists_the_over_time_endpoints_in_the_openapi_schema(
    client: Client, world: World
) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/waves/{wave_id}/schools/{urn}/over-time",
        "/api/v1/waves/{wave_id}/trusts/{trust_id}/over-time",
        "/api/v1/waves/{wave_id}/global/over-time",
    ):
        assert paths[path]["get"]["security"]
    assert "SchoolOverTimeDashboard" in schema["components"]["schemas"]


def test_it_exports_the_figures_over_time_as_stored_with_hidden_cells_blank(
    series: World,
) -> None:
    wave = series.wave

    def url(name: str, *args: object) -> str:
        return reverse(f"exports:{name}", args=[wave.pk, *args])

    sam, dev = logged_in(series.sam), logged_in(series.dev)
    aspen = _stored(series).schools[series.aspen.urn]
    rows = _csv(sam, url("school_over_time", series.aspen.urn, "changes", "csv"))
    assert len(rows) == len(aspen.changes)
    assert [float(r["difference"]) for r in rows] == pytest.approx(
        [c.difference for c in aspen.changes]
    )
    assert [float(r["mdc"]) for r in rows] == pytest.approx([c.mdc for c in aspen.changes])
    assert rows[0]["verdict"] == aspen.changes[0].verdict
    scores = _csv(dev, url("school_over_time", series.dale.urn, "scores", "csv"))
    hidden = [r for r in scores if r["wave"] == "Phase One"]
    assert hidden
    assert all(r["mean"] == "" and r["n"] == "" for r in hidden)
    assert all(r["suppressed"] == "true" for r in hidden)
    changes = _csv(dev, url("school_over_time", series.dale.urn, "changes", "csv"))
    assert changes
    assert all(r["difference"] == "" for r in changes)
    # The trust: each school's latest change; the whole database for researchers only.
    schools = _csv(
        logged_in(series.tess), url("trust_over_time", series.trust.pk, "schools", "csv")
    )
    assert {r["school_name"] for r in schools} == {"Aspen Primary", "Birch Academy"}
    decline = _csv(logged_in(series.rita), url("global_over_time", "key_stage_decline", "csv"))
    assert len(decline) == len(_stored(series).global_.key_stage_decline)
    workbook = sam.get(url("school_over_time", series.aspen.urn, "all", "xlsx"))
    assert workbook.status_code == 200
    assert b"".join(workbook.streaming_content).startswith(b"PK")  # read whole: closes it
    tess = logged_in(series.tess)
    assert tess.get(url("global_over_time", "scores", "csv")).status_code == 403
    assert (
        logged_in(series.bob)
        .get(url("trust_over_time", series.trust.pk, "scores", "csv"))
        .status_code
        == 404
    )
    assert (
        logged_in(series.sara)
        .get(url("school_over_time", series.aspen.urn, "scores", "csv"))
        .status_code
        == 404
    )


def test_it_neutralises_formulas_in_the_exported_school_names(series: World) -> None:
    series.birch.name = '=HYPERLINK("http://evil.example","Click")'
    series.birch.save()
    url = reverse(
        "exports:trust_over_time", args=[series.wave.pk, series.trust.pk, "schools", "csv"]
    )
    rows = _csv(logged_in(series.tess), url)
    birch = [r for r in rows if r["school"] == series.birch.urn]
    assert birch
    assert all(r["school_name"].startswith("'=HYPERLINK") for r in birch)
    assert not any(r["difference"].startswith("'") for r in rows)  # numbers stay numbers


@pytest.mark.parametrize(
    ("shown", "figures"),
    [
        (payloads.SeriesFigure, contract.ScoreSeries),
        (payloads.WaveChangeFigure, contract.WaveChange),
        (payloads.TrendFigure, contract.Trend),
        (payloads.ClearCountFigure, contract.ClearCount),
        (payloads.DeclineFigure, contract.KeyStageDecline),
        (payloads.ComparabilityFigure, contract.Comparability),
        (payloads.SchoolOverTimeFigure, contract.SchoolOverTime),
        (payloads.SchoolChangesFigure, contract.SchoolChanges),
        (payloads.TrustOverTimeFigure, contract.TrustOverTime),
        (payloads.GlobalOverTimeFigure, contract.GlobalOverTime),
    ],
)
def test_it_shows_every_figure_of_the_over_time_contract(
    shown: type[Any], figures: type[Any]
) -> None:
    assert set(figures.model_fields) <= set(shown.model_fields)


def test_it_holds_every_field_of_the_series_in_the_payloads() -> None:
    parts = {"schools", "trusts", "global_"}
    info = set(payloads.OverTimeInfo.model_fields)
    assert set(contract.OverTimeFigures.model_fields) - parts <= info


def test_it_hands_the_stored_figures_over_time_to_the_web_reports(series: World) -> None:
    url = reverse("reports:school_view", args=[series.wave.pk, series.aspen.urn])
    page = logged_in(series.sam).get(url).content.decode()
    assert 'id="over-time"' in page
    assert "Phase One" in page
