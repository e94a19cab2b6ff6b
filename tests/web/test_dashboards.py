"""The dashboard pages: who sees what, and what they show."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from learnsurvey.web import settings as web_settings
from learnsurvey.web.dashboards import views
from learnsurvey.web.waves.models import Wave
from personas import ASPEN_ACCESS, World, add_responses, answer, logged_in

STATIC = Path(web_settings.__file__).parent / "static"


@pytest.fixture
def answered(world: World) -> World:
    """Aspen 40 pupils, Birch 35, Cedar 20, Dale 6 (too few to show, so Cedar, the smallest
    other school, is hidden with it in tables of schools)."""
    answer(world)
    return world


def _school_url(world: World, urn: str) -> str:
    return reverse("dashboards:school", args=[world.wave.pk, urn])


def _trust_url(world: World, trust_id: int) -> str:
    return reverse("dashboards:trust", args=[world.wave.pk, trust_id])


def _global_url(world: World) -> str:
    return reverse("dashboards:global", args=[world.wave.pk])


def _csv_url(world: World, table: str) -> str:
    return reverse("dashboards:global_csv", args=[world.wave.pk, table])


def test_it_sends_anonymous_visitors_to_the_login_page(world: World) -> None:
    client = Client()
    for url in (
        reverse("dashboards:home"),
        _school_url(world, world.aspen.urn),
        _trust_url(world, world.trust.pk),
        _global_url(world),
        _csv_url(world, "reliability"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_it_lists_what_each_persona_may_open(world: World) -> None:
    page = logged_in(world.tess).get(reverse("dashboards:home")).content.decode()
    assert "Northern Lights Trust" in page
    assert "Aspen Primary" in page
    assert "Birch Academy" in page
    assert "Cedar Primary" not in page
    assert "Harbour Trust" not in page
    assert _global_url(world) not in page
    page = logged_in(world.sam).get(reverse("dashboards:home")).content.decode()
    assert _school_url(world, world.aspen.urn) in page
    assert "Birch Academy" not in page
    assert _trust_url(world, world.trust.pk) not in page
    page = logged_in(world.rita).get(reverse("dashboards:home")).content.decode()
    assert _global_url(world) in page
    assert "Aspen Primary" not in page
    page = logged_in(world.alice).get(reverse("dashboards:home")).content.decode()
    for name in ("Aspen Primary", "Cedar Primary", "Dale School", "Harbour Trust"):
        assert name in page
    assert _global_url(world) in page


@pytest.mark.parametrize(("persona", "status"), ASPEN_ACCESS)
def test_it_shows_a_school_dashboard_only_to_those_who_may_see_the_school(
    answered: World, persona: str, status: int
) -> None:
    response = logged_in(getattr(answered, persona)).get(_school_url(answered, answered.aspen.urn))
    assert response.status_code == status


def test_it_hides_other_trusts_schools_from_their_leaders(answered: World) -> None:
    assert logged_in(answered.bob).get(_school_url(answered, answered.birch.urn)).status_code == 404
    assert (
        logged_in(answered.sara).get(_school_url(answered, answered.aspen.urn)).status_code == 404
    )
    assert logged_in(answered.sam).get(_school_url(answered, answered.birch.urn)).status_code == 404
    assert logged_in(answered.sam).get(_school_url(answered, "999999")).status_code == 404
    url = reverse("dashboards:school", args=[99999, answered.aspen.urn])
    assert logged_in(answered.sam).get(url).status_code == 404


def test_it_shows_the_school_its_figures_against_all_schools(answered: World) -> None:
    # Dale grows to 16 pupils: a benchmark is shown only when it leaves a school at least
    # three other schools (disclosure), and Aspen then has Birch, Cedar and Dale.
    add_responses(answered.wave, answered.dale, 10, seed=9)
    response = logged_in(answered.sam).get(_school_url(answered, answered.aspen.urn))
    page = response.content.decode()
    dash = response.context["d"]
    assert dash.publishable
    assert dash.n_responses == 40
    inst = answered.wave.instrument()
    for dim in inst.dimensions:
        assert dim.name in page
    for band in inst.bands:
        assert band.name in page
    assert "40 pupils have answered" in page
    assert "Mean of all schools" in page
    expectations = next(s for s in dash.scores if s.score == "expectations")
    assert f"{expectations.mean:.2f}" in page
    assert f"{expectations.benchmark_mean:.2f}" in page
    # The highest item, in the primary wording (Aspen is a primary school).
    top = dash.highest_items[0]
    item = next(i for i in inst.items if i.id == top.item)
    assert top.text == item.text.primary
    assert len(dash.highest_items) == 3
    assert len(dash.lowest_items) == 3
    assert top.mean >= dash.lowest_items[0].mean


def test_it_shows_no_figures_for_a_school_with_fewer_than_ten_responses(answered: World) -> None:
    response = logged_in(answered.dev).get(_school_url(answered, answered.dale.urn))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fewer than 10 pupils have answered so far" in page
    assert "95% CI" not in page
    assert "Mean of all schools" not in page
    assert "6 pupils" not in page


def test_it_shows_a_school_without_responses_the_count_message(world: World) -> None:
    page = logged_in(world.sam).get(_school_url(world, world.aspen.urn)).content.decode()
    assert "Fewer than 10 pupils have answered so far" in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("tess", 200), ("bob", 404), ("sam", 404), ("tom", 404), ("rita", 404)],
)
def test_it_shows_the_trust_page_only_to_its_leaders(
    answered: World, persona: str, status: int
) -> None:
    response = logged_in(getattr(answered, persona)).get(_trust_url(answered, answered.trust.pk))
    assert response.status_code == status


def test_it_shows_the_trust_its_schools_side_by_side(answered: World) -> None:
    response = logged_in(answered.tess).get(_trust_url(answered, answered.trust.pk))
    page = response.content.decode()
    dash = response.context["d"]
    assert [row.school_name for row in dash.schools] == ["Aspen Primary", "Birch Academy"]
    assert "Cedar Primary" not in page
    for dim in answered.wave.instrument().dimensions:
        assert dim.name in page
    cell = dash.schools[0].cells[0]
    assert not cell.suppressed
    assert cell.ci_low <= cell.shrunken_mean <= cell.ci_high
    assert f"{cell.shrunken_mean:.2f}" in page
    assert cell.band_name in page
    spread = dash.spread[0]
    assert spread.n_schools == 2
    assert spread.range == pytest.approx(spread.max - spread.min)
    if spread.top_school is not None:  # None when the schools do not differ at all
        assert {spread.top_school, spread.bottom_school} == {"Aspen Primary", "Birch Academy"}
    assert logged_in(answered.bob).get(_trust_url(answered, answered.trust.pk)).status_code == 404


def test_it_hides_a_school_whose_figures_would_reveal_a_smaller_one(answered: World) -> None:
    # Dale (6 pupils) is hidden; alone it could be recovered from the wave's total, so the
    # smallest other school is hidden in the schools table too (its own page still shows).
    response = logged_in(answered.bob).get(_trust_url(answered, answered.other_trust.pk))
    assert response.status_code == 200
    (cedar,) = response.context["d"].schools
    assert all(cell.suppressed and cell.shrunken_mean is None for cell in cedar.cells)
    assert "Hidden" in response.content.decode()
    own = logged_in(answered.sara).get(_school_url(answered, answered.cedar.urn))
    assert own.context["d"].publishable


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("rita", 200), ("tess", 403), ("sam", 403), ("tom", 403), ("bob", 403)],
)
def test_it_shows_the_global_tables_to_researchers_and_admins_only(
    answered: World, persona: str, status: int
) -> None:
    client = logged_in(getattr(answered, persona))
    assert client.get(_global_url(answered)).status_code == status
    assert client.get(_csv_url(answered, "school_summary")).status_code == status


def test_the_global_csv_never_writes_a_formula(
    answered: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = SimpleNamespace(
        name="school_summary",
        columns=["trust", "mean"],
        rows=[{"trust": '=HYPERLINK("http://evil.example","x")', "mean": -0.5}],
    )
    monkeypatch.setattr(views, "global_payload", lambda wave: SimpleNamespace(tables=[table]))
    response = logged_in(answered.rita).get(_csv_url(answered, "school_summary"))
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert row["trust"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["mean"] == "-0.5"  # a number is not text a spreadsheet runs


def test_it_offers_the_global_tables_as_suppressed_pseudonymous_csv(answered: World) -> None:
    client = logged_in(answered.rita)
    page = client.get(_global_url(answered)).content.decode()
    assert "Reliability of each dimension" in page
    assert _csv_url(answered, "school_summary") in page
    response = client.get(_csv_url(answered, "school_summary"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    names = {row["school"] for row in rows}
    assert not names & {"Aspen Primary", "Birch Academy", "Cedar Primary", "Dale School"}
    assert not names & {answered.aspen.urn, answered.dale.urn}
    dale = "School 4"  # Dale joined the wave fourth
    hidden = [row for row in rows if row["school"] == dale]
    assert hidden
    assert all(row["n"] == "" and row["mean"] == "" for row in hidden)
    assert all(row["suppressed"] == "True" for row in hidden)
    shown = [row for row in rows if row["suppressed"] == "False"]
    assert shown
    assert all(int(row["n"]) >= 10 for row in shown)
    assert client.get(_csv_url(answered, "no_such_table")).status_code == 404


def test_it_links_leaders_and_teachers_to_the_access_codes(world: World) -> None:
    # Teachers run the survey in class: they see and print the codes (leaders make them).
    url = reverse("dashboards:school", args=[world.wave.pk, world.aspen.urn])
    codes = reverse("pupil:codes", args=[world.aspen.urn])
    leader, teacher = Client(), Client()
    leader.force_login(world.sam)
    teacher.force_login(world.tom)
    assert codes in leader.get(url).content.decode()
    assert codes in teacher.get(url).content.decode()


def test_it_leads_the_school_page_with_the_headline_in_the_reports_order(answered: World) -> None:
    add_responses(answered.wave, answered.dale, 10, seed=9)  # a benchmark of three others
    response = logged_in(answered.sam).get(_school_url(answered, answered.aspen.urn))
    page = response.content.decode()
    dash = response.context["d"]
    # The same sections in the same order as the school report.
    order = ["glance", "scores", "groups", "items", "change", "detail"]
    at = [page.index(f'<h2 id="{section}"') for section in order]
    assert at == sorted(at)
    glance = page[at[0] : at[1]]
    overall = next(s for s in dash.scores if s.kind == "overall")
    # Where the school stands in absolute terms, not only against the benchmarks.
    assert overall.band_name.lower() in glance
    assert f"{overall.pct_high:.0f}% of pupils quite or very high" in glance
    assert "Strengths" in glance
    assert "Areas to work on" in glance
    for key in dash.headline.strengths + dash.headline.priorities:
        name = next(s.name for s in dash.scores if s.score == key)
        assert name in glance
    # The long tables are folded away: every table of the page sits in a <details>.
    assert "<table" not in glance
    tables = page.count("<table")
    opened = sum(part.count("<table") for part in page.split("<details")[1:])
    assert tables - opened <= 1  # only the downloads' partial may be outside
    assert page.index("Responses by key stage") > at[-1]


def test_it_shows_a_trust_leader_the_schools_at_a_glance_on_the_home_page(
    answered: World,
) -> None:
    response = logged_in(answered.tess).get(reverse("dashboards:home"))
    page = response.content.decode()
    assert "Estimated mean by school and dimension" in page
    assert "Each school&#x27;s headline" in page or "Each school's headline" in page
    (entry,) = response.context["entries"]
    shown = [s["d"].school_name for s in entry["glance"]["schools"]]
    assert shown == ["Aspen Primary", "Birch Academy"]
    assert ">40<" in page  # Aspen's pupils
    assert "Cedar Primary" not in page
    # A school leader's home page stays a list of links.
    sam = logged_in(answered.sam).get(reverse("dashboards:home"))
    assert "glance" not in sam.context["entries"][0]


def test_it_draws_breadcrumbs_as_links_not_a_numbered_list(answered: World) -> None:
    page = logged_in(answered.tess).get(_school_url(answered, answered.aspen.urn)).content
    crumbs = page.decode().split('<nav class="breadcrumbs"')[1].split("</nav>")[0]
    assert reverse("dashboards:home") in crumbs
    assert _trust_url(answered, answered.trust.pk) in crumbs  # the trust leader's way back
    assert "Aspen Primary" not in crumbs  # the current page is the heading, not a crumb
    css = (STATIC / "learnsurvey/css/site.css").read_text()
    assert ".breadcrumbs-list { list-style: none;" in css  # every page's stylesheet


def test_it_shows_the_change_since_the_previous_wave(answered: World) -> None:
    current = answered.wave
    earlier = Wave.objects.create(
        name="Phase One",
        instrument_id=current.instrument_id,
        instrument_version=current.instrument_version,
        opens=current.opens - timedelta(days=365),
        closes=current.closes - timedelta(days=365),
    )
    add_responses(earlier, answered.aspen, 25, seed=9)
    response = logged_in(answered.sam).get(_school_url(answered, answered.aspen.urn))
    dash = response.context["d"]
    assert dash.previous_wave == "Phase One"
    assert dash.change_present
    assert dash.change
    page = response.content.decode()
    assert "Change since Phase One" in page
    overall = next(c for c in dash.change if c.kind == "overall")
    assert f"{overall.difference:.2f}" in page
    assert ("Clearly" in page) or ("No clear change" in page)
