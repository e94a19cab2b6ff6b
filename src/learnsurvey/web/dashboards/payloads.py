"""What each dashboard shows, as pydantic models: JSON-ready and already suppressed.

The pages, the JSON API and the PDF reports all render these. They are built from the
cached result only (see :mod:`.results`); names and wording come from the instrument, in
the reader's language where the instrument has a translation.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis import school_spread
from learnsurvey.analysis.dashboard import NOT_COMPUTABLE, TOO_FEW, to_records
from learnsurvey.analysis.statistics import NOT_GIVEN
from learnsurvey.instruments import Instrument

if TYPE_CHECKING:
    from learnsurvey.web.schools.models import School, Trust
    from learnsurvey.web.waves.models import Wave, WaveResult

Number = float | None
Row = dict[str, Any]


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
    """A school's dimension, notion or overall score against the benchmark (all schools)."""

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
    scores: list[ScoreFigure] = []
    key_stage_counts: list[CountFigure] = []
    gender_counts: list[CountFigure] = []
    key_stages: list[GroupFigure] = []
    key_stage_effects: list[EffectFigure] = []
    genders: list[GroupFigure] = []
    gender_effects: list[EffectFigure] = []
    highest_items: list[ItemFigure] = []
    lowest_items: list[ItemFigure] = []


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


class HeatRow(Payload):
    urn: str
    school_name: str
    n_responses: int | None
    cells: list[HeatCell]


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


