"""Section 8 of the global report: learning and inspection ratings — the mean of school means
per rating with a one-way ANOVA, and each rating against the reference rating by Hedges' g
(computed in :mod:`learnsurvey.analysis.inspection`)."""

from __future__ import annotations

import pandas as pd

from learnsurvey.analysis.figures.global_ import InspectionFigures
from learnsurvey.analysis.labels import code_label

from .. import format as fmt
from ..charts import Chart, Table
from .charts import dot_chart
from .context import GlobalContext, published_value, unavailable
from .method import FISHER, HEDGES
from .section import Section
from .words import dimension_name, g_cell, g_table, of_total, sentence

__all__ = ["inspection_section"]

SECTION_ID = "inspection"


def _p(value: float | None) -> str:
    return "< 0.001" if value is not None and value < 0.001 else fmt.number(value, 3)


def _means_table(ctx: GlobalContext, fig: InspectionFigures, names: dict[str, str]) -> Table:
    _ = ctx.gettext
    means = {(m.dimension, m.rating): m.mean_of_school_means for m in fig.means}
    anova = {a.dimension: a for a in fig.anova}
    rows = []
    for d in ctx.inst.dimensions:
        if d.id not in anova:
            continue
        a = anova[d.id]
        cells = [d.name]
        cells += [
            fmt.number(means[(d.id, r)]) if (d.id, r) in means else fmt.HIDDEN for r in fig.ratings
        ]
        cells += [fmt.number(a.anova_f), _p(a.anova_p), fmt.number(a.eta_squared)]
        rows.append(cells)
    headings = [
        _("%(rating)s\n(%(k)s schools)") % {"rating": names[r], "k": fig.n_schools[r]}
        for r in fig.ratings
    ]
    return Table(
        caption=_("Mean of school means by inspection rating, with a one-way ANOVA"),
        columns=[_("Dimension"), *headings, "F", "p", _("Eta squared")],
        rows=rows,
        numeric=[False] + [True] * (len(fig.ratings) + 3),
        notes=[_("Schools not inspected are shown but not compared.")]
        if len(fig.rated) < len(fig.ratings)
        else [],
    )


def _others(fig: InspectionFigures) -> list[str]:
    return list(dict.fromkeys(e.group_a for e in fig.effects))


def _effects_lead(ctx: GlobalContext, fig: InspectionFigures, names: dict[str, str]) -> list[str]:
    _ = ctx.gettext
    ref = names[fig.reference]
    lead = []
    for r in _others(fig):
        part = [e for e in fig.effects if e.group_a == r]
        higher = sum(1 for e in part if e.hedges_g is not None and e.hedges_g > 0)
        clear = sum(1 for e in part if _excludes_zero(e.ci_low, e.ci_high))
        lead.append(
            _(
                "Schools rated %(rating)s score higher than schools rated %(ref)s on %(k)s "
                "dimensions; the 95%% interval of g excludes zero on %(clear)s."
            )
            % {
                "rating": names[r].lower(),
                "ref": ref.lower(),
                "k": of_total(higher, len(part), _),
                "clear": of_total(clear, len(part), _),
            }
        )
    return lead


def _excludes_zero(low: float | None, high: float | None) -> bool:
    return (low is not None and low > 0) or (high is not None and high < 0)


def _effects_table(ctx: GlobalContext, fig: InspectionFigures, names: dict[str, str]) -> Table:
    _ = ctx.gettext
    ref = names[fig.reference].lower()
    others = _others(fig)
    by = {(e.dimension, e.group_a): e for e in fig.effects}
    rows = []
    for d in ctx.inst.dimensions:
        cells = [d.name]
        for r in others:
            e = by.get((d.id, r))
            cells.append(fmt.HIDDEN if e is None else g_cell(e.hedges_g, e.ci_low, e.ci_high))
        rows.append(cells)
    return g_table(
        _("School means of each rating against %(ref)s: Hedges' g (95%% CI)") % {"ref": ref},
        [f"{names[r]} − {names[fig.reference]}" for r in others],
        rows,
        _("A positive g means that rating's schools score higher than %(ref)s.") % {"ref": ref},
        _,
    )


