"""Section 1 of the global report: the sample (pupils, schools and trusts; pupils by phase,
key stage and gender), every count suppressed as a partition of the wave's total."""

from __future__ import annotations

from learnsurvey.analysis.figures.global_ import CountRow, SampleFigures
from learnsurvey.analysis.labels import group_label

from .. import format as fmt
from ..charts import Table
from .context import GlobalContext, published_value
from .method import HUNDEPOOL
from .section import Section
from .words import sentence

__all__ = ["sample_section"]


def _count_table(
    ctx: GlobalContext, rows: list[CountRow], caption: str, heading: str, *, schools: bool
) -> Table:
    """Pupils per group (and schools, for phases), as analysis suppressed them."""
    _ = ctx.gettext
    cells = []
    for row in rows:
        line = [group_label(row.group, _), fmt.count(row.n), fmt.pct(row.pct)]
        if schools:
            line.insert(1, fmt.count(row.schools))
        cells.append(line)
    columns = [heading, _("Pupils"), _("Share of pupils")]
    if schools:
        columns.insert(1, _("Schools"))
    return Table(caption=caption, columns=columns, rows=cells, numeric=[False] + [True] * 3)


def _overview(ctx: GlobalContext, sample: SampleFigures) -> Table:
    _ = ctx.gettext
    overview: list[tuple[str, str, str | None]] = [
        (_("Pupils who responded"), fmt.count(sample.n_responses), "responses"),
        (_("Schools"), fmt.count(sample.n_schools), "schools"),
        (_("Trusts"), fmt.count(sample.n_trusts), None),
        (_("Items"), fmt.count(sample.n_items), "items"),
    ]
    columns = [_("Figure"), _("This wave")]
    if ctx.published is not None:
        columns.append(_("Published Phase One"))
        rows = [[a, b, fmt.count(published_value(ctx, c) if c else None)] for a, b, c in overview]
    else:
        rows = [[a, b] for a, b, _c in overview]
    notes = (
        [] if sample.n_trusts is not None else [_("No school context gives the schools' trusts.")]
    )
    if not sample.phases:
        notes.append(_("No school context gives the schools' phases."))
    return Table(
        caption=_("The sample at a glance"),
        columns=columns,
        rows=rows,
        numeric=[False, True, True],
        notes=notes,
    )


def _tables(ctx: GlobalContext, sample: SampleFigures) -> list[Table]:
    _ = ctx.gettext
    tables = [_overview(ctx, sample)]
    if sample.phases:
        tables.append(
            _count_table(
                ctx, sample.phases, _("Pupils by phase of school"), _("Phase"), schools=True
            )
        )
    for rows, caption, head in (
        (sample.key_stages, _("Pupils by key stage"), _("Key stage")),
        (sample.genders, _("Pupils by gender"), _("Gender")),
    ):
        tables.append(_count_table(ctx, rows, caption, head, schools=False))
    return tables


def sample_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("1. The sample")
    sample = ctx.figures.sample
    if sample is None:
        return Section(
            id="sample",
            heading=heading,
            unavailable=_("This wave has too few responses for any figure to be shown."),
        )
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
                "pupils": fmt.count(sample.n_responses),
                "schools": fmt.count(sample.n_schools),
                "items": sample.n_items,
            }
        ],
        tables=_tables(ctx, sample),
        method=[
            _(
                "Counts of responses, by the phase of the pupil's school (from the school "
                "context), the key stage and the gender the pupil gave. Each table partitions "
                "all responses, so a group of fewer than the threshold is hidden together with "
                "the next smallest group (complementary suppression), so it cannot be "
                "recovered by subtraction from the total."
            ),
        ],
        references=[HUNDEPOOL],
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
