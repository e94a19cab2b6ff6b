"""The trust report as one model: each section's tables, charts and words, made from the
trust's :class:`~learnsurvey.analysis.figures.trust.TrustFigures`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from learnsurvey.analysis.figures.trust import TrustFigures
from learnsurvey.analysis.figures.trust_build import TrustFiguresBuilder
from learnsurvey.analysis.inputs import ReportInputs

from .. import format as fmt
from ..charts import Chart, Table
from ..header import ReportHeader
from ..render import render_html
from .benchmark import benchmark_table
from .glance import ScoreRow, headline
from .names import score_names
from .schools import heatmap, notion_tables, school_charts
from .spread import spread_names, spread_table
from .staff import StaffSection, staff_section
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
    n_schools_hidden: int
    """Schools with at least one figure hidden in the schools table."""


class TrustReports:
    """The trust reports of one wave: the trusts' figures (built once per wave, or given as
    ``figures``), then one :meth:`build` per trust."""

    def __init__(
        self, inputs: ReportInputs, figures: Mapping[str, TrustFigures] | None = None
    ) -> None:
        self.inputs = inputs
        self._given = dict(figures) if figures is not None else None
        self._builder = TrustFiguresBuilder(inputs) if figures is None else None

    @property
    def trusts(self) -> list[str]:
        """Trusts with at least one school with responses in the wave."""
        if self._builder is not None:
            return self._builder.trusts
        return sorted(self._given or {})

    def figures(self, trust: str) -> TrustFigures:
        """The figures the report of ``trust`` presents."""
        if self._builder is not None:
            return self._builder.figures(trust)
        if self._given is None or trust not in self._given:
            raise ValueError(f"no trust {trust!r} with responses in wave {self.inputs.wave!r}")
        return self._given[trust]

    def build(self, trust: str) -> TrustReport:
        """The report of ``trust`` (a value of the context's ``trust`` column)."""
        return trust_report(self.figures(trust), self.inputs)


def trust_report(figures: TrustFigures, inputs: ReportInputs) -> TrustReport:
    """The report of one trust from its figures (``inputs``: the instrument's names)."""
    inst = inputs.instrument
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
        n_schools_hidden=figures.n_schools_hidden,
    )


def render_trust_report(report: TrustReport, *, mode: Any, **kwargs: Any) -> str:
    """The trust report as HTML for ``mode`` ("web", "file" or "pdf")."""
    return render_html("trust.html.j2", mode=mode, report=report, **kwargs)
