"""What the figures over time are built from: several waves of one instrument, oldest first.

The platform builds a :class:`Timeline` from its database (``web.reports.sources``); a
responses file with several waves gives the same (:func:`timeline_from_files`). Pupils are
anonymous and differ between waves, so the waves are independent samples. Django-free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from learnsurvey.instruments import Instrument
from learnsurvey.io.responses import ResponseChunk, read_responses

from .dashboard import DashboardStatistics
from .seasons import SEASONS, Season, season_in, season_of

__all__ = [
    "SEASONS",
    "Season",
    "Timeline",
    "TimelineWave",
    "season_in",
    "season_of",
    "timeline_from_files",
]


@dataclass(frozen=True)
class TimelineWave:
    """One wave of the series: its name as readers know it and its statistics (published
    responses only, as :class:`~learnsurvey.analysis.inputs.ReportInputs` has them)."""

    wave: str
    statistics: DashboardStatistics
    season: Season | None = None
    opens: date | None = None


@dataclass(frozen=True)
class Timeline:
    """Waves of the same instrument id, oldest first (versions may differ: only the items
    and dimensions they share are compared). Nothing here is suppressed yet."""

    waves: tuple[TimelineWave, ...]
    schools: pd.DataFrame
    """The school context (columns :data:`~learnsurvey.analysis.inputs.CONTEXT_COLUMNS`)
    as of the latest wave: trusts are grouped by their schools now."""
    threshold: int


def _order(found: Sequence[str], waves: Sequence[str] | None, path: Path) -> list[str]:
    if "" in found:
        raise ValueError(f"{path}: some rows have no wave; a series needs every row's wave")
    if waves is None:
        return list(found)
    missing = [w for w in waves if w not in found]
    if missing:
        listed = ", ".join(map(repr, found))
        raise ValueError(f"{path}: no responses for wave {missing[0]!r} (waves: {listed})")
    if len(set(waves)) != len(waves):
        raise ValueError("each wave may be listed once")
    return list(waves)


def timeline_from_files(
    responses: Path,
    instrument: Instrument,
    *,
    threshold: int,
    context: Path | None = None,
    waves: Sequence[str] | None = None,
    seasons: Mapping[str, Season] | None = None,
    opens: Mapping[str, date] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Timeline:
    """Read a responses file holding several waves (its ``wave`` column) into a
    :class:`Timeline`, as :func:`~learnsurvey.analysis.inputs.inputs_from_files` reads one.

    Parameters
    ----------
    responses
        The responses file in the import format; every row names its wave.
    instrument
        The instrument of every wave (one file holds one version).
    threshold
        The pupil threshold of :mod:`learnsurvey.stats.disclosure`.
    context
        The school context CSV (trusts are read from it), if any.
    waves
        The waves to take, oldest first; by default every wave in the order it first
        appears in the file.
    seasons, opens
        Each wave's season and opening date, where known. A wave without a given season
        takes it from its opening date (:func:`season_of`), else from its name
        (:func:`season_in`), else has none.
    progress
        Called with the number of rows of each chunk read.

    Raises
    ------
    ValueError
        If the file holds no responses, a row has no wave, or a listed wave has none.
    """
    from .context import read_context
    from .inputs import school_context, split_waves

    def counted(chunks: Iterable[ResponseChunk]) -> Iterable[ResponseChunk]:
        for chunk in chunks:
            if progress is not None:
                progress(chunk.n_rows)
            yield chunk

    found = split_waves(counted(read_responses(responses, instrument)), instrument)
    if not found:
        raise ValueError(f"{responses}: holds no responses")
    order = _order(list(found), waves, responses)
    seasons, opens = seasons or {}, opens or {}
    series = []
    for name in order:
        day = opens.get(name)
        season = seasons.get(name) or (season_of(day) if day is not None else season_in(name))
        series.append(TimelineWave(name, found[name], season=season, opens=day))
    keys = {s for name in order for s in found[name].item_schools}
    table = read_context(context) if context is not None else None
    return Timeline(tuple(series), school_context(table, keys), threshold)
