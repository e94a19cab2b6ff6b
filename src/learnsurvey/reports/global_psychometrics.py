"""Sections 2 and 3 of the global report: the reliability of the dimensions and the pattern
matrix of the dimensions on the three notions (promax, as published)."""

from __future__ import annotations

from . import format as fmt
from .charts import Table
from .global_common import (
    GlobalContext,
    Section,
    dimension_name,
    factor_name,
    loading,
    published_value,
    unavailable,
)

__all__ = ["notions_section", "reliability_section"]


def reliability_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("2. Reliability of the dimensions")
    if ctx.tables is None:
        return unavailable(ctx, "reliability", heading)
    inst = ctx.inst
    table = ctx.tables["reliability"]
    rows = []
    for row in table.itertuples(index=False):
        scale = str(row.scale)
        if scale == "overall":
            name, notion = _("All items"), fmt.HIDDEN
            published = published_value(ctx, "overall_alpha")
        else:
            name = dimension_name(inst, scale)
            notion = factor_name(inst, inst.dimension(scale).factor, _)
            published = published_value(ctx, "reliability", scale)
        cells = [
            name,
            notion,
            fmt.count(row.n_items),
            fmt.count(row.n),
            fmt.number(row.alpha),
            fmt.ci(row.alpha_ci_low, row.alpha_ci_high),
            fmt.number(row.omega_total),
        ]
        if ctx.published is not None:
            cells.append(fmt.number(published))
        rows.append(cells)
    columns = [_("Scale"), _("Notion"), _("Items"), _("Pupils"), _("Alpha")]
    columns += [_("Alpha 95% CI"), _("Omega")]
    if ctx.published is not None:
        columns.append(_("Published alpha"))
    overall = table[table["scale"] == "overall"]
    lowest = table[table["scale"] != "overall"].sort_values("alpha").iloc[0]
    lead = [
        _(
            "Over all %(items)s items, alpha is %(alpha)s. The least reliable dimension is "
            "%(dimension)s (alpha %(lowest)s)."
        )
        % {
            "items": len(inst.items),
            "alpha": fmt.number(overall["alpha"].iloc[0]),
            "dimension": dimension_name(inst, str(lowest["scale"])),
            "lowest": fmt.number(lowest["alpha"]),
        }
    ]
    return Section(
        id="reliability",
        heading=heading,
        lead=lead,
        tables=[
            Table(
                caption=_("Reliability of each dimension and of all items"),
                columns=columns,
                rows=rows,
                numeric=[False, False] + [True] * (len(columns) - 2),
            )
        ],
        method=[
            _(
                "Cronbach's alpha from the covariances of each dimension's items (after "
                "reverse coding): α = k/(k − 1) · (1 − Σ var(item) / var(total)), with Feldt's "
                "F-based 95% confidence interval. Omega total is McDonald's ω from a "
                "one-factor model of the dimension's items, (Σλ)² / ((Σλ)² + Σψ); for all "
                "items, a Schmid–Leiman solution with one group factor per notion (as R's "
                "psych::omega). Values of .70 and above are usually taken as adequate for "
                "group-level reporting."
            ),
        ],
        references=[
            "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. "
            "Psychometrika, 16, 297–334.",
            "Feldt, L. S. (1965). The approximate sampling distribution of Kuder–Richardson "
            "reliability coefficient twenty. Psychometrika, 30, 357–370.",
            "McDonald, R. P. (1999). Test Theory: A Unified Treatment. Erlbaum.",
        ],
    )


def notions_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("3. The three notions: pattern matrix")
    if ctx.tables is None:
        return unavailable(ctx, "notions", heading)
    inst = ctx.inst
    pattern = ctx.tables["factor_pattern"]
    factors = inst.factor_ids
    if pattern[factors].isna().all().all():
        return Section(
            id="notions",
            heading=heading,
            unavailable=_("The instrument has too few dimensions for a factor analysis."),
        )
    order = {f: k for k, f in enumerate(factors)}
    pattern = pattern.assign(
        _f=pattern["factor"].map(order),
        _own=[row[row["factor"]] for _i, row in pattern.iterrows()],
    ).sort_values(["_f", "_own"], ascending=[True, False])
    with_published = ctx.published is not None
    rows = []
    for _i, row in pattern.iterrows():
        cells = [dimension_name(inst, str(row["dimension"]))]
        for f in factors:
            text = loading(row[f])
            theirs = published_value(ctx, "pattern", str(row["dimension"]), f)
            if with_published:
                text += f" ({loading(theirs)})"
            cells.append(text)
        cells.append(fmt.number(row["communality"]))
        rows.append(cells)
    names = [factor_name(inst, f, _) for f in factors]
    notes = [_("Loadings of .30 or more (in absolute value) are usually read as salient.")]
    if with_published:
        notes.insert(0, _("In brackets: the published Phase One loading (promax rotation)."))
    phi = ctx.tables["factor_correlations"]
    phi_rows = []
    for k, f in enumerate(factors):
        row = phi[phi["factor"] == f].iloc[0]
        phi_rows.append(
            [factor_name(inst, f, _)]
            + [loading(row[g]) if j <= k else "" for j, g in enumerate(factors)]
        )
    misplaced = [
        dimension_name(inst, str(r["dimension"]))
        for _i, r in pattern.iterrows()
        if r["primary_factor"] != r["factor"]
    ]
    lead = [
        _("Each dimension loads most strongly on the notion the instrument assigns it to.")
        if not misplaced
        else _(
            "Most dimensions load most strongly on their own notion; %(dimensions)s load "
            "more strongly on another."
        )
        % {"dimensions": ", ".join(misplaced)}
    ]
    return Section(
        id="notions",
        heading=heading,
        lead=lead,
        tables=[
            Table(
                caption=_("Pattern matrix: loadings of the dimensions on the notions (promax)"),
                columns=[_("Dimension"), *names, _("Communality")],
                rows=rows,
                numeric=[False] + [True] * (len(names) + 1),
                notes=notes,
            ),
            Table(
                caption=_("Correlations between the notions"),
                columns=[_("Notion"), *names],
                rows=phi_rows,
                numeric=[False] + [True] * len(names),
            ),
        ],
        method=[
            _(
                "Exploratory factor analysis of the pupils' dimension scores (pairwise Pearson "
                "correlations): minimum-residual extraction of %(k)s factors, one per notion, "
                "and an oblique promax rotation — the solution the Phase One report published. "
                "Each extracted factor is named after the notion whose dimensions load on it "
                "most (Hungarian assignment), with its sign chosen so those loadings are "
                "positive. Loadings are regression-like weights (the pattern matrix); because "
                "the rotation is oblique, the notions correlate (second table)."
            )
            % {"k": len(factors)},
        ],
        references=[
            "Hendrickson, A. E. & White, P. O. (1964). Promax: a quick method for rotation to "
            "oblique simple structure. British Journal of Statistical Psychology, 17, 65–70.",
            "Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and "
            "Personality Research (fa, minres). R package.",
        ],
    )
