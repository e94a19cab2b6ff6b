"""What the "Over time" views show: the figures over time of a series of waves (the
contract of :mod:`learnsurvey.analysis.figures.over_time`) with the names a reader sees.

As in :mod:`.payloads`, each model holds every field of its contract model (a test checks
it) plus the names; the pages, the API and the downloads render these. Nothing is computed:
the figures are the stored ones, already cleared by disclosure.
"""

from __future__ import annotations

from datetime import datetime

from learnsurvey.analysis.figures import over_time as contract

from .payloads import Payload

__all__ = [
    "ClearCountFigure",
    "ComparabilityFigure",
    "DeclineFigure",
    "GlobalOverTimeDashboard",
    "GlobalOverTimeFigure",
    "OverTimeInfo",
    "SchoolChangesFigure",
    "SchoolOverTimeDashboard",
    "SchoolOverTimeFigure",
    "SeriesFigure",
    "TrendFigure",
    "TrustOverTimeDashboard",
    "TrustOverTimeFigure",
    "WaveChangeFigure",
]


class SeriesFigure(contract.ScoreSeries):
    """One score over the waves (a line with its 95% CI band)."""

    name: str


class WaveChangeFigure(contract.WaveChange):
    """One score's change between two waves, with the smallest detectable change."""

    name: str


class TrendFigure(contract.Trend):
    name: str


class ClearCountFigure(contract.ClearCount):
    name: str


class DeclineFigure(contract.KeyStageDecline):
    """The primary → secondary difference on one dimension in one wave."""

    name: str


class ComparabilityFigure(contract.Comparability):
    """What the waves share, with the names of what is not compared."""

    dropped_dimension_names: list[str] = []
    dropped_notion_names: list[str] = []


class SchoolOverTimeFigure(contract.SchoolOverTime):
    series: list[SeriesFigure] = []  # type: ignore[assignment]
    changes: list[WaveChangeFigure] = []  # type: ignore[assignment]
    trends: list[TrendFigure] = []  # type: ignore[assignment]


class SchoolChangesFigure(contract.SchoolChanges):
    """One school's latest change, named, for the trust's side-by-side view."""

    school_name: str
    changes: list[WaveChangeFigure]  # type: ignore[assignment]


class TrustOverTimeFigure(contract.TrustOverTime):
    series: list[SeriesFigure] = []  # type: ignore[assignment]
    changes: list[WaveChangeFigure] = []  # type: ignore[assignment]
    trends: list[TrendFigure] = []  # type: ignore[assignment]
    schools: list[SchoolChangesFigure] = []  # type: ignore[assignment]
    clear_counts: list[ClearCountFigure] = []  # type: ignore[assignment]


class GlobalOverTimeFigure(contract.GlobalOverTime):
    series: list[SeriesFigure] = []  # type: ignore[assignment]
    changes: list[WaveChangeFigure] = []  # type: ignore[assignment]
    trends: list[TrendFigure] = []  # type: ignore[assignment]
    key_stage_decline: list[DeclineFigure] = []  # type: ignore[assignment]


class OverTimeInfo(Payload):
    """The series itself: the fields of :class:`~contract.OverTimeFigures` other than the
    schools', trusts' and global parts."""

    instrument: str
    threshold: int
    waves: list[contract.WaveInfo]
    """Oldest first."""
    comparability: ComparabilityFigure
    season_caution: bool


class SchoolOverTimeDashboard(Payload):
    wave_id: int
    wave_name: str
    urn: str
    school_name: str
    computed: datetime | None
    available: bool
    """Whether figures over time are stored for the wave (False before any is computed)."""
    info: OverTimeInfo | None = None
    school: SchoolOverTimeFigure | None = None
    """None when the school has no shown wave in the series."""


class TrustOverTimeDashboard(Payload):
    wave_id: int
    wave_name: str
    trust_id: int
    trust_name: str
    computed: datetime | None
    available: bool
    info: OverTimeInfo | None = None
    trust: TrustOverTimeFigure | None = None
    """None when none of the trust's schools has a shown wave in the series."""


class GlobalOverTimeDashboard(Payload):
    wave_id: int
    wave_name: str
    computed: datetime | None
    available: bool
    info: OverTimeInfo | None = None
    global_: GlobalOverTimeFigure | None = None
