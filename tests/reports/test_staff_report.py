"""The reports' "Staff and pupils" sections present the contract's staff voice: pupils, all
staff, teachers and leaders on each dimension (a dumbbell chart with its table), the
perception gaps with their intervals, "large" gaps named only where the contract says so,
where the school's gap stands among other schools, and plain notes when leaders are pooled
or the staff's figures are hidden; the trust's schools side by side. Without a staff survey
the section is one line.

The staff voices are built by hand here (small, and independent of the builders); the
wave itself is a small synthetic one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import escape
from pdf_reading import printed

from learnsurvey.analysis.figures.staff import (
    GroupView,
    PerceptionGap,
    StaffGroup,
    StaffVoice,
    ViewsOfDimension,
)
from learnsurvey.cli import main
from learnsurvey.instruments import load_instrument
from learnsurvey.io import write_responses
from learnsurvey.reports import ReportInputs, html_to_pdf, inputs_from_files
from learnsurvey.reports.format import HIDDEN
from learnsurvey.reports.school import SchoolReport, SchoolReports, render_school_report
from learnsurvey.reports.trust import TrustReport, TrustReports, render_trust_report
from learnsurvey.synth import ResponseModel, load_params, schools_frame

INSTRUMENT = load_instrument("learning-survey")
TRUST = "Test Staff Trust"
WAVE_STAFF = 5
PAIRS: list[tuple[StaffGroup, StaffGroup]] = [
    ("pupils", "teachers"),
    ("pupils", "leaders"),
    ("teachers", "leaders"),
    ("pupils", "staff"),
]
MEANS = {"pupils": 3.2, "staff": 3.6, "teachers": 3.55, "leaders": 3.9}
LARGE = {("school_fair", "teachers"): 0.62, ("teachers_help", "leaders"): -0.71}
"""Large gaps of the first school, by (dimension, group b against pupils): g."""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> ReportInputs:
    """A small synthetic wave of four schools of one trust, marked as having a staff
    survey (the staff figures themselves are built by hand below)."""
    folder = tmp_path_factory.mktemp("staff")
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    responses = folder / "pupils.csv"
    write_responses(responses, model.tables(400, 4, 11), on_rows=None)
    context = folder / "schools.csv"
    schools_frame(model.schools(400, 4, 11)).assign(trust=TRUST).to_csv(context, index=False)
    wave = inputs_from_files(responses, INSTRUMENT, threshold=10, context=context)
    return replace(wave, staff=wave.current)


@pytest.fixture(scope="module")
def keys(inputs: ReportInputs) -> list[str]:
    return sorted(str(s) for s in inputs.current.item_schools)


def _view(group: StaffGroup, dim: int, *, hidden: bool = False) -> GroupView:
    mean = MEANS[group] + 0.02 * dim
    return GroupView(
        group=group,
        n=None if hidden else (120 if group == "pupils" else 8 if group == "leaders" else 30),
        mean=None if hidden else mean,
        sd=None if hidden else 0.7,
        ci_low=None if hidden else mean - 0.15,
        ci_high=None if hidden else mean + 0.15,
        suppressed=hidden,
    )


def _gap(
    dimension: str, a: StaffGroup, b: StaffGroup, *, hidden: bool, rank: bool
) -> PerceptionGap:
    g = LARGE.get((dimension, b), 0.3) if a == "pupils" else 0.2
    large = (dimension, b) in LARGE and a == "pupils"
    diff = round(g * 0.7, 3)
    return PerceptionGap(
        dimension=dimension,
        group_a=a,
        group_b=b,
        difference=None if hidden else diff,
        ci_low=None if hidden else diff - 0.2,
        ci_high=None if hidden else diff + 0.2,
        hedges_g=None if hidden else g,
        g_ci_low=None if hidden else g - 0.1 if large else g - 0.4,
        g_ci_high=None if hidden else g + 0.1 if large else g + 0.4,
        large=large and not hidden,
        shrunken=None if hidden or not rank else diff * 0.8,
        percentile=None if hidden or not rank else 80.0,
        n_schools=None if hidden or not rank else 42,
        suppressed=hidden,
    )


def _voice(
    key: str,
    *,
    hidden: frozenset[StaffGroup] = frozenset(),
    pooled: bool = False,
    rank: bool = True,
) -> StaffVoice:
    dims = []
    for k, d in enumerate(INSTRUMENT.dimension_ids):
        groups = [
            _view(g, k, hidden=g in hidden) for g in ("pupils", "staff", "teachers", "leaders")
        ]
        gaps = [_gap(d, a, b, hidden=bool({a, b} & hidden), rank=rank) for a, b in PAIRS]
        dims.append(ViewsOfDimension(dimension=d, groups=groups, gaps=gaps))
    return StaffVoice(
        key=key,
        wave="2021-summer",
        staff_threshold=WAVE_STAFF,
        staff_answered=True,
        n_staff=None if "staff" in hidden else 34,
        n_teachers=None if "teachers" in hidden else 24,
        n_leaders=None if "leaders" in hidden else 6,
        leaders_pooled=pooled,
        dimensions=dims,
    )


@pytest.fixture(scope="module")
def voices(keys: list[str]) -> dict[str, StaffVoice]:
    """The first school with every group; the second with leaders pooled; the third with
    every staff figure hidden; the fourth with no staff answers."""
    return {
        keys[0]: _voice(keys[0]),
        keys[1]: _voice(keys[1], hidden=frozenset({"leaders"}), pooled=True),
        keys[2]: _voice(keys[2], hidden=frozenset({"staff", "teachers", "leaders"})),
        keys[3]: StaffVoice(
            key=keys[3], wave="2021-summer", staff_threshold=WAVE_STAFF, staff_answered=False
        ),
    }


@pytest.fixture(scope="module")
def schools(inputs: ReportInputs, voices: dict[str, StaffVoice]) -> SchoolReports:
    plain = SchoolReports(replace(inputs, staff=None))
    figures = {k: f.model_copy(update={"staff": voices.get(k)}) for k, f in plain.figures.items()}
    return SchoolReports(inputs, figures=figures)


@pytest.fixture(scope="module")
def report(schools: SchoolReports, keys: list[str]) -> SchoolReport:
    return schools.build(keys[0])


def _rows(rows: list[list[str]], first: str, second: str) -> list[str]:
    return next(r for r in rows if r[0] == first and r[1] == second)


def _name(dimension: str) -> str:
    return INSTRUMENT.dimension(dimension).name


# --- the school report --------------------------------------------------------------------


def test_it_shows_each_groups_view(report: SchoolReport) -> None:
    section = report.staff
    assert section.shown
    assert section.threshold == WAVE_STAFF
    assert section.counts == "34 staff answered. Among them: 24 teachers and 6 leaders."
    table = section.groups_table
    assert table is not None
    first = _name(INSTRUMENT.dimension_ids[0])
    assert _rows(table.rows, first, "Pupils")[2:] == ["120", "3.20", "3.05 to 3.35"]
    assert _rows(table.rows, first, "Teachers")[2:] == ["30", "3.55", "3.40 to 3.70"]
    assert _rows(table.rows, first, "Leaders")[2:] == ["8", "3.90", "3.75 to 4.05"]
    assert len(table.rows) == 4 * len(INSTRUMENT.dimension_ids)


def test_it_names_the_large_gaps_and_where_the_school_stands(report: SchoolReport) -> None:
    section = report.staff
    gaps = section.gaps_table
    assert gaps is not None
    assert gaps.columns[-1] == "Among other schools"
    fair = _rows(gaps.rows, _name("school_fair"), "Teachers − pupils")
    assert fair[2] == "+0.43 (0.23 to 0.63)"
    assert fair[3] == "+0.62 (0.52 to 0.72)"
    assert fair[4] == "Large gap"
    assert fair[5] == "Above 80% of 42 other schools"
    # The same size of g without the contract's "large" is not called large.
    other = _rows(gaps.rows, _name("school_fair"), "Leaders − pupils")
    assert other[4] == "Not large"
    assert [r[4] for r in gaps.rows].count("Large gap") == len(LARGE)
    words = section.large_gaps
    assert len(words) == 2
    # In the instrument's order: Teachers Help comes before School is Fair.
    assert words[0].startswith("Leaders rate Teachers Help clearly lower than pupils do")
    assert "g = −0.71" in words[0]
    assert words[1].startswith("Teachers rate School is Fair clearly higher than pupils do")


def test_it_draws_the_dumbbell_with_a_text_alternative_and_the_tables(report: SchoolReport) -> None:
    chart = report.staff.chart
    assert chart is not None
    assert chart.id == "staff-chart"
    assert chart in report.charts
    assert "pupils, all staff, teachers, leaders" in chart.alt
    assert chart.spec["description"] == chart.alt
    shapes = chart.spec["layer"][2]["encoding"]["shape"]["scale"]["range"]
    assert len(set(shapes)) == 4  # a shape per group, not colour alone
    html = render_school_report(report, mode="web", vega_src="/vega.js")
    assert 'id="staff-chart"' in html
    assert 'aria-describedby="staff-chart-alt"' in html
    assert str(escape(chart.alt)) in html
    assert "<caption>Perception gaps between the groups</caption>" in html
    assert "<caption>Each group&#39;s mean on each dimension, with its 95% CI</caption>" in html
    assert str(escape(report.staff.large_gaps[0])) in html


def test_it_says_plainly_when_leaders_are_pooled(schools: SchoolReports, keys: list[str]) -> None:
    section = schools.build(keys[1]).staff
    assert section.shown
    assert section.counts == "34 staff answered. Among them: 24 teachers."
    assert any("leaders are not shown apart" in n for n in section.notes)
    assert section.groups_table is not None
    leaders = _rows(section.groups_table.rows, _name("expectations"), "Leaders")
    assert leaders[2:] == [HIDDEN] * 3
    assert section.gaps_table is not None
    gap = _rows(section.gaps_table.rows, _name("expectations"), "Leaders − pupils")
    assert gap[2:] == [HIDDEN] * 4
    assert section.chart is not None
    assert "leaders" not in section.chart.alt


def test_it_hides_the_staff_figures_when_disclosure_does(
    schools: SchoolReports, keys: list[str]
) -> None:
    report = schools.build(keys[2])
    section = report.staff
    assert section.shown
    assert section.chart is None
    assert section.counts == "Too few staff answered for their number to be shown."
    assert any("staff's figures for the school are hidden" in n for n in section.notes)
    assert section.groups_table is not None
    shown = [r for r in section.groups_table.rows if r[1] != "Pupils"]
    assert all(r[2:] == [HIDDEN] * 3 for r in shown)
    assert section.gaps_table is not None
    assert all(r[2] == HIDDEN for r in section.gaps_table.rows)
    assert not section.large_gaps
    html = render_school_report(report, mode="web")
    assert "No gap between the groups is large" not in html


def test_it_says_so_in_one_line_without_staff(
    schools: SchoolReports, inputs: ReportInputs, keys: list[str]
) -> None:
    none = schools.build(keys[3]).staff
    assert not none.shown
    assert none.note == "No staff of the school answered the staff survey in this wave."
    unsurveyed = SchoolReports(replace(inputs, staff=None), figures=schools.figures)
    section = unsurveyed.build(keys[3]).staff
    assert "No staff survey was taken" in section.note
    html = render_school_report(unsurveyed.build(keys[3]), mode="web")
    assert section.note in html
    assert 'id="staff-chart"' not in html


# --- the trust report ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def plain_trusts(inputs: ReportInputs) -> TrustReports:
    """The wave's trust reports without any staff figures."""
    return TrustReports(replace(inputs, staff=None))


