"""Synthetic schools: phase, size, key stages, context (FSM, EAL and SEND %, pupils on roll,
region, inspection rating) and trust."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import ndtri

from .params import SynthParams

__all__ = ["School", "plan_schools", "school_urn", "schools_frame"]

_PLACES = [
    "Ashford",
    "Ashgrove",
    "Beechwood",
    "Birchfield",
    "Brookside",
    "Castleview",
    "Cedarwood",
    "Cherry",
    "Clearwater",
    "Cliffside",
    "Elmhurst",
    "Fairfield",
    "Fernhill",
    "Foxwood",
    "Glenmore",
    "Greenacre",
    "Hawthorn",
    "Hazelwood",
    "Highfield",
    "Hillcrest",
    "Hollybank",
    "Kingsmead",
    "Lakeside",
    "Larchwood",
    "Limebrook",
    "Maplewood",
    "Meadowbank",
    "Millbrook",
    "Northgate",
    "Oakfield",
    "Orchard",
    "Parkside",
    "Pinewood",
    "Queensway",
    "Ravenscroft",
    "Riverside",
    "Rosehill",
    "Sandown",
    "Southmead",
    "Springfield",
    "Stonebridge",
    "Summerfield",
    "Thornbury",
    "Valley",
    "Westbrook",
    "Willowdale",
    "Windmill",
    "Woodlands",
    "Yewtree",
]
_REGIONS = {
    "North East": 0.04,
    "North West": 0.13,
    "Yorkshire and the Humber": 0.10,
    "East Midlands": 0.09,
    "West Midlands": 0.11,
    "East of England": 0.12,
    "London": 0.12,
    "South East": 0.17,
    "South West": 0.12,
}
"""England's nine regions, in roughly their shares of state schools (DfE, *Schools, pupils
and their characteristics*): schools not inspected are international, the rest English."""
INTERNATIONAL = "International"
_RESPONSE_SHARE = (0.5, 0.95)
"""The share of a school's pupils on roll who answer: uniform between these."""
_CONTEXT_STREAM = 1
"""The random stream of the context added later (pupils on roll, region): ``[seed, 0, 1]``,
apart from the schools' own ``[seed, 0]``, whose draws (and so the calibration) it leaves as
they were."""
_KINDS = {
    "primary": ("Primary School", "Primary Academy", "Infant and Junior School"),
    "secondary": ("Academy", "High School", "School", "Community College"),
    "all_through": ("All-Through School", "Academy"),
}


@dataclass(frozen=True)
class School:
    school: str
    urn: str
    phase: str
    trust: str
    region: str
    size: int
    fsm_pct: float
    eal_pct: float
    send_pct: float
    inspection_rating: str
    key_stage_shares: dict[str, float]
    pupils: int = 0
    """Pupils on roll (at least the responses of the school's first wave)."""


def plan_schools(
    n_responses: int,
    n_schools: int,
    params: SynthParams,
    seed: int | Sequence[int],
    *,
    first: int = 0,
    taken: Collection[str] = (),
) -> list[School]:
    """Draw the schools of a synthetic wave; their sizes add up to ``n_responses``.

    ``first`` numbers the schools from there (their URNs follow the number, so schools
    drawn later for the same series get URNs of their own) and names in ``taken`` are not
    given again."""
    if n_schools < 1 or n_responses < n_schools:
        raise ValueError("need at least one school and at least one response per school")
    p = params.schools
    rng = np.random.default_rng([*_seed_list(seed), 0])
    # Stratified rather than independent draws: the mix of phases and ratings, and the spread
    # of school sizes, are what the parameters say for any seed; who gets what is random.
    phase = rng.permutation(_allocate(p.phase_shares, n_schools))
    median = np.array([p.size_median[str(ph)] for ph in phase])
    spread = ndtri((rng.permutation(n_schools) + 0.5) / n_schools)
    weight = median * np.exp(p.size_sigma * spread)
    sizes = 1 + rng.multinomial(n_responses - n_schools, weight / weight.sum())
    ratings = rng.permutation(_allocate(p.inspection_shares, n_schools))
    fsm = 100 * rng.beta(2.0, 6.0, n_schools)
    eal = 100 * rng.beta(1.2, 5.0, n_schools)
    send = 100 * rng.beta(3.0, 20.0, n_schools)
    in_trust = rng.random(n_schools) >= p.standalone_share
    trust = rng.integers(0, len(p.trusts), n_schools)
    names = _names(rng, [str(ph) for ph in phase], set(taken))
    roll, region = _context(seed, sizes, ratings)
    return [
        School(
            school=names[k],
            urn=school_urn(first + k),
            phase=str(phase[k]),
            trust=p.trusts[trust[k]] if in_trust[k] else "",
            region=region[k],
            size=int(sizes[k]),
            fsm_pct=round(float(fsm[k]), 1),
            eal_pct=round(float(eal[k]), 1),
            send_pct=round(float(send[k]), 1),
            inspection_rating=str(ratings[k]),
            key_stage_shares=p.key_stage_shares[str(phase[k])],
            pupils=int(roll[k]),
        )
        for k in range(n_schools)
    ]


def _context(
    seed: int | Sequence[int], sizes: NDArray[np.int64], ratings: NDArray[np.str_]
) -> tuple[NDArray[np.int64], list[str]]:
    """Pupils on roll (the responses over a response share drawn uniformly in
    :data:`_RESPONSE_SHARE`) and the region (stratified over England's regions in their
    shares, :data:`INTERNATIONAL` for schools not inspected), from their own stream."""
    rng = np.random.default_rng([*_seed_list(seed), 0, _CONTEXT_STREAM])
    share = rng.uniform(*_RESPONSE_SHARE, len(sizes))
    roll = np.ceil(np.asarray(sizes, dtype=float) / share).astype(np.int64)
    english = np.flatnonzero(ratings != "not_inspected")
    region = [INTERNATIONAL] * len(sizes)
    for k, name in zip(english, rng.permutation(_allocate(_REGIONS, len(english))), strict=True):
        region[int(k)] = str(name)
    return roll, region


def school_urn(number: int) -> str:
    """The made-up URN of the ``number``-th school drawn (0, 1, ...): six digits, distinct
    for the first 900,000 schools (7919 is prime to 900,000)."""
    return str(100000 + 7919 * (number + 1) % 900000)


def _seed_list(seed: int | Sequence[int]) -> list[int]:
    return [seed] if isinstance(seed, int) else list(seed)


def _allocate(shares: dict[str, float], n: int) -> NDArray[np.str_]:
    """``n`` labels in the given shares, rounded by largest remainder."""
    exact = np.array(list(shares.values())) * n
    counts = np.floor(exact).astype(int)
    counts[np.argsort(counts - exact)[: n - counts.sum()]] += 1
    return np.repeat(np.array(list(shares), dtype=np.str_), counts)


def _names(rng: np.random.Generator, phases: list[str], used: set[str]) -> list[str]:
    names = []
    for phase in phases:
        while True:
            name = f"{rng.choice(_PLACES)} {rng.choice(_KINDS[phase])}"
            if name not in used:
                break
            name = f"{name} {len(used) + 1}"
            if name not in used:
                break
        used.add(name)
        names.append(name)
    return names


def schools_frame(schools: list[School]) -> pd.DataFrame:
    """The companion context file: one row per school (no pupil-level data)."""
    rows = []
    for s in schools:
        row = asdict(s)
        row.pop("key_stage_shares")
        row["responses"] = row.pop("size")
        rows.append(row)
    return pd.DataFrame(rows)
