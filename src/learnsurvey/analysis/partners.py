"""Strengths and partner schools: the dimensions a school is strong in, and for a school's
priority the schools strong in it with intakes like its own. Django-free.

Strengths
---------
A school is **strong** in a dimension when, of its figures that disclosure lets be shown,

- ``clearly_above``: the 95% interval of its **shrunken mean** lies wholly above the mean
  of all schools shown beside its score (``benchmark_mean``). The shrunken (empirical-Bayes)
  mean of the one-way random-intercept model,
  :math:`\\tilde y_j = \\hat\\mu + \\lambda_j (\\bar y_j - \\hat\\mu)` with
  :math:`\\lambda_j = \\hat\\tau^2 / (\\hat\\tau^2 + \\hat\\sigma^2 / n_j)` and interval
  :math:`\\tilde y_j \\pm 1.96 \\sqrt{\\hat\\tau^2 (1 - \\lambda_j)}`
  (:func:`learnsurvey.stats.multilevel.shrunken_means`, REML from the wave's school
  moments, as :func:`learnsurvey.analysis.groups.school_table`), pulls a small school's
  mean towards the wave's, so a handful of enthusiastic pupils does not make a strength;
  or
- ``clearly_improved``: its change since the previous wave is clear (the Welch 95% CI of
  the difference lies wholly above 0).

A hidden score, a hidden benchmark or a hidden change gives no strength.

Partner suggestions
-------------------
:func:`suggest_partners` lists, for a school and one dimension, the schools strong in that
dimension, of the same phase and from any trust (a partnership across trust boundaries is
the point), nearest first by the standardised context distance of
:mod:`learnsurvey.analysis.families` (size, FSM, EAL and SEND %, region). Only schools
whose leaders opted in to be found are ever considered: nothing about another school is
read before that check. Each suggestion names the context features on which the two
schools are closest, for its one-line explanation.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .families import context_distance, feature_gaps, is_missing, standardise_context
from .figures.improvement import PartnerContext, PartnerSuggestion, StrengthFigure

if TYPE_CHECKING:
    from .figures.school import ChangeFigure, ScoreFigure

__all__ = ["CLOSE", "school_strengths", "suggest_partners"]

CLOSE = 0.5
"""Features within this many standard deviations (or the same region) count as "closest"
in a suggestion's explanation."""


def school_strengths(
    scores: Sequence[ScoreFigure],
    change: Sequence[ChangeFigure],
    shrunken: Sequence[Mapping[str, Any]],
) -> list[StrengthFigure]:
    """The dimensions a school is strong in (see the module's docstring), in the order of
    ``scores`` (the instrument's).

    ``scores`` and ``change`` are the school's cleared figures
    (:class:`~learnsurvey.analysis.figures.school.SchoolFigures`); ``shrunken`` its rows of
    :func:`~learnsurvey.analysis.groups.school_table` (``dimension``, ``shrunken_mean``,
    ``shrunken_ci_low``, ``shrunken_ci_high``, ``suppressed``), cleared by the same rules.
    Only dimensions with ``clearly_above`` or ``clearly_improved`` are returned.
    """
    shrunk = {r["dimension"]: r for r in shrunken if not r.get("suppressed", True)}
    moved = {c.score: c for c in change if c.kind == "dimension" and not c.suppressed}
    out = []
    for score in scores:
        row = shrunk.get(score.score)
        if score.kind != "dimension" or score.suppressed or row is None:
            continue
        low, high = row.get("shrunken_ci_low"), row.get("shrunken_ci_high")
        benchmark = score.benchmark_mean
        above = _wholly_above(low, high, benchmark)
        step = moved.get(score.score)
        improved = step is not None and step.clear and (step.difference or 0.0) > 0
        if not (above or improved):
            continue
        out.append(
            StrengthFigure(
                dimension=score.score,
                mean=score.mean,
                shrunken_mean=row.get("shrunken_mean"),
                shrunken_ci_low=low,
                shrunken_ci_high=high,
                benchmark_mean=benchmark,
                clearly_above=above,
                change=step.difference if step is not None and improved else None,
                clearly_improved=improved,
            )
        )
    return out