class Names:
    """Display names from the instrument, in the active language where translated."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        lang = (get_language() or "").split("-")[0]
        self.translation = instrument.translations.get(lang)

    def dimension(self, dimension_id: str) -> str:
        if self.translation and dimension_id in self.translation.dimensions:
            return self.translation.dimensions[dimension_id]
        return self.instrument.dimension(dimension_id).name

    def factor(self, factor_id: str) -> str:
        if self.translation and factor_id in self.translation.factors:
            return self.translation.factors[factor_id]
        return next(f.name for f in self.instrument.factors if f.id == factor_id)

    def score(self, kind: str, score_id: str) -> str:
        if kind == "dimension":
            return self.dimension(score_id)
        if kind == "notion":
            return self.factor(score_id)
        return _("Overall")

    def band(self, band_id: str | None) -> str:
        if band_id is None:
            return ""
        return next(b.name for b in self.instrument.bands if b.id == band_id)

    def band_index(self, band_id: str | None) -> int | None:
        ids = [b.id for b in self.instrument.bands]
        return ids.index(band_id) if band_id in ids else None

    def group(self, value: str) -> str:
        if value == NOT_GIVEN:
            return _("Not given")
        known = {
            "boy": _("Boys"),
            "girl": _("Girls"),
            "other": _("Another gender"),
            "prefer_not_to_say": _("Preferred not to say"),
        }
        if value in known:
            return known[value]
        # Key stages are written as shown ("KS2"); other ids ("non_binary") are not.
        return value if value[:1].isupper() else value.replace("_", " ").capitalize()

    def item(self, item_id: str, phase: str) -> str:
        text = next(i.text for i in self.instrument.items if i.id == item_id)
        if self.translation and item_id in self.translation.items:
            text = self.translation.items[item_id]
        return text.primary if phase == "primary" else text.secondary


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _dimension_order(instrument: Instrument) -> dict[str, int]:
    return {d: k for k, d in enumerate(instrument.dimension_ids)}


def _scores(rows: list[Row], names: Names) -> list[ScoreFigure]:
    bands = names.instrument.bands
    return [
        ScoreFigure(
            kind=r["kind"],
            score=r["score"],
            name=names.score(r["kind"], r["score"]),
            n=_int(r["n"]),
            mean=r["mean"],
            sd=r["sd"],
            ci_low=r["ci_low"],
            ci_high=r["ci_high"],
            benchmark_mean=r["benchmark_mean"],
            hedges_g=r["hedges_g"],
            g_ci_low=r["g_ci_low"],
            g_ci_high=r["g_ci_high"],
            pct_high=r["pct_quite_or_very_high"],
            bands=[BandShare(band=b.id, name=b.name, pct=r.get(f"pct_{b.id}")) for b in bands],
            suppressed=r["suppressed"],
        )
        for r in rows
    ]


def _counts(rows: list[Row], grouping: str, names: Names) -> list[CountFigure]:
    return [
        CountFigure(
            group=r[grouping],
            label=names.group(r[grouping]),
            n=_int(r["n"]),
            suppressed=r["suppressed"],
        )
        for r in rows
    ]


def _groups(rows: list[Row], grouping: str, order: list[str], names: Names) -> list[GroupFigure]:
    rank = {g: k for k, g in enumerate([*order, NOT_GIVEN])}
    dims = _dimension_order(names.instrument)
    rows = sorted(rows, key=lambda r: (rank.get(r[grouping], 99), dims.get(r["dimension"], 99)))
    return [
        GroupFigure(
            group=r[grouping],
            label=names.group(r[grouping]),
            dimension=r["dimension"],
            name=names.dimension(r["dimension"]),
            n=_int(r["n"]),
            mean=r["mean"],
            sd=r["sd"],
            ci_low=r["ci_low"],
            ci_high=r["ci_high"],
            suppressed=r["suppressed"],
        )
        for r in rows
    ]


def _effects(rows: list[Row], names: Names) -> list[EffectFigure]:
    dims = _dimension_order(names.instrument)
    rows = sorted(rows, key=lambda r: (r["group_a"], r["group_b"], dims.get(r["dimension"], 99)))
    return [
        EffectFigure(
            group_a=r["group_a"],
            label_a=names.group(r["group_a"]),
            group_b=r["group_b"],
            label_b=names.group(r["group_b"]),
            dimension=r["dimension"],
            name=names.dimension(r["dimension"]),
            n_a=_int(r["n_a"]),
            n_b=_int(r["n_b"]),
            mean_a=r["mean_a"],
            mean_b=r["mean_b"],
            hedges_g=r["hedges_g"],
            ci_low=r["ci_low"],
            ci_high=r["ci_high"],
            suppressed=r["suppressed"],
        )
        for r in rows
    ]


def _items(rows: list[Row], position: str, names: Names, phase: str) -> list[ItemFigure]:
    inst = names.instrument
    dimension_of = {i.id: i.dimension for i in inst.items}
    return [
        ItemFigure(
            item=r["item"],
            text=names.item(r["item"], phase),
            dimension=dimension_of[r["item"]],
            dimension_name=names.dimension(dimension_of[r["item"]]),
            n=int(r["n"]),
            mean=float(r["mean"]),
        )
        for r in rows
        if r["position"] == position
    ]


def build_school(
    wave: Wave, school: School, result: WaveResult | None, part: dict[str, Any] | None
) -> SchoolDashboard:
    """A school's dashboard from its cached section (None: no responses yet)."""
    names = Names(wave.instrument())
    demo = names.instrument.demographics
    base: dict[str, Any] = {
        "wave_id": wave.pk,
        "wave_name": wave.name,
        "urn": school.urn,
        "school_name": school.name,
        "threshold": result.threshold if result is not None else _threshold(),
        "computed": result.computed if result is not None else None,
    }
    if part is None or not part.get("publishable"):
        return SchoolDashboard(**base, n_responses=None, publishable=False)
    return SchoolDashboard(
        **base,
        n_responses=_int(part["n_responses"]),
        publishable=True,
        scores=_scores(part["scores"], names),
        key_stage_counts=_counts(part["key_stage_counts"], "key_stage", names),
        gender_counts=_counts(part["gender_counts"], "gender", names),
        key_stages=_groups(part["key_stages"], "key_stage", list(demo.key_stages), names),
        key_stage_effects=_effects(part["key_stage_pairs"], names),
        genders=_groups(part["genders"], "gender", list(demo.genders), names),
        gender_effects=_effects(part["gender_pairs"], names),
        highest_items=_items(part["items"], "highest", names, school.phase),
        lowest_items=_items(part["items"], "lowest", names, school.phase),
    )


def _threshold() -> int:
    from django.conf import settings

    return int(settings.MIN_GROUP_SIZE)


