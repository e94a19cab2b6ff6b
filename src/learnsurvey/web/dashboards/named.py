"""The contract's figures as the dashboards' models: display names and wording added.

Nothing is computed here: each builder takes a school's or a trust's stored figures (the
contract of :mod:`learnsurvey.analysis.figures`, already cleared by disclosure) and adds the
names of its scores, groups, bands and statements from the instrument, in the active
language where the instrument has a translation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from learnsurvey.analysis.dashboard import NOT_COMPUTABLE, TOO_FEW
from learnsurvey.analysis.figures import school as contract
from learnsurvey.analysis.figures import staff as staff_contract
from learnsurvey.analysis.figures import trust as trust_contract
from learnsurvey.analysis.labels import group_label, school_label
from learnsurvey.instruments import Instrument

from .payloads import (
    BandInfo,
    BandShare,
    ChangeFigure,
    CountFigure,
    DimensionInfo,
    EffectFigure,
    GlobalTable,
    GlobalTables,
    GroupFigure,
    GroupView,
    HeatCell,
    HeatRow,
    ItemFigure,
    PerceptionGap,
    SchoolDashboard,
    ScoreCell,
    ScoreFigure,
    SpreadFigure,
    StaffVoice,
    TopBottom,
    TrustDashboard,
    TrustScore,
    ViewsOfDimension,
)

if TYPE_CHECKING:
    from learnsurvey.web.schools.models import School, Trust
    from learnsurvey.web.waves.models import Wave, WaveResult

__all__ = ["Names", "build_global", "build_school", "build_staff_voice", "build_trust"]


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

    def group(self, value: str) -> str:
        return group_label(value, _)

    def dimension_or_id(self, dimension_id: str) -> str:
        """A dimension's name, or its id when the installed instrument no longer has it (a
        dimension an earlier version of the instrument had)."""
        try:
            return self.dimension(dimension_id)
        except KeyError:
            return dimension_id.replace("_", " ")

    def score_or_id(self, kind: str, score_id: str) -> str:
        if kind == "dimension":
            return self.dimension_or_id(score_id)
        try:
            return self.score(kind, score_id)
        except StopIteration:
            return score_id.replace("_", " ")

    @staticmethod
    def staff_group(group: str) -> str:
        """The name of a group of the staff's voice (the contract's groups)."""
        names = {
            "pupils": _("Pupils"),
            "staff": _("All staff"),
            "teachers": _("Teachers"),
            "leaders": _("Leaders"),
        }
        return names.get(group, group)

    def item(self, item_id: str, phase: str) -> str:
        text = next(i.text for i in self.instrument.items if i.id == item_id)
        if self.translation and item_id in self.translation.items:
            text = self.translation.items[item_id]
        return text.primary if phase == "primary" else text.secondary


def _threshold() -> int:
    from django.conf import settings

    return int(settings.MIN_GROUP_SIZE)


def _named_score(f: contract.ScoreFigure, names: Names) -> ScoreFigure:
    return ScoreFigure(
        **f.model_dump(exclude={"bands"}),
        name=names.score(f.kind, f.score),
        band_name=names.band(f.band),
        bands=[BandShare(band=b.band, name=names.band(b.band), pct=b.pct) for b in f.bands],
    )


def _named_school(figures: contract.SchoolFigures, names: Names, phase: str) -> dict[str, Any]:
    """The named lists of a school's figures (the fields of :class:`SchoolDashboard`)."""

    def count(f: contract.CountFigure) -> CountFigure:
        return CountFigure(**f.model_dump(), label=names.group(f.group))

    def group(f: contract.GroupFigure) -> GroupFigure:
        label, name = names.group(f.group), names.dimension(f.dimension)
        return GroupFigure(**f.model_dump(), label=label, name=name)

    def effect(f: contract.EffectFigure) -> EffectFigure:
        return EffectFigure(
            **f.model_dump(),
            label_a=names.group(f.group_a),
            label_b=names.group(f.group_b),
            name=names.dimension(f.dimension),
        )

    def item(f: contract.ItemFigure) -> ItemFigure:
        return ItemFigure(
            **f.model_dump(),
            text=names.item(f.item, phase),
            dimension_name=names.dimension(f.dimension),
        )

    def change(f: contract.ChangeFigure) -> ChangeFigure:
        return ChangeFigure(**f.model_dump(), name=names.score(f.kind, f.score))

    return {
        "phase": figures.phase,
        "similar": figures.similar,
        "scores": [_named_score(f, names) for f in figures.scores],
        "key_stage_counts": [count(f) for f in figures.key_stage_counts],
        "gender_counts": [count(f) for f in figures.gender_counts],
        "key_stages": [group(f) for f in figures.key_stages],
        "key_stage_effects": [effect(f) for f in figures.key_stage_effects],
        "genders": [group(f) for f in figures.genders],
        "gender_effects": [effect(f) for f in figures.gender_effects],
        "highest_items": [item(f) for f in figures.highest_items],
        "lowest_items": [item(f) for f in figures.lowest_items],
        "previous_wave": figures.previous_wave,
        "change_present": figures.change_present,
        "change": [change(f) for f in figures.change],
        "headline": figures.headline,
        "staff": build_staff_voice(figures.staff, names),
    }


