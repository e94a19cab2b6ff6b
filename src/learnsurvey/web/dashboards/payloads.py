"""What each dashboard shows: the wave's figures (the contract of
:mod:`learnsurvey.analysis.figures`) with the names a reader sees, as JSON-ready pydantic
models.

The pages, the JSON API and the downloads render these. Every figure is the contract's,
already cleared by disclosure and read back from the cached result (see :mod:`.results`);
:mod:`.named` builds these models from it, adding only display names and wording from the
instrument, in the reader's language where the instrument has a translation. Each model
holds every field of its contract model (a test checks it) plus the names, in the API's own
order: the API and the downloads keep the fields and columns they always had (``name``,
``label``, ``text``…) and gain the contract's new figures (similar schools, bands,
standing, change, headline).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.figures import school as contract
from learnsurvey.analysis.figures import staff as staff_contract
from learnsurvey.analysis.figures import trust as trust_contract

Row = dict[str, Any]
Number = float | None


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True)


class BandInfo(Payload):
    band: str
    name: str
    min: float


class BandShare(Payload):
    band: str
    name: str
    pct: Number


class ScoreFigure(Payload):
    """A school's dimension, notion or overall score against all schools and similar
    schools, with its band (the absolute level) and whether it is a strength."""

    kind: str
    score: str
    name: str
    n: int | None
    mean: Number
    sd: Number
    ci_low: Number
    ci_high: Number
    benchmark_mean: Number
    hedges_g: Number
    g_ci_low: Number
    g_ci_high: Number
    pct_high: Number
    bands: list[BandShare]
    suppressed: bool
    band: str | None = None
    band_name: str = ""
    """The name of ``band``; empty when the mean is hidden."""
    similar_mean: Number = None
    similar_hedges_g: Number = None
    similar_g_ci_low: Number = None
    similar_g_ci_high: Number = None
    against_all: contract.Verdict = "unknown"
    against_similar: contract.Verdict = "unknown"
    standing: contract.Standing = "unknown"


class CountFigure(Payload):
    group: str
    label: str
    n: int | None
    suppressed: bool


class GroupFigure(Payload):
    group: str
    label: str
    dimension: str
    name: str
    n: int | None
    mean: Number
    sd: Number
    ci_low: Number
    ci_high: Number
    suppressed: bool


class EffectFigure(Payload):
    """Hedges' g of group A against group B (positive: A scores higher)."""

    group_a: str
    label_a: str
    group_b: str
    label_b: str
    dimension: str
    name: str
    n_a: int | None
    n_b: int | None
    mean_a: Number
    mean_b: Number
    hedges_g: Number
    ci_low: Number
    ci_high: Number
    suppressed: bool


class ItemFigure(Payload):
    item: str
    text: str
    dimension: str
    dimension_name: str
    n: int
    mean: float


class ChangeFigure(contract.ChangeFigure):
    """A score's change since the previous wave (new: the API's fields are the contract's)."""

    name: str


class GroupView(staff_contract.GroupView):
    """One group's view of a dimension (pupils, all staff, teachers or leaders)."""

    label: str


class PerceptionGap(staff_contract.PerceptionGap):
    """How group B sees a dimension against group A (B − A), with its standing among the
    other schools' gaps."""

    name: str
    label_a: str
    label_b: str


class ViewsOfDimension(staff_contract.ViewsOfDimension):
    name: str
    groups: list[GroupView]  # type: ignore[assignment]
    gaps: list[PerceptionGap]  # type: ignore[assignment]


class StaffVoice(staff_contract.StaffVoice):
    """The staff survey beside the pupils' for one school or one trust as a whole."""

    dimensions: list[ViewsOfDimension] = []  # type: ignore[assignment]


class SchoolDashboard(Payload):
    wave_id: int
    wave_name: str
    urn: str
    school_name: str
    threshold: int
    computed: datetime | None
    n_responses: int | None
    """None when fewer than ``threshold`` pupils have answered (then nothing else is shown)."""
    publishable: bool
    phase: str | None = None
    similar: contract.SimilarGroup | None = None
    """The similar schools (same phase and FSM quartile); None when not known."""
    scores: list[ScoreFigure] = []
    key_stage_counts: list[CountFigure] = []
    gender_counts: list[CountFigure] = []
    key_stages: list[GroupFigure] = []
    key_stage_effects: list[EffectFigure] = []
    genders: list[GroupFigure] = []
    gender_effects: list[EffectFigure] = []
    highest_items: list[ItemFigure] = []
    lowest_items: list[ItemFigure] = []
    previous_wave: str | None = None
    change_present: bool = False
    change: list[ChangeFigure] = []
    headline: contract.Headline | None = None
    staff: StaffVoice | None = None
    """The staff's voice beside the pupils' (None: no staff survey in the wave)."""


class DimensionInfo(Payload):
    dimension: str
    name: str


class HeatCell(Payload):
    """A school's shrunken (empirical Bayes) mean on a dimension, with its 95% CI."""

    dimension: str
    n: int | None
    mean: Number
    shrunken_mean: Number
    ci_low: Number
    ci_high: Number
    band: str | None
    band_index: int | None
    """Position of ``band`` among the instrument's bands (the colour of the cell)."""
    band_name: str
    rank: int | None
    suppressed: bool


class ScoreCell(trust_contract.ScoreCell):
    """A school's notion or overall score (raw and shrunken mean)."""

    name: str


class HeatRow(Payload):
    urn: str
    school_name: str
    n_responses: int | None
    cells: list[HeatCell]
    notions: list[ScoreCell] = []
    overall: ScoreCell | None = None


class SpreadFigure(Payload):
    """How far apart the trust's schools are on a dimension (raw school means)."""

    dimension: str
    name: str
    n_schools: int
    sd: Number
    min: Number
    max: Number
    range: Number
    top_school: str | None
    bottom_school: str | None
    wave_sd: Number = None


class TrustScore(trust_contract.TrustScore):
    """The trust's pupils against the pupils of the wave's other schools."""

    name: str


class TopBottom(trust_contract.TopBottom):
    name: str


class TrustDashboard(Payload):
    wave_id: int
    wave_name: str
    trust_id: int
    trust_name: str
    threshold: int
    computed: datetime | None
    dimensions: list[DimensionInfo]
    bands: list[BandInfo]
    schools: list[HeatRow]
    spread: list[SpreadFigure]
    n_schools: int = 0
    n_pupils: int | None = None
    publishable: bool = False
    spread_widest: str | None = None
    spread_narrowest: str | None = None
    against_rest: list[TrustScore] = []
    top_bottom: list[TopBottom] = []
    staff: trust_contract.TrustStaff | None = None
    staff_voice: StaffVoice | None = None
    """The trust's staff as a whole beside its pupils (None: no staff survey)."""


class GlobalTable(Payload):
    name: str
    columns: list[str]
    rows: list[Row]


class GlobalTables(Payload):
    wave_id: int
    wave_name: str
    threshold: int
    computed: datetime | None
    n_responses: int
    available: bool
    message: str
    tables: list[GlobalTable]
