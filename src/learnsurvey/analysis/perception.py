"""Pupils, staff, teachers and leaders side by side: each group's view of each dimension,
the perception gaps between the groups, and where a school's gap stands among the others'.

The tables behind :mod:`learnsurvey.analysis.figures.staff`. A *unit* is a school or a
trust as a whole (``unit_kind`` ``school`` or ``trust``). The staff groups are all staff,
and the staff roles named by :data:`ROLE_OF` (the staff instrument's role ids); every
other role, and staff who gave none, are "the rest": counted in all staff, never shown on
their own. Django-free.

Disclosure (rule 8 of :mod:`learnsurvey.stats.disclosure`). The pupils of a unit are shown
exactly where the unit's own figures show them (a school's as across the wave, or as its
trust's schools table shows them; a trust's where rule 7 lets its total stand). Each staff
group needs the staff threshold; teachers, leaders and the rest partition all staff, so
they are cleared together (:func:`~learnsurvey.stats.disclosure.suppress_roles`), across a
trust's schools and the trust's own totals at once, first for the staff who answered and
then per dimension; a role hidden for the staff as a whole stays hidden on every dimension.
A gap is hidden when either of its groups is (rule 3), and a gap's standing among the
other schools is shown only when enough other schools stand behind it (rule 5).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from learnsurvey.stats.disclosure import (
    MIN_OTHER_SCHOOLS,
    Cleared,
    RoleTable,
    blank_where,
    enough_schools,
    hidden_keys,
    is_publishable,
    keep_columns,
    keep_rows,
    suppress,
    suppress_pairs,
    suppress_roles,
)
from learnsurvey.stats.effects import hedges_g, mean_interval, welch_difference
from learnsurvey.stats.meta import empirical_bayes, random_effects

from .dashboard import DashboardStatistics
from .groups import by_school_attribute
from .statistics import WaveStatistics
from .trusts import clear_trust_totals, trust_school_scores

__all__ = [
    "GAP_PAIRS",
    "GROUPS",
    "LARGE_G",
    "ROLE_OF",
    "PupilHiding",
    "StaffUnits",
    "gap_standing",
    "perception_gaps",
    "staff_units",
    "staff_views",
]

GROUPS = ("pupils", "staff", "teachers", "leaders")
"""The groups of the views, in the order shown."""
ROLE_OF = {"teachers": "teacher", "leaders": "leader"}
"""The staff groups shown on their own, and the staff instrument's role id of each."""
GAP_PAIRS = (
    ("pupils", "teachers"),
    ("pupils", "leaders"),
    ("teachers", "leaders"),
    ("pupils", "staff"),
)
"""(a, b) of each perception gap, b − a: teachers − pupils, leaders − pupils, leaders −
teachers, staff − pupils."""
LARGE_G = 0.5
"""A gap is "large" when |g| reaches this (a medium effect, Cohen 1988) and its CI excludes
zero."""

UNIT = ["unit_kind", "unit"]
VIEW_KEYS = [*UNIT, "dimension", "group"]
STATS = ["n", "mean", "sd", "ci_low", "ci_high"]
_COLUMNS = ("teachers", "leaders", "rest")
"""The partition of all staff in :func:`suppress_roles`'s tables; the rest is never shown."""
_REST = 2

Summaries = dict[str, dict[tuple[str, str, str], dict[str, Any]]]
"""Per staff group, (unit_kind, unit, dimension) → n, mean, sd, ci_low, ci_high."""


@dataclass(frozen=True)
class StaffUnits:
    """Schools and trusts as the staff voice groups them."""

    schools: list[str]
    """Every school with pupils' responses, in key order."""
    trust_of: dict[str, str | None]
    """Each such school's trust (schools with none are left out)."""

    @property
    def trusts(self) -> list[str]:
        return sorted({str(t) for t in self.trust_of.values() if t is not None})

    def trust_schools(self, trust: str) -> list[str]:
        return [s for s in self.schools if self.trust_of.get(s) == trust]

    def grids(self) -> list[tuple[str | None, list[str]]]:
        """The tables cleared together: each trust with its schools, each school of no
        trust alone (None)."""
        alone = [(None, [s]) for s in self.schools if s not in self.trust_of]
        return [*((t, self.trust_schools(t)) for t in self.trusts), *alone]