def build_staff_voice(voice: staff_contract.StaffVoice | None, names: Names) -> StaffVoice | None:
    """A school's or trust's staff voice with the names of its dimensions and groups."""
    if voice is None:
        return None

    def gap(g: staff_contract.PerceptionGap) -> PerceptionGap:
        return PerceptionGap(
            **g.model_dump(),
            name=names.dimension_or_id(g.dimension),
            label_a=names.staff_group(g.group_a),
            label_b=names.staff_group(g.group_b),
        )

    def views(d: staff_contract.ViewsOfDimension) -> ViewsOfDimension:
        return ViewsOfDimension(
            dimension=d.dimension,
            name=names.dimension_or_id(d.dimension),
            groups=[
                GroupView(**v.model_dump(), label=names.staff_group(v.group)) for v in d.groups
            ],
            gaps=[gap(g) for g in d.gaps],
        )

    return StaffVoice(
        **voice.model_dump(exclude={"dimensions"}),
        dimensions=[views(d) for d in voice.dimensions],
    )


def build_school(
    wave: Wave, school: School, result: WaveResult | None, figures: contract.SchoolFigures | None
) -> SchoolDashboard:
    """A school's dashboard from its stored figures (None: no responses yet)."""
    base: dict[str, Any] = {
        "wave_id": wave.pk,
        "wave_name": wave.name,
        "urn": school.urn,
        "school_name": school.name,
        "threshold": result.threshold if result is not None else _threshold(),
        "computed": result.computed if result is not None else None,
    }
    if figures is None or not figures.publishable:
        return SchoolDashboard(**base, n_responses=None, publishable=False)
    names = Names(wave.instrument())
    return SchoolDashboard(
        **base,
        n_responses=figures.n_responses,
        publishable=True,
        **_named_school(figures, names, school.phase),
    )


def _heat_row(row: trust_contract.HeatRow, names: Names) -> HeatRow:
    def cell(c: trust_contract.HeatCell) -> HeatCell:
        return HeatCell(**c.model_dump(), band_name=names.band(c.band))

    def score(c: trust_contract.ScoreCell) -> ScoreCell:
        return ScoreCell(**c.model_dump(), name=names.score(c.kind, c.score))

    return HeatRow(
        urn=row.urn,
        school_name=row.school_name,
        n_responses=row.n_responses,
        cells=[cell(c) for c in row.cells],
        notions=[score(c) for c in row.notions],
        overall=score(row.overall),
    )


def build_trust(
    wave: Wave,
    trust: Trust,
    result: WaveResult | None,
    figures: trust_contract.TrustFigures | None,
) -> TrustDashboard:
    """The trust's schools × dimensions table, the spread of its schools and the trust
    against the rest of the wave, from its stored figures (None: no responses yet)."""
    names = Names(wave.instrument())
    inst = names.instrument
    base: dict[str, Any] = {
        "wave_id": wave.pk,
        "wave_name": wave.name,
        "trust_id": trust.pk,
        "trust_name": trust.name,
        "threshold": result.threshold if result is not None else _threshold(),
        "computed": result.computed if result is not None else None,
        "dimensions": [
            DimensionInfo(dimension=d, name=names.dimension(d)) for d in inst.dimension_ids
        ],
        "bands": [BandInfo(band=b.id, name=b.name, min=b.min) for b in inst.bands],
    }
    if figures is None:
        return TrustDashboard(**base, schools=[], spread=[])
    return TrustDashboard(
        **base,
        schools=[_heat_row(r, names) for r in figures.schools],
        spread=[
            SpreadFigure(**s.model_dump(), name=names.dimension(s.dimension))
            for s in figures.spread
        ],
        n_schools=figures.n_schools,
        n_pupils=figures.n_pupils,
        publishable=figures.publishable,
        spread_widest=figures.spread_widest,
        spread_narrowest=figures.spread_narrowest,
        against_rest=[
            TrustScore(**s.model_dump(), name=names.score(s.kind, s.score))
            for s in figures.against_rest
        ],
        top_bottom=[
            TopBottom(**t.model_dump(), name=names.dimension(t.dimension))
            for t in figures.top_bottom
        ],
        staff=figures.staff,
        staff_voice=build_staff_voice(figures.staff_voice, names),
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
        return school_label(str(urn), pseudonyms, opted_in, _)

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
