"""The global report: the Phase One report's tables and figures, reproduced from a wave.

Nine sections — the sample, reliability, the pattern matrix of the three notions, the share
of pupils quite or very high, the key stages, gender, the top and bottom school, inspection
ratings and the learning-focused schools — each with its method note, each a module of this
package that words the wave's :class:`~learnsurvey.analysis.figures.global_.GlobalFigures`.
Schools are named only when they opted in to being named in research; every other school is
"School N", its number on the platform's pages.

Given the published figures (:func:`~.published.load_published`), the tables show them
beside ours. Django-free.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from learnsurvey.analysis.figures.global_ import GlobalFigures, build_global_figures
from learnsurvey.analysis.figures.outcomes import OutcomeFigures
from learnsurvey.analysis.figures.over_time import OverTimeFigures
from learnsurvey.analysis.inputs import ReportInputs
from learnsurvey.analysis.labels import Gettext

from .. import format as fmt
from ..header import ReportHeader
from ..render import Mode, render_html
from .context import GlobalContext
from .focused import focused_section
from .gender import gender_section
from .high_shares import high_section
from .inspection import inspection_section
from .key_stages import key_stage_section
from .method import failure_words, notice
from .outcomes import outcomes_section
from .over_time import over_time_section
from .pattern import notions_section
from .reliability import reliability_section
from .sample import sample_section
from .section import Section
from .top_bottom import top_bottom_section

__all__ = ["SECTIONS", "GlobalReport", "build_global_report", "render_global_report"]

SECTIONS: tuple[Callable[[GlobalContext], Section], ...] = (
    sample_section,
    reliability_section,
    notions_section,
    high_section,
    key_stage_section,
    gender_section,
    top_bottom_section,
    inspection_section,
    focused_section,
)


class GlobalReport(ReportHeader):
    """The global report of one wave, every figure formatted and suppressed."""

    sections: list[Section]
    with_published: bool = False
    """Whether the tables show the published Phase One figures beside ours."""
    notice: str | None = None
    """Said once at the top when the wave-level tables cannot be computed."""
    over_time: Section | None = None
    """The waves over time (one line when there is only one wave); after the sections."""
    outcomes: Section | None = None
    """Learning beside outcomes (None: the wave has no outcome measures); last."""

    @property
    def extra_sections(self) -> list[Section]:
        """The sections after the numbered nine: over time, learning beside outcomes."""
        return [s for s in (self.over_time, self.outcomes) if s is not None]


def _same(text: str) -> str:
    return text


def build_global_report(
    inputs: ReportInputs,
    published: dict[str, Any] | None = None,
    *,
    title: str | None = None,
    today: date | None = None,
    gettext: Gettext | None = None,
    figures: GlobalFigures | None = None,
    over_time: OverTimeFigures | None = None,
    outcomes: OutcomeFigures | None = None,
) -> GlobalReport:
    """The global report of ``inputs``' wave.

    ``published``, e.g. ``load_published("phase-one-targets.yaml")``, adds the published
    Phase One figures beside ours. ``figures`` are the wave's global figures when already
    built (:func:`~learnsurvey.analysis.figures.global_.build_global_figures`), else they
    are built here. Sections that need the school context (inspection ratings) say so when
    it is absent; when the wave is too small for the wave tables, every section but the
    sample says it cannot be computed. ``gettext`` translates the report's words (British
    English by default). ``over_time``, the figures over a series of waves ending with
    this one, adds the section over time. ``outcomes``, the wave's learning beside
    outcomes (:func:`~learnsurvey.analysis.outcomes.build_outcome_figures`), adds that
    section; when not given it is built from ``inputs.outcomes`` (none: no section).
    """
    _ = gettext or _same
    figures = figures if figures is not None else build_global_figures(inputs)
    if outcomes is None and inputs.outcomes is not None:
        from learnsurvey.analysis.outcomes import build_outcome_figures

        outcomes = build_outcome_figures(inputs)
    ctx = GlobalContext(
        figures=figures,
        inst=inputs.instrument,
        published=published,
        gettext=_,
        failure=failure_words(figures.failure, _),
    )
    return GlobalReport(
        title=title or _("The Learning Survey: global report"),
        subtitle=_("%(instrument)s: what pupils say about their learning, across all schools")
        % {"instrument": inputs.instrument.name},
        kicker=_("Global report"),
        wave=inputs.wave or "–",
        generated=fmt.long_date(today),
        threshold=inputs.threshold,
        sections=[build(ctx) for build in SECTIONS],
        with_published=published is not None,
        notice=notice(figures.failure, _),
        over_time=over_time_section(ctx, over_time),
        outcomes=outcomes_section(ctx, outcomes, number=len(SECTIONS) + 2),
    )


def render_global_report(report: GlobalReport, *, mode: Mode, **kwargs: Any) -> str:
    """The report as HTML for ``mode`` (``web``, ``file`` or ``pdf``); ``kwargs`` pass
    ``gettext``, ``ngettext``, ``lang`` and ``vega_src`` through to the renderer."""
    return render_html("global.html.j2", mode=mode, report=report, **kwargs)
