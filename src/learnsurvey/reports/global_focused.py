"""Section 9 of the global report: the learning-focused schools, the top tenth of schools on
the overall score, against the rest. Unnamed schools appear only by pseudonym and their
context only in aggregate."""

from __future__ import annotations

import pandas as pd

from learnsurvey.analysis.groups import school_table
from learnsurvey.analysis.inspection import DECILE, top_decile
from learnsurvey.stats.effects import hedges_g, mean_interval

from . import format as fmt
from .charts import Table
from .global_charts import dot_chart
from .global_common import (
    HEDGES,
    RAUDENBUSH,
    GlobalContext,
    Section,
    g_cell,
    high_bands,
    label,
    published_value,
    unavailable,
)

__all__ = ["MIN_GROUP_SCHOOLS", "focused_section"]

MIN_GROUP_SCHOOLS = 5
"""A group of schools is described by its context (phase, FSM %, ratings) only when it has
at least this many, so no single unnamed school's context can be read off."""


def _context_summary(ctx: GlobalContext, schools: list[str]) -> list[str]:
    """Phase mix, mean FSM % and ratings of a group of schools, as cells."""
    _ = ctx.gettext
    info = ctx.inputs.schools.set_index("school").reindex(schools)
    phases = info["phase"].dropna().map(lambda v: _(label(v))).value_counts()
    ratings = info["inspection_rating"].dropna().map(lambda v: _(label(v))).value_counts()
    fsm = info["fsm_pct"].dropna()
    return [
        "; ".join(f"{k} {v}" for k, v in phases.items()) or fmt.HIDDEN,
        fmt.pct(fsm.mean(), 1) if len(fsm) else fmt.HIDDEN,
        "; ".join(f"{k} {v}" for k, v in ratings.items()) or fmt.HIDDEN,
    ]


def _mean_interval(values: pd.Series) -> tuple[float, float, float]:
    """Mean of school means with its t-based 95% interval."""
    mean = float(values.mean())
    low, high = mean_interval(len(values), mean, float(values.std(ddof=1)))
    return mean, float(low), float(high)


def _weighted_high(part: pd.DataFrame) -> float:
    """The share of a group's pupils in the high bands (pupils pooled across its schools)."""
    n = part["n"].astype(float)
    return float((n * part["pct_quite_or_very_high"].astype(float)).sum() / n.sum())


