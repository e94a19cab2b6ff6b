"""Scores over several waves as tables: each school's, each trust's and the whole database's
score per wave, the change between consecutive waves, and the trend over three or more.

Pupils are anonymous and differ between waves, so two waves are independent samples: a
change is the Welch difference (to − from) with its 95% CI, Hedges' g with its CI, and the
minimal detectable change from the two waves' standard errors
(:mod:`learnsurvey.stats.effects`, :mod:`learnsurvey.stats.trend`). A change is *clear*
only when its CI excludes zero; otherwise it is within what the group can detect. A trend
is the fixed-effect weighted slope of the shown waves' means on the wave's position in the
series (the change per wave), over at least :data:`MIN_TREND_WAVES` shown waves.

Disclosure (:mod:`learnsurvey.stats.disclosure`). Each wave is suppressed on its own as its
figures are: the schools of a wave partition its pupils (rules 1–2 within each score); a
trust's own total is shown only where rule 7 lets it stand beside its schools
(:func:`~learnsurvey.analysis.trusts.clear_trust_totals`), and its schools are suppressed
again as the partition of that total (:func:`~learnsurvey.analysis.trusts.trust_school_scores`);
the whole database's row is hidden when the wave is too small. A change or a trend involving
a hidden wave is hidden (rule 3, :func:`~learnsurvey.stats.disclosure.suppress_pairs`); a
trend is fitted to the shown waves only. Every figure is computed from the sufficient
statistics, never from a suppressed table.

Instrument versions. Waves of different versions of one instrument are compared only on
what they share, without re-scoring: a dimension is compared when its items (ids, reverse
coding) are identical in every wave's version, a notion when its dimensions all are, and
the overall score only when the whole item set is; everything else is listed as dropped
(:class:`Comparable`). Scores are thus always computed from the same items in every wave.

Seasons. A change between waves of different seasons carries ``seasons_differ`` (school
climate ratings shift over the school year); the series carries a caution when its waves'
seasons differ. Django-free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from learnsurvey.instruments import Instrument
from learnsurvey.stats.disclosure import (
    Cleared,
    blank_where,
    concat_cleared,
    hidden_keys,
    keep_columns,
    keep_rows,
    suppress,
    suppress_pairs,
)
from learnsurvey.stats.effects import hedges_g, mean_interval, welch_difference
from learnsurvey.stats.trend import minimal_detectable_change, weighted_trend

from .benchmarks import similar_schools
from .groups import CONFIDENCE, by_school_attribute, group_summary
from .impact import school_impacts
from .key_stages import phase_effects, shown_stages
from .statistics import WaveStatistics
from .timeline import Timeline
from .trusts import clear_trust_totals, trust_school_scores

__all__ = [
    "CHANGE_COLUMNS",
    "GLOBAL",
    "KINDS",
    "MIN_TREND_WAVES",
    "POINT_COLUMNS",
    "TREND_COLUMNS",
    "Comparable",
    "OverTimeTables",
    "clear_counts",
    "comparability",
    "key_stage_decline",
    "latest_changes",
    "over_time_tables",
    "wave_changes",
    "wave_trends",
]

KINDS = ("dimension", "notion", "overall")
GLOBAL = "all"
"""The ``group`` of the whole database's rows."""
MIN_TREND_WAVES = 3
"""A trend is fitted over at least this many shown waves."""
SERIES = ["group", "kind", "score"]
POINT_COLUMNS = [*SERIES, "wave", "n", "mean", "sd", "se", "ci_low", "ci_high", "suppressed"]
CHANGE_COLUMNS = [
    *SERIES,
    "from_wave",
    "to_wave",
    "n_from",
    "mean_from",
    "n_to",
    "mean_to",
    "difference",
    "ci_low",
    "ci_high",
    "hedges_g",
    "g_ci_low",
    "g_ci_high",
    "mdc",
    "verdict",
    "seasons_differ",
    "suppressed",
]
TREND_COLUMNS = [*SERIES, "n_waves", "slope", "ci_low", "ci_high", "verdict", "suppressed"]
_FIGURES = ["n", "mean", "sd", "se", "ci_low", "ci_high"]


