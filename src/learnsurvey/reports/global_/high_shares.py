"""Section 4 of the global report: the share of pupils quite or very high on each dimension
and notion."""

from __future__ import annotations

import pandas as pd

from learnsurvey.analysis.figures.global_ import ScoreSummary

from .. import format as fmt
from ..charts import Table
from .charts import bar_chart
from .context import GlobalContext, published_value, unavailable
from .section import Section
from .words import dimension_name, high_bands

__all__ = ["high_section"]


def _ordered(ctx: GlobalContext) -> list[tuple[str, ScoreSummary]]:
    """(notion name, score) per notion and then its dimensions, in the instrument's order."""
    by = {(s.kind, s.score): s for s in ctx.figures.scores}
    out = []
    for f in ctx.inst.factors:
        out.append((f.name, by[("notion", f.id)]))
        out += [(f.name, by[("dimension", d.id)]) for d in ctx.inst.dimensions_of(f.id)]
    return out


def _name(ctx: GlobalContext, score: ScoreSummary) -> str:
    name = dimension_name(ctx.inst, score.score)
    if score.kind == "notion":
        return ctx.gettext("%(name)s (notion)") % {"name": name}
    return name


def _table(ctx: GlobalContext, high: str) -> Table:
    _ = ctx.gettext
    rows = []
    for _group, s in _ordered(ctx):
        cells = [
            _name(ctx, s),
            fmt.count(s.n),
            fmt.number(s.mean),
            fmt.ci(s.ci_low, s.ci_high),
            fmt.pct(s.pct_high),
        ]
        if ctx.published is not None:
            cells.append(fmt.pct(published_value(ctx, "pct_high", s.score)))
        rows.append(cells)
    columns = [_("Score"), _("Pupils"), _("Mean"), _("Mean 95% CI"), f"% {high}"]
    if ctx.published is not None:
        columns.append(_("Published Phase One %"))
    return Table(
        caption=_("Share of pupils %(high)s, by dimension and notion") % {"high": high},
        columns=columns,
        rows=rows,
        numeric=[False] + [True] * (len(columns) - 1),
    )


def _data(ctx: GlobalContext) -> pd.DataFrame:
    records = [
        {
            "label": _name(ctx, s),
            "group": group,
            "kind": s.kind,
            "value": s.pct_high,
            "text": fmt.pct(s.pct_high),
        }
        for group, s in _ordered(ctx)
        if not s.suppressed
    ]
    return pd.DataFrame(records)


def _lead(ctx: GlobalContext, high: str) -> list[str]:
    shown = [s for s in ctx.figures.scores if s.kind == "dimension" and s.pct_high is not None]
    if not shown:
        return []
    top = max(shown, key=lambda s: s.pct_high or 0.0)
    bottom = min(shown, key=lambda s: s.pct_high or 0.0)
    return [
        ctx.gettext(
            "The most pupils are %(high)s on %(top)s (%(top_pct)s); the fewest on "
            "%(bottom)s (%(bottom_pct)s)."
        )
        % {
            "high": high,
            "top": dimension_name(ctx.inst, top.score),
            "top_pct": fmt.pct(top.pct_high),
            "bottom": dimension_name(ctx.inst, bottom.score),
            "bottom_pct": fmt.pct(bottom.pct_high),
        }
    ]


def high_section(ctx: GlobalContext) -> Section:
    _ = ctx.gettext
    heading = _("4. Pupils who are quite or very high")
    if not ctx.computed:
        return unavailable(ctx, "high", heading)
    inst = ctx.inst
    high = high_bands(inst, _)
    lead = _lead(ctx, high)
    data = _data(ctx)
    chart = bar_chart(
        "high-share",
        _("Share of pupils %(high)s") % {"high": high},
        _(
            "Horizontal bars, one per dimension and notion, grouped by notion: the percentage "
            "of pupils whose score is %(high)s."
        )
        % {"high": high}
        + (" " + lead[0] if lead else ""),
        data,
        _table(ctx, high),
        x_title=_("%% of pupils %(high)s") % {"high": high},
        order=list(data["label"]) if len(data) else [],
        groups=[f.name for f in inst.factors],
    )
    bands = ", ".join(
        _("%(band)s from %(min)s") % {"band": b.name, "min": fmt.number(b.min, 1)}
        for b in inst.bands
    )
    return Section(
        id="high",
        heading=heading,
        lead=lead,
        charts=[chart],
        method=[
            _(
                "A pupil's dimension score is the mean of their answers to its items "
                "(reverse-coded items turned round), given when they answered enough of them; "
                "a notion's score is the mean of its dimensions. Scores fall in the "
                "instrument's bands (%(bands)s); the percentage counts pupils in the %(high)s "
                "bands among all pupils with a score. The mean's interval is t-based "
                "(mean ± t · SD/√n)."
            )
            % {"bands": bands, "high": high},
        ],
    )
