"""The trust report: a trust's schools side by side, the spread within the trust, the trust
against the wave, the highest and lowest schools where the intervals allow, and the staff
view beside the pupils'.

:class:`TrustReports` does the wave-level work once (every school's shrunken means across
the whole wave, every trust's pupil summary); :meth:`TrustReports.build` then only selects,
suppresses within the trust and draws. Django-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from learnsurvey.analysis.dashboard import school_spread
from learnsurvey.analysis.groups import by_school_attribute, group_summary, school_table
from learnsurvey.analysis.statistics import NOT_GIVEN, WaveStatistics
from learnsurvey.stats.disclosure import suppress
from learnsurvey.stats.effects import hedges_g

from . import format as fmt
from .charts import Chart, Table
from .header import ReportHeader
from .inputs import ReportInputs
from .render import render_html
from .trust_parts import (
    KINDS,
    ScoreRow,
    TopBottom,
    benchmark_table,
    school_charts,
    schools_tables,
    spread_table,
    suppress_trust,
    top_bottom,
    top_bottom_table,
)
from .trust_staff import StaffSection, staff_section

__all__ = ["TrustReport", "TrustReports", "render_trust_report"]

KICKER = "The Learning Survey · trust report"


class TrustReport(ReportHeader):
    """Everything the trust report shows, already suppressed and formatted."""

    trust: str
    n_schools: int
    """The trust's schools with responses in the wave."""
    n_schools_without: int
    """The trust's schools (in the context table) with no responses in the wave."""
    n_pupils: str
    """Formatted, or the dash when the trust has fewer pupils than the threshold."""
    publishable: bool
    headline: list[ScoreRow]
    schools: list[str]
    """Display names of the schools with responses, in name order."""
    heatmap: Chart | None
    school_tables: list[Table]
    school_charts: list[Chart]
    spread: Table
    spread_widest: str | None
    spread_narrowest: str | None
    benchmark: Table
    top_bottom: list[TopBottom]
    top_bottom_table: Table
    staff: StaffSection | None
    n_schools_hidden: int
    """Schools with at least one figure hidden in the schools table."""


@dataclass
class _Wave:
    """The wave-level tables every trust's report selects from."""

    schools: pd.DataFrame
    """school_table for every kind (column ``kind``, score id in ``score``) plus ``raw_n``."""
    trusts: pd.DataFrame
    """group_summary by trust for every kind, with the rest of the wave and Hedges' g."""
    everyone: pd.DataFrame
    """group_summary of all pupils for every kind."""
    wave_spread: pd.DataFrame