# --- what the waves share -------------------------------------------------------------------


@dataclass(frozen=True)
class Comparable:
    """What every wave's instrument version shares, in the latest version's order."""

    versions: list[str]
    """The versions, oldest first, without repeats."""
    dimensions: list[str]
    dropped_dimensions: list[str]
    notions: list[str]
    dropped_notions: list[str]
    overall: bool
    """Whether the overall score is compared (every version has the same items)."""
    items: list[str]
    dropped_items: list[str]

    @property
    def same_version(self) -> bool:
        return len(self.versions) == 1

    @property
    def scores(self) -> list[tuple[str, str]]:
        """The (kind, score) pairs compared: dimensions, notions, then overall."""
        out = [("dimension", d) for d in self.dimensions]
        out += [("notion", f) for f in self.notions]
        return out + ([("overall", "overall")] if self.overall else [])


def _items_of(inst: Instrument) -> dict[str, tuple[str, bool]]:
    return {i.id: (i.dimension, i.reverse) for i in inst.items}


def _dimension_items(inst: Instrument) -> dict[str, frozenset[tuple[str, bool]]]:
    out: dict[str, set[tuple[str, bool]]] = {d: set() for d in inst.dimension_ids}
    for item in inst.items:
        out[item.dimension].add((item.id, item.reverse))
    return {d: frozenset(v) for d, v in out.items()}


def _same_everywhere[K, V](maps: Sequence[dict[K, V]], order: Sequence[K]) -> list[K]:
    return [k for k in order if all(k in m and m[k] == maps[0][k] for m in maps)]


def _union(lists: Sequence[Sequence[str]]) -> list[str]:
    return list(dict.fromkeys(x for part in lists for x in part))


def comparability(instruments: Sequence[Instrument]) -> Comparable:
    """What the instruments of a series (oldest first, one per wave) share.

    Raises
    ------
    ValueError
        If there is none, or they are different instruments (ids).
    """
    if not instruments:
        raise ValueError("a series needs at least one wave")
    ids = {inst.id for inst in instruments}
    if len(ids) > 1:
        raise ValueError(f"cannot compare waves of different instruments: {sorted(ids)}")
    latest = instruments[-1]
    scoring = {(i.scale.min, i.scale.max, i.min_answered_share) for i in instruments}
    # Another scale or scoring rule changes every score: nothing is compared.
    same_scoring = len(scoring) == 1
    dim_items = [_dimension_items(i) for i in instruments]
    dims = _same_everywhere(dim_items, latest.dimension_ids) if same_scoring else []
    factor_dims = [
        {f: frozenset(d.id for d in i.dimensions if d.factor == f) for f in i.factor_ids}
        for i in instruments
    ]
    notions = [
        f
        for f in _same_everywhere(factor_dims, latest.factor_ids)
        if factor_dims[-1][f] <= set(dims)
    ]
    items = _same_everywhere([_items_of(i) for i in instruments], latest.item_ids)
    all_items = _union([i.item_ids for i in instruments])
    all_dims = _union([latest.dimension_ids, *(i.dimension_ids for i in instruments)])
    all_notions = _union([latest.factor_ids, *(i.factor_ids for i in instruments)])
    items = items if same_scoring else []
    return Comparable(
        versions=list(dict.fromkeys(i.version for i in instruments)),
        dimensions=dims,
        dropped_dimensions=[d for d in all_dims if d not in dims],
        notions=notions,
        dropped_notions=[f for f in all_notions if f not in notions],
        overall=len(items) == len(all_items) and bool(dims),
        items=items,
        dropped_items=[i for i in all_items if i not in items],
    )


# --- each wave's scores ---------------------------------------------------------------------


