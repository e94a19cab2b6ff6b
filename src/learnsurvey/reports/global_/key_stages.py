"""Section 5 of the global report: learning across the key stages — means by key stage, and
Hedges' g between adjacent key stages and from primary to secondary (computed in
:mod:`learnsurvey.analysis.key_stages`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from learnsurvey.analysis.figures.global_ import Effect, KeyStageFigures

from .. import format as fmt
from ..charts import Chart, Table
from .charts import line_chart
from .context import GlobalContext, published_value, unavailable
from .method import HEDGES
from .section import Section
from .words import dimension_name, factor_name, g_cell, g_table, of_total, sentence

__all__ = ["key_stage_section"]

SECTION_ID = "key-stages"


def _cell(effect: Effect | None) -> str:
    return fmt.HIDDEN if effect is None else g_cell(effect.hedges_g, effect.ci_low, effect.ci_high)


def _changes(ctx: GlobalContext, ks: KeyStageFigures) -> Table:
    _ = ctx.gettext
    adjacent = {(e.dimension, e.group_b, e.group_a): e for e in ks.adjacent}
    phases = {e.dimension: e for e in ks.phases}
    pairs = list(zip(ks.stages, ks.stages[1:], strict=False))
    both = bool(ks.primary and ks.secondary)
    rows = []
    for d in ctx.inst.dimensions:
        cells = [dimension_name(ctx.inst, d.id)]
        cells += [_cell(adjacent.get((d.id, a, b))) for a, b in pairs]
        if both:
            cells.append(_cell(phases.get(d.id)))
        rows.append(cells)
    columns = [f"{a} → {b}" for a, b in pairs]
    if both:
        columns.append(_("Primary → secondary"))
    return g_table(
        _("Change between key stages: Hedges' g (95% CI)"),
        columns,
        rows,
        _(
            "A negative g means the later key stage scores lower. Each cell gives "
            "g and, below it, its 95% confidence interval."
        ),
        _,
    )


def _lead(ctx: GlobalContext, ks: KeyStageFigures) -> list[str]:
    _ = ctx.gettext
    n_dims = len(ctx.inst.dimensions)
    lead = [
        _(
            "On %(k)s dimensions, pupils in %(last)s score lower on average than pupils in "
            "%(first)s."
        )
        % {"k": of_total(ks.n_lower, n_dims, _), "last": ks.stages[-1], "first": ks.stages[0]}
    ]
    if ks.primary and ks.secondary:
        declines = sum(1 for e in ks.phases if e.ci_high is not None and e.ci_high < 0)
        lead.append(
            _(
                "Secondary pupils score clearly lower than primary pupils (the 95%% interval "
                "of Hedges' g lies below zero) on %(k)s dimensions."
            )
            % {"k": of_total(declines, n_dims, _)}
        )
    return lead


def _chart(ctx: GlobalContext, ks: KeyStageFigures, lead: list[str]) -> Chart:
    _ = ctx.gettext
    inst = ctx.inst
    shown = [m for m in ks.means if not m.suppressed]
    data = pd.DataFrame(
        {
            "x": [m.group for m in shown],
            "value": [np.nan if m.mean is None else m.mean for m in shown],
            "series": [dimension_name(inst, m.dimension) for m in shown],
            "group": [factor_name(inst, inst.dimension(m.dimension).factor, _) for m in shown],
        }
    )
    means = {(m.dimension, m.group): m.mean for m in shown}
    table = Table(
        caption=_("Mean score by key stage"),
        columns=[_("Dimension"), *ks.stages],
        rows=[
            [dimension_name(inst, d.id)] + [fmt.number(means.get((d.id, k))) for k in ks.stages]
            for d in inst.dimensions
        ],
        numeric=[False] + [True] * len(ks.stages),
    )
    first, last = ks.stages[0], ks.stages[-1]
    return line_chart(
        "key-stage-decline",
        _("Dimension means by key stage"),
        _(
            "Line charts in small panels, one per notion, of each dimension's mean score from "
            "%(first)s to %(last)s."
        )
        % {"first": first, "last": last}
        + " "
        + " ".join(lead),
        data,
        table,
        x_order=ks.stages,
        groups=[f.name for f in inst.factors],
        y_title=_("Mean score"),
        y_domain=(
            float(np.floor(data["value"].min() * 2) / 2),
            float(np.ceil(data["value"].max() * 2) / 2),
        ),
    )


def key_stage_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("5. Learning across the key stages")
    ks = ctx.figures.key_stages
    if not ctx.computed or ks is None:
        return unavailable(ctx, SECTION_ID, heading)
    if len(ks.stages) < 2:
        return Section(
            id=SECTION_ID,
            heading=heading,
            unavailable=_("Fewer than two key stages have enough pupils to be compared."),
        )
    lead = _lead(ctx, ks)
    return Section(
        id=SECTION_ID,
        heading=heading,
        lead=lead,
        published=[sentence(t) for t in [published_value(ctx, "key_stage_trend")] if t],
        charts=[_chart(ctx, ks, lead)],
        tables=[_changes(ctx, ks)],
        method=[
            _(
                "Mean dimension scores of the pupils in each key stage (key stages with too "
                "few pupils are hidden, with the complementary rule). Adjacent key stages are "
                "compared by Hedges' g, the standardised mean difference with the small-sample "
                "correction J: g = J · (later − earlier) / pooled SD, with a normal-theory 95% "
                "interval. Primary (the instrument's primary key stages) against secondary "
                "pools the key stages' means and SDs exactly. These are different pupils, not "
                "the same pupils followed over time."
            ),
        ],
        references=[HEDGES],
    )
