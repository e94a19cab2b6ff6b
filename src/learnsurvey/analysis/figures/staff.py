"""The staff's and leaders' voice beside the pupils': each group's view of each dimension and
the perception gaps between them.

The contract: :class:`StaffVoice`, one per school (and one per trust as a whole), built by
:func:`build_staff_voices` from :class:`~learnsurvey.analysis.inputs.ReportInputs` (its
``staff`` and ``staff_by_role``). Staff figures follow disclosure rule 8 (groups of at least
the staff threshold, 5 by default); leaders are shown apart only when enough answered,
otherwise they stay inside "all staff", and the groups shown never let a hidden group be
recovered by subtraction. Ids only. Django-free.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import pandas as pd
from pydantic import Field

from learnsurvey.stats.disclosure import check_threshold, default_staff_threshold

from ..inputs import ReportInputs
from ..perception import (
    GAP_PAIRS,
    GROUPS,
    PupilHiding,
    gap_standing,
    perception_gaps,
    staff_units,
    staff_views,
)
from ._base import Figures, Number

if TYPE_CHECKING:
    from .trust import TrustFigures

__all__ = [
    "GroupView",
    "PerceptionGap",
    "StaffGroup",
    "StaffVoice",
    "StaffVoices",
    "ViewsOfDimension",
    "build_staff_voices",
    "pupil_hiding",
]

StaffGroup = Literal["pupils", "staff", "teachers", "leaders"]
"""``staff`` is every member of staff who answered (teachers, teaching assistants, leaders
and other staff); ``teachers`` and ``leaders`` are the roles of those names."""


class GroupView(Figures):
    """One group's view of one dimension (one dot of the dumbbell chart)."""

    group: StaffGroup
    n: int | None
    mean: Number
    sd: Number
    ci_low: Number
    ci_high: Number
    suppressed: bool


class PerceptionGap(Figures):
    """How ``group_b`` sees a dimension against ``group_a`` (difference b − a)."""

    dimension: str
    group_a: StaffGroup
    group_b: StaffGroup
    difference: Number
    ci_low: Number
    """Welch's 95% interval of the difference."""
    ci_high: Number
    hedges_g: Number
    g_ci_low: Number
    g_ci_high: Number
    large: bool
    """|g| ≥ 0.5 and the CI of g excludes zero."""
    shrunken: Number = None
    """The gap shrunk towards the mean gap of all schools (empirical Bayes), for standing."""
    percentile: Number = None
    """Where the shrunken gap stands among the other schools' shrunken gaps (0–100: the
    share of other schools with a smaller gap)."""
    n_schools: int | None = None
    """Schools the gap is set against."""
    suppressed: bool


class ViewsOfDimension(Figures):
    dimension: str
    groups: list[GroupView]
    """In the order pupils, staff, teachers, leaders (those shown or hidden)."""
    gaps: list[PerceptionGap]
    """teachers − pupils, leaders − pupils, leaders − teachers, staff − pupils."""


class StaffVoice(Figures):
    """The staff survey beside the pupils' for one school or one trust as a whole."""

    key: str
    """The school's key, or the trust's name."""
    wave: str
    staff_threshold: int
    staff_answered: bool
    n_staff: int | None = None
    n_teachers: int | None = None
    n_leaders: int | None = None
    leaders_pooled: bool = False
    """Too few leaders answered: they are counted in "all staff" only."""
    dimensions: list[ViewsOfDimension] = Field(default_factory=list)
    """In the instrument's order."""


class StaffVoices(Figures):
    schools: dict[str, StaffVoice]
    """By school key: every school with pupils' responses."""
    trusts: dict[str, StaffVoice]
    """By trust name."""


def build_staff_voices(
    inputs: ReportInputs,
    *,
    staff_threshold: int | None = None,
    trusts: Mapping[str, TrustFigures] | None = None,
) -> StaffVoices:
    """Every school's and trust's staff voice in the wave of ``inputs``.

    Every school with pupils' responses has one (``staff_answered`` False, and nothing else,
    where no staff answered, or with no staff survey at all), and so has every trust of
    those schools. The tables are :mod:`learnsurvey.analysis.perception`'s; the staff
    threshold is ``staff_threshold`` or
    :func:`~learnsurvey.stats.disclosure.default_staff_threshold` (rule 8).

    ``trusts``, the wave's trust figures when they are built already
    (:func:`~learnsurvey.analysis.figures.trust.build_trust_figures`), saves deciding again
    which of a trust's pupils are hidden: the voice hides the same ones.
    """
    limit = check_threshold(
        default_staff_threshold() if staff_threshold is None else staff_threshold
    )
    units = staff_units(inputs.current, inputs.schools)
    if inputs.staff is None:
        return StaffVoices(
            schools={s: _empty(s, inputs.wave, limit) for s in units.schools},
            trusts={t: _empty(t, inputs.wave, limit) for t in units.trusts},
        )
    views, counts = staff_views(
        inputs.current,
        inputs.staff,
        inputs.staff_by_role,
        units,
        threshold=inputs.threshold,
        staff_threshold=limit,
        hiding=pupil_hiding(trusts) if trusts is not None else None,
    )
    gaps = gap_standing(perception_gaps(views))
    parts = _Parts(views, gaps, counts, inputs.wave, limit)
    return StaffVoices(
        schools={s: parts.voice("school", s) for s in units.schools},
        trusts={t: parts.voice("trust", t) for t in units.trusts},
    )


