"""The trust report as one model: each section's tables, charts and words, made from the
trust's :class:`~learnsurvey.analysis.figures.trust.TrustFigures` — and, when given, the
figures over time (:class:`~learnsurvey.analysis.figures.over_time.OverTimeFigures`) and
its schools' staff voices (:class:`~learnsurvey.analysis.figures.staff.StaffVoice`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from learnsurvey.analysis.figures.over_time import OverTimeFigures
from learnsurvey.analysis.figures.staff import StaffVoice, StaffVoices, build_staff_voices
from learnsurvey.analysis.figures.trust import TrustFigures
from learnsurvey.analysis.figures.trust_build import TrustFiguresBuilder
from learnsurvey.analysis.inputs import ReportInputs
from learnsurvey.reports.plans import SchoolPlan

from .. import format as fmt
from ..charts import Chart, Table
from ..header import ReportHeader
from ..render import render_html
from .benchmark import benchmark_table
from .glance import ScoreRow, headline
from .names import score_names
from .over_time import TrustOverTimeSection, trust_over_time_section
from .plans import TrustPlansSection, trust_plans_section
from .schools import heatmap, notion_tables, school_charts
from .spread import spread_names, spread_table
from .staff import StaffSection, staff_section
from .staff_voice import StaffVoiceSection, staff_voice_section
from .top_bottom import TopBottom, top_bottom, top_bottom_table

__all__ = ["KICKER", "TrustReport", "TrustReports", "render_trust_report"]

KICKER = "The Learning Survey · trust report"


class TrustReport(ReportHeader):
    """Everything the trust report shows, already suppressed and formatted."""

    trust: str
    n_schools: int
    """The trust's schools with responses in the wave."""
    n_schools_without: int
    """The trust's schools (in the context table) with no responses in the wave."""
    n_pupils: str
    """Formatted, or the dash when disclosure hides the trust's total."""
    n_pupils_shown: str | None
    """When the total is hidden: the pupils of the schools shown, formatted."""
    publishable: bool
    hidden_because: str | None
    """Why the trust's own figures are hidden: "too_few" or "recoverable" (None: shown)."""
    headline: list[ScoreRow]
    schools: list[str]
    """Display names of the schools with responses, in name order."""
    heatmap: Chart | None
    school_tables: list[Table]
    school_charts: list[Chart]
    spread: Table
    spread_widest: str | None
    spread_narrowest: str | None
    benchmark: Table
    top_bottom: list[TopBottom]
    top_bottom_table: Table
    staff: StaffSection | None
    staff_voice: StaffVoiceSection | None = None
    """Pupils, staff, teachers and leaders side by side (None: no staff voice figures;
    then ``staff`` shows the staff against the pupils)."""
    over_time: TrustOverTimeSection = TrustOverTimeSection(shown=False)
    plans: TrustPlansSection = TrustPlansSection(shown=False)
    """Every school's priorities, actions and impact (not shown: no school set one)."""
    n_schools_hidden: int
    """Schools with at least one figure hidden in the schools table."""