def _wholly_above(low: object, high: object, benchmark: float | None) -> bool:
    """Whether the interval (low, high) lies wholly above ``benchmark`` (all known)."""
    if is_missing(low) or is_missing(high) or benchmark is None:
        return False
    return float(low) > benchmark  # type: ignore[arg-type]


def _strength(figures: Sequence[StrengthFigure], dimension: str) -> StrengthFigure | None:
    return next(
        (
            s
            for s in figures
            if s.dimension == dimension and (s.clearly_above or s.clearly_improved)
        ),
        None,
    )


def _optional(value: object) -> Any:
    return None if is_missing(value) else value


def _partner_context(row: Mapping[str, Any]) -> PartnerContext:
    pupils = _optional(row.get("pupils"))
    numbers = {c: _optional(row.get(c)) for c in ("fsm_pct", "eal_pct", "send_pct")}
    return PartnerContext(
        school=str(row["school"]),
        phase=_optional(row.get("phase")),
        pupils=int(pupils) if pupils is not None else None,
        fsm_pct=float(numbers["fsm_pct"]) if numbers["fsm_pct"] is not None else None,
        eal_pct=float(numbers["eal_pct"]) if numbers["eal_pct"] is not None else None,
        send_pct=float(numbers["send_pct"]) if numbers["send_pct"] is not None else None,
        region=_optional(row.get("region")),
    )


def _closest(gaps: Mapping[str, float]) -> list[str]:
    """The features within :data:`CLOSE` (the same region counts), closest first; the
    single closest when none is."""
    ranked = sorted(gaps, key=lambda f: (gaps[f], f != "region", f))
    near = [f for f in ranked if gaps[f] <= CLOSE]
    return near or ranked[:1]


def suggest_partners(
    school: str,
    dimension: str,
    context: pd.DataFrame,
    strengths: Mapping[str, Sequence[StrengthFigure]],
    *,
    open_to_partners: Collection[str],
    limit: int = 5,
) -> list[PartnerSuggestion]:
    """Up to ``limit`` partner schools for ``school`` on ``dimension``, nearest first.

    A candidate is a school of ``open_to_partners`` (the schools whose leaders opted in to
    be found) other than ``school``, of the same phase, from any trust, with a strength in
    ``dimension`` in ``strengths`` (school key → its
    :attr:`~learnsurvey.analysis.figures.school.SchoolFigures.strengths`). Candidates are
    ordered by :func:`~learnsurvey.analysis.families.context_distance` (standardised within
    the phase over ``context``'s schools, so the scale is the same for every candidate),
    then by key; a candidate sharing no numeric context feature with the school is left
    out. ``context`` has columns ``school``, ``phase`` and any of ``pupils``, ``fsm_pct``,
    ``eal_pct``, ``send_pct`` and ``region``
    (:attr:`~learnsurvey.analysis.inputs.ReportInputs.schools`).

    Returns an empty list when the school's phase is not known. Pure: the same arguments
    give the same suggestions.

    Raises
    ------
    ValueError
        If ``limit`` is below 1 or ``school`` is not in ``context``.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    table = standardise_context(context)
    mine = table.index[table["school"] == str(school)]
    if not len(mine):
        raise ValueError(f"school {school!r} is not in the context")
    me = table.loc[mine[0]]
    if me["phase"] is None:
        return []
    allowed = {str(s) for s in open_to_partners} - {str(school)}
    found = {}
    for key in sorted(allowed):
        strong = _strength(strengths.get(key, ()), dimension)
        if strong is not None:
            found[key] = strong
    pool = table[table["school"].isin(list(found)) & (table["phase"] == me["phase"])]
    if not len(pool):
        return []
    distance = context_distance(me, pool)
    keep = np.isfinite(distance)
    pool, distance = pool[keep], distance[keep]
    order = np.lexsort((pool["school"].to_numpy(dtype=str), distance))[:limit]
    rows = {str(r["school"]): {str(k): v for k, v in r.items()} for r in context.to_dict("records")}
    out = []
    for k in order:
        other = pool.iloc[int(k)]
        key = str(other["school"])
        out.append(
            PartnerSuggestion(
                school=key,
                dimension=dimension,
                distance=float(distance[int(k)]),
                context=_partner_context(rows[key] | {"school": key}),
                strength=found[key],
                closest=_closest(feature_gaps(me, other)),
            )
        )
    return out
