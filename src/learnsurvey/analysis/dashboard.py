"""The figures behind the leaders' dashboards, computed once per wave from streamed chunks.

A :class:`DashboardBuilder` wraps :class:`~learnsurvey.analysis.StatisticsBuilder` and also
keeps, per school, the count and sum of every (reverse-coded) item and the number of
responses per school × key stage × gender: the wave statistics hold scores per cell but not
items per school, and a response count is not a score count (a pupil who answered too few
items has no overall score but did respond).

The wave-level tables of every school's figures are made here, each through
:mod:`learnsurvey.stats.disclosure`: scores against all schools (Hedges' g) with band shares
(:func:`school_scores`), key stage and gender breakdowns with effect sizes
(:func:`school_breakdowns`), response counts and the highest and lowest items.
:func:`learnsurvey.analysis.figures.school.build_school_figures` cuts them into each
school's :class:`~learnsurvey.analysis.figures.school.SchoolFigures`, which the dashboards,
the API and the school report all read. :func:`dashboard_payload` holds the wave's own
part: the benchmark of all pupils and the wave's global tables. Django-free.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from learnsurvey.instruments import Instrument
from learnsurvey.io.responses import ResponseChunk
from learnsurvey.stats.disclosure import (
    Cleared,
    DisclosureError,
    hidden_keys,
    keep_columns,
    suppress,
    suppress_pairs,
)
from learnsurvey.stats.effects import hedges_g
from learnsurvey.stats.moments import sum_rows_by

from .groups import group_summary
from .scoring import reverse_codes
from .statistics import NOT_GIVEN, StatisticsBuilder, WaveStatistics
from .tables import wave_tables

__all__ = [
    "DashboardBuilder",
    "DashboardStatistics",
    "band_ids",
    "dashboard_payload",
    "item_extremes",
    "response_counts",
    "school_breakdowns",
    "school_scores",
    "school_spread",
    "to_records",
]

KINDS = ("dimension", "notion", "overall")
EXTREME_ITEMS = 3
TOO_FEW = "too_few_responses"
NOT_COMPUTABLE = "not_computable"


@dataclass(frozen=True)
class DashboardStatistics:
    stats: WaveStatistics
    item_schools: list[str]
    """Row k of ``item_n``/``item_sum`` is this school."""
    item_n: NDArray[np.float64]
    """(schools × items) answers given."""
    item_sum: NDArray[np.float64]
    """(schools × items) sum of the reverse-coded answers, on the scale's own units."""
    responses: pd.DataFrame
    """Columns school, key_stage, gender, n: responses per cell (key stage or gender
    ``not_given`` when the pupil did not say)."""

    @property
    def instrument(self) -> Instrument:
        return self.stats.instrument


@dataclass
class DashboardBuilder:
    """Streams :class:`ResponseChunk` objects into :class:`DashboardStatistics`."""

    instrument: Instrument
    _stats: StatisticsBuilder = field(init=False)
    _schools: dict[str, int] = field(init=False, default_factory=dict)
    _item_n: NDArray[np.float64] = field(init=False)
    _item_sum: NDArray[np.float64] = field(init=False)
    _responses: Counter[tuple[str, str, str]] = field(init=False, default_factory=Counter)

    def __post_init__(self) -> None:
        self._stats = StatisticsBuilder(self.instrument)
        n_items = len(self.instrument.items)
        self._item_n = np.zeros((0, n_items))
        self._item_sum = np.zeros((0, n_items))

    def add(self, chunk: ResponseChunk) -> None:
        self._stats.add(chunk)
        codes = reverse_codes(chunk.answers, self._stats.layout)
        observed = codes >= 0
        values = np.where(observed, codes.astype(np.float64) + self.instrument.scale.min, 0.0)
        labels = chunk.school.labels
        to_row = np.array(
            [self._schools.setdefault(s, len(self._schools)) for s in labels], dtype=np.intp
        )
        grow = len(self._schools) - self._item_n.shape[0]
        if grow > 0:
            self._item_n = np.pad(self._item_n, ((0, grow), (0, 0)))
            self._item_sum = np.pad(self._item_sum, ((0, grow), (0, 0)))
        rows = np.where(chunk.school.codes >= 0, to_row[chunk.school.codes], -1)
        n = len(self._schools)
        self._item_n += sum_rows_by(observed, rows, n)
        self._item_sum += sum_rows_by(values, rows, n)
        self._count_responses(chunk)

    def _count_responses(self, chunk: ResponseChunk) -> None:
        parts = (chunk.school, chunk.key_stage, chunk.gender)
        key = np.zeros(chunk.n_rows, dtype=np.int64)
        for part in parts:
            key = key * (len(part.labels) + 1) + (part.codes.astype(np.int64) + 1)
        uniq, counts = np.unique(key, return_counts=True)
        for code, count in zip(uniq.tolist(), counts.tolist(), strict=True):
            labels = []
            for part in reversed(parts):
                code, idx = divmod(code, len(part.labels) + 1)
                labels.append(part.labels[idx - 1] if idx else NOT_GIVEN)
            gender, key_stage, school = labels
            self._responses[(school, key_stage, gender)] += count

    def result(self) -> DashboardStatistics:
        responses = pd.DataFrame(
            [(*k, v) for k, v in self._responses.items()],
            columns=["school", "key_stage", "gender", "n"],
        )
        return DashboardStatistics(
            self._stats.result(),
            list(self._schools),
            self._item_n.copy(),
            self._item_sum.copy(),
            responses,
        )


