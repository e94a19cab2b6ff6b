"""Mergeable sufficient statistics.

Everything the project reports is derived from three kinds of count, each of which adds up
across chunks, processes, machines and organisations:

* :class:`CategoryTables` — for every pair of items, the contingency table of their answers.
  Pairwise-complete means, covariances and correlations (as R's ``use="pairwise"``) and
  polychoric correlations all derive from it.
* :class:`PairwiseMoments` — for continuous scores with missing values, the pairwise counts,
  sums, sums of squares and cross-products.
* :class:`GroupMoments` — per group (a cell such as school × key stage × gender), the count,
  sum and sum of squares of each variable; group means, SDs and the within-group sums of
  squares used by the multilevel model derive from it.

Adding two statistics gives exactly the statistics of the concatenated data (tested with
hypothesis in tests/stats/test_moments.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["CategoryTables", "GroupMoments", "PairwiseMoments", "sum_rows_by"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# One-hot blocks are multiplied in float32 for speed; float32 counts are exact below 2**24,
# so a block is kept well under that (and small enough to stay in cache).
_BLOCK_ROWS = 1 << 15


def sum_rows_by(values: ArrayLike, groups: ArrayLike, n_groups: int) -> FloatArray:
    """Sum the rows of a 2-d ``values`` into ``n_groups`` rows by ``groups`` (−1 drops a row).

    One ``bincount`` per column: far faster than ``np.add.at`` on many groups. Counts stay
    exact (float64 holds whole numbers exactly up to 2**53).
    """
    v = np.asarray(values, dtype=np.float64)
    g = np.asarray(groups, dtype=np.intp)
    keep = g >= 0
    out = np.empty((n_groups, v.shape[1]))
    for j in range(v.shape[1]):
        out[:, j] = np.bincount(g[keep], weights=v[keep, j], minlength=n_groups)
    return out


@dataclass(frozen=True)
class CategoryTables:
    """Contingency tables of every item pair: ``counts[i, j, a, b]``.

    ``counts[i, j, a, b]`` is the number of respondents who answered category ``a`` on item
    ``i`` and category ``b`` on item ``j`` (both answered); ``counts[i, i]`` is diagonal and
    holds item ``i``'s category counts.
    """

    counts: IntArray

    def __post_init__(self) -> None:
        c = self.counts
        if c.ndim != 4 or c.shape[0] != c.shape[1] or c.shape[2] != c.shape[3]:
            raise ValueError(f"counts must have shape (p, p, K, K), not {c.shape}")

    @classmethod
    def empty(cls, n_items: int, n_categories: int) -> CategoryTables:
        shape = (n_items, n_items, n_categories, n_categories)
        return cls(np.zeros(shape, dtype=np.int64))

    @classmethod
    def from_codes(cls, codes: ArrayLike, n_categories: int) -> CategoryTables:
        """Count answers given as category codes ``0..K-1`` (``-1`` = not answered).

        The tables are the Gram matrix of the one-hot coding, ``Z'Z``, computed blockwise.
        """
        x = np.asarray(codes)
        if x.ndim != 2:
            raise ValueError("codes must be a 2-d array (respondents x items)")
        if x.size and (x.min() < -1 or x.max() >= n_categories):
            raise ValueError(f"codes must lie in -1..{n_categories - 1}")
        n_rows, p = x.shape
        k = n_categories
        total = np.zeros((p * k, p * k), dtype=np.int64)
        # Row a + 1 of the lookup table is the one-hot code of category a; row 0 (no answer)
        # is all zeros. `take` builds each block's one-hot matrix in one pass.
        lookup = np.vstack([np.zeros((1, k), np.float32), np.eye(k, dtype=np.float32)])
        for start in range(0, n_rows, _BLOCK_ROWS):
            block = x[start : start + _BLOCK_ROWS].astype(np.intp) + 1
            z = np.take(lookup, block, axis=0).reshape(block.shape[0], p * k)
            total += np.rint(z.T @ z).astype(np.int64)
        counts = total.reshape(p, k, p, k).transpose(0, 2, 1, 3)
        return cls(np.ascontiguousarray(counts))

    def __add__(self, other: CategoryTables) -> CategoryTables:
        if self.counts.shape != other.counts.shape:
            raise ValueError("cannot add tables of different shapes")
        return CategoryTables(self.counts + other.counts)

    @property
    def n_items(self) -> int:
        return int(self.counts.shape[0])

    @property
    def n_categories(self) -> int:
        return int(self.counts.shape[2])

    def item_counts(self) -> IntArray:
        """Category counts of each item, shape (p, K)."""
        idx = np.arange(self.n_items)
        return np.asarray(np.diagonal(self.counts[idx, idx], axis1=1, axis2=2), dtype=np.int64)

    def subset(self, items: ArrayLike) -> CategoryTables:
        idx = np.asarray(items, dtype=np.intp)
        return CategoryTables(self.counts[np.ix_(idx, idx)])

    def moments(self, values: ArrayLike | None = None) -> PairwiseMoments:
        """Pairwise moments of the items, scoring category ``a`` as ``values[a]``."""
        v = np.arange(self.n_categories, dtype=np.float64) if values is None else values
        v = np.asarray(v, dtype=np.float64)
        c = self.counts.astype(np.float64)
        row_totals = c.sum(axis=3)  # (p, p, K): counts by the row item's category
        return PairwiseMoments(
            n=c.sum(axis=(2, 3)),
            sum_x=row_totals @ v,
            sum_xx=row_totals @ (v * v),
            sum_xy=np.einsum("ijab,a,b->ij", c, v, v),
        )


@dataclass(frozen=True)
class PairwiseMoments:
    """Pairwise-complete moments of ``q`` continuous variables with missing values.

    For each pair ``(i, j)``, over the rows where both are observed: ``n[i, j]`` rows,
    ``sum_x[i, j]`` = Σ x_i, ``sum_xx[i, j]`` = Σ x_i², ``sum_xy[i, j]`` = Σ x_i x_j.
    """

    n: FloatArray
    sum_x: FloatArray
    sum_xx: FloatArray
    sum_xy: FloatArray

    @classmethod
    def empty(cls, n_vars: int) -> PairwiseMoments:
        z = np.zeros((n_vars, n_vars))
        return cls(z, z.copy(), z.copy(), z.copy())

    @classmethod
    def from_values(cls, values: ArrayLike) -> PairwiseMoments:
        """Moments of a (rows x variables) array in which NaN marks a missing value."""
        x = np.asarray(values, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError("values must be a 2-d array (rows x variables)")
        observed = (~np.isnan(x)).astype(np.float64)
        x0 = np.where(observed > 0, x, 0.0)
        return cls(
            n=observed.T @ observed,
            sum_x=x0.T @ observed,
            sum_xx=(x0 * x0).T @ observed,
            sum_xy=x0.T @ x0,
        )

    def __add__(self, other: PairwiseMoments) -> PairwiseMoments:
        if self.n.shape != other.n.shape:
            raise ValueError("cannot add moments of different shapes")
        return PairwiseMoments(
            self.n + other.n,
            self.sum_x + other.sum_x,
            self.sum_xx + other.sum_xx,
            self.sum_xy + other.sum_xy,
        )

    def subset(self, idx: ArrayLike) -> PairwiseMoments:
        ix = np.ix_(np.asarray(idx, dtype=np.intp), np.asarray(idx, dtype=np.intp))
        return PairwiseMoments(self.n[ix], self.sum_x[ix], self.sum_xx[ix], self.sum_xy[ix])

    def counts(self) -> FloatArray:
        """Observed count of each variable."""
        return np.diag(self.n).copy()

    def means(self) -> FloatArray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.diag(self.sum_x) / np.diag(self.n)

    def cov(self) -> FloatArray:
        """Pairwise-complete covariance matrix (R ``cov(x, use = "pairwise")``).

        cov_ij = (Σ x_i x_j − Σ x_i Σ x_j / n_ij) / (n_ij − 1), sums over rows where both are
        observed; the diagonal is each variable's variance over its observed rows.
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self.sum_xy - self.sum_x * self.sum_x.T / self.n) / (self.n - 1)

    def corr(self) -> FloatArray:
        """Pairwise-complete Pearson correlations (R ``cor(x, use = "pairwise")``).

        Each pair's SDs are computed over that pair's complete rows, as R does.
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            ss_i = self.sum_xx - self.sum_x**2 / self.n
            sp = self.sum_xy - self.sum_x * self.sum_x.T / self.n
            r = sp / np.sqrt(ss_i * ss_i.T)
        np.fill_diagonal(r, 1.0)
        return np.asarray(r, dtype=np.float64)


@dataclass(frozen=True)
class GroupMoments:
    """Per-group count, sum and sum of squares of ``q`` variables: arrays of shape (g, q)."""

    n: FloatArray
    sum: FloatArray
    sum_sq: FloatArray

    @classmethod
    def empty(cls, n_groups: int, n_vars: int) -> GroupMoments:
        z = np.zeros((n_groups, n_vars))
        return cls(z, z.copy(), z.copy())

    @classmethod
    def from_values(cls, values: ArrayLike, groups: ArrayLike, n_groups: int) -> GroupMoments:
        """Moments of (rows x variables) ``values`` (NaN = missing) by integer group code."""
        x = np.asarray(values, dtype=np.float64)
        g = np.asarray(groups, dtype=np.intp)
        if x.ndim != 2 or g.shape != (x.shape[0],):
            raise ValueError("values must be (rows x variables) and groups one code per row")
        if g.size and (g.min() < 0 or g.max() >= n_groups):
            raise ValueError(f"group codes must lie in 0..{n_groups - 1}")
        q = x.shape[1]
        observed = ~np.isnan(x)
        x0 = np.where(observed, x, 0.0)
        # One bincount per statistic over (group, variable) pairs.
        flat = (g[:, None] * q + np.arange(q)).ravel()
        size = n_groups * q

        def tally(w: FloatArray) -> FloatArray:
            counts = np.bincount(flat, weights=w.ravel(), minlength=size)
            return np.asarray(counts, dtype=np.float64).reshape(n_groups, q)

        return cls(tally(observed.astype(np.float64)), tally(x0), tally(x0 * x0))

    def __add__(self, other: GroupMoments) -> GroupMoments:
        if self.n.shape != other.n.shape:
            raise ValueError("cannot add moments of different shapes")
        return GroupMoments(self.n + other.n, self.sum + other.sum, self.sum_sq + other.sum_sq)

    def padded(self, n_groups: int) -> GroupMoments:
        """The same moments with empty groups appended up to ``n_groups``."""
        extra = n_groups - self.n.shape[0]
        if extra < 0:
            raise ValueError("cannot pad to fewer groups")
        pad = ((0, extra), (0, 0))
        return GroupMoments(np.pad(self.n, pad), np.pad(self.sum, pad), np.pad(self.sum_sq, pad))

    def collapse(self, mapping: ArrayLike, n_groups: int) -> GroupMoments:
        """Merge groups: group ``k`` joins new group ``mapping[k]`` (−1 drops it)."""
        m = np.asarray(mapping, dtype=np.intp)
        if m.shape != (self.n.shape[0],):
            raise ValueError("mapping needs one entry per group")
        return GroupMoments(
            sum_rows_by(self.n, m, n_groups),
            sum_rows_by(self.sum, m, n_groups),
            sum_rows_by(self.sum_sq, m, n_groups),
        )

    def total(self) -> GroupMoments:
        return self.collapse(np.zeros(self.n.shape[0], dtype=np.intp), 1)

    def means(self) -> FloatArray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.sum / self.n

    def ss_within(self) -> FloatArray:
        """Σ (x − mean)² within each group (0 for empty groups)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            ss = self.sum_sq - np.where(self.n > 0, self.sum**2 / self.n, 0.0)
        return np.maximum(ss, 0.0)

    def sds(self) -> FloatArray:
        """Sample SDs (n − 1 denominator); NaN where n < 2."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 1, np.sqrt(self.ss_within() / (self.n - 1)), np.nan)
