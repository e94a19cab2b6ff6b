"""Small-group disclosure control: the one place the rules that hide a figure live.

Every table that leaves the system (files, pages, reports, exports, the API) comes out of a
function of this module, and its type says so (:data:`Cleared`). No other module compares a
count with a threshold: it asks :func:`is_publishable`, :func:`publishable_mask` or
:func:`enough_schools` (``tests/test_disclosure_owns_thresholds.py`` scans the source tree
for comparisons with a threshold elsewhere). The rules, numbered as the docs cite them:

1. **The pupil threshold (primary suppression).** A row describing fewer than ``threshold``
   pupils (default 10, ``LEARNSURVEY_MIN_GROUP_SIZE``) has its count and every figure blanked
   and ``suppressed`` set (:func:`suppress`). An unknown count is not a safe one.
2. **Complementary suppression.** Rows that partition a published total (the schools of a
   wave, the key stages of a school, ...) are checked together: if the hidden rows could be
   recovered by subtraction from the total — exactly one row hidden, or the hidden rows
   together describing fewer than ``threshold`` pupils — the smallest visible rows are hidden
   too until neither holds. The dependent columns of a hidden row are blanked by one helper
   (:func:`blank_where`), never by hand.
3. **Derived rows.** A comparison of two groups (an effect size, a gap) is hidden when either
   group is (:func:`suppress_pairs`).
4. **Response-level data** (:func:`response_level_plan`). Each pupil's answers are released
   only under a school pseudonym, key stage and gender that at least ``threshold`` released
   pupils share (k-anonymity with k = threshold on those three quasi-identifiers). A school
   with fewer than ``threshold`` responses is left out entirely. Within a school, a key stage ×
   gender cell of fewer than ``threshold`` pupils has its gender recoded to not given; where
   the key stage's not-given cell then still holds fewer than ``threshold`` pupils, its key
   stage is recoded to not given too (global recoding, coarsest last); pupils left in a
   school's all-not-given cell of fewer than ``threshold`` are withheld (local suppression).
   k-anonymity does not stop attribute disclosure when a released cell's pupils all answered
   alike; the answers are opinions on a five-point scale, not sensitive facts, and the export
   goes to researchers only.
5. **Enough schools.** A figure about a group of schools is shown only when enough schools
   stand behind it: a similar-schools benchmark needs at least :data:`MIN_OTHER_SCHOOLS` (3)
   *other* schools (the school reading its report knows its own figures, so a benchmark of
   one or two other schools would disclose them), and a described group of schools (the
   learning-focused schools' context) at least :data:`MIN_GROUP_SCHOOLS` (5). A row failing
   the school count is treated as describing no pupils, so it drives complementary
   suppression like any small row (``suppress(..., schools=..., min_schools=...)``);
   :func:`enough_schools` answers the question for a single group.
6. **Shares that are counts.** A percentage of a published n is a count: 0.0964% of 1,037 is
   one pupil. No band share (or count) whose numerator is 1 to ``threshold`` − 1 pupils is
   published; a 0 is (it describes nobody). Complementary handling as rule 2, along every
   published line: the bands of a group partition its n, a combined share (e.g. "quite or
   very high") partitions into its bands and is the complement of the others, and the same
   band of the groups of a partition sums to a published total. On each line the hidden
   cells are none, or at least two that together hold at least ``threshold`` pupils; then a
   linear audit hides more wherever a combination of lines would still pin a hidden cell
   exactly (:func:`suppress_shares`, ``suppress(..., shares=...)``).
7. **Totals beside hidden parts.** A total whose parts are published with some hidden is
   itself published only when the hidden parts stay unrecoverable by subtraction: the total
   minus the visible parts is 0 with nothing hidden, or holds at least ``threshold`` pupils
   spread over at least two hidden parts (:func:`total_is_publishable`, :func:`clear_total`).
   "4,830 pupils took part" beside visible schools summing to 4,826 discloses a school of 4.
8. **The staff threshold.** Staff are few and identifiable (a school has a handful of
   teachers in a department, and colleagues know who answered), so a figure about staff
   alone describes at least ``staff_threshold`` staff (default 5,
   ``LEARNSURVEY_MIN_STAFF_GROUP_SIZE``, :func:`default_staff_threshold`). Where staff and
   pupils meet in one figure (the staff–pupil gaps of :mod:`learnsurvey.analysis.staff`) the
   pupil threshold applies to both sides, which is the stricter of the two. The staff's
   voice (:mod:`learnsurvey.analysis.perception`) shows all staff, teachers and leaders
   each at the staff threshold, and a gap only where both its groups are shown (rule 3).
   Teachers, leaders and the rest of the staff partition all staff, so they are cleared
   together (:func:`suppress_roles`): a role too small to show (leaders, usually) is
   pooled into all staff, and the teachers are hidden too unless the rest, hidden with it,
   keeps the two from being told apart; across a trust's schools and the trust's own
   totals at once (rule 7), taking the older staff–pupil table's shown counts as
   published so that the two tables together give nothing away.
9. **Across time** (:func:`publication_plan`). Figures are computed from *published*
   responses only, and a publication adds, per school, a batch that changes the school's
   total and each of its key stages and genders (hidden or not) by 0 or at least
   ``threshold`` pupils, so every union of them (a trust, the wave, its key stages and
   genders, "the rest of the wave") changes by 0 or at least ``threshold`` too; and, checked
   exactly (rank test over the atoms cell × {published before, batch}), no group of 1 to
   ``threshold`` − 1 pupils of a school, nor any school as part of the wave or of its trust,
   becomes recoverable from the two publications together (e.g. a key stage hidden beside
   a small one that turns visible unchanged would give the small one away). A last audit
   takes everything the publication shows to every audience at once (the wave's and
   trusts' totals beside each school's own page) over the whole candidate batch. Pending
   responses that would break this wait for a later publication, the smallest first. A
   wave's first publication is a single table and takes everything (rules 1–2 protect it).
   Responses are counted, not dimension scores: a batch pupil who skipped a dimension's
   items makes that dimension's n change by fewer than the batch.
10. **Response-level data and aggregates planned together** (``response_level_plan(...,
    with_aggregates=True)``, the default). Rule 4's plan is then coarsened and cut until no
    published figure less the released pupils describes 1 to ``threshold`` − 1 pupils: a
    school's withheld pupils number 0 or at least ``threshold`` (more are withheld, the
    smallest released combination first); a school's key stage (gender) is released as not
    given wherever a visible key stage, or the hidden ones together, would otherwise have 1
    to ``threshold`` − 1 pupils not released under their own value (or the school is left
    out when recoding cannot help); no school the aggregates hide (rules 1–2 on the school
    totals, or named in ``hidden_schools``) is released, since subtracting it would undo the
    hiding; and the wave's key stages, genders and total (``others``: the pupils of schools
    not in the release) less the release leave none or at least ``threshold`` pupils.

Reference: Office for National Statistics (2021), *Policy on protecting confidentiality in
tables of birth and death statistics*; Hundepool et al. (2012), *Statistical Disclosure
Control*, ch. 3 (microdata: global recoding, local suppression) and ch. 4 (threshold rule,
secondary suppression, linked tables); Sweeney, L. (2002), k-anonymity: a model for
protecting privacy, *International Journal of Uncertainty, Fuzziness and Knowledge-Based
Systems* 10(5), 557–570.

Checked: unit and hypothesis property tests (``tests/stats/test_disclosure.py``,
``tests/stats/test_response_level.py``): no visible row or band count describes 1 to
``threshold`` − 1 pupils, and no line's total minus its visible parts is a single hidden part
or fewer than ``threshold`` pupils.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import NewType

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

# Rules 1 and 8's thresholds, read from the environment without numpy or pandas (the web
# settings read them at start-up): defined there, published here.
from ._thresholds import (
    DEFAULT_STAFF_THRESHOLD,
    DEFAULT_THRESHOLD,
    check_threshold,
    default_staff_threshold,
    default_threshold,
)

__all__ = [
    "DEFAULT_STAFF_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "MIN_GROUP_SCHOOLS",
    "MIN_OTHER_SCHOOLS",
    "Cleared",
    "DisclosureError",
    "RoleTable",
    "blank_where",
    "check_threshold",
    "clear_total",
    "concat_cleared",
    "default_staff_threshold",
    "default_threshold",
    "enough_schools",
    "enough_schools_mask",
    "hidden_keys",
    "is_publishable",
    "keep_columns",
    "keep_rows",
    "publication_plan",
    "publishable_mask",
    "quantile_bins",
    "require_publishable",
    "response_level_plan",
    "suppress",
    "suppress_pairs",
    "suppress_roles",
    "suppress_shares",
    "total_is_publishable",
]

Cleared = NewType("Cleared", pd.DataFrame)
"""A table that went through the disclosure rules and may leave the system.

