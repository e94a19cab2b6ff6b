"""The personalised school report: a school's figures for one wave, presented.

:class:`SchoolReports` takes every school's
:class:`~learnsurvey.analysis.figures.school.SchoolFigures` (built once per wave, or given)
and :meth:`SchoolReports.build` turns one school's into a :class:`SchoolReport`: each
section's tables, chart and words come from the module named for it (:mod:`.headline`,
:mod:`.scores`, :mod:`.bands`, :mod:`.groups`, :mod:`.items`, :mod:`.change`,
:mod:`.over_time`, :mod:`.staff`, :mod:`.plans`, :mod:`.outcomes`). Given the figures over
time (:class:`~learnsurvey.analysis.figures.over_time.OverTimeFigures`), the report has an
"Over time" section; the staff survey's figures come with the school's own
(``SchoolFigures.staff``); the school's priorities (``plans``) add "Priorities and their
impact", and outcome measures (``SchoolFigures.outcomes``) add "Outcomes".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from learnsurvey.analysis.figures.outcomes import OutcomeFigures
from learnsurvey.analysis.figures.over_time import OverTimeFigures
from learnsurvey.analysis.figures.school import SchoolFigures, SimilarGroup, build_school_figures
from learnsurvey.analysis.figures.staff import build_staff_voices
from learnsurvey.analysis.figures.wave import with_outcomes
from learnsurvey.analysis.inputs import ReportInputs
from learnsurvey.reports.plans import SchoolPlan

from .. import format as fmt
from ..charts import Chart, Table
from ..guidance import Guidance, load_guidance
from ..header import ReportHeader
from ..render import Mode, render_html
from . import headline as hl
from .bands import band_figure
from .change import change_section
from .groups import Breakdown, breakdown, group_figure
from .items import item_table
from .lines import ScoreLine, score_lines
from .outcomes import OutcomesSection, outcomes_section
from .over_time import OverTimeSection, over_time_section
from .plans import PlansSection, plans_section
from .scores import benchmark_figure, benchmark_table, scores_table
from .staff import StaffSection, staff_section
from .tables import Gettext

__all__ = ["SchoolReport", "SchoolReports", "render_school_report"]


class SchoolReport(ReportHeader):
    """Everything the school report shows, suppressed and ready for the template."""

    school: str
    """The school's key in the responses."""
    instrument: str
    phase: str | None
    similar_label: str | None
    """The similar-schools group in words, or None when the school has no phase or FSM."""
    responses: int
    previous_wave: str | None
    headline: list[str]
    """Where the school stands, absolute level first, in a few sentences."""
    overall: ScoreLine
    notions: list[ScoreLine]
    dimensions: list[ScoreLine]
    strengths: list[ScoreLine]
    priorities: list[ScoreLine]
    """The areas to work on."""
    reasons: dict[str, str]
    """Why each strength and area to work on is listed, by dimension id."""
    scores_table: Table
    benchmark_table: Table
    benchmark_chart: Chart
    band_chart: Chart | None
    key_stage_table: Table | None
    key_stage_pairs: list[Table]
    gender_table: Table | None
    gender_pairs: list[Table]
    group_chart: Chart | None
    items_high: Table | None
    items_low: Table | None
    change_table: Table | None
    change_chart: Chart | None
    change_present: bool
    """Whether the school responded in the previous wave (when there is one)."""
    over_time: OverTimeSection = OverTimeSection(shown=False)
    staff: StaffSection = StaffSection(shown=False)
    plans: PlansSection = PlansSection(shown=False)
    """The school's priorities, their actions and impact (not shown: none set)."""
    outcomes: OutcomesSection = OutcomesSection(shown=False)
    """Where the school stands on each outcome measure (not shown: none imported)."""
    hidden: int
    """Figures in this report not shown to protect small groups (dashes and omitted rows)."""

    @property
    def charts(self) -> list[Chart]:
        found = [
            self.benchmark_chart,
            self.band_chart,
            self.group_chart,
            self.change_chart,
            self.over_time.chart,
            self.staff.chart,
        ]
        return [c for c in found if c is not None]


def _hidden(tables: list[Table | None], omitted: int) -> int:
    """Dashes in the tables (each figure is in one table once) and comparisons left out."""
    shown = [t for t in tables if t is not None]
    return sum(cell == fmt.HIDDEN for t in shown for row in t.rows for cell in row) + omitted


