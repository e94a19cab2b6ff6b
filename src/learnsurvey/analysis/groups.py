"""Tables of groups — overall, schools, key stages, genders — with disclosure applied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from learnsurvey.instruments import Instrument
from learnsurvey.stats.disclosure import suppress, suppress_pairs
from learnsurvey.stats.effects import hedges_g, mean_interval
from learnsurvey.stats.moments import GroupMoments
from learnsurvey.stats.multilevel import random_intercept_reml, shrunken_means

from .statistics import NOT_GIVEN, WaveStatistics

__all__ = [
    "band_shares",
    "by_school_attribute",
    "effects_table",
    "group_summary",
    "icc_table",
    "school_table",
    "top_bottom_table",
]

CONFIDENCE = 0.95


def group_summary(
    stats: WaveStatistics, by: list[str], *, kind: str = "dimension", label: str = "dimension"
) -> pd.DataFrame:
    """Long table: one row per group × score of ``kind``, with n, mean, SD, t-based 95% CI of
    the mean, % in the high bands and % in each band. Not yet suppressed."""
    layout = stats.layout
    if by:
        keys, moments, bands = stats.groups(by)
    else:
        keys = pd.DataFrame(index=[0])
        moments = stats.cell_moments.total()
        bands = stats.cell_bands.sum(axis=0, keepdims=True)
    idx = layout.indices(kind)
    inst = stats.instrument
    high = [k for k, b in enumerate(inst.bands) if b.id in inst.high_bands]
    # Every score's rows at once, score after score (row j·groups + g is group g on score
    # j): the groups × scores matrices read down their columns, and the frame built in one
    # go rather than a column at a time for each score.
    n = _down(moments.n, idx)
    mean = _down(moments.means(), idx)
    sd = _down(moments.sds(), idx)
    low, up = mean_interval(n, mean, sd, confidence=CONFIDENCE)
    counts = bands[:, idx, :].astype(np.float64).transpose(1, 0, 2).reshape(-1, bands.shape[2])
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = 100.0 * counts / counts.sum(axis=1, keepdims=True)
    n_groups = len(keys)
    frame = keys.reset_index(drop=True).take(np.tile(np.arange(n_groups), len(idx)))
    columns: dict[str, Any] = {
        label: np.repeat(np.array([layout.ids[j] for j in idx], dtype=object), n_groups),
        "n": n.astype(np.int64),
        "mean": mean,
        "sd": sd,
        "ci_low": low,
        "ci_high": up,
        "pct_quite_or_very_high": pct[:, high].sum(axis=1),
    }
    columns |= {f"pct_{band.id}": pct[:, k] for k, band in enumerate(inst.bands)}
    table = pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)
    names = keys.columns  # the columns' index as adding them one by one made it (its dtype)
    for name in columns:
        names = names.insert(len(names), name)
    table.columns = names
    return table.reset_index(drop=True)


def _down(matrix: NDArray[np.float64], columns: list[int]) -> NDArray[np.float64]:
    """The ``columns`` of a groups × scores matrix, one after the other."""
    return matrix[:, columns].ravel(order="F")


def band_shares(inst: Instrument) -> dict[str, Any]:
    """The band-share columns of :func:`group_summary` as
    :func:`~learnsurvey.stats.disclosure.suppress` takes them (``shares``, ``combined``), so
    a share that stands for 1 to threshold − 1 pupils is hidden (rule 6)."""
    return {
        "shares": [*(f"pct_{b.id}" for b in inst.bands), "pct_quite_or_very_high"],
        "combined": {"pct_quite_or_very_high": [f"pct_{b}" for b in inst.high_bands]},
    }


def by_school_attribute(
    stats: WaveStatistics, name: str, values: dict[str, str | None]
) -> WaveStatistics:
    """``stats`` with one more cell key, ``name``: each school's value in ``values`` (e.g.
    its trust, or its phase and FSM quartile), so :func:`group_summary` can summarise
    pupils by it. Schools missing from ``values`` (or mapped to None) get ``NOT_GIVEN``."""
    if name in stats.cells.columns:
        raise ValueError(f"the cells already have a column {name!r}")
    cells = stats.cells.copy()
    mapped = cells["school"].map(lambda s: values.get(s))
    cells[name] = mapped.where(mapped.notna(), NOT_GIVEN).astype(str)
    return replace(stats, cells=cells)


def school_table(
    stats: WaveStatistics, *, threshold: int, kind: str = "dimension", label: str = "dimension"
) -> pd.DataFrame:
    """School × score: raw mean with CI, the empirical-Bayes shrunken mean with CI, and the
    rank by shrunken mean among the schools that can be shown (1 = highest)."""
    table = group_summary(stats, ["school"], kind=kind, label=label)
    _, moments, _ = stats.groups("school")
    # group_summary's rows are score after score, each score's schools in the moments' order.
    shrunk = np.concatenate([_shrink(moments, j) for j in stats.layout.indices(kind)])
    table["shrunken_mean"] = shrunk[:, 0]
    table["shrunken_ci_low"] = shrunk[:, 1]
    table["shrunken_ci_high"] = shrunk[:, 2]
    table = suppress(
        table, threshold=threshold, within=[label], keep=["school"], **band_shares(stats.instrument)
    )
    shown = table[~table["suppressed"]]
    rank = shown.groupby(label)["shrunken_mean"].rank(ascending=False, method="min")
    table["rank"] = pd.array([pd.NA] * len(table), dtype="Int64")
    table.loc[shown.index, "rank"] = rank.astype("Int64").to_numpy()  # NA: no shrunken mean
    cols = [
        "school",
        label,
        "n",
        "mean",
        "ci_low",
        "ci_high",
        "shrunken_mean",
        "rank",
        "suppressed",
    ]
    rest = [c for c in table.columns if c not in cols]
    return table[cols + rest]


def _shrink(moments: GroupMoments, j: int) -> NDArray[np.float64]:
    """Each school's shrunken mean and its CI on score ``j`` (groups × 3; NaN for a school
    without answers, and for all when fewer than two schools have some)."""
    n, mean, ss = moments.n[:, j], moments.means()[:, j], moments.ss_within()[:, j]
    ok = n > 0
    out = np.full((len(n), 3), np.nan)
    if ok.sum() >= 2:
        res = shrunken_means(n[ok], mean[ok], ss[ok], confidence=CONFIDENCE)
        out[ok] = res[["shrunken_mean", "ci_low", "ci_high"]].to_numpy()
    return out


def icc_table(stats: WaveStatistics) -> pd.DataFrame:
    """ICC(1) of each dimension across schools: REML random-intercept model from school
    summaries (exact, as lme4::lmer(score ~ 1 + (1 | school)))."""
    _, moments, _ = stats.groups("school")
    rows = []
    for j in stats.layout.indices("dimension"):
        n, mean, ss = moments.n[:, j], moments.means()[:, j], moments.ss_within()[:, j]
        ok = n > 0
        if ok.sum() < 2:  # one school (a school analysing its own file): no ICC to estimate
            rows.append(
                {
                    "dimension": stats.layout.ids[j],
                    "icc": np.nan,
                    "tau2": np.nan,
                    "sigma2": np.nan,
                    "grand_mean": np.nan,
                    "n_schools": int(ok.sum()),
                    "n": int(n.sum()),
                }
            )
            continue
        fit = random_intercept_reml(n[ok], mean[ok], ss[ok])
        rows.append(
            {
                "dimension": stats.layout.ids[j],
                "icc": fit.icc,
                "tau2": fit.tau2,
                "sigma2": fit.sigma2,
                "grand_mean": fit.grand_mean,
                "n_schools": fit.n_groups,
                "n": fit.n_obs,
            }
        )
    return pd.DataFrame(rows)


def effects_table(
    summary: pd.DataFrame,
    grouping: str,
    *,
    threshold: int,
    order: list[str],
    shares: Mapping[str, Any] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Suppress a grouping's summary, then Hedges' g with 95% CI for every pair of groups.

    Returns (suppressed summary, pairs). Pupils whose group was not given count towards the
    partition (so they cannot be recovered by subtraction) but are not compared. ``shares``
    (:func:`band_shares`) also hides the band shares that are small counts.
    """
    shown = suppress(
        summary, threshold=threshold, within=["dimension"], keep=[grouping], **(shares or {})
    )
    present = [g for g in order if g in set(summary[grouping])]
    if NOT_GIVEN in set(summary[grouping]):
        present.append(NOT_GIVEN)
    rank = {g: k for k, g in enumerate(present)}
    shown = shown.sort_values(
        [grouping, "dimension"], key=lambda s: s.map(rank) if s.name == grouping else s
    ).reset_index(drop=True)
    groups = [g for g in present if g != NOT_GIVEN]
    base = summary[[grouping, "dimension", "n", "mean", "sd"]]
    cols = [
        "grouping",
        "group_a",
        "group_b",
        "dimension",
        "n_a",
        "n_b",
        "mean_a",
        "mean_b",
        "hedges_g",
        "ci_low",
        "ci_high",
        "suppressed",
    ]
    combos = list(combinations(groups, 2))
    if not combos:
        return shown, pd.DataFrame(columns=cols)
    side = {
        s: base.rename(
            columns={grouping: f"group_{s}", "n": f"n_{s}", "mean": f"mean_{s}", "sd": f"sd_{s}"}
        )
        for s in "ab"
    }
    pairs = pd.DataFrame(combos, columns=["group_a", "group_b"])
    pairs = pairs.merge(side["a"], on="group_a").merge(side["b"], on=["group_b", "dimension"])
    pairs.insert(0, "grouping", grouping)
    g = hedges_g(pairs.n_a, pairs.mean_a, pairs.sd_a, pairs.n_b, pairs.mean_b, pairs.sd_b)
    pairs["hedges_g"] = g["hedges_g"].to_numpy()
    pairs["ci_low"] = g["ci_low"].to_numpy()
    pairs["ci_high"] = g["ci_high"].to_numpy()
    hidden: set[tuple[object, ...]] = {
        (r[grouping], r["dimension"]) for _, r in shown[shown["suppressed"]].iterrows()
    }
    pairs = suppress_pairs(
        pairs.drop(columns=["sd_a", "sd_b"]),
        hidden,
        group_a=["group_a", "dimension"],
        group_b=["group_b", "dimension"],
        keep=["grouping"],
    )
    return shown, pairs[cols]


