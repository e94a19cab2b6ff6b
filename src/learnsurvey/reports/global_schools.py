"""Sections 7 and 8 of the global report, about schools: the top and the bottom school, and
learning by inspection rating. Schools are named only when they opted in to being named
(:class:`~learnsurvey.reports.global_common.Namer`); no other school's context is shown."""

from __future__ import annotations

import pandas as pd

from learnsurvey.analysis.context import NOT_RATED
from learnsurvey.analysis.inspection import rating_effects

from . import format as fmt
from .charts import Table
from .global_charts import dot_chart
from .global_common import (
    HEDGES,
    RAUDENBUSH,
    GlobalContext,
    Section,
    as_float,
    dimension_name,
    g_cell,
    g_table,
    high_bands,
    label,
    of_total,
    published_value,
    sentence,
    unavailable,
)

__all__ = ["inspection_section", "top_bottom_section"]

REFERENCE_RATING = "good"
"""The rating every other rating is compared with (the most common in Phase One)."""


def top_bottom_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("7. The top and the bottom school")
    if ctx.tables is None:
        return unavailable(ctx, "top-bottom", heading)
    inst = ctx.inst
    top_bottom = ctx.tables["top_bottom"]
    if top_bottom.empty:
        return Section(
            id="top-bottom",
            heading=heading,
            unavailable=_("Fewer than two schools have enough pupils to be compared."),
        )
    summary = ctx.tables["school_summary"]

    def school_row(school: str, dimension: str) -> pd.Series:
        found = summary[(summary["school"] == school) & (summary["dimension"] == dimension)]
        return found.iloc[0]

    high = high_bands(inst, _)
    top_name, bottom_name = _("Top school"), _("Bottom school")
    rows, records, separated = [], [], 0
    for r in top_bottom.itertuples(index=False):
        dim = str(r.dimension)
        top = school_row(str(r.top_school), dim)
        bottom = school_row(str(r.bottom_school), dim)
        separated += int(as_float(top["shrunken_ci_low"]) > as_float(bottom["shrunken_ci_high"]))
        cells = [
            dimension_name(inst, dim),
            f"{ctx.namer(str(r.top_school))}\n{fmt.number(r.top_mean)}",
            f"{ctx.namer(str(r.bottom_school))}\n{fmt.number(r.bottom_mean)}",
            g_cell(r.effect_size, r.ci_low, r.ci_high),
            fmt.number(r.gap_pct_points, 0),
        ]
        if ctx.published is not None:
            cells.append(fmt.number(published_value(ctx, "top_bottom_g", dim)))
        rows.append(cells)
        for series, row in ((top_name, top), (bottom_name, bottom)):
            records.append(
                {
                    "label": dimension_name(inst, dim),
                    "series": series,
                    "value": float(row["mean"]),
                    "low": float(row["ci_low"]),
                    "high": float(row["ci_high"]),
                }
            )
    columns = [_("Dimension"), _("Top school\nmean"), _("Bottom school\nmean")]
    columns += [_("Hedges' g\n95% CI"), _("Gap in %% %(high)s (points)") % {"high": high}]
    if ctx.published is not None:
        columns.append(_("Published Phase One g"))
    table = Table(
        caption=_("Top against bottom school on each dimension"),
        columns=columns,
        rows=rows,
        numeric=[False, False, False, True, True, True],
        notes=[
            _(
                "Schools are named only when they agreed to be named in research; the others "
                "are called School A, School B, … (the same letter throughout this report)."
            )
        ],
    )
    ranked = top_bottom.sort_values("effect_size")
    largest, smallest = ranked.iloc[-1], ranked.iloc[0]
    lead = [
        _(
            "The gap between the top and the bottom school is largest on %(largest)s "
            "(g %(g_largest)s) and smallest on %(smallest)s (g %(g_smallest)s)."
        )
        % {
            "largest": dimension_name(inst, str(largest["dimension"])),
            "g_largest": fmt.number(largest["effect_size"]),
            "smallest": dimension_name(inst, str(smallest["dimension"])),
            "g_smallest": fmt.number(smallest["effect_size"]),
        },
        _(
            "On %(k)s dimensions the two schools' 95%% intervals (of their shrunken means) do "
            "not overlap, so the ranking of these two is secure there."
        )
        % {"k": of_total(separated, len(top_bottom), _)},
    ]
    gaps = top_bottom.sort_values("gap_pct_points")
    lead.append(
        _(
            "The difference in the share of pupils %(high)s ranges from %(low)s points "
            "(%(low_dimension)s) to %(high_points)s points (%(high_dimension)s)."
        )
        % {
            "high": high,
            "low": fmt.number(gaps.iloc[0]["gap_pct_points"], 0),
            "low_dimension": dimension_name(inst, str(gaps.iloc[0]["dimension"])),
            "high_points": fmt.number(gaps.iloc[-1]["gap_pct_points"], 0),
            "high_dimension": dimension_name(inst, str(gaps.iloc[-1]["dimension"])),
        }
    )
    chart = dot_chart(
        "top-bottom-chart",
        _("Mean score of the top and the bottom school, with 95% confidence intervals"),
        _(
            "Dot plot: for each dimension, the mean score of the top and of the bottom school "
            "with 95% confidence intervals."
        )
        + " "
        + lead[0],
        pd.DataFrame(records),
        table,
        order=[d.name for d in inst.dimensions],
        series=[top_name, bottom_name],
        x_title=_("Mean score"),
    )
    return Section(
        id="top-bottom",
        heading=heading,
        lead=lead,
        published=_top_bottom_said(ctx),
        charts=[chart],
        method=[
            _(
                "On each dimension, the top and the bottom school are those with the highest "
                "and lowest shrunken (empirical-Bayes) mean among schools with enough pupils: "
                "each school's mean is pulled towards the mean of all schools in proportion "
                "to its uncertainty, so a small school cannot come top by chance alone (REML "
                "random-intercept model). The two schools' pupils are compared by Hedges' g "
                "with a 95%% interval; the gap is the difference of their percentages of "
                "pupils %(high)s. Nothing about an unnamed school other than its survey "
                "figures is shown."
            )
            % {"high": high},
        ],
        references=[
            HEDGES,
            RAUDENBUSH,
        ],
    )


