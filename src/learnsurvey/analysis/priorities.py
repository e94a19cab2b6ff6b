"""Suggested priorities: the dimensions a school's own figures say to work on first.

A dimension is suggested when its figures give a reason, and only then (the leader may
choose any other):

- ``below_all``: the 95% CI of Hedges' g against all other schools of the wave lies wholly
  below 0 (:func:`learnsurvey.analysis.standing.verdict` is ``below``);
- ``below_similar``: the same against the school's similar schools;
- ``down_since_last``: the change since the previous wave is clear (its Welch 95% CI
  excludes 0) and negative.

Every figure read here was cleared by :mod:`learnsurvey.stats.disclosure` when the school's
figures were built: a hidden figure gives no reason. Suggestions are ordered by the number
of reasons, then by g against all schools (lowest first). Django-free.
"""

from __future__ import annotations

from collections.abc import Sequence

from .figures.improvement import PriorityReason, PrioritySuggestion
from .figures.school import ChangeFigure, ScoreFigure

__all__ = ["suggest_priorities"]


def suggest_priorities(
    scores: Sequence[ScoreFigure], change: Sequence[ChangeFigure]
) -> list[PrioritySuggestion]:
    """The dimensions of ``scores`` with at least one reason to be a priority (see the
    module's docstring), most reasons first."""
    changes = {c.score: c for c in change if c.kind == "dimension" and not c.suppressed}
    found: list[tuple[int, float, PrioritySuggestion]] = []
    for score in scores:
        if score.kind != "dimension" or score.suppressed:
            continue
        reasons: list[PriorityReason] = []
        if score.against_all == "below":
            reasons.append("below_all")
        if score.against_similar == "below":
            reasons.append("below_similar")
        moved = changes.get(score.score)
        fell = moved is not None and moved.clear and (moved.difference or 0.0) < 0
        if fell:
            reasons.append("down_since_last")
        if not reasons:
            continue
        suggestion = PrioritySuggestion(
            dimension=score.score,
            reasons=reasons,
            mean=score.mean,
            benchmark_mean=score.benchmark_mean,
            similar_mean=score.similar_mean,
            change=moved.difference if fell and moved is not None else None,
        )
        g = score.hedges_g if score.hedges_g is not None else 0.0
        found.append((-len(reasons), g, suggestion))
    found.sort(key=lambda item: (item[0], item[1]))
    return [s for _, _, s in found]
