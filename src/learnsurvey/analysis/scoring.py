"""Pupil scores: dimension, notion (factor) and overall, from answers coded 0..K−1.

A dimension score is the mean of a pupil's answered items in that dimension after
reverse-coding (min + max − x), when at least ``min_answered_share`` of them (default half) are
answered; otherwise it is missing. A notion score is the mean of the pupil's dimension scores
in that notion under the same rule, and the overall score the mean of all answered items.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from learnsurvey.instruments import Instrument

__all__ = ["ScoreLayout", "band_codes", "reverse_codes", "score_answers"]


@dataclass(frozen=True)
class ScoreLayout:
    """The score variables of an instrument, in a fixed order: dimensions, notions, overall."""

    instrument: Instrument

    @cached_property
    def kinds(self) -> list[str]:
        i = self.instrument
        return ["dimension"] * len(i.dimensions) + ["notion"] * len(i.factors) + ["overall"]

    @cached_property
    def ids(self) -> list[str]:
        i = self.instrument
        return [*i.dimension_ids, *i.factor_ids, "overall"]

    @property
    def n_scores(self) -> int:
        return len(self.ids)

    def indices(self, kind: str) -> list[int]:
        return [k for k, v in enumerate(self.kinds) if v == kind]

    @cached_property
    def item_dimension(self) -> NDArray[np.float64]:
        """Items × dimensions membership matrix."""
        i = self.instrument
        m = np.zeros((len(i.items), len(i.dimensions)))
        dims = i.dimension_ids
        for r, item in enumerate(i.items):
            m[r, dims.index(item.dimension)] = 1.0
        return m

    @cached_property
    def dimension_factor(self) -> NDArray[np.float64]:
        """Dimensions × factors membership matrix."""
        i = self.instrument
        m = np.zeros((len(i.dimensions), len(i.factors)))
        factors = i.factor_ids
        for r, dim in enumerate(i.dimensions):
            m[r, factors.index(dim.factor)] = 1.0
        return m

    @cached_property
    def reverse_mask(self) -> NDArray[np.bool_]:
        return np.array([item.reverse for item in self.instrument.items])

    @cached_property
    def scale_values(self) -> NDArray[np.float64]:
        s = self.instrument.scale
        return np.arange(s.min, s.max + 1, dtype=np.float64)


def reverse_codes(answers: NDArray[np.int8], layout: ScoreLayout) -> NDArray[np.int8]:
    """Reverse-code the reverse-worded items (code a → K−1−a); −1 stays −1."""
    k = layout.instrument.scale.n_categories
    rev = layout.reverse_mask
    out = answers.copy()
    cols = out[:, rev]
    out[:, rev] = np.where(cols >= 0, k - 1 - cols, -1)
    return out


def _mean_if_enough(
    values: NDArray[np.floating],
    observed: NDArray[np.floating],
    member: NDArray[np.floating],
    share: float,
) -> NDArray[np.float64]:
    # Sums and counts of whole answers are exact in float32 (fast BLAS); the division is done
    # in float64 so that 13/5 is 2.6 exactly enough to land in the band that starts at 2.6.
    sums = np.asarray(values @ member, dtype=np.float64)
    counts = np.asarray(observed @ member, dtype=np.float64)
    need = np.maximum(np.ceil(share * member.sum(axis=0) - 1e-9), 1)
    out: NDArray[np.float64] = sums / np.maximum(counts, 1.0)
    out[counts < need] = np.nan
    return out


def score_answers(reversed_codes: NDArray[np.int8], layout: ScoreLayout) -> NDArray[np.float64]:
    """Scores (rows × ``layout.n_scores``) on the scale's own units; NaN where missing."""
    share = layout.instrument.min_answered_share
    observed = (reversed_codes >= 0).astype(np.float32)
    values = reversed_codes.astype(np.float32) + np.float32(layout.instrument.scale.min)
    values *= observed
    dims = _mean_if_enough(values, observed, layout.item_dimension.astype(np.float32), share)
    dim_observed = (~np.isnan(dims)).astype(np.float64)
    notions = _mean_if_enough(np.nan_to_num(dims), dim_observed, layout.dimension_factor, share)
    everything = np.ones((values.shape[1], 1), dtype=np.float32)
    overall = _mean_if_enough(values, observed, everything, share)
    return np.hstack([dims, notions, overall])


def band_codes(scores: NDArray[np.float64], layout: ScoreLayout) -> NDArray[np.int64]:
    """Band index of each score (−1 where the score is missing)."""
    mins = np.array([b.min for b in layout.instrument.bands])
    # A tiny tolerance keeps a mean such as 3.4 (from 17/5) in the band that starts at 3.4.
    codes = np.searchsorted(mins, scores + 1e-9, side="right") - 1
    return np.where(np.isnan(scores), -1, codes).astype(np.int64)
