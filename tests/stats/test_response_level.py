"""Disclosure rule 4: what response-level data releases (k-anonymity by recoding).

Rule 4 on its own (``with_aggregates=False``); rule 10, which plans the release with the
published aggregates, is tested in ``tests/privacy/test_joint_release.py``."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnsurvey.stats.disclosure import response_level_plan

KEY_STAGES = ["", "KS1", "KS2", "KS3"]
GENDERS = ["", "boy", "girl", "other"]


def _counts(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["school", "key_stage", "gender", "n"])


def test_it_recodes_small_genders_then_small_key_stages_then_withholds() -> None:
    counts = _counts(
        [
            ("A", "KS2", "boy", 12),
            ("A", "KS2", "girl", 13),
            ("A", "KS2", "other", 3),  # gender → not given: KS2/not given has 3, so KS2 goes too
            ("A", "KS3", "boy", 6),  # with KS3 girls (5): KS3/not given has 11, kept
            ("A", "KS3", "girl", 5),
            ("A", "", "", 2),  # with KS2 other: 5 pupils in A's all-not-given cell: withheld
            ("B", "KS2", "", 9),  # school B has 9 pupils: left out
        ]
    )
    plan = response_level_plan(counts, threshold=10, with_aggregates=False).set_index(
        ["school", "key_stage", "gender"]
    )
    assert tuple(plan.loc[("A", "KS2", "boy"), ["released_key_stage", "released_gender"]]) == (
        "KS2",
        "boy",
    )
    assert plan.loc[("A", "KS2", "boy"), "released"]
    for gender in ("boy", "girl"):
        row = plan.loc[("A", "KS3", gender)]
        assert (row["released_key_stage"], row["released_gender"], row["released"]) == (
            "KS3",
            "",
            True,
        )
    other = plan.loc[("A", "KS2", "other")]
    assert (other["released_key_stage"], other["released_gender"]) == ("", "")
    assert not other["released"]
    assert not plan.loc[("A", "", ""), "released"]
    assert not plan.loc[("B", "KS2", ""), "released"]


def test_it_releases_a_not_given_cell_once_it_is_large_enough() -> None:
    counts = _counts([("A", "", "", 7), ("A", "KS2", "other", 4), ("A", "KS2", "boy", 20)])
    plan = response_level_plan(counts, threshold=10, with_aggregates=False)
    assert plan["released"].all()
    assert set(zip(plan["released_key_stage"], plan["released_gender"], strict=True)) == {
        ("", ""),
        ("KS2", "boy"),
    }


def test_it_refuses_counts_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="columns"):
        response_level_plan(pd.DataFrame({"school": ["A"], "n": [3]}), threshold=10)
    with pytest.raises(ValueError, match="more than one row"):
        response_level_plan(_counts([("A", "KS2", "boy", 3), ("A", "KS2", "boy", 4)]), threshold=10)
    with pytest.raises(ValueError, match="at least 2"):
        response_level_plan(_counts([("A", "KS2", "boy", 3)]), threshold=1)


cells = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.sampled_from(KEY_STAGES),
        st.sampled_from(GENDERS),
        st.integers(min_value=1, max_value=30),
    ),
    max_size=30,
    unique_by=lambda c: c[:3],
)


@settings(max_examples=300, deadline=None)
@given(rows=cells, threshold=st.integers(min_value=2, max_value=15))
def test_every_released_cell_describes_at_least_threshold_pupils(
    rows: list[tuple[str, str, str, int]], threshold: int
) -> None:
    counts = _counts(rows)
    plan = response_level_plan(counts, threshold=threshold, with_aggregates=False)
    assert len(plan) == len(counts)
    released = plan[plan["released"]]
    sizes = released.groupby(["school", "released_key_stage", "released_gender"])["n"].sum()
    assert (sizes >= threshold).all()
    totals = counts.groupby("school")["n"].sum()
    assert not set(released["school"]) & set(totals[totals < threshold].index)
    # Recoding only ever coarsens: a released value is the pupil's own or "not given".
    assert ((released["released_key_stage"] == released["key_stage"])
            | (released["released_key_stage"] == "")).all()  # fmt: skip
    assert ((released["released_gender"] == released["gender"])
            | (released["released_gender"] == "")).all()  # fmt: skip
    # Nothing is withheld that a large-enough cell could have released as it was.
    for row in plan.itertuples():
        if row.n >= threshold and totals[row.school] >= threshold:
            assert row.released
            assert (row.released_key_stage, row.released_gender) == (row.key_stage, row.gender)


def test_the_property_holds_on_every_small_school_exhaustively() -> None:
    # Every split of 10 pupils over two cells of one school, at threshold 5.
    for (ks1, g1), (ks2, g2) in itertools.combinations(itertools.product(KEY_STAGES, GENDERS), 2):
        for n1 in (1, 4, 5, 6, 9):
            plan = response_level_plan(
                _counts([("A", ks1, g1, n1), ("A", ks2, g2, 10 - n1)]),
                threshold=5,
                with_aggregates=False,
            )
            released = plan[plan["released"]]
            sizes = released.groupby(["released_key_stage", "released_gender"])["n"].sum()
            assert (sizes >= 5).all()