def to_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-ready rows: Python scalars, and None for NaN, NA and infinities.

    Column by column: a plain numpy column (floats, integers, flags) becomes Python scalars
    in one ``tolist``; any other column goes value by value (the same values either way).
    """
    if not table.columns.is_unique:
        return _records_by_row(table)
    names = [str(c) for c in table.columns]
    if not names:
        return [{} for _ in range(len(table))]
    columns = [_plain_column(table.iloc[:, j]) for j in range(len(names))]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _records_by_row(table: pd.DataFrame) -> list[dict[str, Any]]:
    plain = table.astype(object)
    plain = plain.where(table.notna(), None)
    out: list[dict[str, Any]] = []
    for row in plain.to_dict("records"):
        out.append({str(k): _plain(v) for k, v in row.items()})
    return out


def _plain_column(column: pd.Series) -> list[Any]:
    """One column's values as Python scalars, None where missing or not finite."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        values = column.to_numpy()
        out: list[Any] = values.tolist()
        if dtype.kind == "f":
            for k in np.flatnonzero(~np.isfinite(values)).tolist():
                out[k] = None
        return out
    present = column.notna().to_numpy(dtype=bool)
    objects = column.astype(object).to_numpy()
    return [_plain(v) if p else None for v, p in zip(objects, present, strict=True)]


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def band_ids(values: NDArray[np.float64], instrument: Instrument) -> list[str | None]:
    """The instrument band each value falls in (None where missing), e.g. to colour a cell."""
    mins = np.array([b.min for b in instrument.bands])
    codes = np.searchsorted(mins, np.asarray(values, dtype=float) + 1e-9, side="right") - 1
    return [
        None if not np.isfinite(v) or c < 0 else instrument.bands[c].id
        for v, c in zip(values, codes, strict=True)
    ]


def _score_summary(stats: WaveStatistics, by: list[str]) -> pd.DataFrame:
    parts = []
    for kind in KINDS:
        part = group_summary(stats, by, kind=kind, label="score")
        part.insert(len(by), "kind", kind)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _shares(inst: Instrument) -> dict[str, Any]:
    """The band-share columns of :func:`~learnsurvey.analysis.groups.group_summary`, for
    rule 6 of :mod:`learnsurvey.stats.disclosure` (a share that is a small count)."""
    bands = [f"pct_{b.id}" for b in inst.bands]
    return {
        "shares": [*bands, "pct_quite_or_very_high"],
        "combined": {"pct_quite_or_very_high": [f"pct_{b}" for b in inst.high_bands]},
    }


