"""Similar schools from context (Django-free): the standardised distance against R, the
families as a partition of the schools, and the phase × FSM quartile fallback."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnsurvey.analysis.benchmarks import similar_schools
from learnsurvey.analysis.families import (
    FAMILY_SIZE,
    context_distance,
    feature_gaps,
    school_families,
    standardise_context,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "families.json"


@cache
def _golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text())
    return data


def _golden_context() -> pd.DataFrame:
    return pd.DataFrame(_golden()["context"])


def _context(n: int, *, seed: int = 1, phases: tuple[str, ...] = ("primary",)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "school": [f"S{k:04d}" for k in range(n)],
            "phase": rng.choice(list(phases), n),
            "pupils": rng.integers(60, 1600, n),
            "fsm_pct": rng.uniform(1, 65, n).round(1),
            "eal_pct": rng.uniform(0, 60, n).round(1),
            "send_pct": rng.uniform(4, 28, n).round(1),
            "region": rng.choice(["London", "North West", "South East", "International"], n),
        }
    )


def test_it_standardises_within_phase_as_r_scale_does() -> None:
    table = standardise_context(_golden_context())
    ours = table[["z_pupils", "z_fsm_pct", "z_eal_pct", "z_send_pct"]].to_numpy(dtype=float)
    theirs = np.array(
        [[np.nan if v is None else v for v in row] for row in _golden()["z"]], dtype=float
    )
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


@pytest.mark.parametrize("phase", ["primary", "secondary"])
def test_it_measures_the_distance_as_r_does(phase: str) -> None:
    g = _golden()["distances"][phase]
    table = standardise_context(_golden_context()).set_index("school")
    rows = table.loc[g["schools"]].reset_index()
    theirs = np.array(g["d"], dtype=float)
    for i in range(len(rows)):
        ours = context_distance(rows.iloc[i], rows)
        np.testing.assert_allclose(ours, theirs[i], rtol=0, atol=1e-12)


def test_it_builds_the_same_families_as_the_r_script() -> None:
    g = _golden()
    context = _golden_context()
    primary = context[context["phase"] == "primary"]
    families = school_families(primary, family_size=g["family_size"])
    assert (families["method"] == "family").all()
    ours = sorted(sorted(m) for m in families.groupby("family")["school"].apply(list))
    assert ours == sorted(sorted(m) for m in g["families"])


def test_it_counts_another_region_as_one_standard_deviation() -> None:
    table = standardise_context(
        pd.DataFrame(
            {
                "school": ["a", "b", "c"],
                "phase": ["primary"] * 3,
                "pupils": [200, 200, 200],
                "fsm_pct": [10.0, 10.0, 10.0],
                "eal_pct": [5.0, 5.0, 5.0],
                "send_pct": [12.0, 12.0, 12.0],
                "region": ["London", "London", None],
            }
        )
    )
    # No spread: every z is 0, so only the region tells the schools apart.
    assert context_distance(table.iloc[0], table).tolist() == [0.0, 0.0, 1.0]
    # An unknown region is never the same as another unknown one.
    assert context_distance(table.iloc[2], table.iloc[[2]]).tolist() == [1.0]
    assert feature_gaps(table.iloc[0], table.iloc[1])["region"] == 0.0
    assert "region" not in feature_gaps(table.iloc[0], table.iloc[2])


def test_it_compares_on_shared_features_scaled_to_four() -> None:
    table = standardise_context(
        pd.DataFrame(
            {
                "school": ["a", "b", "c", "d"],
                "phase": ["primary"] * 4,
                "fsm_pct": [10.0, 20.0, 30.0, 40.0],
                "region": ["London"] * 4,
            }
        )
    )
    z = table["z_fsm_pct"].to_numpy()
    d = context_distance(table.iloc[0], table)
    np.testing.assert_allclose(d, np.sqrt(4 * (z - z[0]) ** 2))


def test_it_takes_the_log_of_the_pupils_on_roll() -> None:
    table = standardise_context(
        pd.DataFrame({"school": list("abc"), "phase": ["x"] * 3, "pupils": [100, 200, 400]})
    )
    np.testing.assert_allclose(table["z_pupils"], [-1.0, 0.0, 1.0])


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=140),
    family_size=st.integers(min_value=2, max_value=25),
    seed=st.integers(min_value=0, max_value=10_000),
    gaps=st.floats(min_value=0.0, max_value=0.3),
)
def test_it_puts_every_school_in_exactly_one_family(
    n: int, family_size: int, seed: int, gaps: float
) -> None:
    context = _context(n, seed=seed, phases=("primary", "secondary", "all_through"))
    rng = np.random.default_rng(seed)
    for column in ("pupils", "eal_pct", "region", "phase"):
        context.loc[rng.random(n) < gaps, column] = None
    families = school_families(context, family_size=family_size)
    assert sorted(families["school"]) == sorted(context["school"])
    assert families["school"].is_unique
    known = families[families["family"].notna()]
    sizes = known.groupby("family")["school"].size()
    assert (known["n_family"].to_numpy() == known["family"].map(sizes).to_numpy()).all()
    for _, group in known.groupby("family"):
        assert group["phase"].nunique() == 1
        assert group["method"].nunique() == 1
    made = known[known["method"] == "family"]
    assert (made.groupby("family").size() >= family_size).all()
    assert (made.groupby("family").size() < 2 * family_size).all()


def test_it_falls_back_to_the_fsm_quartile_rule_without_the_new_context() -> None:
    context = _context(120)[["school", "phase", "fsm_pct"]]
    families = school_families(context)
    rule = similar_schools(context).set_index("school")
    assert (families["method"] == "phase_fsm").all()
    assert families.set_index("school")["family"].equals(rule["group"])
    assert families.set_index("school")["fsm_quartile"].equals(rule["fsm_quartile"])


def test_it_falls_back_in_a_phase_with_too_few_schools() -> None:
    context = pd.concat(
        [
            _context(2 * FAMILY_SIZE, phases=("primary",)),
            _context(2 * FAMILY_SIZE - 1, seed=2, phases=("secondary",)).assign(
                school=lambda t: "X" + t["school"]
            ),
        ],
        ignore_index=True,
    )
    families = school_families(context).set_index("school")
    by_phase = families.groupby("phase")["method"].unique()
    assert list(by_phase["primary"]) == ["family"]
    assert list(by_phase["secondary"]) == ["phase_fsm"]
    assert families.loc[families["phase"] == "primary", "family"].nunique() == 2


def test_a_school_lacking_context_falls_back_and_one_lacking_phase_has_no_family() -> None:
    context = _context(50)
    context.loc[0, "send_pct"] = None
    context.loc[1, "phase"] = None
    families = school_families(context).set_index("school")
    assert families.loc["S0000", "method"] == "phase_fsm"
    assert str(families.loc["S0000", "family"]).startswith("primary|")
    assert families.loc["S0001", "family"] is None
    assert families.loc["S0001", "method"] is None
    assert families["n_family"].isna().to_numpy()[list(families.index).index("S0001")]
    others = families.drop(index=["S0000", "S0001"])
    assert (others["method"] == "family").all()


def test_it_groups_schools_with_similar_intakes() -> None:
    # Two clusters of intakes: no family mixes them.
    low = _context(30, seed=3).assign(fsm_pct=5.0, eal_pct=2.0, region="South East")
    high = _context(30, seed=4).assign(
        school=lambda t: "H" + t["school"], fsm_pct=55.0, eal_pct=45.0, region="London"
    )
    families = school_families(pd.concat([low, high], ignore_index=True), family_size=10)
    kind = families["school"].str.startswith("H")
    assert families.groupby("family").apply(lambda g: kind[g.index].nunique()).eq(1).all()


def _members(families: pd.DataFrame) -> list[list[str]]:
    return sorted(sorted(m) for m in families.groupby("family")["school"].apply(list))


def test_it_is_the_same_for_the_same_context_in_any_order() -> None:
    context = _context(90, seed=7)
    once = school_families(context)
    again = school_families(context.sample(frac=1.0, random_state=3))
    assert _members(once) == _members(again)


def test_it_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        school_families(_context(5), family_size=1)
    with pytest.raises(ValueError, match="fsm_pct"):
        school_families(_context(5).drop(columns="fsm_pct"))
    with pytest.raises(ValueError, match="twice"):
        standardise_context(pd.concat([_context(3), _context(3)]))
    with pytest.raises(ValueError, match="phase"):
        standardise_context(_context(3).drop(columns="phase"))
