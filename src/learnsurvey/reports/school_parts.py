"""The pieces of one school's report, from the wave-level tables already suppressed by
:class:`~learnsurvey.reports.school.SchoolReports`: one line per score, the tables and
the charts. Every dash shown is counted, so the report can say how much it withheld.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from learnsurvey.instruments import Instrument

from . import format as fmt
from .charts import Chart, Table
from .guidance import Guidance
from .inputs import ReportInputs
from .school_charts import band_chart, benchmark_chart, group_chart
from .school_common import Gettext, ScoreLine
from .school_common import effect as _g
from .school_common import number_or_none as _num
from .school_common import records as _records
from .school_common import verdict as _verdict
from .school_sections import breakdown, change_section, item_tables

__all__ = ["Parts", "ScoreLine", "build_parts"]


@dataclass
class Parts:
    """The per-school content of :class:`~learnsurvey.reports.school.SchoolReport`."""

    lines: list[ScoreLine]
    tables: dict[str, Table | None]
    charts: dict[str, Chart | None]
    pairs: dict[str, list[Table]] = field(default_factory=dict)
    omitted: int = 0
    """Comparisons left out because a group in them is hidden."""

    def fields(self) -> dict[str, Any]:
        dims = [x for x in self.lines if x.kind == "dimension"]
        # The tables hold every figure once; of the charts' tables only the band shares are
        # not repeated elsewhere.
        shown = [t for t in self.tables.values() if t is not None]
        shown += [t for tables in self.pairs.values() for t in tables]
        bands = self.charts.get("band_chart")
        if bands is not None:
            shown.append(bands.table)
        dashes = sum(cell == fmt.HIDDEN for t in shown for row in t.rows for cell in row)
        return {
            "overall": next(x for x in self.lines if x.kind == "overall"),
            "notions": [x for x in self.lines if x.kind == "notion"],
            "dimensions": dims,
            "strengths": [x for x in dims if x.verdict == "above"],
            "priorities": [x for x in dims if x.verdict == "below"],
            "hidden": dashes + self.omitted,
            **self.tables,
            **self.pairs,
            **self.charts,
        }


def _score_lines(
    inst: Instrument,
    guidance: Guidance,
    scores: pd.DataFrame,
    similar: pd.DataFrame,
    all_ok: set[tuple[str, str]],
    _: Gettext,
) -> list[ScoreLine]:
    by_score = {(r["kind"], r["score"]): r for r in _records(scores)}
    by_similar = {(r["kind"], r["score"]): r for r in _records(similar)}
    notion_names = {f.id: f.name for f in inst.factors}
    entries: list[tuple[str, str, str, str, str]] = [
        (
            "dimension",
            d.id,
            d.name,
            notion_names.get(d.factor, ""),
            d.description,
        )
        for d in inst.dimensions
    ]
    entries += [("notion", f.id, f.name, "", f.description) for f in inst.factors]
    entries.append(("overall", "overall", _("Overall score"), "", ""))
    lines = []
    for kind, sid, name, notion, description in entries:
        row = by_score.get((kind, sid), {})
        shown = bool(row) and not bool(row.get("suppressed"))
        sim = by_similar.get((kind, sid), {})
        sim_shown = bool(sim) and not bool(sim.get("suppressed"))
        bench = shown and (kind, sid) in all_ok
        values: dict[str, Any] = {}
        if shown:
            n = _num(row["n"])
            values |= {
                "n": int(n) if n is not None else None,
                "mean": _num(row["mean"]),
                "ci_low": _num(row["ci_low"]),
                "ci_high": _num(row["ci_high"]),
                "high_pct": _num(row["pct_quite_or_very_high"]),
                "bands": [_num(row[f"pct_{b.id}"]) for b in inst.bands],
            }
        if bench:
            values |= {
                "all_mean": _num(row["benchmark_mean"]),
                "all_g": _num(row["hedges_g"]),
                "all_g_low": _num(row["g_ci_low"]),
                "all_g_high": _num(row["g_ci_high"]),
            }
        if sim_shown:
            values |= {
                "similar_mean": _num(sim["mean"]),
                "similar_g": _num(sim["hedges_g"]),
                "similar_g_low": _num(sim["g_ci_low"]),
                "similar_g_high": _num(sim["g_ci_high"]),
            }
        guide = None
        if kind == "dimension":
            guide = guidance.dimensions.get(sid)
        elif kind == "notion":
            guide = guidance.notions.get(sid)
        lines.append(
            ScoreLine(
                id=sid,
                kind=kind,
                name=name,
                label=_("%(name)s (notion)") % {"name": name} if kind == "notion" else name,
                notion=notion,
                description=description,
                verdict=_verdict(values.get("all_g_low"), values.get("all_g_high")),
                meaning=guide.meaning if guide else "",
                questions=list(guide.questions) if guide else [],
                **values,
            )
        )
    return lines


def _score_tables(
    lines: list[ScoreLine], inst: Instrument, has_similar: bool, _: Gettext
) -> dict[str, Table]:
    reading = {
        "above": _("Clearly above"),
        "below": _("Clearly below"),
        "within": _("Within the uncertainty"),
        "unknown": fmt.HIDDEN,
    }
    scores = Table(
        caption=_("This school's scores: mean (1 to 5) with its 95% confidence interval"),
        columns=[_("Score"), _("Pupils"), _("Mean"), _("95% CI"), _("Quite or very high")],
        rows=[
            [
                x.label,
                fmt.count(x.n),
                fmt.number(x.mean),
                fmt.ci(x.ci_low, x.ci_high),
                fmt.pct(x.high_pct),
            ]
            for x in lines
        ],
        numeric=[False, True, True, True, True],
    )
    notes = [
        _(
            "g is Hedges' g, the difference in standard deviations (positive: this school "
            "higher), with its 95% confidence interval. \u201cClearly above\u201d or "
            "\u201cclearly below\u201d means the interval against all schools lies entirely "
            "on one side of zero."
        )
    ]
    if not has_similar:
        notes.append(
            _(
                "No similar-schools benchmark: the school's phase or free-school-meals share "
                "is not known."
            )
        )
    similar_columns = [_("Similar schools"), _("g (95% CI)")] if has_similar else []
    bench = Table(
        caption=_("This school against all schools and similar schools"),
        columns=[
            _("Score"),
            _("All schools"),
            _("g (95% CI)"),
            *similar_columns,
            _("Against all schools"),
        ],
        rows=[
            [
                x.label,
                fmt.number(x.all_mean),
                _g(x.all_g, x.all_g_low, x.all_g_high),
                *(
                    [fmt.number(x.similar_mean), _g(x.similar_g, x.similar_g_low, x.similar_g_high)]
                    if has_similar
                    else []
                ),
                reading[x.verdict],
            ]
            for x in lines
        ],
        numeric=[False, True, True, *([True, True] if has_similar else []), False],
        notes=notes,
    )
    return {"scores_table": scores, "benchmark_table": bench}


def _score_charts(
    lines: list[ScoreLine], inst: Instrument, has_similar: bool, _: Gettext
) -> dict[str, Chart | None]:
    order = [x.label for x in lines]
    me, every, like = _("This school"), _("All schools"), _("Similar schools")
    series = [me, every] + ([like] if has_similar else [])
    points: list[dict[str, Any]] = []
    for x in lines:
        points.append(
            {
                "label": x.label,
                "series": me,
                "mean": x.mean,
                "ci_low": x.ci_low,
                "ci_high": x.ci_high,
            }
        )
        points.append(
            {"label": x.label, "series": every, "mean": x.all_mean, "ci_low": None, "ci_high": None}
        )
        if has_similar:
            points.append(
                {
                    "label": x.label,
                    "series": like,
                    "mean": x.similar_mean,
                    "ci_low": None,
                    "ci_high": None,
                }
            )
    frame = pd.DataFrame(points).dropna(subset=["mean"])
    table = Table(
        caption=_("Means drawn in the chart"),
        columns=[_("Score"), me, _("95% CI"), every] + ([like] if has_similar else []),
        rows=[
            [x.label, fmt.number(x.mean), fmt.ci(x.ci_low, x.ci_high), fmt.number(x.all_mean)]
            + ([fmt.number(x.similar_mean)] if has_similar else [])
            for x in lines
        ],
        numeric=[False] + [True] * (len(series) + 1),
    )
    bench = benchmark_chart(
        "benchmark-chart",
        frame,
        order,
        series,
        title=_("This school's means with 95% confidence intervals, against the benchmarks"),
        alt_text=_(
            "For each dimension, notion and the overall score, a dot with a horizontal line "
            "shows this school's mean and its 95% confidence interval; differently shaped "
            "dots show the means of all schools and of similar schools."
        ),
        x_title=_("Mean score (1 to 5)"),
        table=table,
    )
    band_names = [b.name for b in inst.bands]
    shares = [
        {"label": x.label, "band": band_names[k], "band_order": k, "pct": p}
        for x in lines
        for k, p in enumerate(x.bands)
        if p is not None
    ]
    bands: Chart | None = None
    if shares:
        bands = band_chart(
            "band-chart",
            pd.DataFrame(shares),
            [x.label for x in lines if x.bands],
            band_names,
            title=_("How this school's pupils are spread across the five bands (%)"),
            alt_text=_(
                "For each score, a bar split into the five bands from very low (left) to very "
                "high (right); each segment's width is the percentage of pupils in that band. "
                "The table below gives every percentage."
            ),
            x_title=_("Percentage of pupils"),
            table=Table(
                caption=_("Percentage of pupils in each band"),
                columns=[_("Score"), *band_names],
                rows=[
                    [x.label, *[fmt.pct(p) for p in (x.bands or [None] * len(band_names))]]
                    for x in lines
                ],
                numeric=[False] + [True] * len(band_names),
            ),
        )
    return {"benchmark_chart": bench, "band_chart": bands}


def build_parts(
    inputs: ReportInputs,
    guidance: Guidance,
    tables: dict[str, pd.DataFrame],
    *,
    all_ok: set[tuple[str, str]],
    phase: str | None,
    has_similar: bool,
    gettext: Gettext,
) -> Parts:
    """Lines, tables and charts of one school from its slices of the wave tables."""
    _ = gettext
    inst = inputs.instrument
    demo = inst.demographics
    lines = _score_lines(inst, guidance, tables["scores"], tables["similar"], all_ok, _)
    out_tables: dict[str, Table | None] = dict(_score_tables(lines, inst, has_similar, _))
    charts = _score_charts(lines, inst, has_similar, _)
    ks = breakdown(
        "key_stage",
        tables["key_stage"],
        tables["key_stage_pairs"],
        tables["key_stage_counts"],
        inst,
        demo.key_stages,
        _("Mean of each dimension by key stage"),
        _,
    )
    gender = breakdown(
        "gender",
        tables["gender"],
        tables["gender_pairs"],
        tables["gender_counts"],
        inst,
        demo.genders,
        _("Mean of each dimension by gender"),
        _,
    )
    out_tables |= {
        "key_stage_table": ks.table,
        "gender_table": gender.table,
    }
    pairs = {"key_stage_pairs": ks.pairs, "gender_pairs": gender.pairs}
    chosen, what = (ks, _("key stage")) if len(ks.groups) >= 2 else (gender, _("gender"))
    charts["group_chart"] = None
    if len(chosen.groups) >= 2 and chosen.table is not None:
        charts["group_chart"] = group_chart(
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
    out_tables |= item_tables(tables["items"], inst, phase, _)
    change = change_section(tables["change"], lines, inputs, _)
    out_tables["change_table"] = change["change_table"]
    charts["change_chart"] = change["change_chart"]
    return Parts(lines, out_tables, charts, pairs, omitted=ks.omitted + gender.omitted)