def _top_bottom_said(ctx: GlobalContext) -> list[str]:
    _ = ctx.gettext
    said = []
    gaps = published_value(ctx, "gap_points")
    if isinstance(gaps, dict) and {"smallest", "largest"} <= set(gaps):
        small, large = gaps["smallest"], gaps["largest"]
        said.append(
            _(
                "The gap in the share of pupils %(high)s ran from %(small)s points "
                "(%(small_dimension)s) to %(large)s points (%(large_dimension)s)."
            )
            % {
                "high": high_bands(ctx.inst, _),
                "small": small["points"],
                "small_dimension": dimension_name(ctx.inst, str(small["dimension"])),
                "large": large["points"],
                "large_dimension": dimension_name(ctx.inst, str(large["dimension"])),
            }
        )
    lowest = published_value(ctx, "lowest_school_rating")
    highest = published_value(ctx, "highest_school_rating")
    if lowest and highest:
        said.append(
            _(
                "The school pupils rated lowest had been judged %(lowest)s by inspectors; the "
                "school they rated highest, %(highest)s."
            )
            % {"lowest": str(lowest).lower(), "highest": str(highest).lower()}
        )
    return said


def inspection_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("8. Learning and inspection ratings")
    section_id = "inspection"
    if ctx.tables is None:
        return unavailable(ctx, section_id, heading)
    table = ctx.tables.get("inspection")
    if not ctx.has_context or table is None or table.empty:
        return Section(
            id=section_id,
            heading=heading,
            unavailable=_(
                "This cannot be computed: no school context with inspection ratings was given."
            ),
        )
    inst = ctx.inst
    ratings = list(dict.fromkeys(table["inspection_rating"]))
    counts = table.drop_duplicates("inspection_rating").set_index("inspection_rating")
    rated = [r for r in ratings if str(r).lower() not in NOT_RATED]
    n_rated = int(sum(counts.loc[r, "n_schools"] for r in rated))
    by = table.set_index(["dimension", "inspection_rating"])
    rows = []
    for d in inst.dimensions:
        part = table[table["dimension"] == d.id]
        if part.empty:
            continue
        first = part.iloc[0]
        cells = [d.name]
        for r in ratings:
            cells.append(
                fmt.number(by.loc[(d.id, r), "mean_of_school_means"])
                if (d.id, r) in by.index
                else fmt.HIDDEN
            )
        p = float(first["anova_p"])
        p_text = "< 0.001" if p < 0.001 else fmt.number(p, 3)
        cells += [fmt.number(first["anova_f"]), p_text, fmt.number(first["eta_squared"])]
        rows.append(cells)
    names = {r: _(label(r)) for r in ratings}
    headings = [
        _("%(rating)s\n(%(k)s schools)")
        % {"rating": names[r], "k": int(counts.loc[r, "n_schools"])}
        for r in ratings
    ]
    mean_table = Table(
        caption=_("Mean of school means by inspection rating, with a one-way ANOVA"),
        columns=[_("Dimension"), *headings, "F", "p", _("Eta squared")],
        rows=rows,
        numeric=[False] + [True] * (len(ratings) + 3),
        notes=[_("Schools not inspected are shown but not compared.")]
        if len(rated) < len(ratings)
        else [],
    )
    effects = rating_effects(table, reference=REFERENCE_RATING)
    lead = [_("%(k)s schools with enough pupils have an inspection rating.") % {"k": n_rated}]
    said = []
    published = published_value(ctx, "rated_schools")
    if published is not None:
        said.append(
            _("%(k)s schools rated requires improvement, good or outstanding.") % {"k": published}
        )
    if published_value(ctx, "inspection_finding"):
        said.append(sentence(published_value(ctx, "inspection_finding")))
    ps = table.drop_duplicates("dimension")["anova_p"].astype(float)
    lead.append(
        _(
            "The ratings differ at the 5%% level on %(k)s dimensions (one-way ANOVA of school "
            "means)."
        )
        % {"k": of_total(int((ps < 0.05).sum()), len(ps), _)}
    )
    charts = []
    tables = [mean_table]
    if not effects.empty:
        others = list(dict.fromkeys(effects["inspection_rating"]))
        g_rows = []
        for d in inst.dimensions:
            cells = [d.name]
            for r in others:
                row = effects[(effects["dimension"] == d.id) & (effects["inspection_rating"] == r)]
                cells.append(
                    fmt.HIDDEN
                    if row.empty
                    else g_cell(row.iloc[0].hedges_g, row.iloc[0].ci_low, row.iloc[0].ci_high)
                )
            g_rows.append(cells)
        ref = _(label(REFERENCE_RATING))
        names.setdefault(REFERENCE_RATING, ref)
        effects_table = g_table(
            _("School means of each rating against %(ref)s: Hedges' g (95%% CI)")
            % {"ref": ref.lower()},
            [f"{names[r]} − {ref}" for r in others],
            g_rows,
            _("A positive g means that rating's schools score higher than %(ref)s.")
            % {"ref": ref.lower()},
            _,
        )
        for r in others:
            part = effects[effects["inspection_rating"] == r]
            higher = int((part["hedges_g"] > 0).sum())
            clear = int(((part["ci_low"] > 0) | (part["ci_high"] < 0)).sum())
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
        data = effects.assign(
            label=[dimension_name(inst, d) for d in effects["dimension"]],
            series=[names[r] for r in effects["inspection_rating"]],
            value=effects["hedges_g"].astype(float),
            low=effects["ci_low"].astype(float),
            high=effects["ci_high"].astype(float),
        )[["label", "series", "value", "low", "high"]]
        charts.append(
            dot_chart(
                "inspection-effects",
                _("Difference from schools rated %(ref)s, Hedges' g with 95%% CI")
                % {"ref": ref.lower()},
                _(
                    "Dot plot: for each dimension, Hedges' g of the school means of each "
                    "inspection rating against schools rated %(ref)s, with 95%% intervals; a "
                    "dashed line marks no difference."
                )
                % {"ref": ref.lower()}
                + " "
                + " ".join(lead[2:]),
                data,
                effects_table,
                order=[d.name for d in inst.dimensions],
                series=[names[r] for r in others],
                x_title=_("Hedges' g against %(ref)s (school means)") % {"ref": ref.lower()},
                zero_rule=True,
            )
        )
    else:
        lead.append(
            _("Too few ratings have two or more schools to compare with %(ref)s.")
            % {"ref": _(label(REFERENCE_RATING)).lower()}
        )
    return Section(
        id=section_id,
        heading=heading,
        lead=lead,
        published=said,
        charts=charts,
        tables=tables,
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
            % {"ref": _(label(REFERENCE_RATING)).lower()},
        ],
        references=[
            HEDGES,
            "Fisher, R. A. (1925). Statistical Methods for Research Workers. Oliver & Boyd "
            "(analysis of variance).",
        ],
    )
