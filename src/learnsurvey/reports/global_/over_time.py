"""The global report's "Over time" section: each dimension across every pupil wave to wave
(a line chart with confidence bands and its table, the latest change, the trend) and the
key-stage decline — secondary against primary, Hedges' g — wave to wave, from
:class:`~learnsurvey.analysis.figures.over_time.GlobalOverTime`."""

from __future__ import annotations

from typing import Any

from learnsurvey.analysis.figures.over_time import GlobalOverTime, KeyStageDecline, OverTimeFigures

from .. import format as fmt
from .. import over_time as ot
from ..charts import Chart, Table, wave_line_chart
from .context import GlobalContext
from .method import HEDGES
from .section import Section
from .words import dimension_name, g_cell

__all__ = ["SECTION_ID", "over_time_section"]

SECTION_ID = "over-time"


def _decline_table(ctx: GlobalContext, decline: list[KeyStageDecline], waves: list[str]) -> Table:
    _ = ctx.gettext
    by = {(k.dimension, k.wave): k for k in decline}
    dims = list(dict.fromkeys(k.dimension for k in decline))

    def cell(k: KeyStageDecline | None) -> str:
        if k is None or k.suppressed:
            return fmt.HIDDEN
        return g_cell(k.hedges_g, k.ci_low, k.ci_high)

    return Table(
        caption=_("Secondary against primary in each wave: Hedges' g (95% CI)"),
        columns=[_("Dimension"), *waves],
        rows=[[dimension_name(ctx.inst, d), *[cell(by.get((d, w))) for w in waves]] for d in dims],
        numeric=[False, *[True] * len(waves)],
        notes=[
            _(
                "A negative g means secondary pupils score lower than primary pupils in that "
                "wave. Each cell gives g and, below it, its 95% confidence interval."
            )
        ],
    )


def _decline_chart(
    ctx: GlobalContext, decline: list[KeyStageDecline], waves: list[str], table: Table
) -> Chart | None:
    _ = ctx.gettext
    rows: list[dict[str, Any]] = [
        {
            "panel": dimension_name(ctx.inst, k.dimension),
            "series": _("Secondary − primary"),
            "wave": k.wave,
            "mean": None if k.suppressed else k.hedges_g,
            "low": None if k.suppressed else k.ci_low,
            "high": None if k.suppressed else k.ci_high,
        }
        for k in decline
    ]
    values = [float(r[x]) for r in rows for x in ("low", "high") if r[x] is not None]
    if not values:
        return None
    panels = list(dict.fromkeys(str(r["panel"]) for r in rows))
    reach = max(0.5, max(abs(v) for v in values) + 0.1)
    return wave_line_chart(
        "over-time-key-stages",
        _("The key-stage decline wave to wave: Hedges' g of secondary against primary"),
        _(
            "Small panels, one per dimension, each with a line of Hedges' g of secondary "
            "against primary pupils in every wave and a shaded band for its 95% confidence "
            "interval; a dashed line marks no difference. Below the line, secondary pupils "
            "score lower."
        ),
        rows,
        table,
        panels=panels,
        waves=waves,
        series=[_("Secondary − primary")],
        y_title=_("Hedges' g"),
        y_domain=(-round(reach, 1), round(reach, 1)),
        zero_rule=True,
    )


def _charts_and_tables(
    ctx: GlobalContext, figures: OverTimeFigures, mine: GlobalOverTime
) -> tuple[list[Chart], list[Table], list[str]]:
    _ = ctx.gettext
    names = ot.score_names(ctx.inst, _)
    waves = [w.wave for w in figures.waves]
    who = _("the survey")
    charts: list[Chart] = []
    tables: list[Table] = []
    series = ot.series_table(mine.series, names, _, caption=_("Every pupil in each wave"))
    if series is not None:
        chart = ot.series_chart(
            "over-time-scores",
            mine.series,
            names,
            series,
            waves=waves,
            label=_("All pupils"),
            scale=(float(ctx.inst.scale.min), float(ctx.inst.scale.max)),
            _=_,
        )
        charts += [chart] if chart is not None else []
        tables.append(series)
    changes = ot.latest_changes(mine.changes)
    lead = ot.change_words(changes, names, who, _)
    tables += [t for t in [ot.change_table(changes, names, who, _)] if t is not None]
    tables += [t for t in [ot.trend_table(mine.trends, names, _)] if t is not None]
    if mine.key_stage_decline:
        decline = _decline_table(ctx, mine.key_stage_decline, waves)
        chart = _decline_chart(ctx, mine.key_stage_decline, waves, decline)
        charts += [chart] if chart is not None else []
        tables.append(decline)
    caution = ot.season_caution(figures, changes, _)
    lead += [caution] if caution else []
    lead.append(ot.version_note(figures.comparability, names, _))
    return charts, tables, lead


def over_time_section(ctx: GlobalContext, figures: OverTimeFigures | None) -> Section:
    """The section over the waves, or one line saying why there is none."""
    _ = ctx.gettext
    heading = _("10. Over time")
    if figures is None or len(figures.waves) < 2:
        return Section(
            id=SECTION_ID,
            heading=heading,
            unavailable=_("There is only one wave of results, so nothing can be shown over time."),
        )
    charts, tables, lead = _charts_and_tables(ctx, figures, figures.global_)
    return Section(
        id=SECTION_ID,
        heading=heading,
        lead=lead,
        charts=charts,
        tables=tables,
        method=[
            _(
                "Every pupil of each wave, wave by wave. Pupils answer anonymously and differ "
                "between waves, so two waves are compared as independent samples: the "
                "difference of their means with Welch's 95% confidence interval, Hedges' g, "
                "and the smallest detectable change (z₀.₉₇₅ + z₀.₈₀) × √(SE₁² + SE₂²): the "
                "smallest true difference a two-sided 5% test finds four times in five. A "
                "change is clear when its interval excludes zero. A trend over three or more "
                "waves is a straight line through the waves' means weighted by 1 / SE² "
                "(fixed-effect meta-regression). The key-stage decline is Hedges' g of "
                "secondary against primary pupils, pooled exactly within each wave."
            )
        ],
        references=[
            HEDGES,
            _(
                "Bloom, H. S. (1995). Minimum detectable effects: a simple way to report the "
                "statistical power of experimental designs. Evaluation Review 19(5), 547–556."
            ),
        ],
    )