def top_bottom_table(stats: WaveStatistics, schools: pd.DataFrame) -> pd.DataFrame:
    """Per dimension, the top and bottom school by shrunken mean among schools shown, and
    Hedges' g (95% CI) between their pupils' scores; the gap in their shares of pupils in
    the high bands is blank where ``schools`` hides either share."""
    keys, moments, bands = stats.groups("school")
    position = {s: k for k, s in enumerate(keys["school"])}
    inst = stats.instrument
    high = [k for k, b in enumerate(inst.bands) if b.id in inst.high_bands]
    rows = []
    for j in stats.layout.indices("dimension"):
        dim = stats.layout.ids[j]
        shown = schools[(schools["dimension"] == dim) & ~schools["suppressed"]]
        if len(shown) < 2:
            continue
        shrunk = shown["shrunken_mean"].to_numpy(dtype=float)
        names = shown["school"].to_numpy()
        top, bottom = str(names[np.argmax(shrunk)]), str(names[np.argmin(shrunk)])
        a, b = position[top], position[bottom]
        g = hedges_g(
            [moments.n[a, j]],
            [moments.means()[a, j]],
            [moments.sds()[a, j]],
            [moments.n[b, j]],
            [moments.means()[b, j]],
            [moments.sds()[b, j]],
        ).iloc[0]
        pct = 100.0 * bands[[a, b], j][:, high].sum(axis=1) / bands[[a, b], j].sum(axis=1)
        # A gap beside one school's published share would give away the other's, so it is
        # hidden wherever disclosure hid either school's share (rule 3: derived figures).
        shares = shown.set_index("school")["pct_quite_or_very_high"]
        if shares[[top, bottom]].isna().any():
            pct = np.array([np.nan, np.nan])
        rows.append(
            {
                "dimension": dim,
                "top_school": top,
                "bottom_school": bottom,
                "effect_size": g["hedges_g"],
                "ci_low": g["ci_low"],
                "ci_high": g["ci_high"],
                "top_mean": moments.means()[a, j],
                "bottom_mean": moments.means()[b, j],
                "top_n": int(moments.n[a, j]),
                "bottom_n": int(moments.n[b, j]),
                "gap_pct_points": pct[0] - pct[1],
            }
        )
    columns = [
        "dimension",
        "top_school",
        "bottom_school",
        "effect_size",
        "ci_low",
        "ci_high",
        "top_mean",
        "bottom_mean",
        "top_n",
        "bottom_n",
        "gap_pct_points",
    ]
    return pd.DataFrame(rows, columns=columns)