def _summary(
    stats: WaveStatistics, by: list[str], scores: Sequence[tuple[str, str]]
) -> pd.DataFrame:
    """Per score of ``scores`` (in that order) and group of ``by``: n, mean, SD, SE = SD/√n
    and the t-based 95% CI, from the groups' moments (the figures of
    :func:`~learnsurvey.analysis.groups.group_summary`, for every score at once)."""
    layout = stats.layout
    at = {(k, s): j for j, (k, s) in enumerate(zip(layout.kinds, layout.ids, strict=True))}
    cols = [at[s] for s in scores]
    if by:
        keys, moments, _ = stats.groups(by)
    else:
        keys, moments = pd.DataFrame(index=[0]), stats.cell_moments.total()
    size = moments.n.shape[0]
    n = moments.n[:, cols].T.ravel()
    mean = moments.means()[:, cols].T.ravel()
    sd = moments.sds()[:, cols].T.ravel()
    low, high = mean_interval(n, mean, sd, confidence=CONFIDENCE)
    out = pd.DataFrame({c: np.tile(keys[c].to_numpy(), len(cols)) for c in by})
    out["kind"] = np.repeat([k for k, _ in scores], size)
    out["score"] = np.repeat([s for _, s in scores], size)
    out["n"] = n.astype(np.int64)
    out["mean"] = mean
    out["sd"] = sd
    with np.errstate(invalid="ignore", divide="ignore"):
        out["se"] = sd / np.sqrt(n)
    out["ci_low"] = low
    out["ci_high"] = high
    return out


def _as_points(table: pd.DataFrame, group: str, wave: str) -> pd.DataFrame:
    out = table.rename(columns={group: "group"})
    out.insert(3, "wave", wave)
    return out


@dataclass(frozen=True)
class _Level:
    """One level's rows over the waves: raw (for computing) and cleared (for showing)."""

    raw: pd.DataFrame
    shown: Cleared

    @property
    def hidden(self) -> set[tuple[object, ...]]:
        """The (group, kind, score, wave) keys of the raw rows that are not shown: any
        row the cleared table does not show (whatever the reason) counts as hidden."""
        keys = [*SERIES, "wave"]
        off = self.shown["suppressed"].fillna(True).to_numpy(dtype=bool)
        visible = set(self.shown.loc[~off, keys].itertuples(index=False, name=None))
        raw = self.raw[keys].itertuples(index=False, name=None)
        return {k for k in raw if k not in visible}


def _stack(raw: list[pd.DataFrame], shown: list[Cleared]) -> _Level:
    if not raw:
        empty = pd.DataFrame(columns=[c for c in POINT_COLUMNS if c != "suppressed"])
        return _Level(empty, suppress(empty, threshold=2))
    return _Level(pd.concat(raw, ignore_index=True), concat_cleared(shown))


def _schools_of_wave(
    stats: WaveStatistics, scores: Sequence[tuple[str, str]], threshold: int
) -> tuple[pd.DataFrame, Cleared]:
    """Every school's scores in one wave, raw and suppressed across the wave's schools."""
    raw = _summary(stats, ["school"], scores)
    return raw, suppress(raw, threshold=threshold, within=["kind", "score"], keep=["school"])


def _in_trusts(timeline: Timeline) -> pd.DataFrame:
    """The context rows of schools in a trust (a blank trust is none)."""
    context = timeline.schools
    trust = context["trust"]
    return context[trust.notna() & (trust.astype(str).str.strip() != "")]


def _trust_of(timeline: Timeline) -> dict[str, str | None]:
    known = _in_trusts(timeline)
    return {str(s): str(t) for s, t in zip(known["school"], known["trust"], strict=True)}


def _trust_schools(timeline: Timeline) -> dict[str, list[str]]:
    """Each trust's schools, in name order."""
    context = _in_trusts(timeline).sort_values(["name", "school"])
    out: dict[str, list[str]] = {}
    for school, trust in zip(context["school"], context["trust"], strict=True):
        out.setdefault(str(trust), []).append(str(school))
    return out