def similar_label(group: SimilarGroup, _: Gettext) -> str:
    """The group in words, with the number of other schools when the benchmark is shown (a
    count of schools, at least three, never of pupils)."""
    if group.method == "family":
        label = _("a family of %(k)s %(phase)s schools with similar intakes") % {
            "k": group.n_family,
            "phase": group.phase.replace("_", "-"),
        }
    else:
        label = _("%(phase)s schools in free-school-meals quartile %(q)s of 4") % {
            "phase": group.phase.replace("_", "-"),
            "q": group.fsm_quartile,
        }
    if group.n_schools is not None:
        return label + " " + _("(%(k)s other schools)") % {"k": group.n_schools}
    return label + " " + _("(too few other schools to show a benchmark)")


class SchoolReports:
    """The school reports of one wave: every school's figures built once (or given), a
    report built per school on demand."""

    def __init__(
        self,
        inputs: ReportInputs,
        *,
        gettext: Gettext | None = None,
        figures: Mapping[str, SchoolFigures] | None = None,
        over_time: OverTimeFigures | None = None,
        plans: Mapping[str, SchoolPlan] | None = None,
        outcomes: OutcomeFigures | None = None,
    ) -> None:
        self.inputs = inputs
        self.plans = dict(plans or {})
        """Each school's priorities and actions, by school key (the platform's records)."""
        self.over_time = over_time
        """The figures over time of a series of waves ending with this one (None: one
        wave only, or not given)."""
        self._ = gettext or (lambda s: s)
        self.guidance: Guidance = load_guidance(inputs.instrument)
        self.outcomes = outcomes if outcomes is not None else _wave_outcomes(inputs)
        """The wave's learning beside outcomes (the correlations a school reads its own
        standing beside); built from ``inputs.outcomes`` when not given."""
        self.figures = (
            dict(figures) if figures is not None else with_outcomes(_built(inputs), self.outcomes)
        )

    @property
    def schools(self) -> list[str]:
        """The keys of the schools with a report (at least ``threshold`` responses)."""
        return sorted(k for k, f in self.figures.items() if f.publishable)

    def _figures(self, school: str) -> SchoolFigures:
        inputs = self.inputs
        found = self.figures.get(school)
        if found is None:
            raise ValueError(f"no responses from school {school!r} in wave {inputs.wave!r}")
        if not found.publishable:
            raise ValueError(
                f"school {school!r} has too few responses for a report: a report needs at "
                f"least {inputs.threshold} pupils"
            )
        return found

    def build(self, school: str) -> SchoolReport:
        """The report of ``school`` (its key in the responses).

        Raises ValueError for a school with no responses in the wave, or with too few to
        report on (the message does not say how many)."""
        figures = self._figures(school)
        inputs, _ = self.inputs, self._
        inst = inputs.instrument
        lines = score_lines(figures, inst, self.guidance, _)
        sections = _sections(figures, lines, inputs, _)
        name = inputs.school_name(school)
        over_time = over_time_section(self.over_time, school, inputs.wave, inst, name, _)
        staff = staff_section(figures.staff, inst, _, surveyed=inputs.staff is not None)
        plans = plans_section(self.plans.get(school), self.over_time, school, inst, _)
        outcomes = outcomes_section(figures.outcomes, self.outcomes, inst, _)
        sections["hidden"] += _hidden(
            [*over_time.tables, *staff.tables, *plans.tables, *outcomes.tables], 0
        )
        return SchoolReport(
            title=name,
            subtitle=_("What pupils say about learning in their classes"),
            kicker=_("%(survey)s · school report") % {"survey": inst.name},
            wave=inputs.wave,
            generated=fmt.long_date(),
            threshold=inputs.threshold,
            school=school,
            instrument=inst.name,
            phase=figures.phase,
            similar_label=similar_label(figures.similar, _) if figures.similar else None,
            responses=int(figures.n_responses or 0),
            previous_wave=figures.previous_wave,
            change_present=figures.change_present,
            over_time=over_time,
            staff=staff,
            plans=plans,
            outcomes=outcomes,
            **sections,
        )