Only this module makes one; a view, export or API serialiser that takes a ``Cleared``
parameter cannot be handed a raw table by mistake (mypy rejects a plain ``DataFrame``).
Selecting from a cleared table gives a plain ``DataFrame`` back, so select with
:func:`keep_rows` and :func:`keep_columns`, and stack with :func:`concat_cleared`: showing
fewer rows or columns of a cleared table is always safe.
"""

MIN_OTHER_SCHOOLS = 3
"""Rule 5: a similar-schools figure is shown only when it describes at least this many other
schools."""

MIN_GROUP_SCHOOLS = 5
"""Rule 5: a group of schools (e.g. the learning-focused schools) has its context described
only when it holds at least this many schools."""


class DisclosureError(ValueError):
    """Raised when nothing can be published without disclosing a small group."""


# --- thresholds and predicates (rules 1, 5, 8) ----------------------------------------------


def is_publishable(n: float | None, threshold: int) -> bool:
    """Whether a figure about ``n`` pupils (or staff) may be published on its own (rule 1).

    True when n ≥ ``threshold``; an unknown count (None, NaN, ``pd.NA``) is not a safe one.
    Complementary suppression (rule 2) may still hide a publishable row.
    """
    check_threshold(threshold)
    if n is None or bool(pd.isna(n)):
        return False
    return bool(n >= threshold)


def publishable_mask(counts: ArrayLike, threshold: int) -> NDArray[np.bool_]:
    """:func:`is_publishable` element by element, in the shape of ``counts`` (rule 1)."""
    check_threshold(threshold)
    values = _as_float(counts)
    with np.errstate(invalid="ignore"):
        return np.asarray(values >= threshold, dtype=bool)  # NaN compares False


def enough_schools(n_schools: float | None, minimum: int = MIN_GROUP_SCHOOLS) -> bool:
    """Whether a figure about a group of ``n_schools`` schools may be shown (rule 5).

    ``minimum`` is :data:`MIN_GROUP_SCHOOLS` for a described group of schools and
    :data:`MIN_OTHER_SCHOOLS` for the other schools behind a benchmark.
    """
    return bool(
        enough_schools_mask(np.array([np.nan if n_schools is None else n_schools]), minimum)[0]
    )


def quantile_bins(
    values: ArrayLike, *, bins: int, minimum: int = MIN_GROUP_SCHOOLS
) -> NDArray[np.int64]:
    """Each school's bin (0, 1, ...) in quantile bins of ``values``, every bin holding at
    least ``minimum`` schools (rule 5), for a binned scatter that shows no single school.

    The schools are ranked by value (ties by position, so the result is deterministic) and
    cut into :math:`b = \\min(\\text{bins}, \\lfloor k / \\text{minimum} \\rfloor)`
    groups of :math:`\\lfloor k/b \\rfloor` or :math:`\\lceil k/b \\rceil` schools in rank
    order (school of rank :math:`i` goes to bin :math:`\\lfloor i b / k \\rfloor`), where
    :math:`k` is the number of schools with a value. Schools with no value (NaN) get -1, and
    so do all of them when fewer than ``minimum`` have one: nothing may be binned.

    Raises
    ------
    ValueError
        If ``bins`` or ``minimum`` is below 1.
    """
    if bins < 1:
        raise ValueError(f"the number of bins must be at least 1, not {bins}")
    if minimum < 1:
        raise ValueError(f"the minimum number of schools must be at least 1, not {minimum}")
    x = _as_float(np.ravel(np.asarray(values, dtype=object)))
    out = np.full(x.shape, -1, dtype=np.int64)
    known = np.flatnonzero(~np.isnan(x))
    k = int(known.size)
    n_bins = min(bins, k // minimum)
    if n_bins < 1:
        return out
    order = known[np.argsort(x[known], kind="stable")]
    out[order] = (np.arange(k) * n_bins) // k
    return out


def enough_schools_mask(n_schools: ArrayLike, minimum: int) -> NDArray[np.bool_]:
    """:func:`enough_schools` element by element, in the shape of ``n_schools`` (rule 5)."""
    if minimum < 1:
        raise ValueError(f"the minimum number of schools must be at least 1, not {minimum}")
    values = _as_float(n_schools)
    with np.errstate(invalid="ignore"):
        return np.asarray(values >= minimum, dtype=bool)


def _as_float(values: ArrayLike) -> NDArray[np.float64]:
    """``values`` as floats with NaN for anything missing or not a number, shape kept."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        return values.astype(np.float64)
    array = np.asarray(values, dtype=object)
    flat = pd.to_numeric(pd.Series(array.ravel()), errors="coerce")
    return flat.to_numpy(dtype=np.float64, na_value=np.nan).reshape(array.shape)


def require_publishable(n: float, threshold: int, what: str) -> None:
    """Refuse to report on a whole data set smaller than the threshold."""
    if not is_publishable(n, threshold):
        count = f"{int(n)}" if n == n else "an unknown number of"
        raise DisclosureError(
            f"{what} describes {count} pupils; nothing is reported about fewer than {threshold}"
        )


# --- rows: primary, complementary, enough schools, shares (rules 1, 2, 5, 6) ----------------


def suppress(
    table: pd.DataFrame,
    *,
    threshold: int,
    count: str = "n",
    within: Sequence[str] = (),
    keep: Sequence[str] = (),
    schools: str | None = None,
    min_schools: int = MIN_OTHER_SCHOOLS,
    also: Sequence[str] = (),
    shares: Sequence[str] = (),
    combined: Mapping[str, Sequence[str]] | None = None,
) -> Cleared:
    """Blank every figure about fewer than ``threshold`` pupils, with complementary suppression.

    Rules 1, 2 and 5 on the rows, and rule 6 on their shares when ``shares`` is given.

    Parameters
    ----------
    table
        One row per group. ``count`` holds the number of pupils each row describes.
    threshold
        Minimum number of pupils a published figure may describe.
    count
        Name of the count column.
    within
        Columns identifying a set of rows that together partition a published total (e.g.
        ``["dimension"]`` for a table of schools × dimensions); complementary suppression is
        applied in each set. Empty: the whole table is one set.
    keep
        Columns that identify the row and stay visible (e.g. the school's name); every other
        column is blanked on a suppressed row.
    schools
        Column holding the number of schools behind each row (rule 5). A row with fewer
        than ``min_schools`` is treated as describing no pupils: hidden, and counted as 0
        by complementary suppression.
    min_schools
        The fewest schools a row may describe when ``schools`` is given.
    also
        Further count columns that must each reach ``threshold`` for the row to be shown,
        treated like ``schools`` (e.g. the school's own pupils behind its benchmark, so a
        comparison is never about a school too small to report).
    shares
        Percentage columns (0–100) of ``count`` (e.g. the ``pct_<band>`` columns of
        :func:`~learnsurvey.analysis.groups.group_summary`). Rule 6: on a shown row, a share
        whose numerator is 1 to ``threshold`` − 1 pupils is blanked (NaN), with
        complementary blanking along the row (the shares sum to 100) and, within each set
        of ``within``, down each share column (the set's band totals are published). The
        numerators are the shares times ``count``, rounded.
    combined
        Share columns that are sums of others, e.g. ``{"pct_quite_or_very_high":
        ["pct_quite_high", "pct_very_high"]}``; each key must also be in ``shares``. A
        combined share is hidden or shown so that neither it, its parts nor the remaining
        bands give a small group away.

    Returns
    -------
    Cleared
        A copy with a boolean ``suppressed`` column; hidden rows have NaN in every column
        except ``keep``, ``within`` and ``suppressed``. ``suppressed`` is about the row; a
        share hidden on a shown row is NaN only.
    """
    threshold = check_threshold(threshold)
    if count not in table.columns:
        raise ValueError(f"no count column {count!r} in the table")
    out = table.copy()
    raw_n = pd.to_numeric(out[count], errors="coerce").fillna(0).to_numpy(dtype=float)
    n = np.where(_describable(out, threshold, schools, min_schools, also), raw_n, 0.0)
    hidden = ~publishable_mask(n, threshold)
    sets = _row_sets(out, within)
    for rows in sets:
        hidden[rows] = _complement(n[rows], hidden[rows], threshold)
    if shares:
        hidden_shares = _share_cells(out, raw_n, hidden, sets, threshold, shares, combined or {})
    blank_rows = _blank(out, hidden, exclude=set(keep) | set(within))
    if shares:
        for j, col in enumerate(shares):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
            out.loc[hidden_shares[:, j] & ~blank_rows, col] = np.nan
    return Cleared(out)


def _describable(
    table: pd.DataFrame,
    threshold: int,
    schools: str | None,
    min_schools: int,
    also: Sequence[str],
) -> NDArray[np.bool_]:
    """Rows that may describe their pupils at all: enough schools, every extra count large."""
    ok = np.ones(len(table), dtype=bool)
    if schools is not None:
        if schools not in table.columns:
            raise ValueError(f"no school-count column {schools!r} in the table")
        ok &= enough_schools_mask(table[schools], min_schools)
    for col in also:
        if col not in table.columns:
            raise ValueError(f"no count column {col!r} in the table")
        ok &= publishable_mask(table[col], threshold)
    return ok


def _row_sets(table: pd.DataFrame, within: Sequence[str]) -> list[NDArray[np.intp]]:
    keys = list(within)
    if keys:
        groups = table.groupby(keys, sort=False, dropna=False).indices
        return [np.asarray(v, dtype=np.intp) for v in groups.values()]
    return [np.arange(len(table), dtype=np.intp)]


def _complement(
    n: NDArray[np.float64], hidden: NDArray[np.bool_], threshold: int
) -> NDArray[np.bool_]:
    hidden = hidden.copy()
    while True:
        n_hidden = int(hidden.sum())
        if n_hidden == 0 or n_hidden == len(n):
            return hidden
        if n_hidden > 1 and n[hidden].sum() >= threshold:
            return hidden
        # Hide the smallest visible group: it costs the least information.
        visible = np.flatnonzero(~hidden)
        hidden[visible[np.argmin(n[visible])]] = True


def suppress_pairs(
    pairs: pd.DataFrame,
    hidden_groups: set[tuple[object, ...]],
    *,
    group_a: Sequence[str],
    group_b: Sequence[str],
    keep: Sequence[str] = (),
) -> Cleared:
    """Hide comparisons involving a hidden group (rule 3).

    ``hidden_groups`` holds the key tuples (in the order of ``group_a``/``group_b``) of the
    groups that :func:`suppress` hid (:func:`hidden_keys` makes it from a cleared table).
    """
    out = pairs.copy()
    a = [tuple(r) for r in out[list(group_a)].itertuples(index=False)]
    b = [tuple(r) for r in out[list(group_b)].itertuples(index=False)]
    hidden = np.array(
        [x in hidden_groups or y in hidden_groups for x, y in zip(a, b, strict=True)], dtype=bool
    )
    _blank(out, hidden, exclude=set(keep) | set(group_a) | set(group_b))
    return Cleared(out)


def hidden_keys(table: pd.DataFrame, keys: Sequence[str]) -> set[tuple[object, ...]]:
    """The key tuples (columns ``keys``, in order) of the suppressed rows of a cleared table."""
    rows = table.loc[table["suppressed"].fillna(True).astype(bool), list(keys)]
    return set(rows.itertuples(index=False, name=None))