def _against_rest(trusts: pd.DataFrame, everyone: pd.DataFrame, threshold: int) -> Cleared:
    """Every trust's own rows in one wave, hidden where the trust or the rest of the wave
    is (they partition the wave's pupils, whose total is published): the rule of
    :func:`~learnsurvey.analysis.trusts.trust_against_rest`, for all trusts at once."""
    total = everyone.set_index(["kind", "score"])["n"]
    keys = pd.MultiIndex.from_frame(trusts[["kind", "score"]])
    rest = total.reindex(keys).to_numpy(dtype=float) - trusts["n"].to_numpy(dtype=float)
    ids = ["trust", "kind", "score"]
    sides = pd.concat(
        [trusts[[*ids, "n"]].assign(side="trust"), trusts[ids].assign(n=rest, side="rest")],
        ignore_index=True,
    )
    shown = suppress(sides, threshold=threshold, within=ids, keep=["side"])
    hidden = hidden_keys(shown, ids)
    mask = np.array([k in hidden for k in trusts[ids].itertuples(index=False, name=None)])
    return Cleared(blank_where(trusts, mask.astype(bool), keep=ids))


def _trust_of_wave(
    against: Cleared, wave_scores: pd.DataFrame, keys: list[str], threshold: int
) -> tuple[Cleared, Cleared]:
    """A trust's own rows in one wave (``against``, shown only where rule 7 lets them stand
    beside its schools: :func:`~learnsurvey.analysis.trusts.clear_trust_totals`) and its
    schools' rows, suppressed as the partition of its total."""
    schools = trust_school_scores(wave_scores, keys, threshold=threshold)
    own = clear_trust_totals(against, wave_scores, schools, threshold=threshold)
    # Rule 7 blanks the whole row, its name too: put the name back (it identifies the row).
    return Cleared(own.assign(trust=against["trust"].to_numpy())), schools


@dataclass
class _Levels:
    """The rows of every level, wave by wave, raw and cleared."""

    timeline: Timeline
    comp: Comparable
    raw: dict[str, list[pd.DataFrame]]
    shown: dict[str, list[Cleared]]
    trust_shown: dict[str, list[Cleared]]
    """Per trust, its schools' rows (the partition of the trust's total)."""
    answered: set[str]

    @classmethod
    def of(cls, timeline: Timeline, comp: Comparable) -> _Levels:
        levels = cls(timeline, comp, {}, {}, {}, set())
        members = _trust_schools(timeline)
        for tw in timeline.waves:
            levels._add_wave(tw.wave, tw.statistics.stats, members)
        return levels

    def _keep(self, level: str, wave: str, raw: pd.DataFrame, shown: Cleared, group: str) -> None:
        self.raw.setdefault(level, []).append(_as_points(raw, group, wave))
        points = Cleared(_as_points(shown, group, wave))
        self.shown.setdefault(level, []).append(points)

    def _add_wave(self, wave: str, stats: WaveStatistics, members: dict[str, list[str]]) -> None:
        threshold = self.timeline.threshold
        scores = self.comp.scores
        raw, shown = _schools_of_wave(stats, scores, threshold)
        self._keep("schools", wave, raw, shown, "school")
        everyone = _summary(stats, [], scores)
        everyone.insert(0, "group", GLOBAL)
        cleared = suppress(everyone, threshold=threshold, within=["kind", "score"], keep=["group"])
        self._keep("whole", wave, everyone, cleared, "group")
        answered = set(raw["school"].astype(str))
        self.answered |= answered
        here = {t: [s for s in keys if s in answered] for t, keys in members.items()}
        here = {t: keys for t, keys in here.items() if keys}
        if not here:
            return
        grouped = by_school_attribute(stats, "trust", _trust_of(self.timeline))
        trusts = _summary(grouped, ["trust"], scores)
        trusts = trusts[trusts["trust"].isin(list(here))].reset_index(drop=True)
        against = _against_rest(trusts, everyone, threshold)
        wave_scores = shown.assign(raw_n=raw["n"].to_numpy())
        for trust, keys in here.items():
            mine = trusts["trust"] == trust
            part = keep_rows(against, mine).reset_index(drop=True)
            own, schools = _trust_of_wave(Cleared(part), wave_scores, keys, threshold)
            self._keep("trusts", wave, trusts[mine], own, "trust")
            table = Cleared(_as_points(schools, "school", wave))
            self.trust_shown.setdefault(trust, []).append(keep_columns(table, POINT_COLUMNS))

    def level(self, name: str) -> _Level:
        return _stack(self.raw.get(name, []), self.shown.get(name, []))

    def trust_schools(self) -> dict[str, _Level]:
        schools = self.level("schools").raw
        return {
            trust: _Level(
                schools[schools["group"].isin({str(g) for p in parts for g in p["group"]})],
                concat_cleared(parts),
            )
            for trust, parts in self.trust_shown.items()
        }

    def members(self) -> dict[str, list[str]]:
        """Each trust with responses: its schools with responses in some wave, by name."""
        listed = _trust_schools(self.timeline).items()
        out = {t: [s for s in keys if s in self.answered] for t, keys in listed}
        return {t: keys for t, keys in out.items() if keys}


