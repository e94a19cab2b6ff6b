"""Section 2 of the global report: the reliability of the dimensions and of all items."""

from __future__ import annotations

from learnsurvey.analysis.figures.global_ import ReliabilityFigure

from .. import format as fmt
from ..charts import Table
from .context import GlobalContext, published_value, unavailable
from .section import Section
from .words import dimension_name, factor_name

__all__ = ["reliability_section"]

REFERENCES = [
    "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. "
    "Psychometrika, 16, 297–334.",
    "Feldt, L. S. (1965). The approximate sampling distribution of Kuder–Richardson "
    "reliability coefficient twenty. Psychometrika, 30, 357–370.",
    "McDonald, R. P. (1999). Test Theory: A Unified Treatment. Erlbaum.",
]


def _row(ctx: GlobalContext, row: ReliabilityFigure) -> list[str]:
    _ = ctx.gettext
    inst = ctx.inst
    if row.scale == "overall":
        name, notion = _("All items"), fmt.HIDDEN
        published = published_value(ctx, "overall_alpha")
    else:
        name = dimension_name(inst, row.scale)
        notion = factor_name(inst, inst.dimension(row.scale).factor, _)
        published = published_value(ctx, "reliability", row.scale)
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
    return cells


def _lead(ctx: GlobalContext) -> list[str]:
    rows = ctx.figures.reliability
    overall = next(r for r in rows if r.scale == "overall")
    scales = [r for r in rows if r.scale != "overall"]
    lowest = min(scales, key=lambda r: float("inf") if r.alpha is None else r.alpha)
    return [
        ctx.gettext(
            "Over all %(items)s items, alpha is %(alpha)s. The least reliable dimension is "
            "%(dimension)s (alpha %(lowest)s)."
        )
        % {
            "items": len(ctx.inst.items),
            "alpha": fmt.number(overall.alpha),
            "dimension": dimension_name(ctx.inst, lowest.scale),
            "lowest": fmt.number(lowest.alpha),
        }
    ]


def reliability_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("2. Reliability of the dimensions")
    if not ctx.computed:
        return unavailable(ctx, "reliability", heading)
    columns = [_("Scale"), _("Notion"), _("Items"), _("Pupils"), _("Alpha")]
    columns += [_("Alpha 95% CI"), _("Omega")]
    if ctx.published is not None:
        columns.append(_("Published alpha"))
    return Section(
        id="reliability",
        heading=heading,
        lead=_lead(ctx),
        tables=[
            Table(
                caption=_("Reliability of each dimension and of all items"),
                columns=columns,
                rows=[_row(ctx, r) for r in ctx.figures.reliability],
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
        references=REFERENCES,
    )