def build_trust(
    wave: Wave,
    trust: Trust,
    result: WaveResult | None,
    schools: list[School],
    parts: dict[str, dict[str, Any]],
) -> TrustDashboard:
    """The trust's schools × dimensions table and the spread of its schools."""
    names = Names(wave.instrument())
    inst = names.instrument
    rows: list[HeatRow] = []
    heat: list[Row] = []
    for school in schools:
        part = parts.get(school.urn, {})
        cells = {r["dimension"]: r for r in part.get("heat", [])}
        for r in cells.values():
            heat.append({**r, "school": school.name})
        rows.append(
            HeatRow(
                urn=school.urn,
                school_name=school.name,
                n_responses=_int(part.get("n_responses")),
                cells=[_heat_cell(d, cells.get(d), names) for d in inst.dimension_ids],
            )
        )
    spread = school_spread(pd.DataFrame(heat, columns=_HEAT_COLUMNS)) if heat else None
    figures = []
    if spread is not None:
        for r in to_records(spread):
            figures.append(
                SpreadFigure(
                    dimension=str(r["dimension"]),
                    name=names.dimension(str(r["dimension"])),
                    n_schools=int(r["n_schools"]),
                    sd=r["sd"],
                    min=r["min"],
                    max=r["max"],
                    range=r["range"],
                    top_school=r["top_school"],
                    bottom_school=r["bottom_school"],
                )
            )
        order = _dimension_order(inst)
        figures.sort(key=lambda f: order.get(f.dimension, 99))
    return TrustDashboard(
        wave_id=wave.pk,
        wave_name=wave.name,
        trust_id=trust.pk,
        trust_name=trust.name,
        threshold=result.threshold if result is not None else _threshold(),
        computed=result.computed if result is not None else None,
        dimensions=[
            DimensionInfo(dimension=d, name=names.dimension(d)) for d in inst.dimension_ids
        ],
        bands=[BandInfo(band=b.id, name=b.name, min=b.min) for b in inst.bands],
        schools=rows,
        spread=figures,
    )


_HEAT_COLUMNS = ["school", "dimension", "n", "mean", "shrunken_mean", "suppressed"]


def _heat_cell(dimension: str, row: Row | None, names: Names) -> HeatCell:
    if row is None:
        return HeatCell(
            dimension=dimension,
            n=None,
            mean=None,
            shrunken_mean=None,
            ci_low=None,
            ci_high=None,
            band=None,
            band_index=None,
            band_name="",
            rank=None,
            suppressed=True,
        )
    return HeatCell(
        dimension=dimension,
        n=_int(row["n"]),
        mean=row["mean"],
        shrunken_mean=row["shrunken_mean"],
        ci_low=row["shrunken_ci_low"],
        ci_high=row["shrunken_ci_high"],
        band=row["band"],
        band_index=names.band_index(row["band"]),
        band_name=names.band(row["band"]),
        rank=_int(row["rank"]),
        suppressed=row["suppressed"],
    )


SCHOOL_COLUMNS = ("school", "top_school", "bottom_school")


def build_global(wave: Wave, result: WaveResult | None, opted_in: dict[str, str]) -> GlobalTables:
    """The global tables, each school shown by name if it opted in, else as "School N"."""
    base: dict[str, Any] = {"wave_id": wave.pk, "wave_name": wave.name}
    if result is None:
        return GlobalTables(
            **base,
            threshold=_threshold(),
            computed=None,
            n_responses=0,
            available=False,
            message=_("No responses yet."),
            tables=[],
        )
    payload = result.payload
    pseudonyms: dict[str, int] = payload.get("pseudonyms", {})

    def label(urn: object) -> object:
        if urn is None:
            return None
        key = str(urn)
        if key in opted_in:
            return opted_in[key]
        return _("School %(number)s") % {"number": pseudonyms.get(key, "?")}

    tables = []
    for name, rows in (payload.get("global") or {}).items():
        columns = list(rows[0]) if rows else []
        shown = [
            {c: (label(v) if c in SCHOOL_COLUMNS else v) for c, v in row.items()} for row in rows
        ]
        tables.append(GlobalTable(name=name, columns=columns, rows=shown))
    return GlobalTables(
        **base,
        threshold=result.threshold,
        computed=result.computed,
        n_responses=result.n_responses,
        available=payload.get("global") is not None,
        message=_global_message(payload.get("global_message", ""), result.threshold),
        tables=tables,
    )


def _global_message(reason: str, threshold: int) -> str:
    if reason == TOO_FEW:
        return _("The wave's tables appear once at least %(threshold)s pupils have answered.") % {
            "threshold": threshold
        }
    if reason == NOT_COMPUTABLE:
        return _("The wave's tables cannot be computed from the responses so far.")
    return ""
