"""The school parts of the global figures: the top and the bottom school, inspection
ratings and the learning-focused schools against the rest."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from learnsurvey.stats.disclosure import MIN_GROUP_SCHOOLS, enough_schools

from ..context import NOT_RATED, inspection_table
from ..groups import school_table
from ..inputs import ReportInputs
from ..inspection import (
    DECILE,
    REFERENCE_RATING,
    context_summary,
    pooled_high_share,
    rating_effects,
    school_means_profile,
    top_decile,
)
from ._cells import Tables, as_number, as_whole
from ._global_groups import effect_rows
from ._global_models import (
    FocusedFigures,
    FocusedSchool,
    GroupContext,
    InspectionFigures,
    ProfileRow,
    RatingAnova,
    RatingMean,
    SchoolScore,
    TopBottom,
)

__all__ = ["focused_figures", "inspection_figures", "top_bottom_figures"]

Withheld = Literal["", "no_context", "too_few_schools"]


def _school_score(summary: pd.DataFrame, school: str, dimension: str) -> SchoolScore:
    row = summary[(summary["school"] == school) & (summary["dimension"] == dimension)].iloc[0]
    return SchoolScore(
        school=school,
        mean=as_number(row["mean"]),
        ci_low=as_number(row["ci_low"]),
        ci_high=as_number(row["ci_high"]),
        shrunken_ci_low=as_number(row["shrunken_ci_low"]),
        shrunken_ci_high=as_number(row["shrunken_ci_high"]),
    )


def top_bottom_figures(tables: Tables) -> list[TopBottom]:
    summary = tables["school_summary"]
    out = []
    for r in tables["top_bottom"].to_dict("records"):
        dim = str(r["dimension"])
        top = _school_score(summary, str(r["top_school"]), dim)
        bottom = _school_score(summary, str(r["bottom_school"]), dim)
        low, high = top.shrunken_ci_low, bottom.shrunken_ci_high
        out.append(
            TopBottom(
                dimension=dim,
                top=top,
                bottom=bottom,
                hedges_g=as_number(r["effect_size"]),
                ci_low=as_number(r["ci_low"]),
                ci_high=as_number(r["ci_high"]),
                gap_pct_points=as_number(r["gap_pct_points"]),
                separated=low is not None and high is not None and low > high,
            )
        )
    return out


def inspection_figures(inputs: ReportInputs, schools: pd.DataFrame) -> InspectionFigures | None:
    """School means by inspection rating, a one-way ANOVA, and each rating against
    :data:`~learnsurvey.analysis.inspection.REFERENCE_RATING`; None without ratings."""
    table = inspection_table(schools, inputs.schools)
    if table.empty:
        return None
    ratings = [str(r) for r in dict.fromkeys(table["inspection_rating"])]
    first = table.drop_duplicates("inspection_rating").set_index("inspection_rating")
    counts = {str(r): as_whole(first.loc[r, "n_schools"]) for r in ratings}
    rated = [r for r in ratings if r.lower() not in NOT_RATED]
    anova = table.drop_duplicates("dimension")
    effects = rating_effects(table, reference=REFERENCE_RATING)
    return InspectionFigures(
        ratings=ratings,
        n_schools=counts,
        rated=rated,
        n_rated_schools=sum(counts[r] for r in rated),
        reference=REFERENCE_RATING,
        means=[
            RatingMean(
                dimension=str(r["dimension"]),
                rating=str(r["inspection_rating"]),
                n_schools=int(r["n_schools"]),
                mean_of_school_means=as_number(r["mean_of_school_means"]),
            )
            for r in table.to_dict("records")
        ],
        anova=[
            RatingAnova(
                dimension=str(r["dimension"]),
                anova_f=as_number(r["anova_f"]),
                anova_p=as_number(r["anova_p"]),
                eta_squared=as_number(r["eta_squared"]),
            )
            for r in anova.to_dict("records")
        ],
        effects=effect_rows(
            effects.rename(columns={"inspection_rating": "group_a", "reference": "group_b"})
        ),
    )


def _profile(schools: pd.DataFrame, group: list[str]) -> list[ProfileRow]:
    return [
        ProfileRow(
            dimension=str(r["dimension"]),
            mean=as_number(r["mean"]),
            ci_low=as_number(r["ci_low"]),
            ci_high=as_number(r["ci_high"]),
            mean_rest=as_number(r["mean_rest"]),
            ci_low_rest=as_number(r["ci_low_rest"]),
            ci_high_rest=as_number(r["ci_high_rest"]),
            hedges_g=as_number(r["hedges_g"]),
            g_ci_low=as_number(r["g_ci_low"]),
            g_ci_high=as_number(r["g_ci_high"]),
        )
        for r in school_means_profile(schools, group).to_dict("records")
    ]


def _context(
    inputs: ReportInputs, group: list[str], rest: list[str], *, has_context: bool
) -> tuple[list[GroupContext], Withheld]:
    """Both groups' context, unless there is none or disclosure says the group is too small."""
    if not has_context:
        return [], "no_context"
    if not enough_schools(len(group), MIN_GROUP_SCHOOLS):
        return [], "too_few_schools"
    summaries = [context_summary(inputs.schools, part) for part in (group, rest)]
    return [
        GroupContext(**(c | {"mean_fsm_pct": as_number(c["mean_fsm_pct"])})) for c in summaries
    ], ""


def focused_figures(
    inputs: ReportInputs, schools: pd.DataFrame, *, has_context: bool
) -> FocusedFigures | None:
    """The top tenth of schools by shrunken overall mean against the rest; None when too
    few schools are shown to pick them out."""
    stats = inputs.current.stats
    overall = school_table(stats, threshold=inputs.threshold, kind="overall", label="score")
    ranked = top_decile(overall)
    group = [str(s) for s in ranked.loc[ranked["top"], "school"]]
    rest = [str(s) for s in ranked.loc[~ranked["top"], "school"]]
    if not group or len(rest) < 2:  # an SD of the rest needs two schools
        return None
    high, high_rest = pooled_high_share(stats, group), pooled_high_share(stats, rest)
    context, withheld = _context(inputs, group, rest, has_context=has_context)
    return FocusedFigures(
        share=DECILE,
        min_schools=MIN_GROUP_SCHOOLS,
        n_ranked=len(ranked),
        median=as_number(ranked["median"].iloc[0]),
        schools=[
            FocusedSchool(
                school=str(r.school),
                rank=k + 1,
                shrunken_mean=as_number(r.shrunken_mean),
                ci_low=as_number(r.shrunken_ci_low),
                ci_high=as_number(r.shrunken_ci_high),
                above_median=bool(r.above_median),
            )
            for k, r in enumerate(ranked[ranked["top"]].itertuples(index=False))
        ],
        n_rest=len(rest),
        pct_high=as_number(high),
        pct_high_rest=as_number(high_rest),
        ratio=as_number(high / high_rest) if high_rest > 0 else None,
        profile=_profile(schools, group),
        context=context,
        context_withheld=withheld,
    )
