"""The school report's key stage and gender section: each group's dimension means, the
differences between groups (Hedges' g) and a chart of the groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from learnsurvey.analysis.figures.school import CountFigure, EffectFigure, GroupFigure
from learnsurvey.analysis.labels import group_label
from learnsurvey.analysis.statistics import NOT_GIVEN
from learnsurvey.instruments import Instrument

from .. import format as fmt
from ..charts import Chart, Table
from .charts import group_chart
from .tables import FittedTable, Gettext, effect

__all__ = ["PIVOT_MAX", "Breakdown", "breakdown", "group_figure"]

PIVOT_MAX = 3
"""Comparisons per table: laid out as columns (one row per dimension), this many fit A4."""


@dataclass
class Breakdown:
    """One grouping's tables, and the points of its chart."""

    table: Table | None = None
    pairs: list[Table] = field(default_factory=list)
    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    groups: list[str] = field(default_factory=list)
    """The labels of the groups drawn (not given is never drawn)."""
    omitted: int = 0
    """Comparisons left out because a group in them is hidden."""


def _pupils_row(groups: list[str], counts: list[CountFigure], _: Gettext) -> list[str]:
    n_by = {c.group: c for c in counts}
    cells = [
        fmt.count(n_by[g].n) if g in n_by and not n_by[g].suppressed else fmt.HIDDEN for g in groups
    ]
    return [_("Pupils who responded"), *cells]


def breakdown(
    summary: list[GroupFigure],
    pairs: list[EffectFigure],
    counts: list[CountFigure],
    inst: Instrument,
    order: Sequence[str],
    title: str,
    _: Gettext,
) -> Breakdown:
    """The means of each group of the school by dimension, with the group comparisons."""
    if not summary:
        return Breakdown()
    present = {r.group for r in summary}
    groups = [g for g in order if g in present] + ([NOT_GIVEN] if NOT_GIVEN in present else [])
    labels = [group_label(g, _) for g in groups]
    means = {(r.group, r.dimension): r for r in summary}
    rows = [_pupils_row(groups, counts, _)]
    points: list[dict[str, object]] = []
    for d in inst.dimensions:
        cells = []
        for g, label in zip(groups, labels, strict=True):
            r = means.get((g, d.id))
            value = None if r is None or r.suppressed else r.mean
            cells.append(fmt.number(value))
            if value is not None and g != NOT_GIVEN:
                points.append({"label": d.name, "group": label, "mean": value})
        rows.append([d.name, *cells])
    table = Table(
        caption=title,
        columns=[_("Dimension"), *labels],
        rows=rows,
        numeric=[False] + [True] * len(groups),
    )
    pair_tables, omitted = _pair_tables(pairs, inst, _)
    drawn = [label for g, label in zip(groups, labels, strict=True) if g != NOT_GIVEN]
    plotted = sorted({str(p["group"]) for p in points}, key=drawn.index)
    return Breakdown(table, pair_tables, pd.DataFrame(points), plotted, omitted)


def _comparisons(pairs: list[EffectFigure]) -> tuple[list[tuple[str, str]], int]:
    """The comparisons shown (in order of first appearance) and the figures left out."""
    shown: list[tuple[str, str]] = []
    for r in pairs:
        if not r.suppressed and (r.group_a, r.group_b) not in shown:
            shown.append((r.group_a, r.group_b))
    omitted = sum(1 for r in pairs if (r.group_a, r.group_b) not in shown)
    return shown, omitted


def _pair_table(
    chunk: list[tuple[str, str]],
    by: dict[tuple[str, str, str], EffectFigure],
    inst: Instrument,
    _: Gettext,
) -> tuple[list[str], list[list[str]]]:
    def compared(a: str, b: str) -> str:
        return _("%(a)s with %(b)s") % {"a": group_label(a, _), "b": group_label(b, _)}

    rows = []
    for d in inst.dimensions:
        cells = []
        for a, b in chunk:
            pair = by.get((d.id, a, b))
            shown = pair is not None and not pair.suppressed
            cells.append(
                effect(pair.hedges_g, pair.ci_low, pair.ci_high) if shown and pair else fmt.HIDDEN
            )
        rows.append([d.name, *cells])
    return [_("Dimension"), *[compared(a, b) for a, b in chunk]], rows


def _pair_tables(
    pairs: list[EffectFigure], inst: Instrument, _: Gettext
) -> tuple[list[Table], int]:
    """Hedges' g of every comparison shown (tables of up to :data:`PIVOT_MAX` comparisons
    each), and how many figures were left out because a group in them is hidden."""
    comparisons, omitted = _comparisons(pairs)
    notes = [_("A positive g means the first group scores higher.")]
    if omitted:
        notes.append(_("Comparisons with a group too small to show are left out."))
    by = {(r.dimension, r.group_a, r.group_b): r for r in pairs}
    chunks = [comparisons[k : k + PIVOT_MAX] for k in range(0, len(comparisons), PIVOT_MAX)]
    tables: list[Table] = []
    for at, chunk in enumerate(chunks, start=1):
        columns, rows = _pair_table(chunk, by, inst, _)
        caption = _("Differences between groups: Hedges' g with 95% confidence interval")
        if len(chunks) > 1:
            caption += " " + _("(part %(k)s of %(n)s)") % {"k": at, "n": len(chunks)}
        tables.append(
            FittedTable(
                caption=caption,
                columns=columns,
                rows=rows,
                numeric=[False] + [True] * len(chunk),
                notes=notes if at == len(chunks) else [],
            )
        )
    return tables, omitted


def group_figure(
    key_stages: Breakdown, genders: Breakdown, inst: Instrument, _: Gettext
) -> Chart | None:
    """The chart of the key stages (or, with one key stage only, of the genders)."""
    chosen, what = (key_stages, _("key stage"))
    if len(key_stages.groups) < 2:
        chosen, what = (genders, _("gender"))
    if len(chosen.groups) < 2 or chosen.table is None:
        return None
    return group_chart(
        "group-chart",
        chosen.points,
        [d.name for d in inst.dimensions],
        chosen.groups,
        title=_("Mean of each dimension by %(what)s") % {"what": what},
        alt_text=_(
            "For each dimension, one differently shaped dot per %(what)s shows its mean "
            "score; groups too small to show are left out."
        )
        % {"what": what},
        x_title=_("Mean score (1 to 5)"),
        table=chosen.table,
    )
