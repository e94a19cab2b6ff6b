"""The generative model of synthetic responses (documented in docs/synthetic-data.md).

Each pupil has a year group that the school's phase teaches (and so a key stage) and a true
score on every dimension, the sum of four independent parts: a key stage shift, a gender
shift, a school effect and an individual part. Their covariances add up to a target
covariance ``C = P Φ P'`` (off the diagonal) with the dimension's reliability on the
diagonal, in units of the observed dimension score's SD, so the dimension scores reproduce
the published pattern matrix ``P`` and reliabilities. Items are the true score plus noise,
cut at thresholds into the five answers; reverse-worded items are stored reversed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray
from scipy.special import ndtri

from learnsurvey.analysis.year_groups import YEAR_GROUPS, phase_year_groups
from learnsurvey.instruments import Instrument

from .params import SynthParams
from .schools import School, plan_schools

__all__ = ["ResponseModel"]

_PIECE = 50_000  # pupils drawn per random stream: results do not depend on chunk size


@dataclass(frozen=True)
class ResponseModel:
    instrument: Instrument
    params: SynthParams
    wave: str = "2021-summer"

    def __post_init__(self) -> None:
        self.params.check_instrument(self.instrument)

    @cached_property
    def _dims(self) -> list[str]:
        return self.instrument.dimension_ids

    @cached_property
    def reliability(self) -> NDArray[np.float64]:
        return np.array([self.params.dimensions[d].reliability for d in self._dims])

    @cached_property
    def target_cov(self) -> NDArray[np.float64]:
        p = self.params.pattern_matrix(self.instrument)
        c = p @ self.params.phi(self.instrument) @ p.T
        short = np.diag(c) - self.reliability
        if (short > 1e-9).any():
            bad = [d for d, s in zip(self._dims, short, strict=True) if s > 1e-9]
            raise ValueError(f"pattern explains more than the reliability allows for {bad}")
        np.fill_diagonal(c, self.reliability)
        return c

    @cached_property
    def school_cov(self) -> NDArray[np.float64]:
        # A school good for one dimension tends to be good for all (the report's top and bottom
        # schools are the same on every dimension): the school effects' correlations are pulled
        # towards one by `school_effect_common`.
        c = self.target_cov
        sd = np.sqrt(np.diag(c))
        w = self.params.school_effect_common
        corr = (1 - w) * c / np.outer(sd, sd) + w
        k = np.sqrt([self.params.dimensions[d].school_share for d in self._dims])
        return np.asarray(corr * np.outer(k * sd, k * sd))

    def _shift_table(
        self, shares: dict[str, float], shift: dict[str, float], extra: dict[str, dict[str, float]]
    ) -> tuple[list[str], NDArray[np.float64]]:
        labels = list(shares)
        w = np.array([shares[g] for g in labels])
        m = np.array(
            [[shift.get(g, 0.0) + extra.get(g, {}).get(d, 0.0) for d in self._dims] for g in labels]
        )
        return labels, m - w @ m  # centred: the shifts move groups, not the whole population

    @cached_property
    def key_stage_shares(self) -> dict[str, float]:
        """Pupil shares of each key stage, given the phase and key stage mix of schools."""
        sch = self.params.schools
        out: dict[str, float] = {}
        for phase, share in sch.phase_shares.items():
            weight = share * sch.size_median[phase]
            for ks, s in sch.key_stage_shares[phase].items():
                out[ks] = out.get(ks, 0.0) + weight * s
        total = sum(out.values())
        return {k: v / total for k, v in out.items()}

    def year_group_shares(self, school: School) -> dict[int, float]:
        """The share of a school's pupils in each year group: each key stage's share of its
        mix split evenly over the years of that stage the school's phase teaches (the
        platform's rule, :func:`~learnsurvey.analysis.year_groups.phase_year_groups`; the
        parameters were checked to give no key stage a phase does not teach), in the order
        of the mix."""
        taught = phase_year_groups(self.instrument, school.phase)
        out: dict[int, float] = {}
        for ks, share in school.key_stage_shares.items():
            years = [y for y in taught if YEAR_GROUPS[y] == ks]
            out |= {y: share / len(years) for y in years}
        return out

    @cached_property
    def key_stage_effects(self) -> tuple[list[str], NDArray[np.float64]]:
        return self._shift_table(self.key_stage_shares, self.params.key_stage_shift, {})

    @cached_property
    def gender_effects(self) -> tuple[list[str], NDArray[np.float64]]:
        p = self.params
        return self._shift_table(p.gender_shares, p.gender_shift, p.gender_dimension_shift)

    def key_stage_mean(self, school: School) -> NDArray[np.float64]:
        """The mean key-stage shift of a school's pupils (by its key stage mix): where its
        pupils sit, on average, before its school effect."""
        labels, shift = self.key_stage_effects
        weights = np.zeros(len(labels))
        for ks, share in school.key_stage_shares.items():
            weights[labels.index(ks)] = share
        return np.asarray(weights @ shift, dtype=np.float64)

    @cached_property
    def individual_chol(self) -> NDArray[np.float64]:
        cov = self.target_cov - self.school_cov
        groups = (
            (self.key_stage_shares, self.key_stage_effects),
            (self.params.gender_shares, self.gender_effects),
        )
        for shares, (labels, shift) in groups:
            w = np.array([shares[g] for g in labels])
            cov = cov - (shift * w[:, None]).T @ shift
        try:
            return np.asarray(np.linalg.cholesky(cov), dtype=np.float64)
        except np.linalg.LinAlgError:
            raise ValueError(
                "school, key stage and gender effects leave no room for pupils' own variation"
            ) from None

    @cached_property
    def item_layout(self) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.bool_]]:
        """Per item: its dimension index, its threshold offset, whether it is reversed."""
        dims = np.array([self._dims.index(i.dimension) for i in self.instrument.items])
        rng = np.random.default_rng(20210621)  # fixed: item difficulty is part of the model
        spread = self.params.item_location_spread
        offsets = rng.uniform(-spread, spread, len(dims))
        for d in range(len(self._dims)):
            mine = dims == d
            offsets[mine] -= offsets[mine].mean()
        offsets += np.array([self.params.dimensions[d].location for d in self._dims])[dims]
        reverse = np.array([i.reverse for i in self.instrument.items])
        return dims, offsets, reverse

    @cached_property
    def thresholds(self) -> NDArray[np.float64]:
        cum = np.cumsum(self.params.base_category_shares)[:-1]
        return np.asarray(ndtri(cum), dtype=np.float64)

    def schools(self, n_responses: int, n_schools: int, seed: int) -> list[School]:
        return plan_schools(n_responses, n_schools, self.params, seed)

    def school_effects(self, phases: list[str], seed: int) -> NDArray[np.float64]:
        """School effects on each dimension: a Gaussian copula of ``school_cov`` whose margins
        are evenly spaced normal quantiles within each phase (as in Latin hypercube sampling).
        A few dozen schools then span the intended spread in every phase every time, instead
        of by luck; which school gets which effect, and the ranks across dimensions, stay
        random."""
        rng = np.random.default_rng([seed, 1])
        draw = rng.multivariate_normal(
            np.zeros(len(self._dims)), self.school_cov, size=len(phases), method="cholesky"
        )
        effects = np.empty_like(draw)
        sd = np.sqrt(np.diag(self.school_cov))
        labels = np.array(phases)
        for phase in dict.fromkeys(phases):
            mine = labels == phase
            ranks = draw[mine].argsort(axis=0).argsort(axis=0)
            effects[mine] = ndtri((ranks + 0.5) / mine.sum()) * sd
        return effects

    def tables(
        self, n_responses: int, n_schools: int, seed: int, *, chunk_rows: int = 200_000
    ) -> Iterator[pa.Table]:
        """Responses in the import format, ``chunk_rows`` at a time, school by school."""
        schools = self.schools(n_responses, n_schools, seed)
        effects = self.school_effects([s.phase for s in schools], seed)
        return self.tables_of(schools, effects, [seed, 2], chunk_rows=chunk_rows)

    def tables_of(
        self,
        schools: Sequence[School],
        effects: NDArray[np.float64],
        stream: Sequence[int],
        *,
        chunk_rows: int = 200_000,
    ) -> Iterator[pa.Table]:
        """The responses of the given schools (school ``k`` with effect ``effects[k]``),
        ``chunk_rows`` at a time. School ``k``'s pupils are drawn in pieces of at most
        50,000, piece ``p`` from the random stream ``[*stream, k, p]``."""
        pending: list[pa.Table] = []
        rows = 0
        for k, school in enumerate(schools):
            for piece, start in enumerate(range(0, school.size, _PIECE)):
                size = min(_PIECE, school.size - start)
                rng = np.random.default_rng([*stream, k, piece])
                pending.append(self.pupils(school, effects[k], size, rng))
                rows += size
                if rows >= chunk_rows:
                    yield pa.concat_tables(pending)
                    pending, rows = [], 0
        if pending:
            yield pa.concat_tables(pending)

    def pupils(
        self, school: School, effect: NDArray[np.float64], size: int, rng: np.random.Generator
    ) -> pa.Table:
        """``size`` pupils of ``school`` whose school effect is ``effect`` (one per
        dimension, in the true score's units)."""
        ks_labels, ks_shift = self.key_stage_effects
        g_labels, g_shift = self.gender_effects
        shares = self.year_group_shares(school)
        years = np.array(list(shares), dtype=np.int8)
        stages = np.array([YEAR_GROUPS[int(y)] for y in years])
        # One draw over the years in key-stage order, each stage's share split over its
        # years: a random number falls in the key stage that a draw of the key stage alone
        # gave, so a seed keeps its calibrated key-stage mix and every later draw.
        year = rng.choice(len(years), size=size, p=list(shares.values()))
        ks_idx = np.array([ks_labels.index(str(n)) for n in stages])[year]
        gender = rng.choice(len(g_labels), size=size, p=list(self.params.gender_shares.values()))
        true = (
            ks_shift[ks_idx]
            + g_shift[gender]
            + effect
            + rng.standard_normal((size, len(self._dims))) @ self.individual_chol.T
        )
        answers = self.answers(true, rng)
        columns: dict[str, pa.Array] = {
            "school": pa.array([school.school] * size, pa.string()),
            "year_group": pa.array(years[year], pa.int8()),
            "key_stage": pa.array(stages[year], pa.string()),
            "gender": pa.array(np.array(g_labels)[gender], pa.string()),
            "wave": pa.array([self.wave] * size, pa.string()),
        }
        for j, item in enumerate(self.instrument.item_ids):
            col = answers[:, j]
            columns[item] = pa.array(col, pa.int8(), mask=col < 0)
        return pa.table(columns)

    def answers(self, true: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.int8]:
        """Answers on the instrument's scale (−1 for none) of respondents whose true scores
        are the rows of ``true``: items cut from the true score plus noise, reverse-worded
        items reversed, some answers blank and some respondents stopping part-way."""
        dims, offsets, reverse = self.item_layout
        r = np.array([self.params.dimensions[d].item_r for d in self._dims])
        a = np.sqrt(r)[dims]
        standard = true / np.sqrt(self.reliability)
        latent = a * standard[:, dims] + np.sqrt(1 - a * a) * rng.standard_normal(
            (true.shape[0], len(dims))
        )
        cats = (latent[:, :, None] + offsets[None, :, None] > self.thresholds).sum(axis=2)
        k = self.instrument.scale.n_categories
        cats = np.where(reverse, k - 1 - cats, cats)
        p = self.params
        missing = rng.random(cats.shape) < p.missing_answer_rate
        stops = np.less(rng.random(true.shape[0]), p.stop_early_rate)
        stop_at = np.asarray(rng.integers(len(dims) // 2, len(dims), size=true.shape[0]))
        missing |= stops[:, None] & (np.arange(len(dims)) >= stop_at[:, None])
        values = cats + self.instrument.scale.min
        return np.where(missing, -1, values).astype(np.int8)