def school_scores(stats: WaveStatistics, *, threshold: int) -> tuple[Cleared, Cleared]:
    """Every school's dimension, notion and overall scores against the benchmark.

    Returns (benchmark, schools). The benchmark is all pupils of the wave; each school row
    carries n, mean, SD, 95% CI, band shares, the benchmark mean and Hedges' g (95% CI) of
    the school's pupils against all pupils. The schools' rows of a score partition the
    wave's pupils, whose n and band shares are published, so they are cleared together
    (complementary suppression across schools, and band shares that would stand for 1 to
    ``threshold`` − 1 pupils hidden, rule 6). Whether the all-schools benchmark may be
    shown beside a school is decided by
    :func:`~learnsurvey.analysis.benchmarks.all_schools_benchmark`.
    """
    benchmark = _score_summary(stats, [])
    schools = _score_summary(stats, ["school"])
    bench = benchmark[["kind", "score", "n", "mean", "sd"]].rename(
        columns={"n": "benchmark_n", "mean": "benchmark_mean", "sd": "benchmark_sd"}
    )
    schools = schools.merge(bench, on=["kind", "score"], how="left")
    g = hedges_g(
        schools["n"].to_numpy(float),
        schools["mean"].to_numpy(float),
        schools["sd"].fillna(0).to_numpy(float),
        schools["benchmark_n"].to_numpy(float),
        schools["benchmark_mean"].to_numpy(float),
        schools["benchmark_sd"].fillna(0).to_numpy(float),
    )
    schools["hedges_g"] = g["hedges_g"].to_numpy()
    schools["g_ci_low"] = g["ci_low"].to_numpy()
    schools["g_ci_high"] = g["ci_high"].to_numpy()
    schools = schools.drop(columns=["benchmark_sd"])
    inst = stats.instrument
    ids = ["kind", "score"]
    shown = suppress(schools, threshold=threshold, within=ids, keep=["school"], **_shares(inst))
    bench_shown = suppress(benchmark, threshold=threshold, within=ids, keep=ids, **_shares(inst))
    return bench_shown, shown


def school_breakdowns(
    stats: WaveStatistics, grouping: str, *, threshold: int, order: list[str]
) -> tuple[Cleared, Cleared]:
    """Every school's dimension summary by ``grouping`` (key_stage or gender) and Hedges' g
    (95% CI) between each pair of its groups: (summary, pairs), both with a school column.

    A school's groups partition its pupils, so suppression (with the complementary rule) is
    applied within each school and dimension, and a comparison is hidden when either group
    is. Pupils whose group was not given count towards the partition but are not compared.
    This is :func:`~learnsurvey.analysis.groups.effects_table` for all schools at once: one
    pass over the table instead of one per school, which matters with thousands of schools.
    """
    summary = group_summary(stats, ["school", grouping])
    keys = ["school", "dimension"]
    shown = suppress(summary, threshold=threshold, within=keys, keep=["school", grouping])
    rank = {g: k for k, g in enumerate(order)}
    base = summary[summary[grouping].isin(rank)][["school", grouping, *_PAIR_STATS]]
    side = {
        s: base.rename(columns={grouping: f"group_{s}", **{c: f"{c}_{s}" for c in _STATS}})
        for s in "ab"
    }
    pairs = side["a"].merge(side["b"], on=keys)
    earlier = pairs["group_a"].map(rank) < pairs["group_b"].map(rank)
    pairs = pairs[earlier].reset_index(drop=True)
    pairs.insert(1, "grouping", grouping)
    g = hedges_g(pairs.n_a, pairs.mean_a, pairs.sd_a, pairs.n_b, pairs.mean_b, pairs.sd_b)
    pairs["hedges_g"] = g["hedges_g"].to_numpy()
    pairs["ci_low"] = g["ci_low"].to_numpy()
    pairs["ci_high"] = g["ci_high"].to_numpy()
    hidden = hidden_keys(shown, ["school", grouping, "dimension"])
    pairs = suppress_pairs(
        pairs.drop(columns=["sd_a", "sd_b"]),
        hidden,
        group_a=["school", "group_a", "dimension"],
        group_b=["school", "group_b", "dimension"],
        keep=["grouping"],
    )
    columns = ["school", "grouping", "group_a", "group_b", "dimension"]
    columns += ["n_a", "n_b", "mean_a", "mean_b", "hedges_g", "ci_low", "ci_high", "suppressed"]
    return shown, keep_columns(pairs, columns)


_STATS = ("n", "mean", "sd")
_PAIR_STATS = ["dimension", *_STATS]


def response_counts(
    data: DashboardStatistics, grouping: str, *, threshold: int, order: list[str]
) -> Cleared:
    """Responses of every school by ``grouping`` (in ``order``, then any other group),
    suppressed as a partition of each school's total."""
    counts = data.responses.groupby(["school", grouping], sort=False)["n"].sum().reset_index()
    rank = {g: k for k, g in enumerate(order)}
    counts["_order"] = counts[grouping].map(rank).fillna(len(rank))
    counts = counts.sort_values(["school", "_order", grouping]).drop(columns="_order")
    counts = counts.reset_index(drop=True)
    return suppress(counts, threshold=threshold, within=["school"], keep=["school", grouping])