def blank_where[T: pd.DataFrame](
    table: T,
    hidden: ArrayLike | pd.Series[bool] | bool,
    *,
    keep: Sequence[str] = (),
    columns: Sequence[str] | None = None,
) -> T:
    """Blank the dependent columns of the hidden rows and mark them ``suppressed`` (rule 2).

    The one way a row is hidden after the fact (e.g. a trust's rows when the rest of the
    wave is too small, or a whole section when its data set is), so that no caller blanks
    columns by hand and forgets one.

    Parameters
    ----------
    table
        Any table; a :data:`Cleared` one stays cleared (hiding more is always safe).
    hidden
        One flag per row (a boolean Series is aligned on the index), or one flag for all.
    keep
        Columns that identify the row and stay visible.
    columns
        The columns to blank; by default every column but ``keep`` and ``suppressed``.

    Returns
    -------
    The same kind of table, a copy: counts become nullable integers, flags nullable
    booleans, text objects, so a blank is a blank and not a 0 or False. ``suppressed`` is
    the old flag (if any) or ``hidden``.
    """
    out = table.copy()
    if isinstance(hidden, pd.Series):
        # A copy: with pandas' copy-on-write the array may be a read-only view.
        mask = hidden.reindex(out.index).fillna(False).to_numpy(dtype=bool, copy=True)
    else:
        mask = np.broadcast_to(np.asarray(hidden, dtype=bool), (len(out),)).copy()
    if "suppressed" in out.columns:
        mask |= out["suppressed"].fillna(False).to_numpy(dtype=bool)
    exclude = set(keep)
    if columns is not None:
        missing = [c for c in columns if c not in out.columns]
        if missing:
            raise ValueError(f"no columns {missing} in the table")
        exclude |= set(out.columns) - set(columns)
    _blank(out, mask, exclude=exclude)
    return out


def _blank(
    table: pd.DataFrame, hidden: NDArray[np.bool_], *, exclude: set[str]
) -> NDArray[np.bool_]:
    """Blank the hidden rows in place, keeping each column's kind (counts stay integers).

    A blank is None in a text (object) column, NaN in a float one and NA in a nullable one,
    as ``table.loc[hidden, col] = None`` leaves them; set here on each column's array at
    once, which costs a fraction of that indexing.
    """
    any_hidden = bool(hidden.any())
    for col in table.columns:
        if col in exclude or col == "suppressed":
            continue
        series = table[col]
        if not isinstance(series, pd.Series):  # repeated column names: blank by label
            table.loc[hidden, col] = None
            continue
        if pd.api.types.is_bool_dtype(series):
            series = series.astype("boolean")
        elif pd.api.types.is_integer_dtype(series):
            series = series.astype("Int64")
        elif not pd.api.types.is_float_dtype(series):
            series = series.astype(object)
        table[col] = _blanked(series, hidden) if any_hidden else series
    table["suppressed"] = hidden
    return hidden


def _blanked(series: pd.Series, hidden: NDArray[np.bool_]) -> pd.Series:
    """A copy of ``series`` with the ``hidden`` positions missing, in its own dtype."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        values = series.to_numpy(copy=True)
        values[hidden] = None if dtype.kind == "O" else np.nan
        return pd.Series(values, index=series.index, name=series.name, dtype=dtype)
    array = series.array.copy()
    array[hidden] = None  # a nullable array: NA
    return pd.Series(array, index=series.index, name=series.name)


# --- shares that are counts (rule 6) ----------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """Cells whose counts add up to a published total.

    ``total`` is the cell holding that total (a combined share), or -1 when the total is
    published elsewhere and is always shown (a group's n, a wave's band count).
    """

    parts: NDArray[np.intp]
    total: int = -1


_AUDIT_LIMIT = 1500
"""Largest set of linked hidden cells whose linear audit is run (an SVD of that size takes
about a second); a larger set keeps the line-by-line guarantee only."""


def _protect_lines(
    counts: NDArray[np.float64],
    hidden: NDArray[np.bool_],
    lines: list[_Line],
    threshold: int,
) -> NDArray[np.bool_]:
    """Hide cells until no line and no combination of lines gives a hidden cell away
    (rules 2 and 6).

    First line by line (:func:`_line_rule`); then a linear audit (:func:`_determined`): a
    hidden cell that a combination of the published line totals and visible cells fixes
    exactly (two lines each safe alone can still pin a cell between them) has the smallest
    visible cell of a line through it hidden too, and the lines through it are checked
    again.
    """
    through = _lines_through(lines)
    hidden = hidden.copy()
    recheck: list[int] = list(range(len(lines)))
    while True:
        hidden = _line_rule(counts, hidden, lines, through, threshold, recheck)
        recheck = []
        for cell in np.flatnonzero(_determined(hidden, lines)):
            pool = np.array(
                sorted(
                    {
                        c
                        for k in through.get(int(cell), [])
                        for c in (*lines[k].parts.tolist(), lines[k].total)
                        if c >= 0 and not hidden[c]
                    }
                ),
                dtype=np.intp,
            )
            if pool.size:
                chosen = _cheapest(counts, pool)
                hidden[chosen] = True
                recheck.extend(through.get(chosen, []))
        if not recheck:
            return hidden


def _lines_through(lines: list[_Line]) -> dict[int, list[int]]:
    """For each cell, the lines (by position) it is a part or the total of."""
    through: dict[int, list[int]] = {}
    for k, line in enumerate(lines):
        for cell in (*line.parts.tolist(), line.total):
            if cell >= 0:
                through.setdefault(int(cell), []).append(k)
    return through


def _cheapest(counts: NDArray[np.float64], pool: NDArray[np.intp]) -> int:
    """The smallest non-zero cell of ``pool`` (it costs the least information), else a zero."""
    nonzero = pool[counts[pool] > 0]
    pool = nonzero if nonzero.size else pool
    return int(pool[np.argmin(counts[pool])])


def _line_rule(
    counts: NDArray[np.float64],
    hidden: NDArray[np.bool_],
    lines: list[_Line],
    through: dict[int, list[int]],
    threshold: int,
    queue_from: list[int],
) -> NDArray[np.bool_]:
    """Hide cells until, on every line whose total is shown, the hidden parts are none or at
    least two holding at least ``threshold`` pupils together; and no hidden total is the sum
    of parts all shown.

    The cell hidden next is the line's smallest visible non-zero cell, else a zero, else
    the line's total itself. A worklist (starting from ``queue_from``) re-checks only the
    lines through a cell just hidden.
    """
    hidden = hidden.copy()
    queue = deque(dict.fromkeys(queue_from))
    queued = set(queue)
    while queue:
        k = queue.popleft()
        queued.discard(k)
        line = lines[k]
        parts = line.parts
        off = hidden[parts]
        n_off = int(off.sum())
        if line.total >= 0 and hidden[line.total]:
            if n_off or not parts.size:
                continue  # the total and a part unknown: neither follows from the other
        elif n_off == 0 or (n_off >= 2 and counts[parts[off]].sum() >= threshold):
            continue
        shown = parts[~off]
        if shown.size:
            cell = _cheapest(counts, shown)
        elif line.total >= 0:
            cell = line.total
        else:
            continue  # every part hidden and the total is fixed: nothing left to hide here
        hidden[cell] = True
        for other in through.get(cell, []):
            if other not in queued:
                queue.append(other)
                queued.add(other)
    return hidden


def _determined(hidden: NDArray[np.bool_], lines: list[_Line]) -> NDArray[np.bool_]:
    """The hidden cells whose value follows exactly from the lines (a linear audit).

    Each line is an equation over its hidden cells (its parts, less a hidden total) whose
    right-hand side is published. First, an equation holding two or more cells that appear
    in no other equation is set aside: it can only tell those cells' sum, so it fixes none
    of them and nothing else (a band down the schools, where two hidden schools' cells
    stand in it, is the usual case). In what is left a hidden cell x_i is determined when
    the unit vector e_i lies in the row space of the equations, i.e. when the squared norm
    of column i of an orthonormal basis of the row space (from the SVD) is 1. Run per set
    of linked cells, up to :data:`_AUDIT_LIMIT` cells each.
    """
    out = np.zeros(len(hidden), dtype=bool)
    cells = np.flatnonzero(hidden)
    if not cells.size:
        return out
    equations = _audit_equations(hidden, lines, cells)
    alive = _peel(equations, cells.size)
    for linked, members in _linked_sets(equations, alive, cells.size):
        if linked.size > _AUDIT_LIMIT:
            continue
        out[cells[linked[_pinned(equations, members, linked)]]] = True
    return out


def _audit_equations(
    hidden: NDArray[np.bool_], lines: list[_Line], cells: NDArray[np.intp]
) -> list[tuple[list[int], list[float]]]:
    """Each line as an equation (hidden-cell positions, coefficients) over ``cells``."""
    position = np.full(len(hidden), -1, dtype=np.intp)
    position[cells] = np.arange(cells.size)
    equations: list[tuple[list[int], list[float]]] = []
    for line in lines:
        index = position[line.parts[hidden[line.parts]]].tolist()
        coef = [1.0] * len(index)
        if line.total >= 0 and hidden[line.total]:
            index.append(int(position[line.total]))
            coef.append(-1.0)
        if index:
            equations.append((index, coef))
    return equations


def _root(parent: NDArray[np.intp], i: int) -> int:
    """The union-find root of ``i`` in ``parent``, halving the path on the way."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = int(parent[i])
    return i


def _linked_sets(
    equations: list[tuple[list[int], list[float]]], alive: NDArray[np.bool_], n_cells: int
) -> list[tuple[NDArray[np.intp], list[int]]]:
    """The sets of cells linked by the kept equations, each with its kept equations."""
    parent = np.arange(n_cells)
    kept = [int(e) for e in np.flatnonzero(alive)]
    for e in kept:
        index = equations[e][0]
        first = _root(parent, index[0])
        for i in index[1:]:
            parent[_root(parent, i)] = first
    by_root: dict[int, list[int]] = {}
    for e in kept:
        by_root.setdefault(_root(parent, equations[e][0][0]), []).append(e)
    cells_of: dict[int, list[int]] = {}
    for i in range(n_cells):
        cells_of.setdefault(_root(parent, i), []).append(i)
    return [(np.array(cells_of[r], dtype=np.intp), members) for r, members in by_root.items()]


def _pinned(
    equations: list[tuple[list[int], list[float]]], members: list[int], linked: NDArray[np.intp]
) -> NDArray[np.bool_]:
    """Which cells of ``linked`` the equations ``members`` determine exactly (SVD test)."""
    local = {int(c): k for k, c in enumerate(linked)}
    matrix = np.zeros((len(members), linked.size))
    for row, eq in enumerate(members):
        index, coef = equations[eq]
        matrix[row, [local[i] for i in index]] = coef
    _, sv, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[: int((sv > 1e-9 * max(1.0, float(sv[0]))).sum())]
    return np.asarray((basis**2).sum(axis=0) > 1.0 - 1e-7, dtype=bool)