@dataclass(frozen=True)
class OverTimeTables:
    """Every table behind the figures over time (each cleared by disclosure)."""

    comparable: Comparable
    schools: Cleared
    """:data:`POINT_COLUMNS`, group = school key: one row per wave the school answered."""
    school_changes: Cleared
    """:data:`CHANGE_COLUMNS` (:func:`wave_changes`)."""
    school_trends: pd.DataFrame
    """:data:`TREND_COLUMNS` (:func:`wave_trends`)."""
    trusts: Cleared
    """The trusts' own rows (group = trust name)."""
    trust_changes: Cleared
    trust_trends: pd.DataFrame
    trust_schools: dict[str, Cleared]
    """Per trust, its schools' latest changes (:func:`latest_changes`), the schools
    suppressed as the partition of the trust's total."""
    trust_members: dict[str, list[str]]
    """Per trust with responses, its schools with responses in some wave, in name order."""
    whole: Cleared
    """The whole database (group :data:`GLOBAL`)."""
    whole_changes: Cleared
    whole_trends: pd.DataFrame
    key_stage_decline: pd.DataFrame
    """:func:`key_stage_decline`."""
    school_impacts: pd.DataFrame = field(default_factory=pd.DataFrame)
    """:data:`~learnsurvey.analysis.impact.IMPACT_COLUMNS`
    (:func:`~learnsurvey.analysis.impact.school_impacts`)."""


def over_time_tables(timeline: Timeline) -> OverTimeTables:
    """Every table of the figures over time of ``timeline``'s waves.

    Raises
    ------
    ValueError
        If the timeline has no wave, or its waves are of different instruments.
    """
    comp = comparability([w.statistics.instrument for w in timeline.waves])
    levels = _Levels.of(timeline, comp)
    schools, trusts, whole = (levels.level(n) for n in ("schools", "trusts", "whole"))

    def changes(level: _Level) -> Cleared:
        return wave_changes(level.raw, level.hidden, timeline, comp)

    def trends(level: _Level) -> pd.DataFrame:
        return wave_trends(level.raw, level.hidden, timeline, comp)

    school_changes = changes(schools)
    similar = similar_schools(timeline.schools)
    impacts = school_impacts(
        schools.raw,
        school_changes,
        dict(zip(similar["school"].astype(str), similar["group"], strict=True)),
        [w.wave for w in timeline.waves],
        threshold=timeline.threshold,
    )
    return OverTimeTables(
        comparable=comp,
        schools=keep_columns(schools.shown, POINT_COLUMNS),
        school_changes=school_changes,
        school_impacts=impacts,
        school_trends=trends(schools),
        trusts=keep_columns(trusts.shown, POINT_COLUMNS),
        trust_changes=changes(trusts),
        trust_trends=trends(trusts),
        trust_schools={t: latest_changes(changes(lv)) for t, lv in levels.trust_schools().items()},
        trust_members=levels.members(),
        whole=keep_columns(whole.shown, POINT_COLUMNS),
        whole_changes=changes(whole),
        whole_trends=trends(whole),
        key_stage_decline=key_stage_decline(timeline, comp.dimensions),
    )