def _wave_outcomes(inputs: ReportInputs) -> OutcomeFigures | None:
    """The wave's outcome figures when it has outcome measures (analysis builds them)."""
    if inputs.outcomes is None:
        return None
    from learnsurvey.analysis.outcomes import build_outcome_figures

    return build_outcome_figures(inputs)


def _built(inputs: ReportInputs) -> dict[str, SchoolFigures]:
    """Every school's figures, with its staff voice when the wave has a staff survey (as
    :func:`~learnsurvey.analysis.figures.wave.build_wave_figures` builds them)."""
    schools = build_school_figures(inputs)
    if inputs.staff is None:
        return schools
    voices = build_staff_voices(inputs).schools
    return {k: f.model_copy(update={"staff": voices.get(k)}) for k, f in schools.items()}


def _standing(figures: SchoolFigures, lines: list[ScoreLine], _: Gettext) -> dict[str, Any]:
    has_similar = figures.similar is not None
    dims = [x for x in lines if x.kind == "dimension"]
    overall = next(x for x in lines if x.kind == "overall")
    head = figures.headline
    listed = [x for x in dims if x.standing in {"strength", "priority"}]
    return {
        "headline": hl.headline_sentences(head, overall, has_similar, _) if head else [],
        "overall": overall,
        "notions": [x for x in lines if x.kind == "notion"],
        "dimensions": dims,
        "strengths": [x for x in dims if x.standing == "strength"],
        "priorities": [x for x in dims if x.standing == "priority"],
        "reasons": {x.id: hl.reason(x, has_similar, _) for x in listed},
    }


def _groups(figures: SchoolFigures, inputs: ReportInputs, _: Gettext) -> dict[str, Any]:
    inst = inputs.instrument
    demo = inst.demographics
    ks: Breakdown = breakdown(
        figures.key_stages,
        figures.key_stage_effects,
        figures.key_stage_counts,
        inst,
        demo.key_stages,
        _("Mean of each dimension by key stage"),
        _,
    )
    gender: Breakdown = breakdown(
        figures.genders,
        figures.gender_effects,
        figures.gender_counts,
        inst,
        demo.genders,
        _("Mean of each dimension by gender"),
        _,
    )
    return {
        "key_stage_table": ks.table,
        "key_stage_pairs": ks.pairs,
        "gender_table": gender.table,
        "gender_pairs": gender.pairs,
        "group_chart": group_figure(ks, gender, inst, _),
        "_omitted": ks.omitted + gender.omitted,
    }


def _sections(
    figures: SchoolFigures, lines: list[ScoreLine], inputs: ReportInputs, _: Gettext
) -> dict[str, Any]:
    inst = inputs.instrument
    has_similar = figures.similar is not None
    change_table, change_chart = change_section(
        figures.change, lines, (figures.previous_wave, inputs.wave), _
    )
    out: dict[str, Any] = {
        **_standing(figures, lines, _),
        "scores_table": scores_table(lines, _),
        "benchmark_table": benchmark_table(lines, has_similar, _),
        "benchmark_chart": benchmark_figure(lines, has_similar, _),
        "band_chart": band_figure(lines, inst, _),
        **_groups(figures, inputs, _),
        "items_high": item_table(
            figures.highest_items,
            inst,
            figures.phase,
            _("The statements with the highest means"),
            _,
        ),
        "items_low": item_table(
            figures.lowest_items, inst, figures.phase, _("The statements with the lowest means"), _
        ),
        "change_table": change_table,
        "change_chart": change_chart,
    }
    # The tables hold every figure once; of the charts' tables only the band shares are
    # not repeated elsewhere.
    counted = [
        "scores_table",
        "benchmark_table",
        "key_stage_table",
        "gender_table",
        "items_high",
        "items_low",
        "change_table",
    ]
    tables = [out[k] for k in counted] + out["key_stage_pairs"] + out["gender_pairs"]
    if out["band_chart"] is not None:
        tables.append(out["band_chart"].table)
    out["hidden"] = _hidden(tables, out.pop("_omitted"))
    return out


def render_school_report(report: SchoolReport, *, mode: Mode, **kwargs: Any) -> str:
    """The report as HTML for ``mode`` (see :func:`learnsurvey.reports.render.render_html`)."""
    return render_html("school.html.j2", mode=mode, report=report, **kwargs)
