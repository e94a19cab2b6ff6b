"""The mergeable sufficient statistics of a wave of responses.

:class:`WaveStatistics` holds, for one instrument: the item-pair contingency tables (items
reverse-coded), the pairwise moments of the pupils' scores, and per cell (school × key stage ×
gender × wave) the count, sum and sum of squares of every score and the count of pupils in
each score band. Two of them add up to the statistics of the combined data, so a file can be
read in chunks, in parallel, or in separate organisations. Every result table derives from
them (see :mod:`learnsurvey.analysis.tables`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from learnsurvey.instruments import Instrument
from learnsurvey.io.responses import ResponseChunk
from learnsurvey.stats.moments import CategoryTables, GroupMoments, PairwiseMoments, sum_rows_by

from .scoring import ScoreLayout, band_codes, reverse_codes, score_answers

__all__ = ["CELL_KEYS", "NOT_GIVEN", "StatisticsBuilder", "WaveStatistics", "wave_statistics"]

CELL_KEYS = ("school", "key_stage", "gender", "wave")
Grouped = tuple[pd.DataFrame, GroupMoments, NDArray[np.int64]]
NOT_GIVEN = "not_given"


@dataclass(frozen=True)
class WaveStatistics:
    layout: ScoreLayout
    items: CategoryTables
    scores: PairwiseMoments
    cells: pd.DataFrame
    """One row per cell, columns ``CELL_KEYS``; row k describes ``cell_moments`` row k."""
    cell_moments: GroupMoments
    cell_bands: NDArray[np.int64]
    """(cells × scores × bands) pupil counts."""
    n_rows: int
    _groups: dict[tuple[str, ...], Grouped] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def instrument(self) -> Instrument:
        return self.layout.instrument

    def __add__(self, other: WaveStatistics) -> WaveStatistics:
        if other.instrument.id != self.instrument.id:
            raise ValueError("cannot add statistics of different instruments")
        keys = pd.concat([self.cells, other.cells], ignore_index=True).drop_duplicates()
        keys = keys.reset_index(drop=True)
        index = {tuple(r): k for k, r in enumerate(keys.itertuples(index=False))}
        size = len(keys)
        total_m = GroupMoments.empty(size, self.layout.n_scores)
        total_b = np.zeros((size, *self.cell_bands.shape[1:]), dtype=np.int64)
        for part in (self, other):
            where = np.array([index[tuple(r)] for r in part.cells.itertuples(index=False)])
            total_m = total_m + part.cell_moments.collapse(where, size)
            total_b += _sum_bands(part.cell_bands, where, size)
        return WaveStatistics(
            self.layout,
            self.items + other.items,
            self.scores + other.scores,
            keys,
            total_m,
            total_b,
            self.n_rows + other.n_rows,
        )

    def groups(self, by: str | list[str]) -> Grouped:
        """Collapse the cells to groups ``by`` (e.g. ``"school"``): keys, moments, band counts.

        Remembered: several tables group by school. Callers must not modify the result."""
        cols = (by,) if isinstance(by, str) else tuple(by)
        if cols not in self._groups:
            keys, codes = _factorize(self.cells, list(cols))
            moments = self.cell_moments.collapse(codes, len(keys))
            self._groups[cols] = (keys, moments, _sum_bands(self.cell_bands, codes, len(keys)))
        return self._groups[cols]


def _sum_bands(
    bands: NDArray[np.int64], groups: NDArray[np.intp], n_groups: int
) -> NDArray[np.int64]:
    flat = sum_rows_by(bands.reshape(bands.shape[0], -1), groups, n_groups)
    return np.rint(flat).astype(np.int64).reshape(n_groups, *bands.shape[1:])


def _factorize(cells: pd.DataFrame, cols: list[str]) -> tuple[pd.DataFrame, NDArray[np.intp]]:
    codes: NDArray[np.intp]
    if not len(cells):
        return pd.DataFrame(columns=cols), np.zeros(0, dtype=np.intp)
    grouped = cells.groupby(cols, sort=True, dropna=False)
    codes = np.asarray(grouped.ngroup().to_numpy(), dtype=np.intp)
    keys = grouped.size().reset_index()[cols]
    return keys, codes


@dataclass
class StatisticsBuilder:
    """Accumulates :class:`WaveStatistics` chunk by chunk in bounded memory.

    Per-cell sums live in arrays with spare capacity (doubled when full), and each chunk adds
    into only the cells it contains, so the work per chunk does not grow with the number of
    cells seen so far.
    """

    instrument: Instrument
    layout: ScoreLayout = field(init=False)
    _items: CategoryTables = field(init=False)
    _scores: PairwiseMoments = field(init=False)
    _cells: dict[tuple[str, str, str, str], int] = field(init=False, default_factory=dict)
    _sums: NDArray[np.float64] = field(init=False)
    """(capacity × 3 × scores): count, sum and sum of squares of every score per cell."""
    _bands: NDArray[np.int64] = field(init=False)
    _rows: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.layout = ScoreLayout(self.instrument)
        k = self.instrument.scale.n_categories
        self._items = CategoryTables.empty(len(self.instrument.items), k)
        self._scores = PairwiseMoments.empty(self.layout.n_scores)
        self._sums = np.zeros((64, 3, self.layout.n_scores))
        self._bands = np.zeros((64, self.layout.n_scores, len(self.instrument.bands)), np.int64)

    def add(self, chunk: ResponseChunk) -> None:
        codes = reverse_codes(chunk.answers, self.layout)
        scores = score_answers(codes, self.layout)
        self._items = self._items + CategoryTables.from_codes(
            codes, self.instrument.scale.n_categories
        )
        self._scores = self._scores + PairwiseMoments.from_values(scores)
        local, cells = self._cell_codes(chunk)
        self._reserve(len(self._cells))
        moments = GroupMoments.from_values(scores, local, len(cells))
        self._sums[cells] += np.stack([moments.n, moments.sum, moments.sum_sq], axis=1)
        self._bands[cells] += self._band_counts(scores, local, len(cells))
        self._rows += chunk.n_rows

    def _reserve(self, n_cells: int) -> None:
        capacity = self._sums.shape[0]
        if n_cells <= capacity:
            return
        while capacity < n_cells:
            capacity *= 2
        grow = capacity - self._sums.shape[0]
        self._sums = np.pad(self._sums, ((0, grow), (0, 0), (0, 0)))
        self._bands = np.pad(self._bands, ((0, grow), (0, 0), (0, 0)))

    def _cell_codes(self, chunk: ResponseChunk) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Each row's cell among this chunk's cells, and those cells' global numbers."""
        parts = (chunk.school, chunk.key_stage, chunk.gender, chunk.wave)
        local = np.zeros(chunk.n_rows, dtype=np.int64)
        for part in parts:
            local = local * (len(part.labels) + 1) + (part.codes.astype(np.int64) + 1)
        uniq, inverse = np.unique(local, return_inverse=True)
        to_global = np.empty(len(uniq), dtype=np.intp)
        for u, code in enumerate(uniq):
            key = []
            rest = int(code)
            for part in reversed(parts):
                rest, idx = divmod(rest, len(part.labels) + 1)
                key.append(part.labels[idx - 1] if idx else "")
            school, key_stage, gender, wave = reversed(key)
            cell = (school, key_stage or NOT_GIVEN, gender or NOT_GIVEN, wave)
            to_global[u] = self._cells.setdefault(cell, len(self._cells))
        return np.asarray(inverse.ravel(), dtype=np.intp), to_global

    def _band_counts(
        self, scores: NDArray[np.float64], cell: NDArray[np.intp], n_cells: int
    ) -> NDArray[np.int64]:
        n_bands = len(self.instrument.bands)
        q = self.layout.n_scores
        bands = band_codes(scores, self.layout)
        ok = bands >= 0
        flat = (cell[:, None] * q + np.arange(q)) * n_bands + bands
        counts = np.bincount(flat[ok], minlength=n_cells * q * n_bands)
        return counts.reshape(n_cells, q, n_bands).astype(np.int64)

    def result(self) -> WaveStatistics:
        n_cells = len(self._cells)
        cells = pd.DataFrame(list(self._cells), columns=list(CELL_KEYS))
        sums = self._sums[:n_cells]
        moments = GroupMoments(sums[:, 0].copy(), sums[:, 1].copy(), sums[:, 2].copy())
        return WaveStatistics(
            self.layout,
            self._items,
            self._scores,
            cells,
            moments,
            self._bands[:n_cells].copy(),
            self._rows,
        )


def wave_statistics(instrument: Instrument, chunks: Iterable[ResponseChunk]) -> WaveStatistics:
    builder = StatisticsBuilder(instrument)
    for chunk in chunks:
        builder.add(chunk)
    return builder.result()
