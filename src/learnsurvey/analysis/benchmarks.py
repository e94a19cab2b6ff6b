"""Benchmarks a school is read against: similar schools and its own previous wave. Computed
once per wave for every school; Django-free.

Similar schools
---------------
A school's similar schools are the other schools of its *family*: schools of the same phase
with similar intakes (size, FSM, EAL and SEND %, region), grouped by the standardised
distance of :mod:`learnsurvey.analysis.families` into a partition of families of at least
20 schools (:func:`~learnsurvey.analysis.families.school_families`).
:func:`similar_benchmarks` takes any such partition. Where the context is too thin for
families (a phase with fewer than 40 schools with full context, or a school lacking a
figure), the rule below applies: phase × FSM quartile (:func:`similar_schools`).

Schools are put in FSM quartiles by the share of their pupils eligible for free school meals
(``fsm_pct``), with the quartile boundaries taken across the wave's schools that have a
figure (the 25th, 50th and 75th percentiles, linear interpolation; a school exactly on a
boundary goes to the lower quartile). A school's *similar schools* are the **other** schools
of the wave with the same phase and the same FSM quartile: its own pupils are left out, so
the comparison is with schools like it rather than partly with itself, and the two groups
compared are independent. A school with no phase or no FSM figure has no similar schools.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from learnsurvey.stats.disclosure import (
    MIN_OTHER_SCHOOLS,
    Cleared,
    hidden_keys,
    keep_columns,
    suppress,
    suppress_pairs,
)
from learnsurvey.stats.effects import hedges_g, mean_interval, welch_difference
from learnsurvey.stats.moments import sum_rows_by

from .groups import CONFIDENCE, group_summary
from .statistics import WaveStatistics

__all__ = [
    "BENCHMARK_COLUMNS",
    "MIN_OTHER_SCHOOLS",
    "all_schools_benchmark",
    "fsm_quartiles",
    "similar_benchmarks",
    "similar_schools",
    "wave_change",
]

KINDS = ("dimension", "notion", "overall")


def fsm_quartiles(fsm_pct: pd.Series) -> pd.Series:
    """The FSM quartile (1 = fewest pupils eligible … 4 = most) of each value of ``fsm_pct``.

    Boundaries are the 25th, 50th and 75th percentiles of the non-missing values (linear
    interpolation, as :func:`numpy.quantile`); a value on a boundary belongs to the lower
    quartile. Missing values get ``<NA>``. Returns a nullable integer series like the input.
    """
    values = pd.to_numeric(fsm_pct, errors="coerce").to_numpy(dtype=float)
    known = np.isfinite(values)
    out = pd.Series(pd.array([pd.NA] * len(values), dtype="Int64"), index=fsm_pct.index)
    if not known.any():
        return out
    edges = np.quantile(values[known], [0.25, 0.5, 0.75])
    quartile = np.searchsorted(edges, values[known], side="left") + 1
    out[known] = quartile
    return out


def similar_schools(schools: pd.DataFrame) -> pd.DataFrame:
    """Each school's similar-schools group: phase × FSM quartile.

    ``schools`` has columns ``school``, ``phase`` and ``fsm_pct`` (missing values allowed).
    Returns columns ``school``, ``phase``, ``fsm_quartile`` and ``group`` (e.g.
    ``"primary|2"``; None when the phase or the FSM figure is missing).
    """
    out = schools[["school", "phase"]].copy()
    out["fsm_quartile"] = fsm_quartiles(schools["fsm_pct"])
    out["group"] = pd.Series(
        [
            None if pd.isna(phase) or pd.isna(q) else f"{phase}|{int(q)}"
            for phase, q in zip(out["phase"], out["fsm_quartile"], strict=True)
        ],
        index=out.index,
        dtype=object,
    )
    return out.reset_index(drop=True)


def similar_benchmarks(
    stats: WaveStatistics,
    groups: Mapping[str, str | None],
    *,
    threshold: int,
    min_schools: int = MIN_OTHER_SCHOOLS,
) -> Cleared:
    """Every school's similar-schools benchmark for every score, and Hedges' g against it.

    For school *s* in group *G*, the benchmark is the pupils of the other schools of *G*:
    their n, mean, SD and t-based 95% CI from the summed moments
    (n = Σn, mean = Σx / n, SD² = (Σx² − (Σx)²/n) / (n − 1)), and Hedges' g (95% CI) of
    *s*'s pupils against them (:func:`learnsurvey.stats.effects.hedges_g`).

    Returns one row per school with a group × score: ``school, group, kind, score, n,
    mean, sd, ci_low, ci_high, n_schools, hedges_g, g_ci_low, g_ci_high, suppressed``
    (``n`` and ``n_schools`` describe the other schools).

    Disclosure (rules 1 and 5 of :mod:`learnsurvey.stats.disclosure`): the school reading
    its report knows its own figures, so a benchmark that includes a very small remainder
    would let it work out the other schools' figures. Hence a row is hidden (figures
    blanked, ``suppressed`` set) unless the other schools number at least ``min_schools``
    and hold at least ``threshold`` pupils with the score — with only one or two other
    schools the benchmark would be those schools' own result — and unless the school itself
    has at least ``threshold`` pupils with the score (its g describes them).
    """
    columns = [
        "school",
        "group",
        "kind",
        "score",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "n_schools",
        "hedges_g",
        "g_ci_low",
        "g_ci_high",
        "suppressed",
    ]
    empty = pd.DataFrame(columns=[*columns[:-1], "_own_n"])
    if not len(stats.cells):
        return keep_columns(suppress(empty, threshold=threshold), columns)
    keys, moments, _ = stats.groups("school")
    names = [str(s) for s in keys["school"]]
    labels = [groups.get(s) for s in names]
    uniq = sorted({g for g in labels if g is not None})
    if not uniq:
        return keep_columns(suppress(empty, threshold=threshold), columns)
    index = {g: k for k, g in enumerate(uniq)}
    code = np.array([index[g] if g is not None else -1 for g in labels], dtype=np.intp)
    mine = code >= 0
    totals = moments.collapse(code, len(uniq))
    has = (moments.n > 0).astype(np.float64)
    group_has = sum_rows_by(has, code, len(uniq))
    at = code[mine]
    own_n, own_sum, own_sq = moments.n[mine], moments.sum[mine], moments.sum_sq[mine]
    n = totals.n[at] - own_n
    total = totals.sum[at] - own_sum
    total_sq = totals.sum_sq[at] - own_sq
    n_schools = group_has[at] - has[mine]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        ss = np.maximum(total_sq - np.where(n > 0, total**2 / n, 0.0), 0.0)
        sd = np.where(n > 1, np.sqrt(ss / (n - 1)), np.nan)
        own_mean = own_sum / own_n
        own_ss = np.maximum(own_sq - np.where(own_n > 0, own_sum**2 / own_n, 0.0), 0.0)
        own_sd = np.where(own_n > 1, np.sqrt(own_ss / (own_n - 1)), np.nan)
    low, high = mean_interval(n, mean, sd, confidence=CONFIDENCE)
    q = len(stats.layout.ids)
    rows = int(mine.sum())
    table = pd.DataFrame(
        {
            "school": np.repeat(np.array(names, dtype=object)[mine], q),
            "group": np.repeat(np.array(labels, dtype=object)[mine], q),
            "kind": np.tile(stats.layout.kinds, rows),
            "score": np.tile(stats.layout.ids, rows),
            "n": n.ravel().astype(np.int64),
            "mean": mean.ravel(),
            "sd": sd.ravel(),
            "ci_low": low.ravel(),
            "ci_high": high.ravel(),
            "n_schools": n_schools.ravel().astype(np.int64),
        }
    )
    g = hedges_g(
        own_n.ravel(),
        own_mean.ravel(),
        np.nan_to_num(own_sd.ravel()),
        n.ravel(),
        mean.ravel(),
        np.nan_to_num(sd.ravel()),
    )
    table["hedges_g"] = g["hedges_g"].to_numpy()
    table["g_ci_low"] = g["ci_low"].to_numpy()
    table["g_ci_high"] = g["ci_high"].to_numpy()
    table["_own_n"] = own_n.ravel()
    ids = ["school", "group", "kind", "score"]
    shown = suppress(
        table,
        threshold=threshold,
        within=ids,
        keep=ids,
        schools="n_schools",
        min_schools=min_schools,
        also=["_own_n"],
    )
    return keep_columns(shown, columns)


BENCHMARK_COLUMNS = ("benchmark_mean", "hedges_g", "g_ci_low", "g_ci_high")
"""The columns of :func:`~learnsurvey.analysis.dashboard.school_scores` that describe the
all-schools benchmark rather than the school."""


def all_schools_benchmark(
    scores: pd.DataFrame,
    benchmark: pd.DataFrame,
    *,
    n_schools: int,
    threshold: int,
    min_schools: int = MIN_OTHER_SCHOOLS,
) -> Cleared:
    """The all-schools benchmark beside each school's score, hidden where it would give
    other schools away.

    ``scores`` and ``benchmark`` are the two tables of
    :func:`~learnsurvey.analysis.dashboard.school_scores`. The rule of
    :func:`similar_benchmarks` (rules 1 and 5 of :mod:`learnsurvey.stats.disclosure`): a
    school knows its own figures, so the benchmark beside them must leave at least
    ``threshold`` pupils with the score in at least ``min_schools`` other schools
    (``n_schools`` is the number of schools shown in the wave).

    Returns one row per row of ``scores``: ``school, kind, score`` and
    :data:`BENCHMARK_COLUMNS`, with ``suppressed`` set where the benchmark is hidden (the
    school's own figures are not affected).
    """
    total = benchmark[["kind", "score", "n"]].rename(columns={"n": "_total"})
    table = scores.merge(total, on=["kind", "score"], how="left")
    own = pd.to_numeric(table["n"], errors="coerce").fillna(0).to_numpy(dtype=float)
    ids = ["school", "kind", "score"]
    side = table[ids + list(BENCHMARK_COLUMNS)].copy()
    side["_rest"] = pd.to_numeric(table["_total"], errors="coerce").fillna(0) - own
    side["_others"] = n_schools - 1
    shown = suppress(
        side,
        threshold=threshold,
        count="_rest",
        within=ids,
        keep=ids,
        schools="_others",
        min_schools=min_schools,
    )
    return keep_columns(shown, [*ids, *BENCHMARK_COLUMNS, "suppressed"])


def wave_change(current: WaveStatistics, previous: WaveStatistics, *, threshold: int) -> Cleared:
    """Every school's change in every score from the previous wave to the current one.

    Per school × score (dimensions, notions, overall): the previous and current n and mean,
    the difference (current − previous) with its Welch 95% CI
    (:func:`~learnsurvey.stats.effects.welch_difference`),
    Hedges' g (95% CI) of current against previous pupils, and ``clear`` — True only when
    the CI of the difference excludes 0. The waves are treated as independent samples:
    responses are anonymous, so pupils who answered both cannot be matched (with many
    of the same pupils the true interval would be somewhat narrower).

    Only schools with responses in both waves appear. A row is suppressed when either wave
    has fewer than ``threshold`` pupils with the score, or when either wave's own figures
    hide the school's score (complementary suppression within that wave).

    Columns: ``school, kind, score, n_previous, mean_previous, n_current, mean_current,
    difference, ci_low, ci_high, hedges_g, g_ci_low, g_ci_high, clear, suppressed``.
    """
    if current.instrument.id != previous.instrument.id:
        raise ValueError(
            f"cannot compare waves of different instruments "
            f"({current.instrument.id!r} and {previous.instrument.id!r})"
        )
    columns = [
        "school",
        "kind",
        "score",
        "n_previous",
        "mean_previous",
        "n_current",
        "mean_current",
        "difference",
        "ci_low",
        "ci_high",
        "hedges_g",
        "g_ci_low",
        "g_ci_high",
        "clear",
        "suppressed",
    ]
    if not len(current.cells) or not len(previous.cells):
        empty = pd.DataFrame(columns=columns[:-1])
        return keep_columns(suppress(empty, threshold=threshold, count="n_current"), columns)
    ids = ["school", "kind", "score"]
    parts = []
    hidden: set[tuple[object, ...]] = set()
    for stats, when in ((current, "current"), (previous, "previous")):
        frames = []
        for kind in KINDS:
            frame = group_summary(stats, ["school"], kind=kind, label="score")
            frame.insert(1, "kind", kind)
            frames.append(frame[["school", "kind", "score", "n", "mean", "sd"]])
        summary = pd.concat(frames, ignore_index=True)
        # Each wave's schools partition that wave's published total: a school its own wave
        # hides (as a complement too) must not reappear here.
        hidden |= hidden_keys(
            suppress(summary, threshold=threshold, within=["kind", "score"], keep=ids), ids
        )
        parts.append(summary.rename(columns={c: f"{c}_{when}" for c in ("n", "mean", "sd")}))
    table = parts[0].merge(parts[1], on=["school", "kind", "score"], how="inner")
    figures = [f"{c}_{w}" for c in ("n", "mean", "sd") for w in ("current", "previous")]
    arrays = {c: table[c].to_numpy(dtype=float) for c in figures}
    diff, low, high = welch_difference(
        arrays["n_current"],
        arrays["mean_current"],
        arrays["sd_current"],
        arrays["n_previous"],
        arrays["mean_previous"],
        arrays["sd_previous"],
    )
    table["difference"] = diff
    table["ci_low"] = low
    table["ci_high"] = high
    g = hedges_g(
        arrays["n_current"],
        arrays["mean_current"],
        np.nan_to_num(arrays["sd_current"]),
        arrays["n_previous"],
        arrays["mean_previous"],
        np.nan_to_num(arrays["sd_previous"]),
    )
    table["hedges_g"] = g["hedges_g"].to_numpy()
    table["g_ci_low"] = g["ci_low"].to_numpy()
    table["g_ci_high"] = g["ci_high"].to_numpy()
    # A change describes the pupils of both waves: each must be large enough, and shown in
    # its own wave.
    shown = suppress(
        table, threshold=threshold, count="n_current", also=["n_previous"], within=ids, keep=ids
    )
    alone = shown["suppressed"].to_numpy(dtype=bool)
    shown = suppress_pairs(shown, hidden, group_a=ids, group_b=ids)
    shown["suppressed"] = shown["suppressed"].to_numpy(dtype=bool) | alone
    low_shown = shown["ci_low"].to_numpy(dtype=float)
    high_shown = shown["ci_high"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        shown["clear"] = (low_shown > 0) | (high_shown < 0)
    shown["clear"] = shown["clear"] & ~shown["suppressed"]
    return keep_columns(shown, columns)
