"""Analyse a response file end to end: stream it into statistics, derive the tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from learnsurvey.instruments import Instrument
from learnsurvey.io.responses import CHUNK_ROWS, read_responses

from .psychometrics import Rotation
from .statistics import StatisticsBuilder, WaveStatistics
from .tables import wave_tables

__all__ = ["AnalysisResult", "analyse_file"]


@dataclass(frozen=True)
class AnalysisResult:
    statistics: WaveStatistics
    tables: dict[str, pd.DataFrame]
    threshold: int


def analyse_file(
    path: Path | str,
    instrument: Instrument,
    *,
    threshold: int,
    context: pd.DataFrame | None = None,
    on_rows: Callable[[int], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    rotation: Rotation = "oblimin",
    school_if_missing: str | None = None,
) -> AnalysisResult:
    """Read ``path`` in chunks (calling ``on_rows(n)`` after each) and compute every table.

    ``school_if_missing`` is the school of every row of a file without a ``school`` column
    (see :func:`~learnsurvey.io.read_responses`). Raises
    :class:`~learnsurvey.io.ResponseDataError` on bad input before anything is written.
    """
    builder = StatisticsBuilder(instrument)
    chunks = read_responses(
        path, instrument, chunk_rows=chunk_rows, school_if_missing=school_if_missing
    )
    for chunk in chunks:
        builder.add(chunk)
        if on_rows is not None:
            on_rows(chunk.n_rows)
    stats = builder.result()
    tables = wave_tables(stats, threshold=threshold, context=context, rotation=rotation)
    return AnalysisResult(stats, tables, threshold)