# --- changes and trends ---------------------------------------------------------------------


def _score_rank(comp: Comparable) -> dict[tuple[str, str], int]:
    return {s: k for k, s in enumerate(comp.scores)}


def _ordered(raw: pd.DataFrame, timeline: Timeline, comp: Comparable) -> pd.DataFrame:
    position = {w.wave: k for k, w in enumerate(timeline.waves)}
    rank = _score_rank(comp)
    out = raw.assign(
        _pos=raw["wave"].map(position),
        _rank=[rank[(k, s)] for k, s in zip(raw["kind"], raw["score"], strict=True)],
    )
    return out.sort_values(["group", "_rank", "_pos"], kind="stable").reset_index(drop=True)


def _verdict(low: pd.Series, high: pd.Series, *, flat: str) -> list[str]:
    lo = pd.to_numeric(low, errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(high, errors="coerce").to_numpy(dtype=float)
    out = np.full(len(lo), flat, dtype=object)
    out[lo > 0] = "clear_up"
    out[hi < 0] = "clear_down"
    out[~(np.isfinite(lo) & np.isfinite(hi))] = "unknown"
    return [str(v) for v in out]


def wave_changes(
    raw: pd.DataFrame,
    hidden: set[tuple[object, ...]],
    timeline: Timeline,
    comp: Comparable,
) -> Cleared:
    """The change of every group and score between each consecutive pair of the waves the
    group answered in (:data:`CHANGE_COLUMNS`, oldest pair first within a score).

    ``raw`` has :data:`POINT_COLUMNS` but ``suppressed`` (figures before suppression);
    ``hidden`` the (group, kind, score, wave) keys suppressed. Difference to − from with
    the Welch 95% CI, Hedges' g (to against from) with its 95% CI, the minimal detectable
    change from the two SEs, the verdict (``clear_up``/``clear_down`` when the CI excludes
    zero, else ``within_detectable``; ``unknown`` when hidden or not computable) and
    ``seasons_differ``. A change is hidden when either wave is (rule 3)."""
    table = _ordered(raw, timeline, comp)
    before = table.groupby(SERIES, sort=False)[["wave", "n", "mean", "sd", "se"]].shift(1)
    pairs = table.join(before.add_suffix("_from")).dropna(subset=["wave_from"])
    pairs = pairs.rename(columns={"wave": "to_wave", "wave_from": "from_wave"})
    arrays = {
        c: pd.to_numeric(pairs[c], errors="coerce").to_numpy(dtype=float)
        for c in ("n", "mean", "sd", "se", "n_from", "mean_from", "sd_from", "se_from")
    }
    diff, low, high = welch_difference(
        arrays["n"], arrays["mean"], arrays["sd"],
        arrays["n_from"], arrays["mean_from"], arrays["sd_from"],
    )  # fmt: skip
    g = hedges_g(
        arrays["n"], arrays["mean"], np.nan_to_num(arrays["sd"]),
        arrays["n_from"], arrays["mean_from"], np.nan_to_num(arrays["sd_from"]),
    )  # fmt: skip
    season = {w.wave: w.season for w in timeline.waves}
    out = pd.DataFrame(
        {
            **{c: pairs[c].to_numpy() for c in (*SERIES, "from_wave", "to_wave")},
            "n_from": arrays["n_from"].astype(np.int64),
            "mean_from": arrays["mean_from"],
            "n_to": arrays["n"].astype(np.int64),
            "mean_to": arrays["mean"],
            "difference": diff,
            "ci_low": low,
            "ci_high": high,
            "hedges_g": g["hedges_g"].to_numpy(),
            "g_ci_low": g["ci_low"].to_numpy(),
            "g_ci_high": g["ci_high"].to_numpy(),
            "mdc": minimal_detectable_change(arrays["se"], arrays["se_from"]),
            "seasons_differ": [
                _differ(season.get(str(a)), season.get(str(b)))
                for a, b in zip(pairs["from_wave"], pairs["to_wave"], strict=True)
            ],
        }
    )
    shown = suppress_pairs(
        out,
        hidden,
        group_a=[*SERIES, "from_wave"],
        group_b=[*SERIES, "to_wave"],
        keep=["seasons_differ"],
    )
    shown["verdict"] = _verdict(shown["ci_low"], shown["ci_high"], flat="within_detectable")
    return keep_columns(shown, CHANGE_COLUMNS)


def _differ(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a != b


def wave_trends(
    raw: pd.DataFrame,
    hidden: set[tuple[object, ...]],
    timeline: Timeline,
    comp: Comparable,
) -> pd.DataFrame:
    """The weighted trend of every group and score over the group's shown waves
    (:data:`TREND_COLUMNS`), for the groups with at least :data:`MIN_TREND_WAVES` shown
    waves on some score.

    The slope per wave (x = the wave's position in the series) of
    :func:`~learnsurvey.stats.trend.weighted_trend` with its 95% CI, fitted to the shown
    waves only (a wave whose mean has no positive SE is left out); ``clear_up`` or
    ``clear_down`` when the CI excludes zero, else ``no_clear_trend``. A score with fewer
    than :data:`MIN_TREND_WAVES` shown waves has no slope (``unknown``), and is
    ``suppressed`` when disclosure hid some of its waves."""
    table = _ordered(raw, timeline, comp)
    keys = [tuple(r) for r in table[[*SERIES, "wave"]].itertuples(index=False)]
    table["_hidden"] = [k in hidden for k in keys]
    shown = table.loc[~table["_hidden"], SERIES]
    waves_shown = shown.value_counts()  # shown waves per (group, kind, score)
    enough = {str(k[0]) for k in waves_shown.index[waves_shown.to_numpy() >= MIN_TREND_WAVES]}
    table = table[table["group"].isin(enough)]
    if not len(table):
        return pd.DataFrame(columns=TREND_COLUMNS)
    means = table.assign(
        mean=table["mean"].where(~table["_hidden"]),
        se=table["se"].where(~table["_hidden"] & (table["se"] > 0)),
    )
    wide = means.pivot(index=["group", "_rank"], columns="_pos", values=["mean", "se"])
    positions = sorted(table["_pos"].unique())
    fit = weighted_trend(
        positions,
        wide["mean"].to_numpy(dtype=float),  # the pivot's columns: the positions, sorted
        wide["se"].to_numpy(dtype=float),
    )
    scores = comp.scores
    fit.insert(0, "group", wide.index.get_level_values("group"))
    fit.insert(1, "kind", [scores[r][0] for r in wide.index.get_level_values("_rank")])
    fit.insert(2, "score", [scores[r][1] for r in wide.index.get_level_values("_rank")])
    few = fit["n_points"].to_numpy() < MIN_TREND_WAVES
    fit.loc[few, ["slope", "ci_low", "ci_high"]] = np.nan
    any_hidden = table.groupby(["group", "_rank"])["_hidden"].any()
    fit["suppressed"] = few & any_hidden.reindex(wide.index).to_numpy(dtype=bool)
    fit["verdict"] = _verdict(fit["ci_low"], fit["ci_high"], flat="no_clear_trend")
    return fit.rename(columns={"n_points": "n_waves"})[TREND_COLUMNS].reset_index(drop=True)


def latest_changes(changes: pd.DataFrame) -> Cleared:
    """Each group's changes between its last two waves (the last pair of
    :func:`wave_changes` per group)."""
    last = changes.groupby("group", sort=False)["to_wave"].transform("last")
    first = changes.groupby("group", sort=False)["from_wave"].transform("last")
    mask = (changes["to_wave"] == last) & (changes["from_wave"] == first)
    return Cleared(changes[mask].reset_index(drop=True))


def clear_counts(changes: pd.DataFrame) -> pd.DataFrame:
    """How many groups changed clearly up, clearly down or within what they can detect, per
    score and pair of waves, among the changes shown in ``changes`` (e.g. a trust's schools'
    :func:`latest_changes`). Columns ``kind, score, from_wave, to_wave, n_schools, n_up,
    n_down, n_within``."""
    columns = ["kind", "score", "from_wave", "to_wave", "n_schools", "n_up", "n_down", "n_within"]
    shown = changes[changes["verdict"] != "unknown"]
    if not len(shown):
        return pd.DataFrame(columns=columns)
    flags = shown.assign(
        n_up=shown["verdict"] == "clear_up",
        n_down=shown["verdict"] == "clear_down",
        n_within=shown["verdict"] == "within_detectable",
    )
    keys = ["kind", "score", "from_wave", "to_wave"]
    out = flags.groupby(keys, sort=False).agg(
        n_schools=("verdict", "size"), n_up=("n_up", "sum"), n_down=("n_down", "sum"),
        n_within=("n_within", "sum"),
    )  # fmt: skip
    return out.reset_index()[columns].astype(dict.fromkeys(columns[4:], "int64"))


# --- the key-stage decline ------------------------------------------------------------------


_EFFECT = ("hedges_g", "ci_low", "ci_high")


def _decline_of_wave(
    stats: WaveStatistics, threshold: int, dimensions: Sequence[str]
) -> list[dict[str, object]]:
    demo = stats.instrument.demographics
    summary = group_summary(stats, ["key_stage"])
    trend = suppress(summary, threshold=threshold, within=["dimension"], keep=["key_stage"])
    trend = trend[trend["key_stage"].isin(demo.key_stages)]
    stages = shown_stages(trend, demo.key_stages)
    primary = [k for k in stages if k in demo.primary_key_stages]
    secondary = [k for k in stages if k not in demo.primary_key_stages]
    effects = (
        phase_effects(stats, trend, primary=primary, secondary=secondary)
        if primary and secondary
        else pd.DataFrame(columns=["dimension"])
    )
    by_dim = {str(r["dimension"]): r for r in effects.to_dict("records")}
    shown = trend[~trend["suppressed"].astype(bool)]
    rows = []
    for dim in dimensions:
        part = shown[shown["dimension"] == dim]
        effect = by_dim.get(dim)
        n = {
            side: int(part.loc[part["key_stage"].isin(stages_), "n"].sum())
            for side, stages_ in (("primary", primary), ("secondary", secondary))
        }
        rows.append(
            {
                "dimension": dim,
                "n_primary": None if effect is None else n["primary"],
                "n_secondary": None if effect is None else n["secondary"],
                **{c: np.nan if effect is None else effect[c] for c in _EFFECT},
                "suppressed": effect is None,
            }
        )
    return rows


def key_stage_decline(timeline: Timeline, dimensions: Sequence[str]) -> pd.DataFrame:
    """Per wave (oldest first) and dimension, Hedges' g of the secondary key stages pooled
    against the primary ones (:func:`~learnsurvey.analysis.key_stages.phase_effects`), from
    the key stages each wave's suppressed key-stage summary shows (as the wave's global
    figures do); ``n_primary`` and ``n_secondary`` are the pupils of the shown key stages.
    ``suppressed`` where no g can be shown (a side hidden or absent). Columns ``wave,
    dimension, n_primary, n_secondary, hedges_g, ci_low, ci_high, suppressed``."""
    rows = []
    for tw in timeline.waves:
        for row in _decline_of_wave(tw.statistics.stats, timeline.threshold, dimensions):
            rows.append({"wave": tw.wave, **row})
    columns = ["wave", "dimension", "n_primary", "n_secondary", "hedges_g", "ci_low"]
    columns += ["ci_high", "suppressed"]
    return pd.DataFrame(rows, columns=columns)
