"""Section 3 of the global report: the pattern matrix of the dimensions on the three notions
(promax, as published) and the correlations between the notions."""

from __future__ import annotations

from learnsurvey.analysis.figures.global_ import PatternFigures

from .. import format as fmt
from ..charts import Table
from .context import GlobalContext, published_value, unavailable
from .section import Section
from .words import dimension_name, factor_name, loading

__all__ = ["notions_section"]

REFERENCES = [
    "Hendrickson, A. E. & White, P. O. (1964). Promax: a quick method for rotation to "
    "oblique simple structure. British Journal of Statistical Psychology, 17, 65–70.",
    "Revelle, W. (2024). psych: Procedures for Psychological, Psychometric, and "
    "Personality Research (fa, minres). R package.",
]


def _matrix(ctx: GlobalContext, pattern: PatternFigures) -> Table:
    _ = ctx.gettext
    inst = ctx.inst
    factors = inst.factor_ids
    with_published = ctx.published is not None
    rows = []
    for row in pattern.rows:
        cells = [dimension_name(inst, row.dimension)]
        for f in factors:
            text = loading(row.loadings.get(f))
            if with_published:
                theirs = published_value(ctx, "pattern", row.dimension, f)
                text += f" ({loading(theirs)})"
            cells.append(text)
        cells.append(fmt.number(row.communality))
        rows.append(cells)
    names = [factor_name(inst, f, _) for f in factors]
    notes = [_("Loadings of .30 or more (in absolute value) are usually read as salient.")]
    if with_published:
        notes.insert(0, _("In brackets: the published Phase One loading (promax rotation)."))
    return Table(
        caption=_("Pattern matrix: loadings of the dimensions on the notions (promax)"),
        columns=[_("Dimension"), *names, _("Communality")],
        rows=rows,
        numeric=[False] + [True] * (len(names) + 1),
        notes=notes,
    )


def _correlations(ctx: GlobalContext, pattern: PatternFigures) -> Table:
    _ = ctx.gettext
    factors = ctx.inst.factor_ids
    rows = [
        [factor_name(ctx.inst, f, _)]
        + [loading(pattern.correlations[f][g]) if j <= k else "" for j, g in enumerate(factors)]
        for k, f in enumerate(factors)
    ]
    return Table(
        caption=_("Correlations between the notions"),
        columns=[_("Notion"), *[factor_name(ctx.inst, f, _) for f in factors]],
        rows=rows,
        numeric=[False] + [True] * len(factors),
    )


def _lead(ctx: GlobalContext, pattern: PatternFigures) -> list[str]:
    _ = ctx.gettext
    misplaced = [
        dimension_name(ctx.inst, r.dimension) for r in pattern.rows if r.primary_factor != r.factor
    ]
    if not misplaced:
        return [_("Each dimension loads most strongly on the notion the instrument assigns it to.")]
    return [
        _(
            "Most dimensions load most strongly on their own notion; %(dimensions)s load "
            "more strongly on another."
        )
        % {"dimensions": ", ".join(misplaced)}
    ]


def notions_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("3. The three notions: pattern matrix")
    if not ctx.computed:
        return unavailable(ctx, "notions", heading)
    pattern = ctx.figures.pattern
    if pattern is None:
        return Section(
            id="notions",
            heading=heading,
            unavailable=_("The instrument has too few dimensions for a factor analysis."),
        )
    return Section(
        id="notions",
        heading=heading,
        lead=_lead(ctx, pattern),
        tables=[_matrix(ctx, pattern), _correlations(ctx, pattern)],
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
            % {"k": len(ctx.inst.factor_ids)},
        ],
        references=REFERENCES,
    )