class TrustReports:
    """The trust reports of one wave: wave-level tables computed once, then one
    :meth:`build` per trust."""

    def __init__(self, inputs: ReportInputs) -> None:
        self.inputs = inputs
        stats = inputs.current.stats
        context = inputs.schools
        answered = set(stats.cells["school"].astype(str))
        with_trust = context[context["trust"].notna() & context["school"].isin(answered)]
        self._trusts = sorted({str(t) for t in with_trust["trust"]})
        self._trust_of: dict[str, str | None] = {
            str(r.school): str(r.trust) for r in with_trust.itertuples()
        }
        self._answered = answered
        self._wave = self._compute(stats)

    @property
    def trusts(self) -> list[str]:
        """Trusts with at least one school with responses in the wave."""
        return list(self._trusts)

    def _compute(self, stats: WaveStatistics) -> _Wave:
        threshold = self.inputs.threshold
        if not len(stats.cells):
            raise ValueError(f"wave {self.inputs.wave!r} has no responses")
        parts = []
        for kind in KINDS:
            table = school_table(stats, threshold=threshold, kind=kind, label="score")
            raw = group_summary(stats, ["school"], kind=kind, label="score")
            table = table.merge(
                raw[["school", "score", "n"]].rename(columns={"n": "raw_n"}),
                on=["school", "score"],
            )
            table.insert(1, "kind", kind)
            parts.append(table)
        schools = pd.concat(parts, ignore_index=True)
        mapped = by_school_attribute(stats, "trust", self._trust_of)
        trusts = pd.concat(
            [group_summary(mapped, ["trust"], kind=k, label="score").assign(kind=k) for k in KINDS],
            ignore_index=True,
        )
        everyone = pd.concat(
            [group_summary(stats, [], kind=k, label="score").assign(kind=k) for k in KINDS],
            ignore_index=True,
        )
        trusts = _against_rest(trusts[trusts["trust"] != NOT_GIVEN], everyone)
        spread = school_spread(
            schools[schools["kind"] == "dimension"].rename(columns={"score": "dimension"})
        )
        return _Wave(schools, trusts, everyone, spread)

    def school_rows(self, trust: str) -> pd.DataFrame:
        """The trust's rows of the schools table (columns school, kind, score, n, mean,
        shrunken mean and CI, suppressed, ...), suppressed by both rules (see
        :func:`_trust_rows`)."""
        if trust not in self._trusts:
            raise ValueError(f"no trust {trust!r} with responses in wave {self.inputs.wave!r}")
        keys = [s for s in self.inputs.trust_schools(trust) if s in self._answered]
        table = self._wave.schools
        return _trust_rows(table[table["school"].isin(keys)], self.inputs.threshold)

    def build(self, trust: str) -> TrustReport:
        """The report of ``trust`` (a value of the context's ``trust`` column)."""
        rows = self.school_rows(trust)
        inputs, wave = self.inputs, self._wave
        inst = inputs.instrument
        threshold = inputs.threshold
        keys = [s for s in inputs.trust_schools(trust) if s in self._answered]
        names = {s: inputs.school_name(s) for s in keys}
        rows["name"] = rows["school"].map(names)
        raw = wave.trusts[wave.trusts["trust"] == trust]
        overall = raw[raw["kind"] == "overall"]
        n_pupils = int(overall["n"].iloc[0]) if len(overall) else 0
        ours = suppress_trust(raw, threshold)
        publishable = n_pupils >= threshold
        labels = _score_names(inst)
        headline = [
            ScoreRow.from_row(r, labels)
            for r in ours[ours["kind"].isin(["overall", "notion"])].to_dict("records")
        ]
        dims = rows[rows["kind"] == "dimension"]
        spread = school_spread(dims.rename(columns={"score": "dimension"}))
        spread_ok = spread.dropna(subset=["sd"])
        order = sorted(keys, key=lambda s: names[s])
        staff = None
        if inputs.staff is not None:
            hidden_rows = rows[(rows["kind"] == "dimension") & rows["suppressed"]]
            staff = staff_section(
                inputs,
                trust,
                keys,
                names,
                labels,
                self._trust_of,
                publishable=publishable,
                hidden=set(hidden_rows[["school", "score"]].itertuples(index=False, name=None)),
            )
        heatmap, tables = schools_tables(rows, order, names, inst, labels)
        return TrustReport(
            title=trust,
            subtitle=f"How pupils in the trust's schools experience learning: {inst.name}",
            kicker=KICKER,
            wave=inputs.wave,
            generated=fmt.long_date(),
            threshold=threshold,
            trust=trust,
            n_schools=len(keys),
            n_schools_without=len(inputs.trust_schools(trust)) - len(keys),
            n_pupils=fmt.count(n_pupils) if publishable else fmt.HIDDEN,
            publishable=publishable,
            headline=headline if publishable else [],
            schools=[names[s] for s in order],
            heatmap=heatmap,
            school_tables=tables,
            school_charts=school_charts(rows, order, names, inst, labels, wave.everyone),
            spread=spread_table(spread, wave.wave_spread, labels),
            spread_widest=_label(spread_ok, labels, "idxmax"),
            spread_narrowest=_label(spread_ok, labels, "idxmin"),
            benchmark=benchmark_table(ours, labels, publishable),
            top_bottom=(tb := top_bottom(dims, names, labels, inst)),
            top_bottom_table=top_bottom_table(tb),
            staff=staff,
            n_schools_hidden=int(rows.groupby("school")["suppressed"].any().sum()),
        )


