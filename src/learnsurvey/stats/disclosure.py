"""Small-group suppression: the one place the disclosure rules live.

Every table that leaves the system (files, pages, reports, exports, the API) passes through
:func:`suppress`. The rules:

1. **Primary suppression.** A row describing fewer than ``threshold`` pupils (default 10) has
   its count and every figure blanked and ``suppressed`` set.
2. **Complementary suppression.** Rows that partition a published total (the schools of a
   wave, the key stages of a school, ...) are checked together: if the hidden rows could be
   recovered by subtraction from the total — exactly one row hidden, or the hidden rows
   together describing fewer than ``threshold`` pupils — the smallest visible rows are hidden
   too until neither holds.
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

Reference: Office for National Statistics (2021), *Policy on protecting confidentiality in
tables of birth and death statistics*; Hundepool et al. (2012), *Statistical Disclosure
Control*, ch. 3 (microdata: global recoding, local suppression) and ch. 4 (threshold rule,
secondary suppression); Sweeney, L. (2002), k-anonymity: a model for protecting privacy,
*International Journal of Uncertainty, Fuzziness and Knowledge-Based Systems* 10(5), 557–570.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_THRESHOLD",
    "DisclosureError",
    "default_threshold",
    "require_publishable",
    "response_level_plan",
    "suppress",
    "suppress_pairs",
]

DEFAULT_THRESHOLD = 10
_ENV = "LEARNSURVEY_MIN_GROUP_SIZE"


class DisclosureError(ValueError):
    """Raised when nothing can be published without disclosing a small group."""


def default_threshold() -> int:
    """The threshold from ``LEARNSURVEY_MIN_GROUP_SIZE``, else 10."""
    raw = os.environ.get(_ENV)
    if raw is None:
        return DEFAULT_THRESHOLD
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{_ENV} must be a whole number, not {raw!r}") from None
    return check_threshold(value)


def check_threshold(threshold: int) -> int:
    if threshold < 2:
        raise ValueError(f"the minimum group size must be at least 2, not {threshold}")
    return threshold


def require_publishable(n: float, threshold: int, what: str) -> None:
    """Refuse to report on a whole data set smaller than the threshold."""
    if not n >= threshold:  # also refuses NaN: an unknown count is not a safe one
        count = f"{int(n)}" if n == n else "an unknown number of"
        raise DisclosureError(
            f"{what} describes {count} pupils; nothing is reported about fewer than {threshold}"
        )


def suppress(
    table: pd.DataFrame,
    *,
    threshold: int,
    count: str = "n",
    within: Sequence[str] = (),
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """Blank every figure about fewer than ``threshold`` pupils, with complementary suppression.

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

    Returns
    -------
    pandas.DataFrame
        A copy with a boolean ``suppressed`` column; hidden rows have NaN in every column
        except ``keep``, ``within`` and ``suppressed``.
    """
    threshold = check_threshold(threshold)
    if count not in table.columns:
        raise ValueError(f"no count column {count!r} in the table")
    out = table.copy()
    n = pd.to_numeric(out[count], errors="coerce").fillna(0).to_numpy(dtype=float)
    hidden = n < threshold
    keys = list(within)
    if keys:
        sets = [np.asarray(v) for v in out.groupby(keys, sort=False, dropna=False).indices.values()]
    else:
        sets = [np.arange(len(out))]
    for rows in sets:
        hidden[rows] = _complement(n[rows], hidden[rows], threshold)
    _blank(out, hidden, exclude=set(keep) | set(keys))
    return out


def _complement(n: np.ndarray, hidden: np.ndarray, threshold: int) -> np.ndarray:
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
) -> pd.DataFrame:
    """Hide comparisons involving a hidden group.

    ``hidden_groups`` holds the key tuples (in the order of ``group_a``/``group_b``) of the
    groups that :func:`suppress` hid.
    """
    out = pairs.copy()
    a = [tuple(r) for r in out[list(group_a)].itertuples(index=False)]
    b = [tuple(r) for r in out[list(group_b)].itertuples(index=False)]
    hidden = np.array([x in hidden_groups or y in hidden_groups for x, y in zip(a, b, strict=True)])
    _blank(out, hidden.astype(bool), exclude=set(keep) | set(group_a) | set(group_b))
    return out


def _blank(table: pd.DataFrame, hidden: np.ndarray, *, exclude: set[str]) -> None:
    """Blank the hidden rows in place, keeping each column's kind (counts stay integers)."""
    for col in table.columns:
        if col in exclude or col == "suppressed":
            continue
        series = table[col]
        if pd.api.types.is_bool_dtype(series):
            table[col] = series.astype("boolean")
        elif pd.api.types.is_integer_dtype(series):
            table[col] = series.astype("Int64")
        elif not pd.api.types.is_float_dtype(series):
            table[col] = series.astype(object)
        table.loc[hidden, col] = None
    table["suppressed"] = hidden


def response_level_plan(
    counts: pd.DataFrame, *, threshold: int, not_given: str = ""
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

    Returns
    -------
    pandas.DataFrame
        The input rows with ``released_key_stage``, ``released_gender`` (the values to write
        for those pupils) and ``released`` (False: leave the pupils out).
    """
    threshold = check_threshold(threshold)
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