def _peel(equations: list[tuple[list[int], list[float]]], n_cells: int) -> NDArray[np.bool_]:
    """Which equations to keep after setting aside, repeatedly, each one with two or more
    cells in no other kept equation (see :func:`_determined`)."""
    uses = np.zeros(n_cells, dtype=np.int64)
    within: list[list[int]] = [[] for _ in range(n_cells)]
    for e, (index, _) in enumerate(equations):
        for i in index:
            uses[i] += 1
            within[i].append(e)
    alive = np.ones(len(equations), dtype=bool)
    queue = deque(range(len(equations)))
    while queue:
        e = queue.popleft()
        if not alive[e] or int((uses[equations[e][0]] == 1).sum()) < 2:
            continue
        alive[e] = False
        for i in equations[e][0]:
            uses[i] -= 1
            if uses[i] == 1:
                queue.extend(f for f in within[i] if alive[f])
    return alive


def _grid_lines(
    n_rows: int,
    bands: Sequence[str],
    combined: Mapping[str, Sequence[str]],
    shown_rows: NDArray[np.bool_],
    sets: list[NDArray[np.intp]],
) -> list[_Line]:
    """The lines of a rows × bands grid of counts, cell (i, j) at ``i * len(bands) + j``.

    Each shown row's plain bands partition its n; a combined band partitions into its parts
    and, with the plain bands outside it, partitions n again. Down each band, the rows of a
    set of ``sets`` with more than one row partition the set's published band total.
    """
    index = {b: j for j, b in enumerate(bands)}
    for name, parts in combined.items():
        if name not in index:
            raise ValueError(f"the combined share {name!r} is not one of the shares")
        unknown = [p for p in parts if p not in index or p in combined]
        if unknown:
            raise ValueError(f"the combined share {name!r} sums unknown shares {unknown}")
    plain = [index[b] for b in bands if b not in combined]
    m = len(bands)
    lines: list[_Line] = []
    for i in np.flatnonzero(shown_rows):
        base = int(i) * m
        # The narrowest lines first: a complement chosen inside a combined share also
        # protects the wider line, so fewer cells are hidden in all.
        for name, parts in combined.items():
            inner = [index[p] for p in parts]
            rest = [j for j in plain if j not in inner]
            lines.append(
                _Line(np.array([base + j for j in inner], dtype=np.intp), base + index[name])
            )
            lines.append(_Line(np.array([base + j for j in (index[name], *rest)], dtype=np.intp)))
        lines.append(_Line(np.array([base + j for j in plain], dtype=np.intp)))
    for rows in sets:
        if len(rows) < 2:
            continue
        for j in range(m):
            lines.append(_Line(rows * m + j))
    return lines