def staff_units(current: DashboardStatistics, context: pd.DataFrame) -> StaffUnits:
    """The schools with pupils' responses in ``current`` and their trusts from ``context``
    (columns ``school`` and ``trust``, as :attr:`ReportInputs.schools`)."""
    answered = sorted({str(s) for s in current.responses["school"]})
    with_trust = context[context["trust"].notna() & context["school"].isin(answered)]
    trust_of: dict[str, str | None] = {
        str(s): str(t) for s, t in zip(with_trust["school"], with_trust["trust"], strict=True)
    }
    return StaffUnits(answered, trust_of)


# --- each group's view ------------------------------------------------------------------------


@dataclass
class _Sides:
    """Raw figures (not yet cleared) of every unit × dimension × group, and the keys to hide."""

    rows: dict[tuple[Hashable, ...], dict[str, Any]] = field(default_factory=dict)
    hidden: set[tuple[Hashable, ...]] = field(default_factory=set)
    counts: list[dict[str, Any]] = field(default_factory=list)


def staff_views(
    pupils: DashboardStatistics,
    staff: DashboardStatistics,
    by_role: Mapping[str, DashboardStatistics],
    units: StaffUnits,
    *,
    threshold: int,
    staff_threshold: int,
    hiding: PupilHiding | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each unit's groups (pupils, all staff, teachers, leaders) on each dimension both
    instruments score: n, mean, SD and the t-based 95% CI of the mean
    (:func:`~learnsurvey.analysis.groups.group_summary`), cleared as the module says.

    Returns
    -------
    (views, counts)
        ``views``: columns ``unit_kind``, ``unit``, ``dimension``, ``group``, n, mean, sd,
        ci_low, ci_high, ``suppressed``; one row per unit × shared dimension × group.
        ``counts``: per unit, the staff who answered (``n_staff``, ``n_teachers``,
        ``n_leaders``, blank where hidden), ``staff_answered`` and ``leaders_pooled``.

    ``hiding``, when given, says which of the trusts' pupils their figures hide (from the
    built :class:`~learnsurvey.analysis.figures.trust.TrustFigures`, which saves deciding
    it again); the same is decided here otherwise.
    """
    dims = _shared_dimensions(pupils.stats, staff.stats)
    sides = _Sides()
    _pupil_side(sides, pupils.stats, units, dims, threshold, hiding)
    summaries = _staff_summaries(staff, by_role, units, dims)
    answered = _answered(staff, by_role)
    limits = _Limits(pupils=threshold, staff=staff_threshold)
    older = _older_tables(sides, summaries, units, dims, threshold)
    for grid in units.grids():
        _clear_grid(sides, summaries, answered, grid, dims, limits, older)
    table = pd.DataFrame(
        [{**dict(zip(VIEW_KEYS, k, strict=True)), **v} for k, v in sides.rows.items()]
    )
    table = table.astype({"n": "Int64"})
    hide = pd.Series([k in sides.hidden for k in sides.rows], index=table.index)
    views = blank_where(table, hide, keep=VIEW_KEYS)
    counts = pd.DataFrame(sides.counts)
    return views, counts


def _shared_dimensions(pupils: WaveStatistics, staff: WaveStatistics) -> list[str]:
    staff_ids = {staff.layout.ids[j] for j in staff.layout.indices("dimension")}
    shared = [
        pupils.layout.ids[j]
        for j in pupils.layout.indices("dimension")
        if pupils.layout.ids[j] in staff_ids
    ]
    if not shared:
        raise ValueError("the pupil and staff instruments share no dimension")
    return shared


def _summary(
    stats: WaveStatistics, by: str, scores: Sequence[str], *, kind: str = "dimension"
) -> pd.DataFrame:
    """Per group of ``by`` × score of ``kind`` in ``scores``: n, mean, SD and the t-based
    95% CI of the mean, as :func:`~learnsurvey.analysis.groups.group_summary` gives them
    (rows by group, then score), without its band shares. Columns ``unit``, ``dimension``
    (the score id) and :data:`STATS`."""
    keys, moments, _ = stats.groups(by)
    wanted = set(scores)
    idx = [j for j in stats.layout.indices(kind) if stats.layout.ids[j] in wanted]
    n = moments.n[:, idx]
    mean = moments.means()[:, idx]
    sd = moments.sds()[:, idx]
    low, high = mean_interval(n, mean, sd, confidence=0.95)
    units = keys[by].astype(str).to_numpy() if len(keys) else np.array([], dtype=object)
    return pd.DataFrame(
        {
            "unit": np.repeat(units, len(idx)),
            "dimension": np.tile([stats.layout.ids[j] for j in idx], len(units)),
            "n": n.ravel().astype(np.int64),
            "mean": mean.ravel(),
            "sd": sd.ravel(),
            "ci_low": low.ravel(),
            "ci_high": high.ravel(),
        }
    )


def _record(
    sides: _Sides, kind: str, group: str, table: pd.DataFrame, hidden: set[tuple[object, ...]]
) -> None:
    """Rows of ``table`` (columns unit, dimension, STATS) as ``group`` of units of ``kind``;
    those keyed (unit, dimension) in ``hidden`` are to be hidden."""
    for row in table.to_dict("records"):
        key = (kind, str(row["unit"]), str(row["dimension"]), group)
        sides.rows[key] = {c: row[c] for c in STATS}
        if (row["unit"], row["dimension"]) in hidden:
            sides.hidden.add(key)


PupilHiding = Mapping[str, tuple[set[str], set[tuple[str, str]]]]
"""Per trust: the dimensions whose trust-wide pupils its figures hide, and the (school,
dimension) pairs its schools table hides."""


def _pupil_side(
    sides: _Sides,
    stats: WaveStatistics,
    units: StaffUnits,
    dims: list[str],
    threshold: int,
    hiding: PupilHiding | None,
) -> None:
    """The pupils of each unit, hidden where the unit's own figures hide them: a school of
    no trust as across the wave, a trust's school as its trust's schools table, a trust as
    its own totals (rule 7). ``hiding`` gives the trusts' part as the trust figures decided
    it; without it, it is decided here the same way."""
    scores = _wave_scores(stats, threshold, dims)
    by_school = _summary(stats, "school", dims)
    by_school = by_school[by_school["unit"].isin(units.schools)]
    dim_rows = scores[scores["kind"] == "dimension"]
    lone = by_school[~by_school["unit"].isin(list(units.trust_of))]
    _record(sides, "school", "pupils", lone, hidden_keys(dim_rows, ["school", "score"]))
    trusts = _trust_pupils(stats, units, dims, threshold)
    missing = [t for t in units.trusts if hiding is None or t not in hiding]
    hiding = {**(hiding or {}), **_trust_hiding(trusts, scores, units, missing, threshold)}
    for trust in units.trusts:
        trust_dims, school_dims = hiding[trust]
        keys = units.trust_schools(trust)
        _record(
            sides,
            "school",
            "pupils",
            by_school[by_school["unit"].isin(keys)],
            {(str(k), str(d)) for k, d in school_dims},
        )
        rows = trusts[trust]
        rows = rows[rows["kind"] == "dimension"]
        table = rows.assign(unit=trust).rename(columns={"score": "dimension"})
        _record(
            sides,
            "trust",
            "pupils",
            table[["unit", "dimension", *STATS]],
            {(trust, d) for d in trust_dims},
        )


def _trust_hiding(
    trusts: Mapping[str, Cleared],
    scores: pd.DataFrame,
    units: StaffUnits,
    names: list[str],
    threshold: int,
) -> dict[str, tuple[set[str], set[tuple[str, str]]]]:
    """:data:`PupilHiding` as :class:`~learnsurvey.analysis.figures.trust_build.
    TrustFiguresBuilder` decides it: its schools table
    (:func:`~learnsurvey.analysis.trusts.trust_school_scores`) and its totals
    (:func:`~learnsurvey.analysis.trusts.clear_trust_totals`; all hidden when the overall
    score is)."""
    out = {}
    for trust in names:
        shown = trust_school_scores(scores, units.trust_schools(trust), threshold=threshold)
        schools = hidden_keys(shown[shown["kind"] == "dimension"], ["school", "score"])
        whole = clear_trust_totals(trusts[trust], scores, shown, threshold=threshold)
        overall_hidden = bool(whole.loc[whole["kind"] == "overall", "suppressed"].any())
        rows = whole[whole["kind"] == "dimension"]
        dims = {
            str(d)
            for d, off in zip(rows["score"], rows["suppressed"], strict=True)
            if off or overall_hidden
        }
        out[trust] = (dims, {(str(k), str(d)) for k, d in schools})
    return out


def _wave_scores(stats: WaveStatistics, threshold: int, dims: list[str]) -> pd.DataFrame:
    """Every school's dimension and overall pupils, suppressed across the wave's schools as
    :func:`~learnsurvey.analysis.trusts.wave_school_scores` does (the same partition, so
    the same rows hidden), with ``raw_n``."""
    parts = []
    for kind, scores in (("dimension", dims), ("overall", ["overall"])):
        table = _summary(stats, "school", scores, kind=kind).rename(
            columns={"unit": "school", "dimension": "score"}
        )
        table.insert(1, "kind", kind)
        table["raw_n"] = table["n"]
        parts.append(
            suppress(table, threshold=threshold, within=["score"], keep=["school", "kind", "raw_n"])
        )
    return pd.concat(parts, ignore_index=True)


def _trust_pupils(
    stats: WaveStatistics, units: StaffUnits, dims: list[str], threshold: int
) -> dict[str, Cleared]:
    """Each trust's pupils per dimension and overall, hidden as
    :func:`~learnsurvey.analysis.trusts.trust_against_rest` hides them (the trust and the
    rest of the wave suppressed together within each score; the rest's count is the wave's
    less the trust's, exact for counts), all trusts grouped at once."""
    grouped = by_school_attribute(stats, "trust", dict(units.trust_of))
    everyone = stats.cell_moments.total().n[0]
    out: dict[str, Cleared] = {}
    parts = []
    for kind, scores in (("dimension", dims), ("overall", ["overall"])):
        table = _summary(grouped, "trust", scores, kind=kind).rename(columns={"dimension": "score"})
        table.insert(1, "kind", kind)
        ids = stats.layout.ids
        total = {ids[j]: everyone[j] for j in stats.layout.indices(kind)}
        table["rest_n"] = [total[s] - n for s, n in zip(table["score"], table["n"], strict=True)]
        parts.append(table[table["unit"].isin(units.trusts)])
    table = pd.concat(parts, ignore_index=True)
    ident = ["unit", "kind", "score"]
    pair = pd.concat(
        [
            table[[*ident, "n"]].assign(side="trust"),
            table[[*ident, "rest_n"]].rename(columns={"rest_n": "n"}).assign(side="rest"),
        ],
        ignore_index=True,
    )
    shown = suppress(pair, threshold=threshold, within=ident, keep=["side"])
    table["all_mean"] = np.nan
    cleared = suppress_pairs(
        table, hidden_keys(shown, ident), group_a=ident, group_b=ident, keep=["all_mean"]
    )
    for trust in pd.unique(cleared["unit"]):
        own = keep_rows(cleared, cleared["unit"] == trust)
        out[str(trust)] = keep_columns(own, [c for c in own.columns if c not in {"unit", "rest_n"}])
    return out


def _staff_summaries(
    staff: DashboardStatistics,
    by_role: Mapping[str, DashboardStatistics],
    units: StaffUnits,
    dims: list[str],
) -> Summaries:
    """Per staff group: every school's and trust's raw figures by (unit_kind, unit,
    dimension). Groups with no statistics are left out."""
    sources = {"staff": staff, **{g: by_role[r] for g, r in ROLE_OF.items() if r in by_role}}
    out = {}
    for group, data in sources.items():
        schools = _summary(data.stats, "school", dims).assign(unit_kind="school")
        trusts = _summary(
            by_school_attribute(data.stats, "trust", dict(units.trust_of)), "trust", dims
        ).assign(unit_kind="trust")
        table = pd.concat([schools, trusts], ignore_index=True)
        out[group] = {
            (str(r["unit_kind"]), str(r["unit"]), str(r["dimension"])): {c: r[c] for c in STATS}
            for r in table.to_dict("records")
        }
    return out


def _answered(
    staff: DashboardStatistics, by_role: Mapping[str, DashboardStatistics]
) -> dict[str, dict[str, int]]:
    """Per staff group: the staff who answered, by school."""
    sources = {"staff": staff, **{g: by_role[r] for g, r in ROLE_OF.items() if r in by_role}}
    return {
        g: {str(k): int(v) for k, v in d.responses.groupby("school")["n"].sum().items()}
        for g, d in sources.items()
    }


def _partition(schools: list[str], lookup: Callable[[str, str], float]) -> NDArray[np.float64]:
    """(schools × [teachers, leaders, rest]) counts; ``lookup(group, school)`` gives a count."""
    table = np.zeros((len(schools), len(_COLUMNS)))
    for i, school in enumerate(schools):
        everyone = lookup("staff", school)
        teachers, leaders = lookup("teachers", school), lookup("leaders", school)
        table[i] = (teachers, leaders, max(everyone - teachers - leaders, 0.0))
    return table


@dataclass(frozen=True)
class _Limits:
    pupils: int
    staff: int


def _clear_grid(
    sides: _Sides,
    summaries: Summaries,
    answered: dict[str, dict[str, int]],
    grid: tuple[str | None, list[str]],
    dims: list[str],
    limits: _Limits,
    older: dict[tuple[str, str], RoleTable],
) -> None:
    """Clear one trust's schools and the trust (or one school alone) and record its staff
    groups' views and counts."""
    trust, schools = grid
    margins = trust is not None

    def answered_n(group: str, school: str) -> float:
        return float(answered.get(group, {}).get(school, 0))

    whole = suppress_roles(
        _partition(schools, answered_n),
        threshold=limits.staff,
        unshown=[_REST],
        margins=margins,
        known=_known_anywhere([older[(trust, d)] for d in dims]) if trust is not None else None,
    )
    _record_counts(sides, answered_n, trust, schools, whole)
    for dim in dims:

        def dim_n(group: str, school: str, dim: str = dim) -> float:
            return _n(summaries, group, ("school", school, dim))

        table = suppress_roles(
            _partition(schools, dim_n),
            threshold=limits.staff,
            unshown=[_REST],
            margins=margins,
            start=whole,
            known=older.get((trust, dim)) if trust is not None else None,
        )
        for i, school in enumerate(schools):
            shown = {"staff": bool(table.units[i])}
            shown |= {g: bool(table.cells[i, j]) for j, g in enumerate(_COLUMNS[:2])}
            _record_staff(sides, summaries, ("school", school, dim), shown)
        if trust is not None:
            shown = {"staff": table.total}
            shown |= {g: bool(table.roles[j]) for j, g in enumerate(_COLUMNS[:2])}
            _record_staff(sides, summaries, ("trust", trust, dim), shown)


def _older_tables(
    sides: _Sides, summaries: Summaries, units: StaffUnits, dims: list[str], threshold: int
) -> dict[tuple[str, str], RoleTable]:
    """Per trust and dimension, the all-staff counts the trust's older staff table
    (:func:`~learnsurvey.analysis.staff.trust_staff_gaps`, beside the pupils at the pupil
    ``threshold``) may show: each school's where its staff side survives that table's
    suppression (within the trust's schools with pupils, per dimension), the trust's where
    its count alone does. A superset of what it shows (its pupil side may hide more), each
    cleared by it; the voice takes them as published, so that the two tables together give
    no hidden group away. Schools of no trust have no older table."""
    rows = [
        {
            "trust": trust,
            "school": school,
            "dimension": dim,
            "staff_n": _n(summaries, "staff", ("school", school, dim)),
        }
        for dim in dims
        for trust in units.trusts
        for school in units.trust_schools(trust)
        if _pupils(sides, ("school", school, dim)) > 0
    ]
    table = pd.DataFrame(rows, columns=["trust", "school", "dimension", "staff_n"])
    table = table[table["staff_n"] > 0]
    shown = suppress(table, threshold=threshold, count="staff_n", within=["trust", "dimension"])
    visible = set(
        shown.loc[~shown["suppressed"], ["trust", "school", "dimension"]].itertuples(
            index=False, name=None
        )
    )
    out = {}
    for trust in units.trusts:
        schools = units.trust_schools(trust)
        for dim in dims:
            total = _n(summaries, "staff", ("trust", trust, dim))
            out[(trust, dim)] = RoleTable(
                cells=np.zeros((len(schools), len(_COLUMNS)), dtype=bool),
                units=np.array([(trust, s, dim) in visible for s in schools], dtype=bool),
                roles=np.zeros(len(_COLUMNS), dtype=bool),
                total=_pupils(sides, ("trust", trust, dim)) > 0
                and is_publishable(total, threshold),
            )
    return out


def _known_anywhere(tables: list[RoleTable]) -> RoleTable | None:
    """The figures published on any of ``tables`` (the older table's dimensions): taken as
    published for the staff as a whole too, since a dimension's count is the count of all
    who answered whenever nobody skipped it."""
    if not tables:
        return None
    return RoleTable(
        cells=np.logical_or.reduce([t.cells for t in tables]),
        units=np.logical_or.reduce([t.units for t in tables]),
        roles=np.logical_or.reduce([t.roles for t in tables]),
        total=any(t.total for t in tables),
    )


def _pupils(sides: _Sides, key: tuple[str, str, str]) -> float:
    """The pupils' n of a unit and dimension recorded in ``sides`` (0 when none)."""
    row = sides.rows.get((*key, "pupils"))
    return 0.0 if row is None or pd.isna(row["n"]) else float(row["n"])


def _n(summaries: Summaries, group: str, key: tuple[str, str, str]) -> float:
    row = summaries.get(group, {}).get(key)
    return 0.0 if row is None or pd.isna(row["n"]) else float(row["n"])


def _record_staff(
    sides: _Sides,
    summaries: Summaries,
    key: tuple[str, str, str],
    shown: dict[str, bool],
) -> None:
    for group in ("staff", "teachers", "leaders"):
        row = summaries.get(group, {}).get(key)
        full = (*key, group)
        if row is None or not row["n"] > 0:
            sides.rows[full] = {"n": 0, **dict.fromkeys(STATS[1:], np.nan)}
            sides.hidden.add(full)
            continue
        sides.rows[full] = {c: row[c] for c in STATS}
        if not shown[group]:
            sides.hidden.add(full)


def _record_counts(
    sides: _Sides, answered_n: Any, trust: str | None, schools: list[str], whole: RoleTable
) -> None:
    def shown_n(n: float, visible: bool) -> int | None:
        return int(n) if visible and n > 0 else None

    for i, school in enumerate(schools):
        counts = [answered_n(g, school) for g in ("staff", "teachers", "leaders")]
        flags = [bool(whole.units[i]), bool(whole.cells[i, 0]), bool(whole.cells[i, 1])]
        sides.counts.append(_counts_row("school", school, counts, flags, shown_n))
    if trust is not None:
        counts = [sum(answered_n(g, s) for s in schools) for g in ("staff", "teachers", "leaders")]
        flags = [whole.total, bool(whole.roles[0]), bool(whole.roles[1])]
        sides.counts.append(_counts_row("trust", trust, counts, flags, shown_n))


def _counts_row(
    kind: str, unit: str, counts: list[float], flags: list[bool], shown_n: Any
) -> dict[str, Any]:
    n_staff, n_teachers, n_leaders = (shown_n(n, f) for n, f in zip(counts, flags, strict=True))
    return {
        "unit_kind": kind,
        "unit": unit,
        "staff_answered": counts[0] > 0,
        "n_staff": n_staff,
        "n_teachers": n_teachers,
        "n_leaders": n_leaders,
        "leaders_pooled": counts[0] > 0 and n_leaders is None,
    }


# --- gaps and their standing ------------------------------------------------------------------


def perception_gaps(views: pd.DataFrame) -> Cleared:
    """The gaps of :data:`GAP_PAIRS` per unit and dimension: difference b − a with Welch's
    95% CI (:func:`~learnsurvey.stats.effects.welch_difference`), its standard error, and
    Hedges' g of b against a with its 95% CI (:func:`~learnsurvey.stats.effects.hedges_g`);
    ``large`` when |g| ≥ :data:`LARGE_G` and the CI of g excludes zero.

    A gap is hidden when either of its groups is hidden in ``views`` (rule 3).

    Returns
    -------
    Cleared
        Columns ``unit_kind``, ``unit``, ``dimension``, ``group_a``, ``group_b``,
        :data:`GAP_COLUMNS` and ``suppressed``.
    """
    by_key = views.set_index(VIEW_KEYS)
    frames = []
    for a, b in GAP_PAIRS:
        left = by_key.xs(a, level="group")[["n", "mean", "sd"]]
        right = by_key.xs(b, level="group")[["n", "mean", "sd"]]
        both = left.merge(
            right, left_index=True, right_index=True, suffixes=("_a", "_b")
        ).reset_index()
        both["group_a"], both["group_b"] = a, b
        frames.append(both)
    table = pd.concat(frames, ignore_index=True)
    table = _with_effects(table)
    hidden = hidden_keys(views, VIEW_KEYS)
    ident = [*UNIT, "dimension"]
    out = suppress_pairs(
        table,
        hidden,
        group_a=[*ident, "group_a"],
        group_b=[*ident, "group_b"],
    )
    return keep_columns(out, [*ident, "group_a", "group_b", *GAP_COLUMNS, "suppressed"])


GAP_COLUMNS = [
    "difference",
    "ci_low",
    "ci_high",
    "se",
    "hedges_g",
    "g_ci_low",
    "g_ci_high",
    "large",
]


def _with_effects(table: pd.DataFrame) -> pd.DataFrame:
    def col(name: str) -> np.ndarray:
        return np.asarray(pd.to_numeric(table[name], errors="coerce"), dtype=float)

    na, ma, sa = col("n_a"), col("mean_a"), col("sd_a")
    nb, mb, sb = col("n_b"), col("mean_b"), col("sd_b")
    diff, low, high = welch_difference(nb, mb, sb, na, ma, sa)
    out = table.copy()
    out["difference"], out["ci_low"], out["ci_high"] = diff, low, high
    with np.errstate(invalid="ignore", divide="ignore"):
        out["se"] = np.where((na > 1) & (nb > 1), np.sqrt(sb**2 / nb + sa**2 / na), np.nan)
    ok = (na > 1) & (nb > 1)
    g = hedges_g(
        np.where(ok, nb, 2.0),
        np.nan_to_num(mb),
        np.nan_to_num(sb),
        np.where(ok, na, 2.0),
        np.nan_to_num(ma),
        np.nan_to_num(sa),
    )
    out["hedges_g"] = np.where(ok, g["hedges_g"].to_numpy(), np.nan)
    out["g_ci_low"] = np.where(ok, g["ci_low"].to_numpy(), np.nan)
    out["g_ci_high"] = np.where(ok, g["ci_high"].to_numpy(), np.nan)
    gv, gl, gh = (out[c].to_numpy(dtype=float) for c in ("hedges_g", "g_ci_low", "g_ci_high"))
    with np.errstate(invalid="ignore"):
        out["large"] = (np.abs(gv) >= LARGE_G) & ((gl > 0) | (gh < 0))
    return out


def gap_standing(gaps: pd.DataFrame) -> pd.DataFrame:
    """Each school's shown gap against the other schools' shown gaps of the same pair and
    dimension: the empirical-Bayes shrunken gap (:func:`~learnsurvey.stats.meta.
    empirical_bayes` with τ² by DerSimonian–Laird, :func:`~learnsurvey.stats.meta.
    random_effects`), and its percentile among the other schools' shrunken gaps (the share
    of them with a smaller one, 0–100), with ``n_schools`` the other schools.

    Rule 5: ``shrunken`` and ``percentile`` are set only where at least
    :data:`~learnsurvey.stats.disclosure.MIN_OTHER_SCHOOLS` other schools stand behind them
    (a school reading its own page could otherwise work back to one other school's gap).

    Returns ``gaps`` with columns ``shrunken``, ``percentile`` and ``n_schools`` (NaN / NA
    on trusts, hidden gaps and gaps with too few other schools).
    """
    out = gaps.copy()
    out["shrunken"] = np.nan
    out["percentile"] = np.nan
    out["n_schools"] = pd.array([pd.NA] * len(out), dtype="Int64")
    usable = (
        (out["unit_kind"] == "school")
        & ~out["suppressed"].fillna(True).astype(bool)
        & np.isfinite(pd.to_numeric(out["se"], errors="coerce").to_numpy(dtype=float))
    )
    for _, rows in out[usable].groupby(["dimension", "group_a", "group_b"], sort=False):
        _stand(out, rows)
    return out


def _stand(out: pd.DataFrame, rows: pd.DataFrame) -> None:
    y = rows["difference"].to_numpy(dtype=float)
    v = rows["se"].to_numpy(dtype=float) ** 2
    others = len(rows) - 1
    if not enough_schools(others, MIN_OTHER_SCHOOLS):
        return
    shrunk = empirical_bayes(y, v, random_effects(y, v))
    below = (shrunk[None, :] < shrunk[:, None]).sum(axis=1)
    out.loc[rows.index, "shrunken"] = shrunk
    out.loc[rows.index, "percentile"] = 100.0 * below / others
    out.loc[rows.index, "n_schools"] = others
