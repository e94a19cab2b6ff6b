"""Builds :class:`~learnsurvey.analysis.figures.trust.TrustFigures` from the inputs of a wave.

The wave-level tables (every school's scores across the wave, the spread of all schools) are
made once; each trust then selects its schools from them, is suppressed again as the
partition of its own total, and is grouped against the rest of the wave. Django-free.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from learnsurvey.analysis.dashboard import band_ids, school_spread
from learnsurvey.analysis.inputs import ReportInputs
from learnsurvey.analysis.staff import trust_staff_gaps
from learnsurvey.analysis.trusts import (
    clear_trust_totals,
    direction,
    effect_size,
    trust_against_rest,
    trust_response_counts,
    trust_school_scores,
    trust_top_bottom,
    wave_school_scores,
    wave_spread,
)
from learnsurvey.instruments import Instrument
from learnsurvey.stats.disclosure import is_publishable

from .trust import (
    HeatCell,
    HeatRow,
    ScoreCell,
    SpreadFigure,
    StaffGap,
    StaffSchool,
    TopBottom,
    TrustFigures,
    TrustScore,
    TrustStaff,
)

__all__ = ["TrustFiguresBuilder"]


Row = dict[Hashable, Any]
"""A table's row as ``DataFrame.to_dict("records")`` gives it."""