def _share_cells(
    table: pd.DataFrame,
    n: NDArray[np.float64],
    hidden_rows: NDArray[np.bool_],
    sets: list[NDArray[np.intp]],
    threshold: int,
    shares: Sequence[str],
    combined: Mapping[str, Sequence[str]],
) -> NDArray[np.bool_]:
    """Rule 6 on the share columns of a wide table: (rows × shares) flags of hidden shares."""
    missing = [c for c in shares if c not in table.columns]
    if missing:
        raise ValueError(f"no share columns {missing} in the table")
    pct = (
        np.column_stack(
            [
                pd.to_numeric(table[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                for c in shares
            ]
        )
        if len(table)
        else np.zeros((0, len(shares)))
    )
    counts = np.rint(np.nan_to_num(pct) * n[:, None] / 100.0)
    hidden = (counts > 0) & ~publishable_mask(counts, threshold)
    hidden[hidden_rows] = True
    lines = _grid_lines(len(table), list(shares), combined, ~hidden_rows, sets)
    flat = _protect_lines(counts.ravel(), hidden.ravel(), lines, threshold)
    return flat.reshape(hidden.shape)


def suppress_shares(
    table: pd.DataFrame,
    *,
    threshold: int,
    group: Sequence[str],
    band: str = "band",
    count: str = "count",
    n: str = "n",
    within: Sequence[str] | None = None,
    combined: Mapping[str, Sequence[str]] | None = None,
    keep: Sequence[str] = (),
) -> Cleared:
    """Hide every band count or share of 1 to ``threshold`` − 1 pupils, recoverably by none
    of the published totals (rule 6).

    Parameters
    ----------
    table
        Long: one row per group × band, ``n`` the group's pupils (the same on each of its
        rows), ``count`` the pupils of the group in the band, and any figures computed from
        them (a percentage), blanked with the count.
    threshold
        Minimum number of pupils a published figure may describe.
    group
        Columns identifying a group; the plain bands of a group partition its ``n``.
    band, count, n
        Names of the band, band-count and group-size columns.
    within
        Columns (a subset of ``group``) identifying sets of groups whose counts in each band
        add up to a published total, e.g. ``["score"]`` when every school of the wave is in
        the table and the wave's own band shares are published; complementary hiding then
        runs down each band too. None: each group stands alone.
    combined
        Band values that are sums of other bands of the same group (subtotal rows), e.g.
        ``{"quite_or_very_high": ["quite_high", "very_high"]}``.
    keep
        Further columns that stay visible on a hidden row.

    Returns
    -------
    Cleared
        A copy with ``suppressed`` per row (per cell). A group with fewer than ``threshold``
        pupils (or a blank ``n``, as :func:`suppress` leaves it) has every row hidden, its
        ``n`` included; a shown group keeps its ``n``. A 0 count is shown: it describes
        nobody.

    Notes
    -----
    Each line (a group's bands; a combined band and its parts; a band down a set of
    groups) ends with none of its cells hidden or at least two hidden cells holding at
    least ``threshold`` pupils, so no hidden cell is its line's total minus the visible
    cells (Hundepool et al. 2012, ch. 4, secondary suppression on linked tables). A linear
    audit then checks that no combination of lines fixes a hidden cell exactly (its unit
    vector in the row space of the published sums) and hides more where one does. The
    hiding is greedy (the smallest cell first), not an optimal linear programme, and the
    audit treats counts as real numbers (the bounds of non-negative counts are not used).
    """
    threshold = check_threshold(threshold)
    needed = [*group, band, count, n]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"the table needs the columns {needed}; missing {missing}")
    out = table.reset_index(drop=True)
    if out.duplicated([*group, band]).any():
        raise ValueError("the table has more than one row for a group and band")
    groups = out.groupby(list(group), sort=False, dropna=False).ngroup().to_numpy()
    bands = list(pd.unique(out[band]))
    column = {b: j for j, b in enumerate(bands)}
    n_groups = int(groups.max()) + 1 if len(out) else 0
    m = len(bands)
    cell = groups * m + out[band].map(column).to_numpy(dtype=np.intp)
    counts = np.zeros(n_groups * m)
    counts[cell] = pd.to_numeric(out[count], errors="coerce").fillna(0).to_numpy(dtype=float)
    group_n = np.zeros(n_groups)
    group_n[groups] = pd.to_numeric(out[n], errors="coerce").fillna(0).to_numpy(dtype=float)
    shown_groups = publishable_mask(group_n, threshold)
    hidden = ((counts > 0) & ~publishable_mask(counts, threshold)) | np.repeat(~shown_groups, m)
    # A band a group has no row for holds nobody; its cell is a shown zero.
    sets: list[NDArray[np.intp]] = []
    if within is not None:
        outside = [c for c in within if c not in group]
        if outside:
            raise ValueError(f"within must name group columns; {outside} are not")
        # Groups are numbered in order of first appearance, as their first rows come.
        first_rows = out.loc[~out.duplicated(list(group)), list(within)]
        sets = _row_sets(first_rows.reset_index(drop=True), within)
    lines = _grid_lines(
        n_groups, [str(b) for b in bands], _named(combined, bands), shown_groups, sets
    )
    flat = _protect_lines(counts, hidden, lines, threshold)
    row_hidden = flat[cell]
    result = out.copy()
    exclude = set(keep) | set(group) | {band}
    _blank(result, row_hidden, exclude=exclude | {n})
    # A hidden group's n goes too; a shown group's n is published with the group.
    _blank(result, ~shown_groups[groups], exclude=set(result.columns) - {n})
    result["suppressed"] = row_hidden
    return Cleared(result)


def _named(
    combined: Mapping[str, Sequence[str]] | None, bands: list[object]
) -> dict[str, list[str]]:
    """``combined`` with band names as strings, checked against the bands present."""
    return {str(k): [str(p) for p in v] for k, v in (combined or {}).items() if k in bands}


# --- totals beside hidden parts (rule 7) -----------------------------------------------------


def total_is_publishable(
    total: float, parts: pd.DataFrame, *, threshold: int, count: str = "n"
) -> bool:
    """Whether a total may be shown beside its parts after suppression (rule 7).

    Parameters
    ----------
    total
        The true total (e.g. the trust's pupils).
    parts
        Its parts as published: a cleared table with ``count`` and ``suppressed`` (e.g. the
        trust's schools). Parts it leaves out count as hidden pupils.
    threshold
        Minimum number of pupils a published figure may describe.
    count
        Name of the count column.

    Returns
    -------
    bool
        True when the total is publishable itself and the total minus the visible parts
        (r) gives no group away: r = 0 with nothing hidden; r ≥ ``threshold`` spread over at
        least two hidden parts; or r ≥ ``threshold`` with nothing hidden (pupils outside the
        listed parts, themselves a large group).
    """
    threshold = check_threshold(threshold)
    if not is_publishable(total, threshold):
        return False
    off = parts["suppressed"].fillna(True).to_numpy(dtype=bool)
    visible = pd.to_numeric(parts.loc[~off, count], errors="coerce")
    if visible.isna().any():
        raise ValueError(f"a visible part has no {count!r}")
    rest = float(total) - float(visible.sum())
    if rest < 0:
        raise ValueError(f"the visible parts hold {visible.sum()} but the total is {total}")
    n_off = int(off.sum())
    if rest == 0:
        return n_off == 0
    return is_publishable(rest, threshold) and n_off != 1


def clear_total(total: int, parts: pd.DataFrame, *, threshold: int, count: str = "n") -> int | None:
    """The total when :func:`total_is_publishable`, else None (rule 7).

    Where it is None, say what is safe instead: the visible parts' own sum ("the schools
    shown have 4,826 pupils"), or nothing.
    """
    return total if total_is_publishable(total, parts, threshold=threshold, count=count) else None


# --- staff roles beside all staff (rule 8) ---------------------------------------------------


@dataclass(frozen=True)
class RoleTable:
    """Which counts of a units × roles table of staff may be shown (:func:`suppress_roles`).

    ``cells`` (units × roles), ``units`` (each unit's total: all its staff), ``roles`` (each
    role's total over the units, when the margins are published) and ``total`` (all staff
    of all units): True where the figure may be shown. A role that is never shown on its
    own (``unshown``) is False throughout, however large."""

    cells: NDArray[np.bool_]
    units: NDArray[np.bool_]
    roles: NDArray[np.bool_]
    total: bool


def suppress_roles(
    counts: ArrayLike,
    *,
    threshold: int,
    unshown: Sequence[int] = (),
    margins: bool = False,
    start: RoleTable | None = None,
    known: RoleTable | None = None,
) -> RoleTable:
    """Show each staff role beside all staff only where no small group follows (rule 8).

    The roles of a unit (a school) partition its staff: teachers, leaders and the rest
    (teaching assistants, other staff and those who gave no role). "All staff" is shown
    with some roles, so a role hidden because too few answered (fewer than ``threshold``,
    the staff threshold) must not be all staff less the roles shown: with leaders hidden,
    the teachers are hidden too unless the rest of the staff, hidden with the leaders, holds
    enough people that the two cannot be told apart. With ``margins`` the units are the
    schools of a trust whose own totals are published too (each role over the trust's
    schools, and all its staff), and the same holds down each role and across the schools'
    totals (rule 7: a trust's total never gives a hidden school's group away).

    Each line (a unit's roles and its total; a role down the units and the role's total; the
    units' totals and the grand total) ends with none of its parts hidden or at least two
    holding at least ``threshold`` staff, and a hidden total is never the sum of shown parts;
    the linear audit of rule 6 then hides more where a combination of lines would still fix
    a hidden count. Complements are chosen among the roles never shown first (hiding them
    costs nothing), then among the trust's own totals (so that a school keeps its figures
    when another school's are hidden), then the smallest. A 0 is shown: it describes
    nobody.

    Parameters
    ----------
    counts
        (units × roles) staff who answered, by unit and role.
    threshold
        The staff threshold (:func:`default_staff_threshold`).
    unshown
        Column positions of roles never shown on their own (the rest of the staff). They
        take part in every line, since they can be derived, but are never reported as shown.
    margins
        Whether the role totals over the units and the grand total are published.
    start
        A previous result whose hidden figures stay hidden (e.g. the roles of the staff as
        a whole, when a table per dimension is cleared).
    known
        Figures published elsewhere (e.g. by an older table of the same staff): taken as
        shown, never chosen as a complement, and shown here too. Name only figures that
        publication cleared (they are not checked against ``threshold`` again).

    Returns
    -------
    RoleTable
        The flags of the figures that may be shown.
    """
    threshold = check_threshold(threshold)
    table = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    if table.ndim != 2 or (table < 0).any():
        raise ValueError("counts must be a units × roles table of counts")
    n_units, m = table.shape
    layout = _RoleLayout(n_units, m, margins)
    values = layout.values(table)
    hidden = (values > 0) & ~publishable_mask(values, threshold)
    fixed = layout.flags(known) if known is not None else np.zeros(values.size, dtype=bool)
    free = np.zeros(values.size, dtype=bool)
    for j in unshown:
        free[layout.column(j)] = True
    if start is not None:
        hidden |= ~layout.flags(start) & ~free
    hidden &= ~fixed
    margin = np.zeros(values.size, dtype=bool)
    margin[layout.role_totals] = True
    if margins:
        margin[layout.grand] = True
    hidden = _protect_roles(values, hidden, layout.lines(), threshold, free, fixed, margin)
    return layout.result(~hidden & ~free)


@dataclass(frozen=True)
class _RoleLayout:
    """Positions of a :func:`suppress_roles` table's figures in one flat vector: the cells
    row by row, then the units' totals, then (with margins) the roles' totals and the grand
    total."""

    n_units: int
    m: int
    margins: bool

    @property
    def unit_totals(self) -> NDArray[np.intp]:
        return self.n_units * self.m + np.arange(self.n_units, dtype=np.intp)

    @property
    def role_totals(self) -> NDArray[np.intp]:
        base = self.n_units * (self.m + 1)
        return base + np.arange(self.m, dtype=np.intp) if self.margins else np.zeros(0, np.intp)

    @property
    def grand(self) -> int:
        return self.n_units * (self.m + 1) + self.m if self.margins else -1

    def column(self, j: int) -> NDArray[np.intp]:
        cells = np.arange(self.n_units, dtype=np.intp) * self.m + j
        return np.append(cells, self.role_totals[j]) if self.margins else cells

    def values(self, table: NDArray[np.float64]) -> NDArray[np.float64]:
        parts = [table.ravel(), table.sum(axis=1)]
        if self.margins:
            parts += [table.sum(axis=0), np.array([table.sum()])]
        return np.concatenate(parts)

    def lines(self) -> list[_Line]:
        cells = np.arange(self.n_units * self.m, dtype=np.intp).reshape(self.n_units, self.m)
        units = self.unit_totals
        lines = [_Line(cells[u], int(units[u])) for u in range(self.n_units)]
        if self.margins:
            roles = self.role_totals
            lines += [_Line(cells[:, j], int(roles[j])) for j in range(self.m)]
            lines += [_Line(units, self.grand), _Line(roles, self.grand)]
        return lines

    def flags(self, table: RoleTable) -> NDArray[np.bool_]:
        parts = [table.cells.ravel(), table.units]
        if self.margins:
            parts += [table.roles, np.array([table.total])]
        return np.concatenate(parts).astype(bool)

    def result(self, shown: NDArray[np.bool_]) -> RoleTable:
        size = self.n_units * self.m
        cells = shown[:size].reshape(self.n_units, self.m)
        units = shown[size : size + self.n_units]
        if not self.margins:
            return RoleTable(cells, units, np.zeros(self.m, dtype=bool), False)
        return RoleTable(cells, units, shown[self.role_totals], bool(shown[self.grand]))


def _protect_roles(
    counts: NDArray[np.float64],
    hidden: NDArray[np.bool_],
    lines: list[_Line],
    threshold: int,
    free: NDArray[np.bool_],
    fixed: NDArray[np.bool_],
    margin: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Rules 2 and 7 on the lines of a role table, as :func:`_protect_lines` but choosing
    each complement among the ``free`` figures first, then the ``margin`` totals (a trust's
    own total rather than a second school's figure), and never a ``fixed`` one."""
    hidden = hidden.copy()
    through = _lines_through(lines)

    def choose(pool: list[int]) -> int | None:
        return _role_complement(pool, counts, hidden | fixed, free, margin)

    while True:
        changed = False
        for line in lines:
            if _line_safe(counts, hidden, line, threshold):
                continue
            own_total = [line.total] if line.total >= 0 and margin[line.total] else []
            cell = choose([*line.parts.tolist(), *own_total])
            if cell is None and line.total >= 0:
                cell = choose([line.total])
            if cell is not None:
                hidden[cell] = changed = True
        for pinned in np.flatnonzero(_determined(hidden, lines)).tolist():
            chosen = choose([c for k in through.get(pinned, []) for c in _members(lines[k])])
            if chosen is not None:
                hidden[chosen] = changed = True
        if not changed:
            return hidden


def _role_complement(
    pool: list[int],
    counts: NDArray[np.float64],
    unavailable: NDArray[np.bool_],
    free: NDArray[np.bool_],
    margin: NDArray[np.bool_],
) -> int | None:
    """The figure of ``pool`` to hide next: a never-shown one first, then a margin total,
    then the smallest non-zero, a zero last; None when all are hidden or fixed."""
    usable = [c for c in pool if not unavailable[c]]
    if not usable:
        return None
    return min(usable, key=lambda c: (counts[c] == 0, not free[c], not margin[c], counts[c]))


def _line_safe(
    counts: NDArray[np.float64], hidden: NDArray[np.bool_], line: _Line, threshold: int
) -> bool:
    """Whether a line gives no hidden part away (the test of :func:`_line_rule`): with its
    total shown, none or at least two parts hidden holding ``threshold`` together; with its
    total hidden, a part hidden too."""
    off = hidden[line.parts]
    n_off = int(off.sum())
    if line.total >= 0 and hidden[line.total]:
        return bool(n_off) or not line.parts.size
    return n_off == 0 or (n_off >= 2 and bool(counts[line.parts[off]].sum() >= threshold))


def _members(line: _Line) -> list[int]:
    return [*line.parts.tolist(), *([line.total] if line.total >= 0 else [])]


# --- selecting from cleared tables ------------------------------------------------------------


def keep_rows(table: Cleared, rows: ArrayLike | pd.Series[bool]) -> Cleared:
    """The rows of a cleared table flagged in ``rows`` (a boolean Series is aligned on the
    index); showing fewer rows is always safe."""
    if isinstance(rows, pd.Series):
        mask = rows.reindex(table.index).fillna(False).to_numpy(dtype=bool)
    else:
        mask = np.asarray(rows, dtype=bool)
    return Cleared(table.loc[mask].copy())


def keep_columns(table: Cleared, columns: Sequence[str]) -> Cleared:
    """The ``columns`` of a cleared table, in that order, with a fresh index."""
    return Cleared(table[list(columns)].reset_index(drop=True))


def concat_cleared(tables: Sequence[Cleared]) -> Cleared:
    """Cleared tables stacked, with a fresh index."""
    if not tables:
        raise ValueError("no tables to stack")
    return Cleared(pd.concat(list(tables), ignore_index=True))


# --- response-level data (rule 4) ------------------------------------------------------------


def response_level_plan(
    counts: pd.DataFrame,
    *,
    threshold: int,
    not_given: str = "",
    with_aggregates: bool = True,
    hidden_schools: Collection[object] = (),
    others: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Decide what each school × key stage × gender cell of response-level data releases.

    Rule 4 of the module docstring, applied school by school:

    1. a school with fewer than ``threshold`` responses: nothing released;
    2. a cell (key stage *s*, gender *g*) with n < threshold: gender → ``not_given``;
    3. a key stage whose ``not_given``-gender cell (after step 2) has n < threshold: key
       stage → ``not_given`` for those pupils;
    4. the school's (``not_given``, ``not_given``) cell, if it then has 0 < n < threshold: its
       pupils are withheld.

    Every released (school, key stage, gender) combination then describes at least
    ``threshold`` pupils (k-anonymity, Sweeney 2002; recoding as Hundepool et al. 2012, ch. 3).

    Parameters
    ----------
    counts
        One row per (``school``, ``key_stage``, ``gender``) with the number of pupils ``n``;
        ``not_given`` marks a demographic the pupil did not give.
    threshold
        The minimum number of pupils any released combination describes.
    not_given
        The value meaning "not given" in ``key_stage`` and ``gender``.
    with_aggregates
        Plan the release with the published aggregates of the same pupils (rule 10, the
        default): the plan above is then coarsened and cut until no published school, key
        stage, gender or wave total less the released pupils describes 1 to
        ``threshold`` − 1 pupils. False: rule 4 alone.
    hidden_schools
        Schools the published aggregates hide (rule 10 releases none of their pupils);
        schools rules 1–2 hide on the response counts are added to them.
    others
        Counts (same columns) of the pupils the aggregates include but ``counts`` does not
        (e.g. the schools that did not opt in to research), for the wave's totals.

    Returns
    -------
    pandas.DataFrame
        The input rows with ``released_key_stage``, ``released_gender`` (the values to write
        for those pupils) and ``released`` (False: leave the pupils out).
    """
    threshold = check_threshold(threshold)
    if with_aggregates:  # rule 10 (H-privacy): planned with the published aggregates
        return _joint_release(
            counts,
            threshold=threshold,
            not_given=not_given,
            hidden_schools=hidden_schools,
            others=others,
        )
    needed = ["school", "key_stage", "gender", "n"]
    missing = [c for c in needed if c not in counts.columns]
    if missing:
        raise ValueError(f"the counts need the columns {needed}; missing {missing}")
    plan = counts[needed].copy()
    for col in ("key_stage", "gender"):
        plan[col] = plan[col].fillna(not_given)
    if plan.duplicated(["school", "key_stage", "gender"]).any():
        raise ValueError("the counts have more than one row for a school, key stage and gender")
    n = pd.to_numeric(plan["n"], errors="coerce").fillna(0).astype("int64")
    plan["n"] = n
    school_total = n.groupby(plan["school"]).transform("sum")
    gender = plan["gender"].where(n >= threshold, not_given)
    merged = n.groupby([plan["school"], plan["key_stage"], gender]).transform("sum")
    key_stage = plan["key_stage"].where((gender != not_given) | (merged >= threshold), not_given)
    final = n.groupby([plan["school"], key_stage, gender]).transform("sum")
    plan["released_key_stage"] = key_stage
    plan["released_gender"] = gender
    plan["released"] = (school_total >= threshold) & (final >= threshold)
    return plan.reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Rule 9: publications over time (H-privacy)
# ---------------------------------------------------------------------------------------

_CELL = ["school", "key_stage", "gender"]
_PARTS = ("old", "new", "both")


def _cell_counts(frame: pd.DataFrame, what: str, not_given: str) -> pd.DataFrame:
    """Counts per school × key stage × gender, one row per non-empty cell."""
    needed = [*_CELL, "n"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"the {what} counts need the columns {needed}; missing {missing}")
    out = frame[needed].copy()
    for col in ("key_stage", "gender"):
        out[col] = out[col].fillna(not_given)
    out["n"] = pd.to_numeric(out["n"], errors="coerce").fillna(0).astype("int64")
    out = out.groupby(_CELL, sort=True, dropna=False)["n"].sum().reset_index()
    return out[out["n"] > 0].reset_index(drop=True)


def _in_row_space(rows: NDArray[np.float64], vectors: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Whether each vector is a linear combination of ``rows`` (exact for 0/1 rows of this
    size: the residual of an orthogonal projection is either 0 to rounding or at least 1/√a)."""
    if len(vectors) == 0:
        return np.zeros(0, dtype=bool)
    if len(rows) == 0:
        return ~vectors.any(axis=1)
    _, s, vt = np.linalg.svd(rows, full_matrices=False)
    basis = vt[: int((s > 1e-9 * max(1.0, float(s[0]))).sum())]
    residual = vectors - (vectors @ basis.T) @ basis
    return np.asarray(np.abs(residual).max(axis=1) < 1e-7)


def _visible_parts(
    labels: NDArray[np.object_], n: NDArray[np.int64], threshold: int
) -> list[NDArray[np.bool_]]:
    """The groups of a partition that rules 1 and 2 leave visible, as masks over ``labels``.

    A value nobody has is no row at all, as in the published tables."""
    values = [v for v in dict.fromkeys(labels.tolist()) if n[labels == v].sum() > 0]
    sums = np.array([n[labels == v].sum() for v in values], dtype=np.float64)
    hidden = _complement(sums, sums < threshold, threshold)
    return [labels == v for v, h in zip(values, hidden, strict=True) if not h]


def _school_rows(
    ks: NDArray[np.object_], gender: NDArray[np.object_], n: NDArray[np.int64], threshold: int
) -> list[NDArray[np.bool_]]:
    """What a school's pages publish about its cells (as masks over them): its key stage
    and gender groups that rules 1 and 2 leave visible (none below the threshold in all),
    and its total, taken as known even when hidden: where the wave's total less the visible
    schools gives it away, a batch must not build on that."""
    everyone = np.ones(len(n), dtype=bool)
    if not is_publishable(float(n.sum()), threshold):
        return [everyone]
    return [
        everyone,
        *_visible_parts(ks, n, threshold),
        *_visible_parts(gender, n, threshold),
    ]


def _over_time(
    rows_before: list[NDArray[np.bool_]],
    rows_after: list[NDArray[np.bool_]],
    units: list[NDArray[np.bool_]],
    before: NDArray[np.int64],
    batch: NDArray[np.int64],
    threshold: int,
) -> set[int]:
    """The units (masks over cells) of which a part of 1 to threshold − 1 pupils — the part
    published before, the part in the batch, or both — can be recovered from two
    publications in a row but from neither alone (what one table gives away is rules 1–2's
    concern, not this one's; a part found by differencing two such tables is this one's).

    The atoms are the non-empty (cell, before) and (cell, batch) pairs; a figure of the
    first publication covers its cells' before-atoms, one of the second its cells' both."""
    both = _recoverable(rows_before, rows_after, units, before, batch, threshold)
    for alone in (
        _recoverable(rows_before, [], units, before, batch, threshold),
        _recoverable([], rows_after, units, before, batch, threshold),
    ):
        for atoms in alone:
            both.pop(atoms, None)
    return set().union(*both.values()) if both else set()


def _recoverable(
    rows_before: list[NDArray[np.bool_]],
    rows_after: list[NDArray[np.bool_]],
    units: list[NDArray[np.bool_]],
    before: NDArray[np.int64],
    batch: NDArray[np.int64],
    threshold: int,
) -> dict[frozenset[int], set[int]]:
    """The recoverable small parts of ``units``, as their atoms, each with its units."""
    on_before, on_batch = before > 0, batch > 0

    def vector(mask: NDArray[np.bool_], old: bool, new: bool) -> NDArray[np.float64]:
        return np.concatenate([(mask & old)[on_before], (mask & new)[on_batch]]).astype(float)

    published = [vector(r, True, False) for r in rows_before]
    published += [vector(r, True, True) for r in rows_after]
    width = int(on_before.sum() + on_batch.sum())
    matrix = np.array(published, dtype=float).reshape(len(published), width)
    candidates, owners = [], []
    for k, unit in enumerate(units):
        for old, new in ((True, False), (False, True), (True, True)):
            size = int(before[unit].sum()) * old + int(batch[unit].sum()) * new
            if size and not is_publishable(size, threshold):
                candidates.append(vector(unit, old, new))
                owners.append(k)
    found: dict[frozenset[int], set[int]] = {}
    if not candidates:
        return found
    stacked = np.array(candidates, dtype=float)
    for j in np.flatnonzero(_in_row_space(matrix, stacked)):
        found.setdefault(frozenset(np.flatnonzero(stacked[j]).tolist()), set()).add(owners[j])
    return found


def _unions(labels: NDArray[np.object_], most: int = 6) -> list[NDArray[np.bool_]]:
    """Every union of the values of ``labels`` (singletons and complements beyond ``most``)."""
    values = list(dict.fromkeys(labels.tolist()))
    if len(values) > most:
        return [labels == v for v in values] + [labels != v for v in values]
    out = []
    for size in range(1, len(values) + 1):
        for group in itertools.combinations(values, size):
            out.append(np.isin(labels, group))
    return out


def _margins_ok(
    ks: NDArray[np.object_],
    gender: NDArray[np.object_],
    batch: NDArray[np.int64],
    threshold: int,
) -> NDArray[np.bool_]:
    """The cells of a school's batch to keep so that the batch adds 0 or at least
    ``threshold`` pupils to the school and to each of its key stages and genders: the
    smallest offending group's cells are held back until none offends."""
    take = batch > 0
    while take.any():
        if not is_publishable(float(batch[take].sum()), threshold):
            return np.zeros(len(batch), dtype=bool)
        offenders = []
        for labels in (ks, gender):
            for value in dict.fromkeys(labels[take].tolist()):
                size = int(batch[take & (labels == value)].sum())
                if not is_publishable(size, threshold):
                    offenders.append((size, labels == value))
        if not offenders:
            return take
        _, cells = min(offenders, key=lambda o: o[0])
        take &= ~cells
    return take


def _school_batch(
    ks: NDArray[np.object_],
    gender: NDArray[np.object_],
    before: NDArray[np.int64],
    pending: NDArray[np.int64],
    threshold: int,
) -> NDArray[np.bool_]:
    """The pending cells of one school that may join the next publication."""
    units = [*_unions(ks), *_unions(gender), *[np.arange(len(ks)) == k for k in range(len(ks))]]
    take = pending > 0
    while True:
        take = _margins_ok(ks, gender, np.where(take, pending, 0), threshold)
        if not take.any():
            return take
        batch = np.where(take, pending, 0)
        leaks = _over_time(
            _school_rows(ks, gender, before, threshold),
            _school_rows(ks, gender, before + batch, threshold),
            units,
            before,
            batch,
            threshold,
        )
        if not leaks:
            return take
        # Hold back the smallest cell taken and try again: the batch only shrinks.
        taken = np.flatnonzero(take)
        take[taken[np.argmin(pending[taken])]] = False


def _audiences(
    totals: NDArray[np.int64], trusts: NDArray[np.object_], threshold: int
) -> list[list[NDArray[np.bool_]]]:
    """What each audience of the pages about groups of schools sees (as masks over the
    schools): researchers and every leader the wave's total (the benchmark) and its school
    totals that rules 1 and 2 leave visible; a trust's leaders also the trust's total and its
    schools' totals visible beside it."""
    everyone = np.ones(len(totals), dtype=bool)
    groups = [everyone] + [trusts == t for t in dict.fromkeys(trusts.tolist()) if t is not None]
    seen = []
    for group in groups:
        rows: list[NDArray[np.bool_]] = []
        for part_of in [everyone] if group is everyone else [everyone, group]:
            if not is_publishable(float(totals[part_of].sum()), threshold):
                continue
            rows.append(part_of)
            index = np.flatnonzero(part_of)
            for part in _visible_parts(index.astype(object), totals[part_of], threshold):
                rows.append(np.isin(np.arange(len(totals)), index[part]))
        seen.append(rows)
    return seen


def publication_plan(
    published: pd.DataFrame,
    pending: pd.DataFrame,
    *,
    threshold: int,
    trusts: Mapping[object, object] | None = None,
    not_given: str = "",
) -> pd.DataFrame:
    """Decide which pending responses join the next publication of a wave's figures (rule 9).

    Figures are recomputed only at publications, and a publication adds, per school, a
    batch of pending responses such that

    1. the batch adds 0 or at least ``threshold`` pupils to the school's total and to each
       of its key stages and genders, hidden or not, so every union of them (a trust, the
       wave, the wave's key stages and genders, "the rest of the wave") also changes by 0 or
       at least ``threshold``: the difference of two publications describes no small group;
    2. no group of 1 to ``threshold`` − 1 pupils of the school — a key stage, a gender, a
       union of them or one key stage × gender cell, taking only its part published before,
       only its part in the batch, or both — becomes recoverable from the figures the two
       publications show (checked exactly: the group's indicator over the atoms cell ×
       {before, batch} is not in the row space of the published figures' indicators). This
       catches what rule 1 cannot: a key stage hidden beside a small one (rule 2) that
       becomes visible unchanged would give away the small one's earlier count;
    3. the same holds for the schools as parts of the wave and of their trusts (a school
       hidden beside a small one that becomes visible unchanged);
    4. and, checked once more on the whole batch, for all the pages together: a school's
       own page beside the wave's and the other schools' totals (a school hidden before
       that shows its total after, while the wave less the visible schools gives its batch).

    Responses that would break a condition wait for a later publication, when more have
    arrived: the smallest offending cells are held back first, so a school's figures
    change as soon as a safe batch has formed. The first publication of a wave (nothing
    published yet) takes every pending response: it is a single table, which rules 1–2
    protect.

    Parameters
    ----------
    published, pending
        One row per (``school``, ``key_stage``, ``gender``) with the number of pupils ``n``
        already published, and pending (arrived since) respectively.
    threshold
        The pupil threshold of rule 1.
    trusts
        The trust of each school (schools missing or mapped to None stand alone).
    not_given
        The value meaning "not given" in ``key_stage`` and ``gender``.

    Returns
    -------
    pandas.DataFrame
        The non-empty pending cells with a boolean ``publish``: True for those whose
        responses join the next publication.

    Notes
    -----
    The model of what is published counts responses. A pupil who skipped a dimension's
    items is in the batch's response count but not in the dimension's n, so a dimension's n
    can change by fewer than ``threshold`` when some of the batch skipped it (the batch's
    mean then covers a few fewer pupils than the threshold); the instrument's routing makes
    this rare, and the batch as a whole still holds ``threshold`` responses.
    """
    threshold = check_threshold(threshold)
    before = _cell_counts(published, "published", not_given)
    plan = _cell_counts(pending, "pending", not_given)
    plan["publish"] = not before["n"].sum()
    if plan.empty or not before["n"].sum():
        return plan
    cells = pd.concat([before[_CELL], plan[_CELL]]).drop_duplicates().reset_index(drop=True)
    cells = cells.merge(before, on=_CELL, how="left").rename(columns={"n": "before"})
    cells = cells.merge(plan[[*_CELL, "n"]], on=_CELL, how="left").fillna({"before": 0, "n": 0})
    old = cells["before"].to_numpy(dtype=np.int64)
    new = cells["n"].to_numpy(dtype=np.int64)
    by_school = {
        s: np.asarray(rows, dtype=np.intp)
        for s, rows in cells.groupby("school", sort=False).indices.items()
    }
    ks = cells["key_stage"].to_numpy(object)
    gender = cells["gender"].to_numpy(object)
    allowed = new > 0
    while True:
        pending_now = np.where(allowed, new, 0)
        take = np.zeros(len(cells), dtype=bool)
        for rows in by_school.values():
            take[rows] = _school_batch(
                ks[rows], gender[rows], old[rows], pending_now[rows], threshold
            )
        take = _across_schools(cells, old, pending_now, take, by_school, trusts or {}, threshold)
        # Conditions 2 and 3 are checked school by school and school totals by school
        # totals; the whole batch is then audited once more against everything the pages
        # show together (a school's own total beside the wave's and the other schools').
        batch = np.where(take, new, 0)
        held = _whole_batch_hold(ks, gender, old, batch, by_school, trusts or {}, threshold)
        if held is None:
            break
        allowed[held] = False
    keyed = cells.assign(publish=take)[[*_CELL, "publish"]]
    return plan.drop(columns="publish").merge(keyed, on=_CELL, how="left")


def _across_schools(
    cells: pd.DataFrame,
    old: NDArray[np.int64],
    new: NDArray[np.int64],
    take: NDArray[np.bool_],
    by_school: Mapping[object, NDArray[np.intp]],
    trusts: Mapping[object, object],
    threshold: int,
) -> NDArray[np.bool_]:
    """Condition 3 of :func:`publication_plan`: hold back whole schools' batches (smallest
    first) until no school's part before or in the batch is recoverable from the totals of
    the wave, its trusts and its schools."""
    take = take.copy()
    schools = list(by_school)
    of = np.array([trusts.get(s) for s in schools], dtype=object)
    before = np.array([old[by_school[s]].sum() for s in schools], dtype=np.int64)
    units = [np.arange(len(schools)) == k for k in range(len(schools))]
    while True:
        batch = np.array(
            [new[by_school[s]][take[by_school[s]]].sum() for s in schools], dtype=np.int64
        )
        leaks: set[int] = set()
        for rows_before, rows_after in zip(
            _audiences(before, of, threshold),
            _audiences(before + batch, of, threshold),
            strict=True,
        ):
            leaks |= _over_time(rows_before, rows_after, units, before, batch, threshold)
        if not leaks:
            return take
        holding = [k for k in leaks if batch[k] > 0] or [int(k) for k in np.flatnonzero(batch)]
        if not holding:
            return take
        k = min(holding, key=lambda j: batch[j])
        take[by_school[schools[k]]] = False


def _wave_rows(
    ks: NDArray[np.object_],
    gender: NDArray[np.object_],
    n: NDArray[np.int64],
    by_school: Mapping[object, NDArray[np.intp]],
    trusts: Mapping[object, object],
    threshold: int,
) -> list[NDArray[np.bool_]]:
    """Everything a publication's pages show about the wave's cells (as masks over them),
    to all audiences together: the totals of the wave, its trusts and the schools visible
    beside them (:func:`_audiences`), and each school's own page — its total when at least
    ``threshold``, with its key stages and genders that rules 1 and 2 leave visible."""
    schools = list(by_school)
    of = np.array([trusts.get(s) for s in schools], dtype=object)
    totals = np.array([n[by_school[s]].sum() for s in schools], dtype=np.int64)
    owner = np.empty(len(n), dtype=np.intp)
    for k, s in enumerate(schools):
        owner[by_school[s]] = k
    rows = [part[owner] for seen in _audiences(totals, of, threshold) for part in seen]
    for s in schools:
        index = by_school[s]
        if not is_publishable(float(n[index].sum()), threshold):
            continue
        mine = np.ones(len(index), dtype=bool)
        for part in (
            mine,
            *_visible_parts(ks[index], n[index], threshold),
            *_visible_parts(gender[index], n[index], threshold),
        ):
            mask = np.zeros(len(n), dtype=bool)
            mask[index[part]] = True
            rows.append(mask)
    return rows


def _whole_batch_hold(
    ks: NDArray[np.object_],
    gender: NDArray[np.object_],
    before: NDArray[np.int64],
    batch: NDArray[np.int64],
    by_school: Mapping[object, NDArray[np.intp]],
    trusts: Mapping[object, object],
    threshold: int,
) -> int | None:
    """The final audit of :func:`publication_plan`: None when no small group of a school
    (a union of its key stages or of its genders, or a cell; before, in the batch or both)
    is newly recoverable from the two publications' pages together (:func:`_wave_rows`),
    else the batch cell to hold back — the smallest taken one of a school with a leak (of
    any school when those take none)."""
    if not batch.any():
        return None
    units: list[NDArray[np.bool_]] = []
    owners: list[object] = []
    for s, index in by_school.items():
        for part in (
            *_unions(ks[index]),
            *_unions(gender[index]),
            *[np.arange(len(index)) == k for k in range(len(index))],
        ):
            mask = np.zeros(len(batch), dtype=bool)
            mask[index[part]] = True
            units.append(mask)
            owners.append(s)
    leaks = _over_time(
        _wave_rows(ks, gender, before, by_school, trusts, threshold),
        _wave_rows(ks, gender, before + batch, by_school, trusts, threshold),
        units,
        before,
        batch,
        threshold,
    )
    if not leaks:
        return None
    taken = np.flatnonzero(batch > 0)
    leaking = np.concatenate([by_school[owners[k]] for k in sorted(leaks)])
    pool = np.intersect1d(taken, leaking)
    pool = pool if len(pool) else taken
    return int(pool[np.argmin(batch[pool])])


# ---------------------------------------------------------------------------------------
# Rule 10: response-level data planned with the aggregates (H-privacy)
# ---------------------------------------------------------------------------------------


def _objects(values: Collection[object]) -> NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _unreleased_small(
    labels: NDArray[np.object_],
    n: NDArray[np.int64],
    kept: NDArray[np.bool_],
    threshold: int,
) -> list[list[object]]:
    """The published units of a partition (its visible groups, and its hidden groups
    together) whose pupils not released under their own label number 1 to threshold − 1:
    the aggregate minus the released rows would describe them. ``kept``: released with the
    pupil's own value of ``labels``."""
    values = [v for v in dict.fromkeys(labels.tolist()) if n[labels == v].sum() > 0]
    sums = np.array([n[labels == v].sum() for v in values], dtype=np.float64)
    units = _published_units(values, sums, threshold)
    bad = []
    for unit in units:
        inside = np.isin(labels, _objects(unit))
        left = int(n[inside].sum() - n[inside & kept].sum())
        if left and not is_publishable(left, threshold):
            bad.append(unit)
    return bad


def _published_units(
    values: list[object], sums: NDArray[np.float64], threshold: int
) -> list[list[object]]:
    """The groups of a partition that some published figure may describe: every value of
    at least ``threshold`` pupils on its own, even one a table hides beside a small one
    (rule 2's complement need not hold in every publication, so treat it as visible), and
    the hidden values together."""
    hidden = _complement(sums, sums < threshold, threshold)
    units = [[v] for v, s in zip(values, sums, strict=True) if s >= threshold]
    if hidden.any():
        union = [v for v, h in zip(values, hidden, strict=True) if h]
        if union not in units:
            units.append(union)
    return units


def _joint_release(
    counts: pd.DataFrame,
    *,
    threshold: int,
    not_given: str,
    hidden_schools: Collection[object],
    others: pd.DataFrame | None,
) -> pd.DataFrame:
    """Rule 10: rule 4's plan, coarsened and cut until nothing the aggregates publish,
    less what the plan releases, leaves a group of 1 to ``threshold`` − 1 pupils."""
    base = response_level_plan(
        counts, threshold=threshold, not_given=not_given, with_aggregates=False
    )
    rest = (
        _cell_counts(others, "other", not_given)
        if others is not None
        else pd.DataFrame(columns=[*_CELL, "n"])
    )
    school = base["school"].to_numpy(object)
    ks = base["key_stage"].to_numpy(object)
    gender = base["gender"].to_numpy(object)
    n = base["n"].to_numpy(np.int64)
    everyone = pd.concat([base[[*_CELL, "n"]], rest], ignore_index=True)
    out_schools = _schools_hidden(everyone, threshold) | set(hidden_schools)
    coarse_ks: set[object] = set()  # schools whose key stage is released as not given
    coarse_gender: set[object] = set()
    coarse_ks_values: set[object] = set()  # key stages released as not given everywhere
    coarse_gender_values: set[object] = set()
    cut: set[tuple[object, object, object]] = set()  # released groups withheld
    while True:
        ks_in = _recode(school, ks, coarse_ks, coarse_ks_values, not_given)
        gender_in = _recode(school, gender, coarse_gender, coarse_gender_values, not_given)
        released_ks, released_gender, released = _release_step(
            school, ks_in, gender_in, n, threshold, not_given, out_schools, cut
        )
        changed = _school_differences(
            school,
            ks,
            gender,
            n,
            released,
            released_ks,
            released_gender,
            threshold,
            (coarse_ks, coarse_gender, out_schools, cut),
        )
        if not changed:
            changed = _wave_differences(
                everyone,
                ks,
                gender,
                n,
                released,
                released_ks,
                released_gender,
                school,
                threshold,
                coarse_ks_values,
                coarse_gender_values,
                out_schools,
            )
        if not changed:
            break
    result = base.copy()
    result["released_key_stage"] = released_ks
    result["released_gender"] = released_gender
    result["released"] = released
    return result


def _schools_hidden(everyone: pd.DataFrame, threshold: int) -> set[object]:
    """The schools the aggregates hide (rules 1–2 on the school totals of ``everyone``)."""
    # The aggregates hide a school of fewer than the threshold and, beside it, others
    # (rule 2): those are not released at all, or the release would undo the hiding.
    totals = everyone.groupby("school", sort=True)["n"].sum()
    hidden = _complement(totals.to_numpy(float), totals.to_numpy(float) < threshold, threshold)
    return set(totals.index[hidden])


def _recode(
    school: NDArray[np.object_],
    values: NDArray[np.object_],
    coarse_schools: set[object],
    coarse_values: set[object],
    not_given: str,
) -> NDArray[np.object_]:
    """``values`` with not given in the coarsened schools and for the coarsened values."""
    return np.where(
        np.isin(school, _objects(coarse_schools)) | np.isin(values, _objects(coarse_values)),
        not_given,
        values,
    )


def _release_step(
    school: NDArray[np.object_],
    ks_in: NDArray[np.object_],
    gender_in: NDArray[np.object_],
    n: NDArray[np.int64],
    threshold: int,
    not_given: str,
    out_schools: set[object],
    cut: set[tuple[object, object, object]],
) -> tuple[NDArray[np.object_], NDArray[np.object_], NDArray[np.bool_]]:
    """Rule 4 on the recoded rows, less the schools left out and the groups withheld."""
    frame = pd.DataFrame({"school": school, "key_stage": ks_in, "gender": gender_in, "n": n})
    merged = frame.groupby(_CELL, sort=False)["n"].sum().reset_index()
    step = response_level_plan(
        merged, threshold=threshold, not_given=not_given, with_aggregates=False
    )
    plan = frame.merge(step.drop(columns="n"), on=_CELL, how="left")
    released_ks = plan["released_key_stage"].to_numpy(object)
    released_gender = plan["released_gender"].to_numpy(object)
    groups = list(zip(school, released_ks, released_gender, strict=True))
    released = plan["released"].to_numpy(bool).copy()
    released &= ~np.isin(school, _objects(out_schools))
    released &= np.array([g not in cut for g in groups], dtype=bool)
    return released_ks, released_gender, released


def _school_differences(
    school: NDArray[np.object_],
    ks: NDArray[np.object_],
    gender: NDArray[np.object_],
    n: NDArray[np.int64],
    released: NDArray[np.bool_],
    released_ks: NDArray[np.object_],
    released_gender: NDArray[np.object_],
    threshold: int,
    state: tuple[set[object], set[object], set[object], set[tuple[object, object, object]]],
) -> bool:
    """Rule 10 school by school: recode a school's key stage or gender, leave it out, or
    withhold more of it, where its published figures less its released rows would leave 1
    to threshold − 1 pupils. True when something changed."""
    coarse_ks, coarse_gender, out_schools, cut = state
    groups = list(zip(school, released_ks, released_gender, strict=True))
    changed = False
    for s in dict.fromkeys(school[released].tolist()):
        mine = school == s
        bad_ks = _unreleased_small(
            ks[mine], n[mine], (released & (released_ks == ks))[mine], threshold
        )
        if bad_ks and s not in coarse_ks:
            coarse_ks.add(s)
            changed = True
            continue
        bad_gender = _unreleased_small(
            gender[mine], n[mine], (released & (released_gender == gender))[mine], threshold
        )
        if bad_gender and s not in coarse_gender:
            coarse_gender.add(s)
            changed = True
            continue
        if bad_ks or bad_gender:  # recoding could not help: leave the school out
            out_schools.add(s)
            changed = True
            continue
        left = int(n[mine].sum() - n[mine & released].sum())
        if left and not is_publishable(left, threshold):
            # Withhold more, the smallest released group first: it costs the least.
            sizes: dict[tuple[object, object, object], int] = {}
            for k in np.flatnonzero(mine & released):
                sizes[groups[k]] = sizes.get(groups[k], 0) + int(n[k])
            cut.add(min(sizes, key=lambda g: (sizes[g], str(g))))
            changed = True
    return changed


def _wave_differences(
    everyone: pd.DataFrame,
    ks: NDArray[np.object_],
    gender: NDArray[np.object_],
    n: NDArray[np.int64],
    released: NDArray[np.bool_],
    released_ks: NDArray[np.object_],
    released_gender: NDArray[np.object_],
    school: NDArray[np.object_],
    threshold: int,
    coarse_ks_values: set[object],
    coarse_gender_values: set[object],
    out_schools: set[object],
) -> bool:
    """The wave's key stages, genders and total (which count the schools not released too)
    less the released rows: recode a key stage or gender everywhere, or leave out the
    smallest released school, when that would leave 1 to threshold − 1 pupils. True when
    something changed."""
    labels_all = {
        "key_stage": everyone["key_stage"].to_numpy(object),
        "gender": everyone["gender"].to_numpy(object),
    }
    n_all = everyone["n"].to_numpy(np.int64)
    for name, labels, out, coarse in (
        ("key_stage", ks, released_ks, coarse_ks_values),
        ("gender", gender, released_gender, coarse_gender_values),
    ):
        kept = {}
        for value in dict.fromkeys(labels.tolist()):
            kept[value] = int(n[released & (out == labels) & (labels == value)].sum())
        values = list(dict.fromkeys(labels_all[name].tolist()))
        sums = np.array([n_all[labels_all[name] == v].sum() for v in values], dtype=float)
        units = _published_units(values, sums, threshold)
        for unit in units:
            left = int(sum(sums[values.index(v)] for v in unit)) - sum(kept.get(v, 0) for v in unit)
            if left and not is_publishable(left, threshold):
                if not set(unit) <= coarse:
                    coarse.update(unit)
                    return True
                return _leave_out_smallest(school, n, released, out_schools)
    left = int(n_all.sum() - n[released].sum())
    if left and not is_publishable(left, threshold):
        return _leave_out_smallest(school, n, released, out_schools)
    return False


def _leave_out_smallest(
    school: NDArray[np.object_],
    n: NDArray[np.int64],
    released: NDArray[np.bool_],
    out_schools: set[object],
) -> bool:
    """Leave out the released school with the fewest released pupils; False if none is."""
    sizes: dict[object, int] = {}
    for k in np.flatnonzero(released):
        sizes[school[k]] = sizes.get(school[k], 0) + int(n[k])
    if not sizes:
        return False
    out_schools.add(min(sizes, key=lambda s: (sizes[s], str(s))))
    return True