class TrustReports:
    """The trust reports of one wave: the trusts' figures (built once per wave, or given as
    ``figures``), then one :meth:`build` per trust."""

    def __init__(
        self,
        inputs: ReportInputs,
        figures: Mapping[str, TrustFigures] | None = None,
        *,
        over_time: OverTimeFigures | None = None,
        staff_voices: Mapping[str, StaffVoice] | None = None,
        plans: Mapping[str, SchoolPlan] | None = None,
    ) -> None:
        self.inputs = inputs
        self.plans = dict(plans or {})
        """Every school's priorities and actions, by school key (the platform's records)."""
        self._given = dict(figures) if figures is not None else None
        self._builder = TrustFiguresBuilder(inputs) if figures is None else None
        self.over_time = over_time
        """The figures over time of a series of waves ending with this one (None: one
        wave only, or not given)."""
        self._voices = dict(staff_voices) if staff_voices is not None else None
        self._voices_built: StaffVoices | None = None

    @property
    def trusts(self) -> list[str]:
        """Trusts with at least one school with responses in the wave."""
        if self._builder is not None:
            return self._builder.trusts
        return sorted(self._given or {})

    def figures(self, trust: str) -> TrustFigures:
        """The figures the report of ``trust`` presents (built from the inputs: with the
        trust's staff voice when the wave has a staff survey)."""
        if self._builder is not None:
            built = self._builder.figures(trust)
            voices = self._built_voices()
            if voices is None:
                return built
            return built.model_copy(update={"staff_voice": voices.trusts.get(trust)})
        if self._given is None or trust not in self._given:
            raise ValueError(f"no trust {trust!r} with responses in wave {self.inputs.wave!r}")
        return self._given[trust]

    def _built_voices(self) -> StaffVoices | None:
        """The wave's staff voices, built once from the inputs when the wave has a staff
        survey and no figures were given (the same builder as the wave's figures)."""
        if self._voices_built is None and self.inputs.staff is not None:
            self._voices_built = build_staff_voices(self.inputs)
        return self._voices_built

    def staff_voices(self) -> Mapping[str, StaffVoice]:
        """Every school's staff voice by key: as given, or built from the inputs when the
        wave has a staff survey (empty otherwise)."""
        if self._voices is None:
            built = self._built_voices() if self._builder is not None else None
            self._voices = dict(built.schools) if built is not None else {}
        return self._voices

    def build(self, trust: str) -> TrustReport:
        """The report of ``trust`` (a value of the context's ``trust`` column)."""
        figures = self.figures(trust)
        voices = self.staff_voices() if _trust_voice(figures) is not None else {}
        return trust_report(
            figures,
            self.inputs,
            over_time=self.over_time,
            staff_voices=voices,
            plans=self.plans,
        )


def _trust_voice(figures: TrustFigures) -> StaffVoice | None:
    """The trust's staff voice when its staff answered (otherwise the staff section says
    why there is none, from ``figures.staff``)."""
    voice = figures.staff_voice
    return voice if voice is not None and voice.staff_answered else None


def trust_report(
    figures: TrustFigures,
    inputs: ReportInputs,
    *,
    over_time: OverTimeFigures | None = None,
    staff_voices: Mapping[str, StaffVoice] | None = None,
    plans: Mapping[str, SchoolPlan] | None = None,
) -> TrustReport:
    """The report of one trust from its figures (``inputs``: the instrument's names);
    ``over_time`` adds the section over the waves, ``staff_voices`` (by school key) the
    staff view of its schools side by side, ``plans`` (by school key) the table of its
    schools' priorities and their impact."""
    inst = inputs.instrument
    voice = _trust_voice(figures)
    order = [r.urn for r in figures.schools]
    labels = score_names(inst)
    widest, narrowest = spread_names(figures, labels)
    items = top_bottom(figures, labels)
    return TrustReport(
        title=figures.trust,
        subtitle=f"How pupils in the trust's schools experience learning: {inst.name}",
        kicker=KICKER,
        wave=figures.wave,
        generated=fmt.long_date(),
        threshold=figures.threshold,
        trust=figures.trust,
        n_schools=figures.n_schools,
        n_schools_without=figures.n_schools_without,
        n_pupils=fmt.count(figures.n_pupils),
        n_pupils_shown=(
            fmt.count(figures.n_pupils_shown) if figures.n_pupils_shown is not None else None
        ),
        publishable=figures.publishable,
        hidden_because=figures.hidden_because,
        headline=headline(figures, labels),
        schools=[r.school_name for r in figures.schools],
        heatmap=heatmap(figures, inst, labels),
        school_tables=notion_tables(figures, inst, labels),
        school_charts=school_charts(figures, inst, labels),
        spread=spread_table(figures, labels),
        spread_widest=widest,
        spread_narrowest=narrowest,
        benchmark=benchmark_table(figures, labels),
        top_bottom=items,
        top_bottom_table=top_bottom_table(items),
        staff=staff_section(figures.staff, inst, labels) if figures.staff else None,
        staff_voice=(
            staff_voice_section(voice, staff_voices or {}, order, inst, inputs.school_name)
            if voice is not None
            else None
        ),
        over_time=trust_over_time_section(over_time, figures.trust, inst, inputs.school_name),
        plans=trust_plans_section(
            plans or {}, order, over_time, inst, inputs.school_name, lambda text: text
        ),
        n_schools_hidden=figures.n_schools_hidden,
    )


def render_trust_report(report: TrustReport, *, mode: Any, **kwargs: Any) -> str:
    """The trust report as HTML for ``mode`` ("web", "file" or "pdf")."""
    return render_html("trust.html.j2", mode=mode, report=report, **kwargs)
