"""Section 1 of the global report: the sample (pupils, schools and trusts; pupils by phase,
key stage and gender), every count suppressed as a partition of the wave's total."""

from __future__ import annotations

import pandas as pd

from learnsurvey.analysis.statistics import NOT_GIVEN
from learnsurvey.stats.disclosure import suppress

from . import format as fmt
from .charts import Table
from .global_common import (
    GlobalContext,
    Section,
    label,
    published_value,
    sentence,
)

__all__ = ["sample_section"]


def _count_table(
    ctx: GlobalContext, counts: pd.DataFrame, key: str, caption: str, heading: str
) -> Table:
    """Pupils per group, suppressed as a partition of the wave's total (complementary rule)."""
    total = float(counts["n"].sum())
    counts = counts.assign(pct=100.0 * counts["n"] / total)
    shown = suppress(counts, threshold=ctx.threshold, keep=[key])
    with_schools = "schools" in shown.columns
    rows = []
    for row in shown.itertuples(index=False):
        cells = [label(getattr(row, key)), fmt.count(row.n), fmt.pct(row.pct)]
        if with_schools:
            cells.insert(1, fmt.count(row.schools))
        rows.append(cells)
    _ = ctx.gettext
    columns = [heading, _("Pupils"), _("Share of pupils")]
    if with_schools:
        columns.insert(1, _("Schools"))
    return Table(caption=caption, columns=columns, rows=rows, numeric=[False] + [True] * 3)


def _ordered_counts(
    responses: pd.DataFrame, key: str, order: list[str], not_given: str
) -> pd.DataFrame:
    counts = responses.groupby(key, sort=False)["n"].sum().reset_index()
    rank = {g: k for k, g in enumerate([*order, NOT_GIVEN])}
    counts["_order"] = counts[key].map(rank).fillna(len(rank))
    counts = counts.sort_values(["_order", key]).drop(columns="_order")
    counts[key] = counts[key].replace({NOT_GIVEN: not_given})
    return counts.reset_index(drop=True)


def sample_section(ctx: GlobalContext) -> Section:
    inputs = ctx.inputs
    responses = inputs.current.responses
    total = int(responses["n"].sum())
    _ = ctx.gettext
    heading = _("1. The sample")
    if total < ctx.threshold:
        return Section(
            id="sample",
            heading=heading,
            unavailable=_("This wave has too few responses for any figure to be shown."),
        )
    schools = inputs.schools.set_index("school")
    responding = sorted(set(responses["school"].astype(str)))
    trusts = schools.reindex(responding)["trust"].dropna()
    has_trusts = len(trusts) > 0
    overview = [
        [_("Pupils who responded"), fmt.count(total), published_value(ctx, "responses")],
        [_("Schools"), fmt.count(len(responding)), published_value(ctx, "schools")],
        [
            _("Trusts"),
            fmt.count(trusts.nunique()) if has_trusts else fmt.HIDDEN,
            None,
        ],
        [_("Items"), fmt.count(len(ctx.inst.items)), published_value(ctx, "items")],
    ]
    columns = [_("Figure"), _("This wave")]
    if ctx.published is not None:
        columns.append(_("Published Phase One"))
        rows = [[a, b, fmt.count(c)] for a, b, c in overview]
    else:
        rows = [[a, b] for a, b, _c in overview]
    phase = responses.assign(
        phase=responses["school"].map(schools["phase"]).fillna(NOT_GIVEN).astype(str)
    )
    by_phase = phase.groupby("phase", sort=True).agg(n=("n", "sum"), schools=("school", "nunique"))
    by_phase = by_phase.reset_index()
    by_phase = pd.concat(
        [by_phase[by_phase["phase"] != NOT_GIVEN], by_phase[by_phase["phase"] == NOT_GIVEN]]
    )
    has_phases = bool((by_phase["phase"] != NOT_GIVEN).any())
    notes = [] if has_trusts else [_("No school context gives the schools' trusts.")]
    if not has_phases:
        notes.append(_("No school context gives the schools' phases."))
    tables = [
        Table(
            caption=_("The sample at a glance"),
            columns=columns,
            rows=rows,
            numeric=[False, True, True],
            notes=notes,
        )
    ]
    not_given = _("not given")
    by_phase["phase"] = by_phase["phase"].replace({NOT_GIVEN: not_given})
    if has_phases:
        tables.append(
            _count_table(ctx, by_phase, "phase", _("Pupils by phase of school"), _("Phase"))
        )
    demo = ctx.inst.demographics
    for key, order, caption, head in (
        ("key_stage", list(demo.key_stages), _("Pupils by key stage"), _("Key stage")),
        ("gender", list(demo.genders), _("Pupils by gender"), _("Gender")),
    ):
        counts = _ordered_counts(responses, key, order, not_given)
        tables.append(_count_table(ctx, counts, key, caption, head))
    return Section(
        id="sample",
        heading=heading,
        published=_said(ctx),
        lead=[
            _(
                "%(pupils)s pupils from %(schools)s schools answered the %(items)s items of "
                "the survey in this wave."
            )
            % {
                "pupils": fmt.count(total),
                "schools": fmt.count(len(responding)),
                "items": len(ctx.inst.items),
            }
        ],
        tables=tables,
        method=[
            _(
                "Counts of responses, by the phase of the pupil's school (from the school "
                "context), the key stage and the gender the pupil gave. Each table partitions "
                "all responses, so a group of fewer than the threshold is hidden together with "
                "the next smallest group (complementary suppression), so it cannot be "
                "recovered by subtraction from the total."
            ),
        ],
        references=[
            "Hundepool, A. et al. (2012). Statistical Disclosure Control. Wiley, ch. 4.",
        ],
    )


def _said(ctx: GlobalContext) -> list[str]:
    _ = ctx.gettext
    said = []
    responses, schools = published_value(ctx, "responses"), published_value(ctx, "schools")
    if responses is not None and schools is not None:
        window = published_value(ctx, "window")
        said.append(
            _("%(responses)s responses from %(schools)s schools and groups.")
            % {"responses": fmt.count(responses), "schools": fmt.count(schools)}
        )
        if window:
            said.append(sentence(_("Surveyed in the %(window)s") % {"window": window}))
    if published_value(ctx, "phase_split"):
        said.append(
            sentence(_("Pupils: %(split)s") % {"split": published_value(ctx, "phase_split")})
        )
    return said
