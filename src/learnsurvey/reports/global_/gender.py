"""Section 6 of the global report: boys, girls and other genders — means by gender and
Hedges' g against the first gender shown."""

from __future__ import annotations

import pandas as pd

from learnsurvey.analysis.figures.global_ import Effect, GenderFigures
from learnsurvey.analysis.labels import group_label

from .. import format as fmt
from ..charts import Chart, Table
from .charts import dot_chart
from .context import GlobalContext, published_value, unavailable
from .method import HEDGES
from .section import Section
from .words import dimension_name, g_cell, g_table, of_total, sentence

__all__ = ["gender_section"]


def _against_first(genders: GenderFigures) -> tuple[list[str], dict[tuple[str, str], Effect]]:
    """The genders compared with the first shown, and their effects by (gender, dimension)."""
    first = genders.genders[0]
    effects = {(e.group_b, e.dimension): e for e in genders.effects if e.group_a == first}
    others = [g for g in genders.genders[1:] if any(key[0] == g for key in effects)]
    return others, effects


def _effects_table(ctx: GlobalContext, genders: GenderFigures, names: dict[str, str]) -> Table:
    _ = ctx.gettext
    others, effects = _against_first(genders)
    rows = []
    for d in ctx.inst.dimensions:
        cells = [d.name]
        for g in others:
            e = effects.get((g, d.id))
            cells.append(fmt.HIDDEN if e is None else g_cell(e.hedges_g, e.ci_low, e.ci_high))
        rows.append(cells)
    first = names[genders.genders[0]]
    return g_table(
        _("Differences from %(first)s: Hedges' g (95%% CI)") % {"first": first.lower()},
        [f"{first} − {names[g]}" for g in others],
        rows,
        _("A positive g means %(first)s score higher.") % {"first": first.lower()},
        _,
    )


def _lead(ctx: GlobalContext, genders: GenderFigures, names: dict[str, str]) -> list[str]:
    _ = ctx.gettext
    _others, effects = _against_first(genders)
    second = genders.genders[1]
    against = [e for (g, _d), e in effects.items() if g == second]
    positive = sum(1 for e in against if e.ci_low is not None and e.ci_low > 0)
    lead = [
        _(
            "%(first)s score clearly higher than %(second)s (the 95%% interval of Hedges' g "
            "lies above zero) on %(k)s dimensions."
        )
        % {
            "first": names[genders.genders[0]],
            "second": names[second].lower(),
            "k": of_total(positive, len(ctx.inst.dimensions), _),
        }
    ]
    gs = [e.hedges_g for e in against if e.hedges_g is not None]
    if gs:
        lead.append(
            _("Between these two groups, g ranges from %(low)s to %(high)s.")
            % {"low": fmt.signed(min(gs)), "high": fmt.signed(max(gs))}
        )
    return lead


def _chart(
    ctx: GlobalContext, genders: GenderFigures, names: dict[str, str], lead: list[str]
) -> Chart:
    _ = ctx.gettext
    inst = ctx.inst
    shown = [m for m in genders.means if not m.suppressed]
    means = {(m.dimension, m.group): m.mean for m in shown}
    table = Table(
        caption=_("Mean score by gender"),
        columns=[_("Dimension"), *[names[g] for g in genders.genders]],
        rows=[
            [d.name] + [fmt.number(means.get((d.id, g))) for g in genders.genders]
            for d in inst.dimensions
        ],
        numeric=[False] + [True] * len(genders.genders),
    )
    data = pd.DataFrame(
        {
            "label": [dimension_name(inst, m.dimension) for m in shown],
            "series": [names[m.group] for m in shown],
            "value": [m.mean for m in shown],
            "low": [m.ci_low for m in shown],
            "high": [m.ci_high for m in shown],
        },
        dtype=object,
    ).astype({"value": float, "low": float, "high": float})
    return dot_chart(
        "gender-means",
        _("Mean score by gender, with 95% confidence intervals"),
        _(
            "Dot plot: for each dimension, the mean score of each gender, with its 95% "
            "confidence interval as a line."
        )
        + " "
        + " ".join(lead),
        data,
        table,
        order=[d.name for d in inst.dimensions],
        series=[names[g] for g in genders.genders],
        x_title=_("Mean score"),
    )


def _said(ctx: GlobalContext) -> list[str]:
    _ = ctx.gettext
    said = []
    order_said = published_value(ctx, "gender_order")
    if order_said:
        said.append(sentence(_("Order of the groups: %(order)s") % {"order": order_said}))
    bounds = published_value(ctx, "gender_effect_sizes")
    if isinstance(bounds, list) and len(bounds) == 2:
        said.append(
            _("Effect sizes between %(low)s and %(high)s.")
            % {"low": fmt.number(bounds[0], 1), "high": fmt.number(bounds[1], 1)}
        )
    if published_value(ctx, "gender_note"):
        said.append(sentence(published_value(ctx, "gender_note")))
    return said


def gender_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("6. Boys, girls and other genders")
    genders = ctx.figures.genders
    if not ctx.computed or genders is None:
        return unavailable(ctx, "gender", heading)
    if len(genders.genders) < 2:
        return Section(
            id="gender",
            heading=heading,
            unavailable=_("Fewer than two genders have enough pupils to be compared."),
        )
    names = {g: group_label(g, _) for g in ctx.inst.demographics.genders}
    lead = _lead(ctx, genders, names)
    return Section(
        id="gender",
        heading=heading,
        lead=lead,
        published=_said(ctx),
        charts=[_chart(ctx, genders, names, lead)],
        tables=[_effects_table(ctx, genders, names)],
        method=[
            _(
                "Mean dimension scores of the pupils of each gender they gave (pupils who did "
                "not say count towards the hidden totals but are not compared). Hedges' g is "
                "the standardised mean difference with the small-sample correction, with a "
                "normal-theory 95% interval; by the usual convention .2 is a small difference."
            ),
        ],
        references=[HEDGES],
    )
