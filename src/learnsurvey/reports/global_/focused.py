"""Section 9 of the global report: the learning-focused schools, the top tenth of schools on
the overall score, against the rest. Unnamed schools appear only by pseudonym and their
context only in aggregate, for groups that :mod:`learnsurvey.stats.disclosure` allows."""

from __future__ import annotations

import pandas as pd

from learnsurvey.analysis.figures.global_ import FocusedFigures, GroupContext, ProfileRow
from learnsurvey.analysis.labels import code_label

from .. import format as fmt
from ..charts import Chart, Table
from .charts import dot_chart
from .context import GlobalContext, published_value, unavailable
from .method import HEDGES, RAUDENBUSH
from .section import Section
from .words import g_cell, high_bands

__all__ = ["focused_section"]

SECTION_ID = "focused"


def _schools_table(ctx: GlobalContext, fig: FocusedFigures) -> Table:
    _ = ctx.gettext
    rows = [
        [
            ctx.school(s.school),
            fmt.count(s.rank),
            fmt.number(s.shrunken_mean),
            fmt.ci(s.ci_low, s.ci_high),
            _("Yes") if s.above_median else _("No"),
        ]
        for s in fig.schools
    ]
    return Table(
        caption=_("The learning-focused schools (top tenth on the overall score)"),
        columns=[
            _("School"),
            _("Rank"),
            _("Shrunken mean"),
            _("95% CI"),
            _("Clearly above median"),
        ],
        rows=rows,
        numeric=[False, True, True, True, False],
        notes=[
            _(
                "The median school's shrunken mean is %(median)s. Clearly above median: "
                "the whole 95%% interval lies above it."
            )
            % {"median": fmt.number(fig.median)}
        ],
    )


def _context_cells(ctx: GlobalContext, group: GroupContext) -> list[str]:
    """Phase mix, mean FSM % and ratings of a group of schools, as cells."""
    _ = ctx.gettext
    return [
        "; ".join(f"{_(code_label(k))} {v}" for k, v in group.phases.items()) or fmt.HIDDEN,
        fmt.pct(group.mean_fsm_pct, 1),
        "; ".join(f"{_(code_label(k))} {v}" for k, v in group.ratings.items()) or fmt.HIDDEN,
    ]


def _context_table(ctx: GlobalContext, fig: FocusedFigures) -> Table:
    _ = ctx.gettext
    focused, rest = fig.context
    return Table(
        caption=_("The learning-focused schools against the rest: their context"),
        columns=[_("Schools"), _("Number"), _("Phase"), _("Mean FSM %"), _("Inspection ratings")],
        rows=[
            [_("Learning-focused"), fmt.count(focused.n_schools), *_context_cells(ctx, focused)],
            [_("The rest"), fmt.count(rest.n_schools), *_context_cells(ctx, rest)],
        ],
        numeric=[False, True, False, True, False],
    )


def _ordered(ctx: GlobalContext, fig: FocusedFigures) -> list[ProfileRow]:
    rows = {p.dimension: p for p in fig.profile}
    return [rows[d.id] for d in ctx.inst.dimensions if d.id in rows]


def _profile_table(ctx: GlobalContext, fig: FocusedFigures) -> Table:
    _ = ctx.gettext
    names = {d.id: d.name for d in ctx.inst.dimensions}
    return Table(
        caption=_("Dimension profile: mean of school means, learning-focused schools and the rest"),
        columns=[_("Dimension"), _("Learning-focused"), _("The rest"), _("Hedges' g\n95% CI")],
        rows=[
            [
                names[p.dimension],
                fmt.number(p.mean),
                fmt.number(p.mean_rest),
                g_cell(p.hedges_g, p.g_ci_low, p.g_ci_high),
            ]
            for p in _ordered(ctx, fig)
        ],
        numeric=[False, True, True, True],
    )


def _profile_data(ctx: GlobalContext, fig: FocusedFigures) -> pd.DataFrame:
    _ = ctx.gettext
    names = {d.id: d.name for d in ctx.inst.dimensions}
    records = []
    for p in _ordered(ctx, fig):
        label = names[p.dimension]
        records += [
            {"label": label, "series": _("Learning-focused"), "value": p.mean},
            {"label": label, "series": _("The rest"), "value": p.mean_rest},
        ]
        records[-2] |= {"low": p.ci_low, "high": p.ci_high}
        records[-1] |= {"low": p.ci_low_rest, "high": p.ci_high_rest}
    return pd.DataFrame(records)