def pupil_hiding(trusts: Mapping[str, TrustFigures]) -> PupilHiding:
    """Which pupils each trust's figures hide: its dimensions where its own totals are
    hidden (all of them when the trust is not ``publishable``), and its schools'
    heatmap cells that are hidden."""
    out: dict[str, tuple[set[str], set[tuple[str, str]]]] = {}
    for name, figures in trusts.items():
        dims = {
            s.score
            for s in figures.against_rest
            if s.kind == "dimension" and (s.suppressed or not figures.publishable)
        }
        cells = {(r.urn, c.dimension) for r in figures.schools for c in r.cells if c.suppressed}
        out[name] = (dims, cells)
    return out


def _empty(key: str, wave: str, limit: int) -> StaffVoice:
    return StaffVoice(key=key, wave=wave, staff_threshold=limit, staff_answered=False)


Row = dict[Hashable, Any]


def _num(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(cast(float, value))
    return number if np.isfinite(number) else None


def _int(value: object) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


class _Parts:
    """The cleared tables' rows by unit (and dimension), read once."""

    def __init__(
        self, views: pd.DataFrame, gaps: pd.DataFrame, counts: pd.DataFrame, wave: str, limit: int
    ) -> None:
        self.wave, self.limit = wave, limit
        self.views: dict[tuple[str, str], dict[str, dict[str, Row]]] = {}
        for row in views.to_dict("records"):
            unit = self.views.setdefault((str(row["unit_kind"]), str(row["unit"])), {})
            unit.setdefault(str(row["dimension"]), {})[str(row["group"])] = row
        self.gaps: dict[tuple[str, str, str], dict[tuple[str, str], Row]] = {}
        for row in gaps.to_dict("records"):
            key = (str(row["unit_kind"]), str(row["unit"]), str(row["dimension"]))
            self.gaps.setdefault(key, {})[(str(row["group_a"]), str(row["group_b"]))] = row
        self.counts = {(str(r["unit_kind"]), str(r["unit"])): r for r in counts.to_dict("records")}

    def voice(self, kind: str, unit: str) -> StaffVoice:
        count = self.counts.get((kind, unit))
        if count is None or not count["staff_answered"]:
            return _empty(unit, self.wave, self.limit)
        return StaffVoice(
            key=unit,
            wave=self.wave,
            staff_threshold=self.limit,
            staff_answered=True,
            n_staff=_int(count["n_staff"]),
            n_teachers=_int(count["n_teachers"]),
            n_leaders=_int(count["n_leaders"]),
            leaders_pooled=bool(count["leaders_pooled"]),
            dimensions=[
                _dimension(d, groups, self.gaps.get((kind, unit, d), {}))
                for d, groups in self.views.get((kind, unit), {}).items()
            ],
        )


def _dimension(
    dimension: str, by_group: dict[str, Row], by_pair: dict[tuple[str, str], Row]
) -> ViewsOfDimension:
    return ViewsOfDimension(
        dimension=dimension,
        groups=[_group(g, by_group[g]) for g in GROUPS if g in by_group],
        gaps=[_gap(dimension, a, b, by_pair[(a, b)]) for a, b in GAP_PAIRS if (a, b) in by_pair],
    )


def _group(group: str, row: Row) -> GroupView:
    return GroupView(
        group=cast(StaffGroup, group),
        n=_int(row["n"]),
        mean=_num(row["mean"]),
        sd=_num(row["sd"]),
        ci_low=_num(row["ci_low"]),
        ci_high=_num(row["ci_high"]),
        suppressed=bool(row["suppressed"]),
    )


def _gap(dimension: str, a: str, b: str, row: Row) -> PerceptionGap:
    hidden = bool(row["suppressed"])
    return PerceptionGap(
        dimension=dimension,
        group_a=cast(StaffGroup, a),
        group_b=cast(StaffGroup, b),
        difference=_num(row["difference"]),
        ci_low=_num(row["ci_low"]),
        ci_high=_num(row["ci_high"]),
        hedges_g=_num(row["hedges_g"]),
        g_ci_low=_num(row["g_ci_low"]),
        g_ci_high=_num(row["g_ci_high"]),
        large=False if hidden else bool(row["large"]),
        shrunken=_num(row["shrunken"]),
        percentile=_num(row["percentile"]),
        n_schools=_int(row["n_schools"]),
        suppressed=hidden,
    )