def _effects_chart(
    ctx: GlobalContext, fig: InspectionFigures, names: dict[str, str], lead: list[str]
) -> Chart:
    _ = ctx.gettext
    inst = ctx.inst
    ref = names[fig.reference].lower()
    data = pd.DataFrame(
        {
            "label": [dimension_name(inst, e.dimension) for e in fig.effects],
            "series": [names[e.group_a] for e in fig.effects],
            "value": [e.hedges_g for e in fig.effects],
            "low": [e.ci_low for e in fig.effects],
            "high": [e.ci_high for e in fig.effects],
        },
        dtype=object,
    ).astype({"value": float, "low": float, "high": float})
    return dot_chart(
        "inspection-effects",
        _("Difference from schools rated %(ref)s, Hedges' g with 95%% CI") % {"ref": ref},
        _(
            "Dot plot: for each dimension, Hedges' g of the school means of each "
            "inspection rating against schools rated %(ref)s, with 95%% intervals; a "
            "dashed line marks no difference."
        )
        % {"ref": ref}
        + " "
        + " ".join(lead),
        data,
        _effects_table(ctx, fig, names),
        order=[d.name for d in inst.dimensions],
        series=[names[r] for r in _others(fig)],
        x_title=_("Hedges' g against %(ref)s (school means)") % {"ref": ref},
        zero_rule=True,
    )


def _said(ctx: GlobalContext) -> list[str]:
    _ = ctx.gettext
    said = []
    published = published_value(ctx, "rated_schools")
    if published is not None:
        said.append(
            _("%(k)s schools rated requires improvement, good or outstanding.") % {"k": published}
        )
    if published_value(ctx, "inspection_finding"):
        said.append(sentence(published_value(ctx, "inspection_finding")))
    return said


def _lead(ctx: GlobalContext, fig: InspectionFigures) -> list[str]:
    _ = ctx.gettext
    significant = sum(1 for a in fig.anova if a.anova_p is not None and a.anova_p < 0.05)
    return [
        _("%(k)s schools with enough pupils have an inspection rating.")
        % {"k": fig.n_rated_schools},
        _(
            "The ratings differ at the 5%% level on %(k)s dimensions (one-way ANOVA of school "
            "means)."
        )
        % {"k": of_total(significant, len(fig.anova), _)},
    ]


def inspection_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("8. Learning and inspection ratings")
    if not ctx.computed:
        return unavailable(ctx, SECTION_ID, heading)
    fig = ctx.figures.inspection
    if not ctx.figures.has_context or fig is None:
        return Section(
            id=SECTION_ID,
            heading=heading,
            unavailable=_(
                "This cannot be computed: no school context with inspection ratings was given."
            ),
        )
    names = {r: _(code_label(r)) for r in [*fig.ratings, fig.reference]}
    lead = _lead(ctx, fig)
    charts = []
    if fig.effects:
        effects_lead = _effects_lead(ctx, fig, names)
        lead += effects_lead
        charts.append(_effects_chart(ctx, fig, names, effects_lead))
    else:
        lead.append(
            _("Too few ratings have two or more schools to compare with %(ref)s.")
            % {"ref": names[fig.reference].lower()}
        )
    return Section(
        id=SECTION_ID,
        heading=heading,
        lead=lead,
        published=_said(ctx),
        charts=charts,
        tables=[_means_table(ctx, fig, names)],
        method=[
            _(
                "Each school with enough pupils counts once, by its mean score. The table "
                "gives the mean of the school means per rating, a one-way ANOVA of the school "
                "means across the ratings with two or more schools (F, p) and eta squared "
                "(the between-rating share of the variance of school means, SS between / SS "
                "total). Hedges' g compares the school means of each rating with those of "
                "schools rated %(ref)s, with a normal-theory 95%% interval (few schools make "
                "these intervals wide). The ratings are the most recent inspection judgement "
                "in the school context."
            )
            % {"ref": names[fig.reference].lower()},
        ],
        references=[HEDGES, FISHER],
    )