def focused_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("9. Learning-focused schools")
    section_id = "focused"
    if ctx.tables is None:
        return unavailable(ctx, section_id, heading)
    inst = ctx.inst
    overall = school_table(
        ctx.inputs.current.stats, threshold=ctx.threshold, kind="overall", label="score"
    )
    ranked = top_decile(overall)
    group = ranked[ranked["top"]]
    rest = ranked[~ranked["top"]]
    if len(group) == 0 or len(rest) < 2:
        return Section(
            id=section_id,
            heading=heading,
            unavailable=_("Too few schools have enough pupils to pick out the top tenth."),
        )
    above = int(group["above_median"].sum())
    high = high_bands(inst, _)
    focused, others = _("Learning-focused"), _("The rest")
    g_high, r_high = _weighted_high(group), _weighted_high(rest)
    list_rows = [
        [
            ctx.namer(str(r.school)),
            fmt.count(k + 1),
            fmt.number(r.shrunken_mean),
            fmt.ci(r.shrunken_ci_low, r.shrunken_ci_high),
            _("Yes") if bool(r.above_median) else _("No"),
        ]
        for k, r in enumerate(group.itertuples(index=False))
    ]
    tables = [
        Table(
            caption=_("The learning-focused schools (top tenth on the overall score)"),
            columns=[
                _("School"),
                _("Rank"),
                _("Shrunken mean"),
                _("95% CI"),
                _("Clearly above median"),
            ],
            rows=list_rows,
            numeric=[False, True, True, True, False],
            notes=[
                _(
                    "The median school's shrunken mean is %(median)s. Clearly above median: "
                    "the whole 95%% interval lies above it."
                )
                % {"median": fmt.number(ranked["median"].iloc[0])}
            ],
        )
    ]
    if len(group) >= MIN_GROUP_SCHOOLS and ctx.has_context:
        tables.append(
            Table(
                caption=_("The learning-focused schools against the rest: their context"),
                columns=[
                    _("Schools"),
                    _("Number"),
                    _("Phase"),
                    _("Mean FSM %"),
                    _("Inspection ratings"),
                ],
                rows=[
                    [focused, fmt.count(len(group)), *_context_summary(ctx, list(group.school))],
                    [others, fmt.count(len(rest)), *_context_summary(ctx, list(rest.school))],
                ],
                numeric=[False, True, False, True, False],
            )
        )
    dims = ctx.tables["school_summary"]
    dims = dims[~dims["suppressed"].astype(bool)]
    records, profile_rows = [], []
    for d in inst.dimensions:
        part = dims[dims["dimension"] == d.id]
        a = part[part["school"].isin(group.school)]["mean"].astype(float)
        b = part[~part["school"].isin(group.school)]["mean"].astype(float)
        g = hedges_g(len(a), a.mean(), a.std(ddof=1), len(b), b.mean(), b.std(ddof=1)).iloc[0]
        profile_rows.append(
            [
                d.name,
                fmt.number(a.mean()),
                fmt.number(b.mean()),
                g_cell(g["hedges_g"], g["ci_low"], g["ci_high"]),
            ]
        )
        for series, values in ((focused, a), (others, b)):
            mean, low, up = _mean_interval(values)
            records.append(
                {"label": d.name, "series": series, "value": mean, "low": low, "high": up}
            )
    profile = Table(
        caption=_("Dimension profile: mean of school means, learning-focused schools and the rest"),
        columns=[_("Dimension"), focused, others, _("Hedges' g\n95% CI")],
        rows=profile_rows,
        numeric=[False, True, True, True],
    )
    ratio = g_high / r_high if r_high > 0 else float("nan")
    lead = [
        _(
            "The top tenth of schools on the overall score are %(k)s of the %(n)s schools with "
            "enough pupils. %(above)s of them have a 95%% interval wholly above the median "
            "school: being in the top tenth is itself uncertain."
        )
        % {"k": len(group), "n": len(ranked), "above": above},
        _(
            "In these schools %(group)s of pupils are %(high)s overall, against %(rest)s in "
            "the rest (%(ratio)s times as many)."
        )
        % {
            "group": fmt.pct(g_high),
            "high": high,
            "rest": fmt.pct(r_high),
            "ratio": fmt.number(ratio, 1),
        },
    ]
    if not ctx.has_context:
        lead.append(
            _(
                "No school context was given, so the group's phases, free-school-meals share "
                "and inspection ratings cannot be described."
            )
        )
    elif len(group) < MIN_GROUP_SCHOOLS:
        lead.append(
            _(
                "The group is too small to describe its schools' context without describing a "
                "school."
            )
        )
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
    chart = dot_chart(
        "focused-profile",
        _("Dimension profile of the learning-focused schools and the rest"),
        _(
            "Dot plot: for each dimension, the mean of the school means of the learning-focused "
            "schools and of the other schools, with 95% intervals."
        )
        + " "
        + lead[1],
        pd.DataFrame(records),
        profile,
        order=[d.name for d in inst.dimensions],
        series=[focused, others],
        x_title=_("Mean of school means"),
    )
    return Section(
        id=section_id,
        heading=heading,
        lead=lead,
        published=said,
        charts=[chart],
        tables=tables,
        method=[
            _(
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
            )
            % {"share": fmt.pct(100 * DECILE), "high": high, "min": MIN_GROUP_SCHOOLS},
        ],
        references=[HEDGES, RAUDENBUSH],
    )