def _label(spread: pd.DataFrame, labels: dict[str, str], how: str) -> str | None:
    if len(spread) < 2 or spread["sd"].nunique() < 2:
        return None
    at = getattr(spread["sd"].reset_index(drop=True), how)()
    return labels[str(spread["dimension"].iloc[at])]


def _score_names(inst: Any) -> dict[str, str]:
    names = {d.id: d.name for d in inst.dimensions}
    names |= {f.id: f.name for f in inst.factors}
    names["overall"] = "Overall"
    return names


def _trust_rows(rows: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The trust's rows of the wave's school table, suppressed by both rules: hidden if the
    wave-wide table hid them (complementary across all schools of the wave) or if the trust's
    schools, which partition the trust total this report publishes, need it."""
    within = suppress(
        rows[["school", "kind", "score", "raw_n"]],
        threshold=threshold,
        count="raw_n",
        within=["kind", "score"],
    )
    hidden = rows["suppressed"].to_numpy(dtype=bool) | within["suppressed"].to_numpy(dtype=bool)
    out = rows.drop(columns="raw_n").copy()
    figures = [c for c in out.columns if c not in {"school", "kind", "score", "suppressed"}]
    for col in figures:
        if pd.api.types.is_integer_dtype(out[col]):
            out[col] = out[col].astype("Int64")
        elif not pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].astype(object)
        out.loc[hidden, col] = None
    out["suppressed"] = hidden
    return out.reset_index(drop=True)


def _against_rest(trusts: pd.DataFrame, everyone: pd.DataFrame) -> pd.DataFrame:
    """Each trust's pupils against the rest of the wave (the pupils of every other school):
    the rest's n, mean and SD from the totals by subtraction of sums and sums of squares, and
    Hedges' g (95% CI) of the trust against the rest.

    The trust's row is suppressed (with its complement, the rest, since all pupils of the
    wave are published) when either has fewer pupils than the threshold; that is left to
    :func:`benchmark_table`, which sees the threshold."""
    base = everyone[["kind", "score", "n", "mean", "sd"]].rename(
        columns={"n": "all_n", "mean": "all_mean", "sd": "all_sd"}
    )
    out = trusts.merge(base, on=["kind", "score"], how="left")
    n, m, s = (out[c].to_numpy(dtype=float) for c in ("n", "mean", "sd"))
    big_n, big_m, big_s = (out[c].to_numpy(dtype=float) for c in ("all_n", "all_mean", "all_sd"))
    with np.errstate(invalid="ignore", divide="ignore"):
        sum_sq = (big_n - 1) * big_s**2 + big_n * big_m**2 - ((n - 1) * np.nan_to_num(s) ** 2)
        sum_sq -= n * m**2
        rest_n = big_n - n
        rest_m = (big_n * big_m - n * m) / rest_n
        rest_var = (sum_sq - rest_n * rest_m**2) / (rest_n - 1)
    out["rest_n"] = rest_n
    out["rest_mean"] = rest_m
    out["rest_sd"] = np.sqrt(np.clip(rest_var, 0, None))
    g = hedges_g(n, m, np.nan_to_num(s), rest_n, np.nan_to_num(rest_m), out["rest_sd"].fillna(0))
    out["hedges_g"] = g["hedges_g"].to_numpy()
    out["g_ci_low"] = g["ci_low"].to_numpy()
    out["g_ci_high"] = g["ci_high"].to_numpy()
    return out.reset_index(drop=True)


def render_trust_report(report: TrustReport, *, mode: Any, **kwargs: Any) -> str:
    """The trust report as HTML for ``mode`` ("web", "file" or "pdf")."""
    return render_html("trust.html.j2", mode=mode, report=report, **kwargs)