@pytest.fixture(scope="module")
def trust_report(
    inputs: ReportInputs, plain_trusts: TrustReports, voices: dict[str, StaffVoice]
) -> TrustReport:
    figures = plain_trusts.figures(TRUST).model_copy(
        update={"staff_voice": _voice(TRUST, pooled=False, rank=False)}
    )
    return TrustReports(inputs, {TRUST: figures}, staff_voices=voices).build(TRUST)


def test_the_trust_shows_its_voice_and_its_schools_side_by_side(
    trust_report: TrustReport, inputs: ReportInputs, keys: list[str]
) -> None:
    section = trust_report.staff_voice
    assert section is not None
    assert section.chart is not None
    assert section.chart.id == "trust-staff-voice"
    assert "Among other schools" not in section.gaps_table.columns  # no standing for a trust
    table = section.schools_table
    assert table is not None
    names = [r[0] for r in table.rows]
    assert names == [inputs.school_name(keys[0]), inputs.school_name(keys[1])]
    fair = table.columns.index(_name("school_fair"))
    assert table.rows[0][1] == "34"
    assert table.rows[0][fair] == "+0.21"  # staff − pupils: not a large gap
    assert section.hidden_schools == [inputs.school_name(keys[2])]
    assert section.without_staff == [inputs.school_name(keys[3])]
    html = render_trust_report(trust_report, mode="web")
    assert 'id="trust-staff-voice"' in html
    assert str(escape(section.chart.alt)) in html
    assert "School by school" in html


