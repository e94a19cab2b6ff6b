"""Similar schools from context: a standardised distance between schools and the families of
schools built on it. Django-free.

The "similar schools" benchmark compares a school with schools whose intakes are like its
own, in the spirit of the Department for Education's *similar schools* (schools ranked by
how alike their pupils are) and of the families of schools of the London Challenge and the
Education Endowment Foundation (groups of schools with similar intakes, so that a school
can learn from those doing better with pupils like its own).

The distance
------------
Two schools can only be similar if they are of the same **phase**. Within a phase, each
school is described by four numbers: :math:`\\log(\\text{pupils on roll})` (size works in
proportions: 200 against 400 pupils is as far as 400 against 800), and the percentages of
pupils eligible for free school meals (``fsm_pct``), with English as an additional language
(``eal_pct``) and with special educational needs (``send_pct``). Each is standardised to a
z-score across the phase's schools that have a figure for it,

.. math:: z_{ik} = (x_{ik} - \\bar x_k) / s_k

(:math:`s_k` the sample standard deviation; a feature with no spread, or fewer than two
figures, gives every school :math:`z = 0`: it tells the schools apart in nothing), so that
one standard deviation of size counts as much as one of FSM. The distance between schools
*a* and *b* is

.. math::

    d(a, b) = \\sqrt{\\frac{K}{|S|} \\sum_{k \\in S} (z_{ak} - z_{bk})^2
        + \\rho^2 \\, \\delta_{ab}},

where :math:`S` is the set of features both schools have (all :math:`K = 4` of them for a
family; a partner suggestion may compare on fewer, scaled up to four so that distances on
fewer features are on the same scale), :math:`\\delta_{ab} = 0` when the two schools are in
the same known region and 1 otherwise (an unknown region is never taken to be the same),
and :math:`\\rho =` :data:`REGION_PENALTY` = 1: another region counts as much as one
standard deviation on one feature. It is the Euclidean distance of the standardised
features (as R's ``dist(scale(x))``), with a penalty for region. No pupil figure enters it:
the context is published data about schools.

Families: a partition
---------------------
:func:`school_families` puts every school in exactly **one** family, rather than giving
each school its own set of nearest neighbours. With overlapping neighbour sets, a reader
who sees two benchmarks — their own school's against its neighbours, and another's against
*its* neighbours, or the same school's benchmarks in two views — could subtract the two
sets' totals and recover the figures of the few schools in one set and not the other: a
complementary-suppression breach that no single table's disclosure check can see. With a
partition each benchmark is the family's total less the school's own pupils, exactly as
the phase × FSM quartile groups were, so the rules of
:func:`~learnsurvey.analysis.benchmarks.similar_benchmarks` still hold.

Within a phase with at least :math:`2F` schools with full context (phase and all four
features; :math:`F` = :data:`FAMILY_SIZE` = 20), families are built greedily: while at
least :math:`2F` schools are unassigned, the unassigned school farthest from the
unassigned schools' centroid (in the standardised features) seeds a family with its
:math:`F - 1` nearest unassigned schools by :math:`d`; the last :math:`F` to :math:`2F - 1`
schools form the last family. Schools far from the rest are thus grouped first, with the
schools nearest them, and every family has at least :math:`F` schools. Ties are broken by
the schools' keys, so the families are the same for the same context.

Otherwise — a phase with fewer schools with full context, or a school lacking a feature —
a school falls back to the phase × FSM quartile rule
(:func:`~learnsurvey.analysis.benchmarks.similar_schools`, quartiles across all the schools
given), and has no similar schools when its phase or FSM share is not known.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .benchmarks import similar_schools

__all__ = [
    "FAMILY_SIZE",
    "FEATURES",
    "REGION_PENALTY",
    "context_distance",
    "feature_gaps",
    "is_missing",
    "school_families",
    "standardise_context",
]

FAMILY_SIZE = 20
"""The fewest schools in a family (issue 11: "a family of at least 20 schools")."""

FEATURES = ("pupils", "fsm_pct", "eal_pct", "send_pct")
"""The numeric context features, standardised within the phase (``pupils`` on the log
scale)."""

REGION_PENALTY = 1.0
""":math:`\\rho`: what a different (or unknown) region adds, in standard deviations of one
feature."""

FloatArray = NDArray[np.float64]

_Z = tuple(f"z_{f}" for f in FEATURES)


def _feature_values(context: pd.DataFrame, feature: str) -> FloatArray:
    if feature not in context.columns:
        return np.full(len(context), np.nan)
    values = pd.to_numeric(context[feature], errors="coerce").to_numpy(dtype=float)
    values = np.where(np.isfinite(values), values, np.nan)
    if feature == "pupils":
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(values > 0, np.log(np.where(values > 0, values, 1.0)), np.nan)
    return values


def _zscores(values: FloatArray) -> FloatArray:
    known = np.isfinite(values)
    out = np.full(values.shape, np.nan)
    if not known.any():
        return out
    x = values[known]
    sd = float(np.std(x, ddof=1)) if x.size > 1 else 0.0
    out[known] = (x - x.mean()) / sd if sd > 0 else 0.0
    return out


def standardise_context(context: pd.DataFrame) -> pd.DataFrame:
    """Each school's context features as z-scores within its phase.

    ``context`` has a ``school`` and a ``phase`` column and any of :data:`FEATURES` and
    ``region`` (missing columns and values allowed). Returns one row per school of
    ``context``, in its order: ``school``, ``phase``, ``region`` (None when unknown) and
    ``z_pupils``, ``z_fsm_pct``, ``z_eal_pct``, ``z_send_pct`` — :math:`z = (x - \\bar x) /
    s` across the schools of the same phase with a figure (``pupils`` on the log scale; 0
    when the feature has no spread; NaN for a school with no figure or no phase).

    Raises
    ------
    ValueError
        If ``context`` has no ``school`` or ``phase`` column, or a school appears twice.
    """
    for column in ("school", "phase"):
        if column not in context.columns:
            raise ValueError(f"the school context needs a {column!r} column")
    keys = context["school"].astype(str)
    if keys.duplicated().any():
        raise ValueError(f"school {keys[keys.duplicated()].iloc[0]!r} appears twice")
    phase = context["phase"].where(context["phase"].notna(), None).to_numpy(dtype=object)
    region = (
        context["region"].where(context["region"].notna(), None).to_numpy(dtype=object)
        if "region" in context.columns
        else np.full(len(context), None, dtype=object)
    )
    out = pd.DataFrame(
        {"school": keys.to_numpy(dtype=object), "phase": phase, "region": region},
        index=range(len(context)),
    )
    known_phase = pd.notna(phase) & (phase != "")
    for feature, column in zip(FEATURES, _Z, strict=True):
        values = _feature_values(context, feature)
        z = np.full(len(context), np.nan)
        for ph in sorted({str(p) for p in phase[known_phase]}):
            rows = np.flatnonzero(known_phase & (phase == ph))
            z[rows] = _zscores(values[rows])
        out[column] = z
    return out


def _region_differs(a: object, b: pd.Series) -> FloatArray:
    if is_missing(a):
        return np.ones(len(b))
    same = b.to_numpy(dtype=object) == a
    return np.where(same & b.notna().to_numpy(), 0.0, 1.0)


def context_distance(a: pd.Series | Mapping[str, object], b: pd.DataFrame) -> FloatArray:
    """The distance :math:`d(a, b)` of the module's docstring from school ``a`` to each row
    of ``b``.

    ``a`` and ``b`` are rows of :func:`standardise_context` (the same call, so the
    z-scores share their phase's scale). With :math:`S` the features both have and
    :math:`K = 4`,

    .. math::

        d = \\sqrt{\\tfrac{K}{|S|} \\sum_{k \\in S} (z_{ak} - z_{bk})^2
            + \\rho^2 \\, [\\text{regions differ or are unknown}]},

    :math:`\\rho` = :data:`REGION_PENALTY`; NaN where the two share no feature. The phase is
    not looked at: only schools of one phase are compared (the caller chooses them).

    References
    ----------
    Department for Education (2024). *Compare school and college performance: similar
    schools* (guidance).
    Education Endowment Foundation (2013). *Families of Schools* database: technical notes.
    Ainscow, M. et al. (2012). *Developing Equitable Education Systems*, ch. 4 (the London
    Challenge's families of schools). Routledge.

    Checked against R 4.x ``dist(scale(x))`` with the region penalty added
    (tests/golden/families.R).
    """
    za = np.array([_number(a.get(c)) for c in _Z], dtype=float)
    zb = b[list(_Z)].to_numpy(dtype=float)
    diff = zb - za[None, :]
    shared = np.isfinite(diff)
    k = shared.sum(axis=1)
    squares = np.where(shared, diff, 0.0) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        numeric = np.where(k > 0, len(_Z) / k * squares.sum(axis=1), np.nan)
    region = _region_differs(a.get("region"), b["region"])
    out: FloatArray = np.sqrt(numeric + REGION_PENALTY**2 * region)
    return out


def feature_gaps(a: pd.Series | Mapping[str, object], b: pd.Series) -> dict[str, float]:
    """How far apart schools ``a`` and ``b`` (rows of :func:`standardise_context`) are on
    each feature they both have: :math:`|z_{ak} - z_{bk}|` for :data:`FEATURES`, and for
    ``region`` 0 when both are in the same known region (left out otherwise)."""
    gaps: dict[str, float] = {}
    for feature, column in zip(FEATURES, _Z, strict=True):
        gap = abs(_number(a.get(column)) - _number(b.get(column)))
        if np.isfinite(gap):
            gaps[feature] = float(gap)
    region = a.get("region")
    if not is_missing(region) and b.get("region") == region:
        gaps["region"] = 0.0
    return gaps


def is_missing(value: object) -> bool:
    """Whether a context value is missing: None, ``pd.NA``, ``pd.NaT`` or NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _number(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return out


def _nearest(
    seed: int, pool: NDArray[np.intp], table: pd.DataFrame, keys: NDArray[np.object_], size: int
) -> NDArray[np.intp]:
    """``seed`` and its ``size - 1`` nearest schools of ``pool`` (ties by key)."""
    rest = pool[pool != seed]
    d = context_distance(table.iloc[seed], table.iloc[rest])
    order = np.lexsort((keys[rest].astype(str), d))
    return np.concatenate([[seed], rest[order[: size - 1]]]).astype(np.intp)


def _greedy_families(table: pd.DataFrame, family_size: int) -> list[NDArray[np.intp]]:
    """The families of one phase's schools with full context (positions in ``table``)."""
    keys = table["school"].to_numpy(dtype=object)
    z = table[list(_Z)].to_numpy(dtype=float)
    pool = np.argsort(keys.astype(str), kind="stable").astype(np.intp)
    families = []
    while len(pool) >= 2 * family_size:
        centre = z[pool].mean(axis=0)
        spread = np.sqrt(((z[pool] - centre) ** 2).sum(axis=1))
        seed = int(pool[int(np.argmax(spread))])  # the first of equals, in key order
        family = _nearest(seed, pool, table, keys, family_size)
        families.append(family)
        pool = pool[~np.isin(pool, family)]
    families.append(pool)
    return families


def school_families(context: pd.DataFrame, *, family_size: int = FAMILY_SIZE) -> pd.DataFrame:
    """Every school's family of similar schools: a partition of the schools of ``context``.

    ``context`` has columns ``school``, ``phase`` and ``fsm_pct``, and optionally
    ``pupils``, ``eal_pct``, ``send_pct`` and ``region`` (missing columns and values
    allowed; usually the wave's schools of
    :attr:`~learnsurvey.analysis.inputs.ReportInputs.schools`). See the module's docstring
    for the distance, why the families are a partition, how they are built and the
    fallback.

    Returns
    -------
    pandas.DataFrame
        One row per school, in key order: ``school``; ``family`` — the family's id, e.g.
        ``"primary|f3"`` for a family of near neighbours or ``"primary|2"`` for the
        fallback (phase × FSM quartile 2), None when even that is unknown; ``method`` —
        ``"family"``, ``"phase_fsm"`` or None; and, for the presenters, ``phase``,
        ``fsm_quartile`` (the fallback's quartile, ``<NA>`` for a family) and ``n_family``
        (the schools of ``context`` in the school's family or group, the school included;
        ``<NA>`` without one).

    Raises
    ------
    ValueError
        If ``family_size`` is below 2, a column ``school``, ``phase`` or ``fsm_pct`` is
        missing, or a school appears twice.
    """
    if family_size < 2:
        raise ValueError(f"a family needs at least 2 schools, not {family_size}")
    if "fsm_pct" not in context.columns:
        raise ValueError("the school context needs a 'fsm_pct' column")
    table = standardise_context(context)
    fallback = similar_schools(context.assign(school=context["school"].astype(str)))
    out = pd.DataFrame(
        {
            "school": table["school"],
            "family": fallback["group"].to_numpy(dtype=object),
            "method": ["phase_fsm" if g is not None else None for g in fallback["group"]],
            "phase": table["phase"],
            "fsm_quartile": fallback["fsm_quartile"].to_numpy(),
        }
    )
    full = table["phase"].notna().to_numpy() & np.isfinite(table[list(_Z)].to_numpy()).all(axis=1)
    for phase in sorted({str(p) for p in table.loc[full, "phase"]}):
        rows = np.flatnonzero(full & (table["phase"] == phase).to_numpy())
        if len(rows) < 2 * family_size:
            continue
        part = table.iloc[rows].reset_index(drop=True)
        for k, members in enumerate(_greedy_families(part, family_size), start=1):
            at = rows[members]
            out.loc[at, "family"] = f"{phase}|f{k}"
            out.loc[at, "method"] = "family"
            out.loc[at, "fsm_quartile"] = pd.NA
    for column in ("family", "method"):
        out[column] = pd.Series(
            [None if is_missing(v) else str(v) for v in out[column]], index=out.index, dtype=object
        )
    sizes = out["family"].map(out["family"].value_counts())
    out["n_family"] = sizes.astype("Int64")
    out["fsm_quartile"] = out["fsm_quartile"].astype("Int64")
    return out.sort_values("school", kind="stable").reset_index(drop=True)