def item_extremes(
    data: DashboardStatistics, *, threshold: int, k: int = EXTREME_ITEMS
) -> pd.DataFrame:
    """Each school's ``k`` highest and lowest items by mean (reverse-coded, scale units),
    among items answered by at least ``threshold`` of its pupils."""
    inst = data.instrument
    ids = inst.item_ids
    columns = ["school", "item", "n", "mean", "suppressed", "position"]
    if not data.item_schools:
        return pd.DataFrame(columns=columns)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = data.item_sum / data.item_n
    table = pd.DataFrame(
        {
            "school": np.repeat(data.item_schools, len(ids)),
            "item": np.tile(ids, len(data.item_schools)),
            "n": data.item_n.ravel().astype(np.int64),
            "mean": means.ravel(),
        }
    )
    keys = ["school", "item"]
    table = suppress(table, threshold=threshold, within=keys, keep=keys)
    shown = table[~table["suppressed"]]
    low = shown.sort_values(["school", "mean", "item"]).groupby("school").head(k)
    high = (
        shown.sort_values(["school", "mean", "item"], ascending=[True, False, True])
        .groupby("school")
        .head(k)
    )
    out = pd.concat(
        [high.assign(position="highest"), low.assign(position="lowest")], ignore_index=True
    )
    out["_high_first"] = out["position"] != "highest"
    out = out.sort_values(["school", "_high_first"], kind="stable").drop(columns="_high_first")
    return out[columns].reset_index(drop=True)


def school_spread(rows: pd.DataFrame) -> pd.DataFrame:
    """Per dimension, the spread of the shown school means in ``rows`` (a subset of the
    schools × dimensions table, e.g. one trust's schools): number of schools, SD and range
    of their means, and the top and bottom school by shrunken mean."""
    columns = [
        "dimension",
        "n_schools",
        "sd",
        "min",
        "max",
        "range",
        "top_school",
        "bottom_school",
    ]
    out = []
    shown = rows[~rows["suppressed"].astype(bool)]
    for dim, part in shown.groupby("dimension", sort=False):
        means = part["mean"].to_numpy(dtype=float)
        shrunk = part["shrunken_mean"].to_numpy(dtype=float)
        names = part["school"].to_numpy()
        ranked = np.isfinite(shrunk)
        top = bottom = None
        # Equal shrunken means (no variance between schools) rank nobody above anybody.
        if ranked.sum() >= 2 and np.ptp(shrunk[ranked]) > 0:
            top = str(names[ranked][np.argmax(shrunk[ranked])])
            bottom = str(names[ranked][np.argmin(shrunk[ranked])])
        out.append(
            {
                "dimension": dim,
                "n_schools": len(part),
                "sd": float(np.std(means, ddof=1)) if len(part) >= 2 else np.nan,
                "min": float(means.min()),
                "max": float(means.max()),
                "range": float(means.max() - means.min()),
                "top_school": top,
                "bottom_school": bottom,
            }
        )
    return pd.DataFrame(out, columns=columns)


def _global_tables(stats: WaveStatistics, threshold: int) -> tuple[dict[str, Any] | None, str]:
    try:
        tables = wave_tables(stats, threshold=threshold)
    except DisclosureError:
        # The message would name a count below the threshold: keep only the reason.
        return None, TOO_FEW
    except (ValueError, np.linalg.LinAlgError):
        # Too little or too uniform data for a factor analysis: say so rather than fail.
        return None, NOT_COMPUTABLE
    return {name: to_records(table) for name, table in tables.items()}, ""


def dashboard_payload(data: DashboardStatistics, *, threshold: int) -> dict[str, Any]:
    """The wave's own figures, suppressed and JSON-ready (computed once per wave): the
    benchmark of all pupils and the wave's global tables, or None with ``global_message``
    saying why (``TOO_FEW`` or ``NOT_COMPUTABLE``). Each school's figures are
    :func:`~learnsurvey.analysis.figures.school.build_school_figures`'s."""
    stats = data.stats
    inst = data.instrument
    benchmark, _ = school_scores(stats, threshold=threshold)
    global_tables, message = _global_tables(stats, threshold)
    return {
        "instrument": inst.id,
        "instrument_version": inst.version,
        "threshold": threshold,
        "n_responses": int(data.responses["n"].sum()) if len(data.responses) else 0,
        "benchmark": to_records(benchmark),
        "global": global_tables,
        "global_message": message,
    }