def _profile_chart(ctx: GlobalContext, fig: FocusedFigures, lead: str) -> Chart:
    _ = ctx.gettext
    return dot_chart(
        "focused-profile",
        _("Dimension profile of the learning-focused schools and the rest"),
        _(
            "Dot plot: for each dimension, the mean of the school means of the learning-focused "
            "schools and of the other schools, with 95% intervals."
        )
        + " "
        + lead,
        _profile_data(ctx, fig),
        _profile_table(ctx, fig),
        order=[d.name for d in ctx.inst.dimensions],
        series=[_("Learning-focused"), _("The rest")],
        x_title=_("Mean of school means"),
    )


def _lead(ctx: GlobalContext, fig: FocusedFigures) -> list[str]:
    _ = ctx.gettext
    above = sum(1 for s in fig.schools if s.above_median)
    lead = [
        _(
            "The top tenth of schools on the overall score are %(k)s of the %(n)s schools with "
            "enough pupils. %(above)s of them have a 95%% interval wholly above the median "
            "school: being in the top tenth is itself uncertain."
        )
        % {"k": len(fig.schools), "n": fig.n_ranked, "above": above},
        _(
            "In these schools %(group)s of pupils are %(high)s overall, against %(rest)s in "
            "the rest (%(ratio)s times as many)."
        )
        % {
            "group": fmt.pct(fig.pct_high),
            "high": high_bands(ctx.inst, _),
            "rest": fmt.pct(fig.pct_high_rest),
            "ratio": fmt.number(fig.ratio, 1),
        },
    ]
    if fig.context_withheld == "no_context":
        lead.append(
            _(
                "No school context was given, so the group's phases, free-school-meals share "
                "and inspection ratings cannot be described."
            )
        )
    elif fig.context_withheld == "too_few_schools":
        lead.append(
            _(
                "The group is too small to describe its schools' context without describing a "
                "school."
            )
        )
    return lead


def _said(ctx: GlobalContext) -> list[str]:
    _ = ctx.gettext
    said = []
    share = published_value(ctx, "learning_focused_share")
    if share is not None:
        said.append(
            _("About %(share)s of schools were learning-focused.")
            % {"share": fmt.pct(100 * float(share))}
        )
    if published_value(ctx, "strong_culture_vs_weak"):
        said.append(
            _("Schools with a strong learning culture and climate did %(how)s as those without.")
            % {"how": published_value(ctx, "strong_culture_vs_weak")}
        )
    return said


def focused_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("9. Learning-focused schools")
    if not ctx.computed:
        return unavailable(ctx, SECTION_ID, heading)
    fig = ctx.figures.focused
    if fig is None:
        return Section(
            id=SECTION_ID,
            heading=heading,
            unavailable=_("Too few schools have enough pupils to pick out the top tenth."),
        )
    lead = _lead(ctx, fig)
    tables = [_schools_table(ctx, fig)]
    if fig.context:
        tables.append(_context_table(ctx, fig))
    return Section(
        id=SECTION_ID,
        heading=heading,
        lead=lead,
        published=_said(ctx),
        charts=[_profile_chart(ctx, fig, lead[1])],
        tables=tables,
        method=[_method(ctx, fig)],
        references=[HEDGES, RAUDENBUSH],
    )


def _method(ctx: GlobalContext, fig: FocusedFigures) -> str:
    _ = ctx.gettext
    return _(
        "Learning-focused schools are the top %(share)s (rounded up) of the schools "
        "with enough pupils, ranked by the shrunken (empirical-Bayes) mean of the "
        "overall score — the mean of all dimensions — as the Phase One report's "
        "'learning culture and climate' covers every dimension. A school is clearly "
        "above the median when the lower end of its 95%% interval is above the median "
        "school's shrunken mean. The share %(high)s pools the pupils of each group; "
        "the profile compares school means (each school once) by Hedges' g, and its "
        "chart shows each group's mean of school means with a t-based 95%% interval. "
        "The group's context (phase, mean free-school-meals %%, ratings) is shown only "
        "for groups of %(min)s or more schools."
    ) % {"share": fmt.pct(100 * fig.share), "high": high_bands(ctx.inst, _), "min": fig.min_schools}
