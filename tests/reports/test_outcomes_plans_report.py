"""The reports' new sections: learning beside outcomes (global report), where a school
stands on its outcomes, the school's priorities with their impact, and every school's
priorities in the trust report. Each is shown only when there is something to show."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from pdf_reading import print_logged

from learnsurvey.analysis.figures.global_ import GlobalFigures
from learnsurvey.analysis.figures.improvement import ImpactFigure, ImpactVerdict
from learnsurvey.analysis.figures.over_time import OverTimeFigures, SchoolOverTime
from learnsurvey.instruments import load_instrument
from learnsurvey.reports import ReportInputs
from learnsurvey.reports.global_ import build_global_report, render_global_report
from learnsurvey.reports.plans import ActionPlan, PriorityPlan, SchoolPlan
from learnsurvey.reports.school import SchoolReports, render_school_report
from learnsurvey.reports.school.plans import impact_words, plans_section
from learnsurvey.reports.trust import TrustReports, render_trust_report
from learnsurvey.reports.trust.plans import trust_plans_section
from learnsurvey.synth import ResponseModel, load_params
from learnsurvey.synth.outcomes import synth_outcomes

INSTRUMENT = load_instrument("learning-survey")
BASELINE = "Phase One, summer 2021"


def _same(text: str) -> str:
    return text


@pytest.fixture(scope="module")
def outcome_inputs(phase_one_inputs: ReportInputs) -> ReportInputs:
    """The Phase One wave with synthetic outcomes for its schools (correlated with their
    true learning effects)."""
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    schools = model.schools(29_940, 87, 2021)
    effects = model.school_effects([s.phase for s in schools], 2021).mean(axis=1)
    outcomes = synth_outcomes(schools, np.random.default_rng(4), learning=list(effects))
    return replace(phase_one_inputs, outcomes=outcomes)


def _plan(school: str, dimension: str, *, actions: int = 2) -> SchoolPlan:
    return SchoolPlan(
        school=school,
        priorities=[
            PriorityPlan(
                dimension=dimension,
                academic_year="2021/22",
                baseline_wave=BASELINE,
                theory_of_action="If pupils see their errors as steps, they will try more.",
                hoped_change="More pupils say mistakes help them learn.",
                actions=[
                    ActionPlan(
                        what=f"Lesson study cycle {k + 1}",
                        kind="lesson_study",
                        kind_label="Lesson study",
                        lead_role="Deputy head",
                        starts=date(2021, 9, 1),
                        ends=date(2022, 3, 31),
                        status="in_progress" if k else "done",
                        status_label="In progress" if k else "Done",
                    )
                    for k in range(actions)
                ],
            )
        ],
    )


def _impact(dimension: str, verdict: ImpactVerdict) -> ImpactFigure:
    return ImpactFigure(
        kind="dimension",
        score=dimension,
        from_wave=BASELINE,
        to_wave="2022-summer",
        change=0.31,
        change_ci_low=0.12,
        change_ci_high=0.5,
        mdc=0.22,
        similar_change=0.02,
        similar_ci_low=-0.04,
        similar_ci_high=0.08,
        n_similar_schools=11,
        did=0.29,
        did_ci_low=0.09,
        did_ci_high=0.49,
        verdict=verdict,
        suppressed=False,
    )


def _over_time(school: str, dimension: str, verdict: ImpactVerdict) -> OverTimeFigures:
    # Only the schools' impacts are read by the plans sections.
    mine = SchoolOverTime(
        school=school, waves=[BASELINE, "2022-summer"], impacts=[_impact(dimension, verdict)]
    )
    built: OverTimeFigures = OverTimeFigures.model_construct(  # type: ignore[call-arg]
        schools={school: mine}
    )
    return built


def test_it_adds_learning_beside_outcomes_to_the_global_report(
    outcome_inputs: ReportInputs, global_figures: GlobalFigures
) -> None:
    report = build_global_report(outcome_inputs, figures=global_figures)
    section = report.outcomes
    assert section is not None
    assert section.heading.endswith("Learning beside outcomes")
    table = section.tables[0]
    assert table.rows[0][0] == "Overall score"
    assert any("Attendance" in c for c in table.columns)
    assert section.charts
    assert section.charts[0].id == "outcomes-binned"
    lead = " ".join(section.lead)
    assert "Schools, not pupils" in lead
    assert "Correlation, not cause" in lead
    assert "2025/26" in lead
    html = render_global_report(report, mode="web")
    assert 'id="outcomes"' in html
    assert "Learning beside outcomes" in html


def test_it_draws_no_single_school_in_the_binned_scatter(
    outcome_inputs: ReportInputs, global_figures: GlobalFigures
) -> None:
    report = build_global_report(outcome_inputs, figures=global_figures)
    assert report.outcomes is not None
    chart = report.outcomes.charts[0]
    for row in chart.table.rows:
        assert int(row[3]) >= 5
    values = chart.spec["datasets"]
    drawn = [r for rows in values.values() for r in rows]
    assert drawn
    assert all(r["n"] >= 5 for r in drawn)


def test_it_says_nothing_of_outcomes_without_them(
    phase_one_inputs: ReportInputs, global_figures: GlobalFigures
) -> None:
    report = build_global_report(phase_one_inputs, figures=global_figures)
    assert report.outcomes is None
    assert "Learning beside outcomes" not in render_global_report(report, mode="web")


@pytest.fixture(scope="module")
def planned_reports(outcome_inputs: ReportInputs) -> SchoolReports:
    keys = sorted(k for k in outcome_inputs.current.responses["school"].astype(str).unique())
    return SchoolReports(outcome_inputs, plans={keys[0]: _plan(keys[0], "errors_opportunities")})


def test_it_shows_where_the_school_stands_and_its_priorities(
    planned_reports: SchoolReports,
) -> None:
    school = sorted(planned_reports.plans)[0]
    report = planned_reports.build(school)
    assert report.outcomes.shown
    assert report.outcomes.standing is not None
    assert {r[0] for r in report.outcomes.standing.rows} >= {"Attendance", "Suspensions"}
    assert report.outcomes.correlations is not None
    assert report.plans.shown
    (priority,) = report.plans.priorities
    assert priority.actions is not None
    assert len(priority.actions.rows) == 2
    assert priority.impact.startswith("Not judged yet")
    html = render_school_report(report, mode="web")
    assert "Priorities and their impact" in html
    assert 'id="outcomes"' in html
    assert "Lesson study cycle 1" in html


def test_it_leaves_out_the_sections_with_nothing_to_show(
    school_reports: SchoolReports,
) -> None:
    report = school_reports.build(school_reports.schools[0])
    assert not report.plans.shown
    assert not report.outcomes.shown
    html = render_school_report(report, mode="web")
    assert "Priorities and their impact" not in html
    assert 'id="outcomes"' not in html


@pytest.mark.parametrize(
    ("verdict", "words"),
    [
        ("clearly_more", "Improved clearly more than similar schools"),
        ("as_similar", "Improved, as similar schools did"),
        ("no_clear_change", "No clear change yet (smaller than this school can detect)"),
        ("declined", "Declined"),
    ],
)
def test_it_says_the_impact_no_more_than_its_verdict(verdict: ImpactVerdict, words: str) -> None:
    assert impact_words(verdict, _same) == words
    section = plans_section(
        _plan("S1", "errors_opportunities"),
        _over_time("S1", "errors_opportunities", verdict),
        "S1",
        INSTRUMENT,
        _same,
    )
    (priority,) = section.priorities
    assert priority.impact == words
    assert "+0.29 (0.09 to 0.49)" in priority.impact_figures


def test_it_reads_the_impact_of_the_priority_s_own_dimension_and_wave() -> None:
    other = plans_section(
        _plan("S1", "school_fair"),
        _over_time("S1", "errors_opportunities", "clearly_more"),
        "S1",
        INSTRUMENT,
        _same,
    )
    assert other.priorities[0].impact.startswith("Not judged yet")
    assert not plans_section(None, None, "S1", INSTRUMENT, _same).shown


def test_it_lists_every_school_s_priorities_in_the_trust_report(
    phase_one_inputs: ReportInputs, trust_reports: TrustReports
) -> None:
    trust = trust_reports.trusts[0]
    keys = phase_one_inputs.trust_schools(trust)
    plans = {k: _plan(k, "errors_opportunities") for k in keys[:2]}
    reports = TrustReports(phase_one_inputs, plans=plans)
    report = reports.build(trust)
    assert report.plans.shown
    assert report.plans.table is not None
    assert report.plans.n_schools == len(plans)
    assert {r[3] for r in report.plans.table.rows} == {"2 (1 done, 1 in progress)"}
    html = render_trust_report(report, mode="web")
    assert "Priorities across the trust" in html
    section = trust_plans_section(
        plans,
        keys,
        _over_time(keys[0], "errors_opportunities", "as_similar"),
        INSTRUMENT,
        phase_one_inputs.school_name,
        _same,
    )
    assert section.table is not None
    assert section.table.rows[0][4] == "Improved, as similar schools did"
    assert not trust_plans_section({}, keys, None, INSTRUMENT, str, _same).shown
    assert not trust_reports.build(trust).plans.shown


def test_it_prints_the_new_sections(planned_reports: SchoolReports) -> None:
    school = sorted(planned_reports.plans)[0]
    html = render_school_report(planned_reports.build(school), mode="pdf")
    pdf, logged = print_logged(html)
    assert pdf.startswith(b"%PDF")
    assert not [m for m in logged if m.startswith(("ERROR", "WARNING"))]
