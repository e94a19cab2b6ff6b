"""Cronbach's alpha in-process: pingouin against learnsurvey's own path, on data in memory.

Both get the same answers; loading the file is not timed. Each is timed ``repeats`` times
(alternating) and the median reported. pingouin receives the items already
reverse-keyed as a DataFrame (``nan_policy="pairwise"``, its default); learnsurvey starts from
the raw category codes, reverse-codes them, counts the item-pair tables and derives alpha from
their covariances — the path ``learnsurvey analyse`` takes.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from numpy.typing import NDArray

from learnsurvey.analysis.scoring import ScoreLayout, reverse_codes
from learnsurvey.instruments import Instrument
from learnsurvey.stats.moments import CategoryTables
from learnsurvey.stats.reliability import cronbach_alpha

__all__ = ["AlphaTiming", "pingouin_available", "time_alphas"]


@dataclass(frozen=True)
class AlphaTiming:
    pingouin_s: float
    ours_s: float
    pingouin: dict[str, float]
    ours: dict[str, float]

    @property
    def max_abs_diff(self) -> float:
        return max(abs(self.pingouin[k] - self.ours[k]) for k in self.ours)


def pingouin_available() -> bool:
    return importlib.util.find_spec("pingouin") is not None


def scales(instrument: Instrument) -> dict[str, list[int]]:
    """Item positions of each dimension and of ``overall``."""
    out = {
        d.id: [k for k, item in enumerate(instrument.items) if item.dimension == d.id]
        for d in instrument.dimensions
    }
    out["overall"] = list(range(len(instrument.items)))
    return out


def load_answers(path: Path, instrument: Instrument) -> NDArray[np.float64]:
    """The (rows × items) answers of a Parquet file, NaN where not answered."""
    table = pq.read_table(path, columns=instrument.item_ids)
    return np.column_stack(
        [
            table[item].to_numpy(zero_copy_only=False).astype(np.float64)
            for item in table.column_names
        ]
    )


def time_alphas(
    answers: NDArray[np.float64], instrument: Instrument, *, repeats: int = 1
) -> AlphaTiming:
    """Median seconds of ``repeats`` timings of each (alternating), and the alphas."""
    frame = _keyed_frame(answers, instrument)
    codes = np.where(np.isnan(answers), -1, answers - instrument.scale.min).astype(np.int8)
    pingouin_times, ours_times = [], []
    for _ in range(max(1, repeats)):
        seconds, pingouin = _timed_pingouin(frame, instrument)
        pingouin_times.append(seconds)
        seconds, ours = _timed_ours(codes, instrument)
        ours_times.append(seconds)
    return AlphaTiming(
        statistics.median(pingouin_times), statistics.median(ours_times), pingouin, ours
    )


def _keyed_frame(answers: NDArray[np.float64], instrument: Instrument) -> pd.DataFrame:
    reverse = np.array([item.reverse for item in instrument.items])
    scale = instrument.scale
    keyed = np.where(reverse, scale.min + scale.max - answers, answers)
    return pd.DataFrame(keyed, columns=instrument.item_ids)


def _timed_pingouin(frame: pd.DataFrame, instrument: Instrument) -> tuple[float, dict[str, float]]:
    import pingouin  # type: ignore[import-untyped]

    started = time.perf_counter()
    alphas = {
        name: float(pingouin.cronbach_alpha(data=frame.iloc[:, idx])[0])
        for name, idx in scales(instrument).items()
    }
    return time.perf_counter() - started, alphas


def _timed_ours(codes: NDArray[np.int8], instrument: Instrument) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    layout = ScoreLayout(instrument)
    tables = CategoryTables.from_codes(reverse_codes(codes, layout), instrument.scale.n_categories)
    cov = tables.moments(layout.scale_values).cov()
    alphas = {
        name: cronbach_alpha(cov[np.ix_(idx, idx)], n_obs=len(codes)).alpha
        for name, idx in scales(instrument).items()
    }
    return time.perf_counter() - started, alphas
