"""The school report's sections on groups of pupils (key stages, genders), on statements
(highest and lowest items) and on change since the previous wave."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from learnsurvey.analysis.statistics import NOT_GIVEN
from learnsurvey.instruments import Instrument

from . import format as fmt
from .charts import Table
from .inputs import ReportInputs
from .school_charts import change_chart
from .school_common import Gettext, ScoreLine
from .school_common import effect as _g
from .school_common import number_or_none as _num
from .school_common import records as _records

__all__ = ["PIVOT_MAX", "Breakdown", "breakdown", "change_section", "item_tables"]


def _group_label(group: str, _: Gettext) -> str:
    if group == NOT_GIVEN:
        return _("Not given")
    return _(group.replace("_", " ").capitalize()) if group.islower() else group


@dataclass
class Breakdown:
    table: Table | None
    pairs: list[Table]
    points: pd.DataFrame
    groups: list[str]
    omitted: int


def breakdown(
    grouping: str,
    summary: pd.DataFrame,
    pairs: pd.DataFrame,
    counts: pd.DataFrame,
    inst: Instrument,
    order: Sequence[str],
    title: str,
    _: Gettext,
) -> Breakdown:
    if not len(summary):
        return Breakdown(None, [], pd.DataFrame(), [], 0)
    present = set(summary[grouping])
    groups = [g for g in order if g in present] + ([NOT_GIVEN] if NOT_GIVEN in present else [])
    labels = [_group_label(g, _) for g in groups]
    means = {(r[grouping], r["dimension"]): r for r in _records(summary)}
    n_by = {r[grouping]: r for r in _records(counts)} if len(counts) else {}
    rows = [
        [_("Pupils who responded")]
        + [
            fmt.count(n_by[g]["n"]) if g in n_by and not n_by[g]["suppressed"] else fmt.HIDDEN
            for g in groups
        ]
    ]
    points: list[dict[str, Any]] = []
    for d in inst.dimensions:
        cells = []
        for g, label in zip(groups, labels, strict=True):
            r = means.get((g, d.id))
            value = None if r is None or r["suppressed"] else _num(r["mean"])
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
    shown_groups = [label for g, label in zip(groups, labels, strict=True) if g != NOT_GIVEN]
    plotted = sorted({str(p["group"]) for p in points}, key=shown_groups.index)
    return Breakdown(table, pair_tables, pd.DataFrame(points), plotted, omitted)


PIVOT_MAX = 3
"""Comparisons per table: laid out as columns (one row per dimension), this many fit A4."""


def _pair_tables(pairs: pd.DataFrame, inst: Instrument, _: Gettext) -> tuple[list[Table], int]:
    """Hedges' g of every comparison shown (tables of up to :data:`PIVOT_MAX` comparisons
    each), and how many figures were left out because a group in them is hidden."""
    if not len(pairs):
        return [], 0
    records = _records(pairs)
    comparisons: list[tuple[str, str]] = []
    for r in records:
        key = (str(r["group_a"]), str(r["group_b"]))
        if not r["suppressed"] and key not in comparisons:
            comparisons.append(key)
    omitted = sum(1 for r in records if (str(r["group_a"]), str(r["group_b"])) not in comparisons)
    notes = [_("A positive g means the first group scores higher.")]
    if omitted:
        notes.append(_("Comparisons with a group too small to show are left out."))
    by = {(str(r["dimension"]), str(r["group_a"]), str(r["group_b"])): r for r in records}

    def compared(a: str, b: str) -> str:
        return _("%(a)s with %(b)s") % {"a": _group_label(a, _), "b": _group_label(b, _)}

    chunks = [comparisons[k : k + PIVOT_MAX] for k in range(0, len(comparisons), PIVOT_MAX)]
    tables = []
    for at, chunk in enumerate(chunks, start=1):
        rows = []
        for d in inst.dimensions:
            cells = []
            for a, b in chunk:
                pair = by.get((d.id, a, b))
                if pair is None or pair["suppressed"]:
                    cells.append(fmt.HIDDEN)
                else:
                    g = _g(_num(pair["hedges_g"]), _num(pair["ci_low"]), _num(pair["ci_high"]))
                    cells.append(g)
            rows.append([d.name, *cells])
        caption = _("Differences between groups: Hedges' g with 95% confidence interval")
        if len(chunks) > 1:
            caption += " " + _("(part %(k)s of %(n)s)") % {"k": at, "n": len(chunks)}
        tables.append(
            Table(
                caption=caption,
                columns=[_("Dimension"), *[compared(a, b) for a, b in chunk]],
                rows=rows,
                numeric=[False] + [True] * len(chunk),
                notes=notes if at == len(chunks) else [],
            )
        )
    return tables, omitted


def item_tables(
    items: pd.DataFrame, inst: Instrument, phase: str | None, _: Gettext
) -> dict[str, Table | None]:
    if not len(items):
        return {"items_high": None, "items_low": None}
    by_id = {i.id: i for i in inst.items}
    dims = {d.id: d.name for d in inst.dimensions}
    primary = phase == "primary"
    out: dict[str, Table | None] = {}
    for position, key, caption in (
        ("highest", "items_high", _("The statements with the highest means")),
        ("lowest", "items_low", _("The statements with the lowest means")),
    ):
        rows = []
        for r in _records(items[items["position"] == position]):
            item = by_id[str(r["item"])]
            text = item.text.primary if primary else item.text.secondary
            if item.reverse:
                text += " " + _("(reversed)")
            rows.append([text, dims.get(item.dimension, item.dimension), fmt.number(r["mean"])])
        out[key] = Table(
            caption=caption,
            columns=[_("Statement"), _("Dimension"), _("Mean")],
            rows=rows,
            numeric=[False, False, True],
        )
    return out


def change_section(
    change: pd.DataFrame, lines: list[ScoreLine], inputs: ReportInputs, _: Gettext
) -> dict[str, Any]:
    if not len(change):
        return {"change_table": None, "change_chart": None}
    by = {(r["kind"], r["score"]): r for r in _records(change)}
    yes, no = _("Clear change"), _("No clear change")
    rows: list[list[str]] = []
    points: list[dict[str, Any]] = []
    for x in lines:
        r = by.get((x.kind, x.id))
        if r is None or bool(r["suppressed"]):
            rows.append([x.label, *[fmt.HIDDEN] * 5])
            continue
        clear = bool(r["clear"])
        rows.append(
            [
                x.label,
                fmt.number(r["mean_previous"]),
                fmt.number(r["mean_current"]),
                _g(_num(r["difference"]), _num(r["ci_low"]), _num(r["ci_high"])),
                _g(_num(r["hedges_g"]), _num(r["g_ci_low"]), _num(r["g_ci_high"])),
                yes if clear else no,
            ]
        )
        points.append(
            {
                "label": x.label,
                "difference": _num(r["difference"]),
                "ci_low": _num(r["ci_low"]),
                "ci_high": _num(r["ci_high"]),
                "clear": clear,
            }
        )
    prev = inputs.previous_wave or _("previous wave")
    table = Table(
        caption=_("Change since %(wave)s") % {"wave": prev},
        columns=[
            _("Score"),
            prev,
            inputs.wave,
            _("Difference (95% CI)"),
            _("g (95% CI)"),
            _("Reading"),
        ],
        rows=rows,
        numeric=[False, True, True, True, True, False],
    )
    chart = None
    if points:
        chart = change_chart(
            "change-chart",
            pd.DataFrame(points),
            [p["label"] for p in points],
            title=_("Change in each mean since %(wave)s, with 95%% confidence intervals")
            % {"wave": prev},
            alt_text=_(
                "For each score, a marker shows the difference between this wave's mean and "
                "the previous wave's, with a line for its 95% confidence interval; a vertical "
                "line marks no change. Diamonds mark clear changes."
            ),
            x_title=_("Difference in mean (this wave minus previous)"),
            table=table,
            label=lambda c: yes if c else no,
        )
    return {"change_table": table, "change_chart": chart}