def test_the_trust_report_keeps_its_staff_section_without_a_voice(
    plain_trusts: TrustReports,
) -> None:
    report = plain_trusts.build(TRUST)
    assert report.staff_voice is None
    assert "No staff survey was taken" in render_trust_report(report, mode="web")


# --- from files, through the builders -----------------------------------------------------


def test_it_builds_the_staff_voice_from_a_staff_file(tmp_path: Path) -> None:
    out = tmp_path / "wave.csv"
    synth = CliRunner().invoke(
        main,
        ["synth", "--responses", "400", "--schools", "4", "--staff", "--out", str(out)],
        catch_exceptions=False,
    )
    assert synth.exit_code == 0, synth.output
    inputs = inputs_from_files(
        out,
        INSTRUMENT,
        threshold=10,
        context=tmp_path / "wave.schools.csv",
        staff=tmp_path / "wave.staff.csv",
        staff_instrument=load_instrument("staff-survey"),
    )
    reports = SchoolReports(inputs)
    voices = {k: reports.figures[k].staff for k in reports.schools}
    assert all(v is not None for v in voices.values())
    school, voice = next((k, v) for k, v in voices.items() if v is not None and v.n_staff)
    report = reports.build(school)
    assert report.staff.shown
    assert report.staff.chart is not None
    large = sum(g.large for d in voice.dimensions for g in d.gaps if not g.suppressed)
    assert len(report.staff.large_gaps) == large
    trusts = TrustReports(inputs)
    trust = trusts.trusts[0]
    whole = trusts.figures(trust).staff_voice
    answered = whole is not None and whole.staff_answered
    assert (trusts.build(trust).staff_voice is not None) == answered


# --- one printed report ---------------------------------------------------------------------


def test_the_printed_school_report_has_the_section(report: SchoolReport, tmp_path: Path) -> None:
    pages, text = printed(html_to_pdf(render_school_report(report, mode="pdf")), tmp_path / "s.pdf")
    assert pages > 1
    flat = re.sub(r"\s+", " ", text)
    assert "Staff and pupils" in flat
    assert "Teachers rate School is Fair clearly higher than pupils do" in flat
    assert "Perception gaps between the groups" in flat