def _missing(value: object) -> bool:
    """None, NA or NaN: an all-None column comes back from pandas as NaN."""
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _num(value: object) -> float | None:
    """A figure as a float, or None where it is hidden or not computable."""
    if _missing(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if np.isfinite(number) else None


def _int(value: object) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


class TrustFiguresBuilder:
    """The trusts of one wave: wave-level tables computed once, then :meth:`figures` per
    trust (remembered)."""

    def __init__(self, inputs: ReportInputs) -> None:
        stats = inputs.current.stats
        if not len(stats.cells):
            raise ValueError(f"wave {inputs.wave!r} has no responses")
        self.inputs = inputs
        answered = set(stats.cells["school"].astype(str))
        context = inputs.schools
        with_trust = context[context["trust"].notna() & context["school"].isin(answered)]
        self._trust_of: dict[str, str | None] = {
            str(r.school): str(r.trust) for r in with_trust.itertuples()
        }
        self._trusts = sorted({str(t) for t in self._trust_of.values()})
        self._answered = answered
        self._scores = wave_school_scores(stats, threshold=inputs.threshold)
        self._wave_spread = wave_spread(self._scores)
        self._built: dict[str, TrustFigures] = {}

    @property
    def trusts(self) -> list[str]:
        """Trusts with at least one school with responses in the wave."""
        return list(self._trusts)

    def schools(self, trust: str) -> list[str]:
        """The keys of ``trust``'s schools with responses, in name order."""
        return [s for s in self.inputs.trust_schools(trust) if s in self._answered]

    def figures(self, trust: str) -> TrustFigures:
        """The figures of ``trust`` (a value of the context's ``trust`` column)."""
        if trust not in self._trusts:
            raise ValueError(f"no trust {trust!r} with responses in wave {self.inputs.wave!r}")
        if trust not in self._built:
            self._built[trust] = self._build(trust)
        return self._built[trust]

    def _build(self, trust: str) -> TrustFigures:
        inputs, threshold = self.inputs, self.inputs.threshold
        keys = self.schools(trust)
        scores = trust_school_scores(self._scores, keys, threshold=threshold)
        counts = trust_response_counts(inputs.current.responses, keys, threshold=threshold)
        rest = clear_trust_totals(
            trust_against_rest(inputs.current.stats, keys, threshold=threshold),
            self._scores,
            scores,
            threshold=threshold,
        )
        rows = _heat_rows(inputs, scores, counts, keys)
        by_key = {r.urn: r for r in rows}
        overall = rest[rest["kind"] == "overall"].iloc[0]
        publishable = not bool(overall["suppressed"])
        spread = self._spread(scores, by_key)
        shown = [r.overall.n for r in rows if r.overall.n is not None]
        return TrustFigures(
            trust=trust,
            wave=inputs.wave,
            threshold=threshold,
            n_schools=len(keys),
            n_schools_without=len(inputs.trust_schools(trust)) - len(keys),
            n_schools_hidden=int(scores.groupby("school")["suppressed"].any().sum()),
            n_pupils=_int(overall["n"]) if publishable else None,
            n_pupils_shown=sum(shown) if shown and not publishable else None,
            publishable=publishable,
            hidden_because=None if publishable else self._why_hidden(keys),
            schools=rows,
            spread=spread,
            spread_widest=_extreme_spread(spread, max),
            spread_narrowest=_extreme_spread(spread, min),
            against_rest=[_trust_score(r) for r in rest.to_dict("records")],
            top_bottom=_top_bottom(scores, by_key, inputs.instrument),
            staff=self._staff(trust, scores, rest, publishable),
        )

    def _why_hidden(self, keys: list[str]) -> str:
        """Why the trust's own figures are hidden: "too_few" pupils, or "recoverable" (they
        would give a smaller group away: a small school, or the rest of the wave)."""
        table = self._scores
        mine = table[table["school"].isin(keys) & (table["kind"] == "overall")]
        too_few = not is_publishable(float(mine["raw_n"].sum()), self.inputs.threshold)
        return "too_few" if too_few else "recoverable"

    def _spread(self, scores: pd.DataFrame, by_key: dict[str, HeatRow]) -> list[SpreadFigure]:
        dims = scores[scores["kind"] == "dimension"].rename(columns={"score": "dimension"})
        wave_sd = dict(zip(self._wave_spread["dimension"], self._wave_spread["sd"], strict=True))

        def name(key: object) -> str | None:
            return None if _missing(key) else by_key[str(key)].school_name

        return [
            SpreadFigure(
                dimension=str(r["dimension"]),
                n_schools=int(r["n_schools"]),
                sd=_num(r["sd"]),
                min=_num(r["min"]),
                max=_num(r["max"]),
                range=_num(r["range"]),
                top_school=name(r["top_school"]),
                bottom_school=name(r["bottom_school"]),
                wave_sd=_num(wave_sd.get(r["dimension"])),
            )
            for r in school_spread(dims).to_dict("records")
        ]

    def _staff(
        self, trust: str, scores: pd.DataFrame, rest: pd.DataFrame, publishable: bool
    ) -> TrustStaff | None:
        inputs = self.inputs
        if inputs.staff is None:
            return None
        dims = rest[rest["kind"] == "dimension"]
        # The trust's own pupils too few: nothing about them is shown, here neither.
        hidden_trust = set(dims["score"] if not publishable else dims["score"][dims["suppressed"]])
        hidden = scores[(scores["kind"] == "dimension") & scores["suppressed"]]
        whole, schools = trust_staff_gaps(
            inputs.current.stats,
            inputs.staff.stats,
            self._trust_of,
            trust,
            threshold=inputs.threshold,
            hidden_trust={str(d) for d in hidden_trust},
            hidden_schools=set(hidden[["school", "score"]].itertuples(index=False, name=None)),
        )
        return TrustStaff(
            trust=[_staff_gap(r) for r in whole.to_dict("records")],
            schools=[
                _staff_school(inputs, key, schools[schools["school"] == key])
                for key in self.schools(trust)
            ],
            any_hidden=bool(schools["suppressed"].any() or whole["suppressed"].any()),
        )


def _heat_rows(
    inputs: ReportInputs, scores: pd.DataFrame, counts: pd.DataFrame, keys: list[str]
) -> list[HeatRow]:
    inst = inputs.instrument
    band_order = [b.id for b in inst.bands]
    # By kind too: a notion may share its id with a dimension ("learning").
    by = {(r["school"], r["kind"], r["score"]): r for r in scores.to_dict("records")}
    n_of = dict(zip(counts["school"], counts["n"], strict=True))
    rows = []
    for key in keys:
        cells = []
        for dim in inst.dimension_ids:
            row = by.get((key, "dimension", dim))
            cells.append(_heat_cell(dim, row, inst, band_order))
        rows.append(
            HeatRow(
                urn=key,
                school_name=inputs.school_name(key),
                n_responses=_int(n_of.get(key)),
                cells=cells,
                notions=[
                    _score_cell("notion", f.id, by.get((key, "notion", f.id))) for f in inst.factors
                ],
                overall=_score_cell("overall", "overall", by.get((key, "overall", "overall"))),
            )
        )
    return rows


def _heat_cell(
    dimension: str, row: Row | None, inst: Instrument, band_order: list[str]
) -> HeatCell:
    if row is None:
        row = {}
    hidden = bool(row.get("suppressed", True))
    shrunken = None if hidden else _num(row.get("shrunken_mean"))
    band = band_ids(np.array([np.nan if shrunken is None else shrunken]), inst)[0]
    return HeatCell(
        dimension=dimension,
        n=_int(row.get("n")),
        mean=_num(row.get("mean")),
        shrunken_mean=shrunken,
        ci_low=_num(row.get("shrunken_ci_low")),
        ci_high=_num(row.get("shrunken_ci_high")),
        band=band,
        band_index=band_order.index(band) if band is not None else None,
        rank=_int(row.get("rank")),
        suppressed=hidden,
    )


def _score_cell(kind: str, score: str, row: Row | None) -> ScoreCell:
    row = row or {}
    return ScoreCell(
        kind=kind,
        score=score,
        n=_int(row.get("n")),
        mean=_num(row.get("mean")),
        shrunken_mean=_num(row.get("shrunken_mean")),
        ci_low=_num(row.get("shrunken_ci_low")),
        ci_high=_num(row.get("shrunken_ci_high")),
        rank=_int(row.get("rank")),
        suppressed=bool(row.get("suppressed", True)),
    )


def _extreme_spread(spread: list[SpreadFigure], how: Any) -> str | None:
    """The dimension whose schools' SD is largest (``how`` = max) or smallest (min); None
    when fewer than two dimensions have an SD or all SDs are equal."""
    shown = [s for s in spread if s.sd is not None]
    if len(shown) < 2 or len({s.sd for s in shown}) < 2:
        return None
    return str(how(shown, key=lambda s: s.sd).dimension)


def _trust_score(row: Row) -> TrustScore:
    hidden = bool(row["suppressed"])
    low, high = _num(row["g_ci_low"]), _num(row["g_ci_high"])
    return TrustScore(
        kind=str(row["kind"]),
        score=str(row["score"]),
        n=_int(row["n"]),
        mean=_num(row["mean"]),
        ci_low=_num(row["ci_low"]),
        ci_high=_num(row["ci_high"]),
        all_mean=_num(row["all_mean"]),
        rest_n=_int(row["rest_n"]),
        rest_mean=_num(row["rest_mean"]),
        hedges_g=_num(row["hedges_g"]),
        g_ci_low=low,
        g_ci_high=high,
        direction="unknown" if hidden else direction(low, high),
        size=None if hidden else effect_size(_num(row["hedges_g"])),
        suppressed=hidden,
    )


def _top_bottom(
    scores: pd.DataFrame, by_key: dict[str, HeatRow], inst: Instrument
) -> list[TopBottom]:
    dims = scores[scores["kind"] == "dimension"]
    position = {d: k for k, d in enumerate(inst.dimension_ids)}
    out = []
    for r in trust_top_bottom(dims, inst.dimension_ids).to_dict("records"):
        item: dict[str, Any] = {
            "dimension": r["dimension"],
            "n_schools": int(r["n_schools"]),
            "apart": bool(r["apart"]),
        }
        for end in ("top", "bottom"):
            key = r[f"{end}_school"]
            if _missing(key):
                continue
            row = by_key[str(key)]
            cell = row.cells[position[r["dimension"]]]
            item |= {f"{end}_urn": row.urn, f"{end}_school": row.school_name}
            item |= {f"{end}_mean": cell.shrunken_mean, f"{end}_ci_low": cell.ci_low}
            item[f"{end}_ci_high"] = cell.ci_high
        out.append(TopBottom(**item))
    return out


def _staff_gap(row: Row) -> StaffGap:
    return StaffGap(
        dimension=str(row["dimension"]),
        pupil_n=_int(row["pupil_n"]),
        pupil_mean=_num(row["pupil_mean"]),
        staff_n=_int(row["staff_n"]),
        staff_mean=_num(row["staff_mean"]),
        gap=_num(row["gap"]),
        gap_ci_low=_num(row["gap_ci_low"]),
        gap_ci_high=_num(row["gap_ci_high"]),
        hedges_g=_num(row["hedges_g"]),
        g_ci_low=_num(row["g_ci_low"]),
        g_ci_high=_num(row["g_ci_high"]),
        suppressed=bool(row["suppressed"]),
    )


def _staff_school(inputs: ReportInputs, key: str, rows: pd.DataFrame) -> StaffSchool:
    answered = bool(rows["staff_answered"].any()) if len(rows) else False
    return StaffSchool(
        urn=key,
        school_name=inputs.school_name(key),
        staff_answered=answered,
        all_hidden=answered and bool(rows["suppressed"].all()),
        gaps=[_staff_gap(r) for r in rows.to_dict("records")],
    )
