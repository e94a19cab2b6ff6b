"""Sections 4–6 of the global report, about pupils: the share quite or very high, the key
stages and gender."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from learnsurvey.stats.effects import hedges_g

from . import format as fmt
from .charts import Table
from .global_charts import bar_chart, dot_chart, line_chart
from .global_common import (
    HEDGES,
    GlobalContext,
    Section,
    as_float,
    dimension_name,
    factor_name,
    g_cell,
    g_table,
    high_bands,
    label,
    of_total,
    published_value,
    sentence,
    unavailable,
)

__all__ = ["gender_section", "high_section", "key_stage_section"]


def high_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("4. Pupils who are quite or very high")
    if ctx.tables is None:
        return unavailable(ctx, "high", heading)
    inst = ctx.inst
    dims = ctx.tables["dimension_summary"].set_index("dimension")
    notions = ctx.tables["notion_summary"].set_index("notion")
    high = high_bands(inst, _)
    records, rows = [], []
    for f in inst.factors:
        members = [d.id for d in inst.dimensions_of(f.id)]
        for kind, score in [("notion", f.id)] + [("dimension", d) for d in members]:
            row = (notions if kind == "notion" else dims).loc[score]
            name = dimension_name(inst, score)
            shown_name = _("%(name)s (notion)") % {"name": name} if kind == "notion" else name
            if not bool(row["suppressed"]):
                records.append(
                    {
                        "label": shown_name,
                        "group": f.name,
                        "kind": kind,
                        "value": as_float(row["pct_quite_or_very_high"]),
                        "text": fmt.pct(row["pct_quite_or_very_high"]),
                    }
                )
            cells = [
                shown_name,
                fmt.count(row["n"]),
                fmt.number(row["mean"]),
                fmt.ci(row["ci_low"], row["ci_high"]),
                fmt.pct(row["pct_quite_or_very_high"]),
            ]
            if ctx.published is not None:
                cells.append(fmt.pct(published_value(ctx, "pct_high", score)))
            rows.append(cells)
    columns = [_("Score"), _("Pupils"), _("Mean"), _("Mean 95% CI"), f"% {high}"]
    if ctx.published is not None:
        columns.append(_("Published Phase One %"))
    table = Table(
        caption=_("Share of pupils %(high)s, by dimension and notion") % {"high": high},
        columns=columns,
        rows=rows,
        numeric=[False] + [True] * (len(columns) - 1),
    )
    data = pd.DataFrame(records)
    ranked = dims[~dims["suppressed"].astype(bool)].sort_values("pct_quite_or_very_high")
    lead = []
    if len(ranked):
        top, bottom = ranked.iloc[-1], ranked.iloc[0]
        lead.append(
            _(
                "The most pupils are %(high)s on %(top)s (%(top_pct)s); the fewest on "
                "%(bottom)s (%(bottom_pct)s)."
            )
            % {
                "high": high,
                "top": dimension_name(inst, str(top.name)),
                "top_pct": fmt.pct(top["pct_quite_or_very_high"]),
                "bottom": dimension_name(inst, str(bottom.name)),
                "bottom_pct": fmt.pct(bottom["pct_quite_or_very_high"]),
            }
        )
    chart = bar_chart(
        "high-share",
        _("Share of pupils %(high)s") % {"high": high},
        _(
            "Horizontal bars, one per dimension and notion, grouped by notion: the percentage "
            "of pupils whose score is %(high)s."
        )
        % {"high": high}
        + (" " + lead[0] if lead else ""),
        data,
        table,
        x_title=_("%% of pupils %(high)s") % {"high": high},
        order=list(data["label"]) if len(data) else [],
        groups=[f.name for f in inst.factors],
    )
    bands = ", ".join(
        _("%(band)s from %(min)s") % {"band": b.name, "min": fmt.number(b.min, 1)}
        for b in inst.bands
    )
    return Section(
        id="high",
        heading=heading,
        lead=lead,
        charts=[chart],
        method=[
            _(
                "A pupil's dimension score is the mean of their answers to its items "
                "(reverse-coded items turned round), given when they answered enough of them; "
                "a notion's score is the mean of its dimensions. Scores fall in the "
                "instrument's bands (%(bands)s); the percentage counts pupils in the %(high)s "
                "bands among all pupils with a score. The mean's interval is t-based "
                "(mean ± t · SD/√n)."
            )
            % {"bands": bands, "high": high},
        ],
    )


def _pooled(part: pd.DataFrame) -> tuple[float, float, float]:
    """n, mean and SD of the union of groups from their n, mean and SD (exact)."""
    n = part["n"].to_numpy(float)
    mean = part["mean"].to_numpy(float)
    sd = part["sd"].to_numpy(float)
    total = n.sum()
    if total < 2:
        return float(total), float("nan"), float("nan")
    grand = float((n * mean).sum() / total)
    ss = ((n - 1) * sd**2).sum() + (n * (mean - grand) ** 2).sum()
    return float(total), grand, float(np.sqrt(ss / (total - 1)))


def _g_frame(frame: pd.DataFrame) -> str:
    row = frame.iloc[0]
    return g_cell(row["hedges_g"], row["ci_low"], row["ci_high"])


def key_stage_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("5. Learning across the key stages")
    if ctx.tables is None:
        return unavailable(ctx, "key-stages", heading)
    inst = ctx.inst
    demo = inst.demographics
    trend = ctx.tables["key_stage_trend"]
    shown = trend[~trend["suppressed"].astype(bool) & trend["key_stage"].isin(demo.key_stages)]
    stages = [k for k in demo.key_stages if k in set(shown["key_stage"])]
    if len(stages) < 2:
        return Section(
            id="key-stages",
            heading=heading,
            unavailable=_("Fewer than two key stages have enough pupils to be compared."),
        )
    means = shown.pivot(index="dimension", columns="key_stage", values="mean")
    lookup = {
        (str(r.dimension), str(r.key_stage)): as_float(r.mean)
        for r in shown.itertuples(index=False)
    }
    mean_rows = [
        [dimension_name(inst, d.id)] + [fmt.number(lookup.get((d.id, k))) for k in stages]
        for d in inst.dimensions
    ]
    primary = [k for k in stages if k in demo.primary_key_stages]
    secondary = [k for k in stages if k not in demo.primary_key_stages]
    pairs = list(pairwise(stages))
    g_rows, declines = [], 0
    for d in inst.dimensions:
        part = shown[shown["dimension"] == d.id].set_index("key_stage")
        cells = [dimension_name(inst, d.id)]
        for a, b in pairs:
            if a in part.index and b in part.index:
                x, y = part.loc[b], part.loc[a]
                cells.append(_g_frame(hedges_g(x.n, x["mean"], x.sd, y.n, y["mean"], y.sd)))
            else:
                cells.append(fmt.HIDDEN)
        if primary and secondary:
            pn, pm, ps = _pooled(part.loc[[k for k in primary if k in part.index]])
            sn, sm, ss = _pooled(part.loc[[k for k in secondary if k in part.index]])
            g = hedges_g(sn, sm, ss, pn, pm, ps)
            declines += int(g["ci_high"].iloc[0] < 0)
            cells.append(_g_frame(g))
        g_rows.append(cells)
    g_columns = [f"{a} → {b}" for a, b in pairs]
    if primary and secondary:
        g_columns.append(_("Primary → secondary"))
    first, last = stages[0], stages[-1]
    lower = int((means[last] < means[first]).sum()) if len(means) else 0
    n_dims = len(inst.dimensions)
    lead = [
        _(
            "On %(k)s dimensions, pupils in %(last)s score lower on average than pupils in "
            "%(first)s."
        )
        % {"k": of_total(lower, n_dims, _), "last": last, "first": first}
    ]
    if primary and secondary:
        lead.append(
            _(
                "Secondary pupils score clearly lower than primary pupils (the 95%% interval "
                "of Hedges' g lies below zero) on %(k)s dimensions."
            )
            % {"k": of_total(declines, n_dims, _)}
        )
    data = shown.assign(
        x=shown["key_stage"],
        value=shown["mean"].astype(float),
        series=[dimension_name(inst, d) for d in shown["dimension"]],
        group=[factor_name(inst, inst.dimension(d).factor, _) for d in shown["dimension"]],
    )[["x", "value", "series", "group"]]
    low = float(np.floor(data["value"].min() * 2) / 2)
    high = float(np.ceil(data["value"].max() * 2) / 2)
    mean_table = Table(
        caption=_("Mean score by key stage"),
        columns=[_("Dimension"), *stages],
        rows=mean_rows,
        numeric=[False] + [True] * len(stages),
    )
    chart = line_chart(
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
        mean_table,
        x_order=stages,
        groups=[f.name for f in inst.factors],
        y_title=_("Mean score"),
        y_domain=(low, high),
    )
    return Section(
        id="key-stages",
        heading=heading,
        lead=lead,
        published=[sentence(t) for t in [published_value(ctx, "key_stage_trend")] if t],
        charts=[chart],
        tables=[
            g_table(
                _("Change between key stages: Hedges' g (95% CI)"),
                g_columns,
                g_rows,
                _(
                    "A negative g means the later key stage scores lower. Each cell gives "
                    "g and, below it, its 95% confidence interval."
                ),
                _,
            )
        ],
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


def gender_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("6. Boys, girls and other genders")
    if ctx.tables is None:
        return unavailable(ctx, "gender", heading)
    inst = ctx.inst
    genders = list(inst.demographics.genders)
    summary = ctx.tables["gender_summary"]
    shown = summary[~summary["suppressed"].astype(bool) & summary["gender"].isin(genders)]
    present = [g for g in genders if g in set(shown["gender"])]
    if len(present) < 2:
        return Section(
            id="gender",
            heading=heading,
            unavailable=_("Fewer than two genders have enough pupils to be compared."),
        )
    order = [d.name for d in inst.dimensions]
    means = {
        (str(r.dimension), str(r.gender)): as_float(r.mean) for r in shown.itertuples(index=False)
    }
    mean_rows = [
        [d.name] + [fmt.number(means.get((d.id, g))) for g in present] for d in inst.dimensions
    ]
    names = {g: _(label(g)) for g in genders}
    mean_table = Table(
        caption=_("Mean score by gender"),
        columns=[_("Dimension"), *[names[g] for g in present]],
        rows=mean_rows,
        numeric=[False] + [True] * len(present),
    )
    effects = ctx.tables["group_effects"]
    effects = effects[(effects["grouping"] == "gender") & (effects["group_a"] == present[0])]
    others = [g for g in present[1:] if g in set(effects["group_b"])]
    g_rows, positive = [], 0
    for d in inst.dimensions:
        cells = [d.name]
        for g in others:
            found = effects[(effects["group_b"] == g) & (effects["dimension"] == d.id)]
            if found.empty:
                cells.append(fmt.HIDDEN)
                continue
            r = found.iloc[0]
            cells.append(g_cell(r["hedges_g"], r["ci_low"], r["ci_high"]))
            if g == present[1] and float(r["ci_low"]) > 0:
                positive += 1
        g_rows.append(cells)
    data = shown.assign(
        label=[dimension_name(inst, d) for d in shown["dimension"]],
        series=[names[g] for g in shown["gender"]],
        value=shown["mean"].astype(float),
        low=shown["ci_low"].astype(float),
        high=shown["ci_high"].astype(float),
    )[["label", "series", "value", "low", "high"]]
    first, second = names[present[0]], names[present[1]]
    lead = [
        _(
            'Pupils recorded as "%(first)s" score clearly higher than those recorded as '
            '"%(second)s" (the 95%% interval of Hedges\' g lies above zero) on %(k)s dimensions.'
        )
        % {
            "first": first.lower(),
            "second": second.lower(),
            "k": of_total(positive, len(inst.dimensions), _),
        }
    ]
    gs = effects[effects["group_b"] == present[1]]["hedges_g"].astype(float).dropna()
    if len(gs):
        lead.append(
            _("Between these two groups, g ranges from %(low)s to %(high)s.")
            % {"low": fmt.signed(gs.min()), "high": fmt.signed(gs.max())}
        )
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
    chart = dot_chart(
        "gender-means",
        _("Mean score by gender, with 95% confidence intervals"),
        _(
            "Dot plot: for each dimension, the mean score of each gender, with its 95% "
            "confidence interval as a line."
        )
        + " "
        + " ".join(lead),
        data,
        mean_table,
        order=order,
        series=[names[g] for g in present],
        x_title=_("Mean score"),
    )
    return Section(
        id="gender",
        heading=heading,
        lead=lead,
        published=said,
        charts=[chart],
        tables=[
            g_table(
                _('Differences from pupils recorded as "%(first)s": Hedges\' g (95%% CI)')
                % {"first": first.lower()},
                [f"{first} − {names[g]}" for g in others],
                g_rows,
                _('A positive g means pupils recorded as "%(first)s" score higher.')
                % {"first": first.lower()},
                _,
            )
        ],
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
