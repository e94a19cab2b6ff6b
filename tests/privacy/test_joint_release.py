"""Disclosure rule 10: the response-level release planned with the published aggregates."""

from __future__ import annotations

import pandas as pd
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from learnsurvey.stats.disclosure import response_level_plan

COLUMNS = ["school", "key_stage", "gender", "n"]


def _counts(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def _withheld(plan: pd.DataFrame) -> pd.Series:
    return plan[~plan["released"]].groupby("school")["n"].sum()


def test_it_withholds_more_rather_than_leave_a_few_pupils_withheld() -> None:
    # Rule 4 alone withholds A's two all-not-given pupils: A's published total less its
    # released rows would be those two pupils' answers.
    counts = _counts(
        [
            ("A", "KS2", "girl", 20),
            ("A", "KS2", "boy", 20),
            ("A", "", "", 2),
            ("B", "KS2", "girl", 40),
        ]
    )
    alone = response_level_plan(counts, threshold=10, with_aggregates=False)
    assert _withheld(alone).to_dict() == {"A": 2}
    plan = response_level_plan(counts, threshold=10)
    assert all(n == 0 or n >= 10 for n in _withheld(plan))


def test_it_releases_no_school_the_aggregates_hide_beside_a_small_one() -> None:
    # D (6) is hidden; C, the smallest other school, is hidden beside it (rule 2). Releasing
    # C's 20 pupils would give D's six as the wave's total less the visible schools less C.
    counts = _counts([("A", "KS2", "girl", 40), ("B", "KS2", "girl", 35), ("C", "KS2", "girl", 20)])
    others = _counts([("D", "KS2", "girl", 6)])
    plan = response_level_plan(counts, threshold=10, others=others)
    assert set(plan[plan["released"]]["school"]) == {"A", "B"}
    named = response_level_plan(counts.iloc[:2], threshold=10, hidden_schools={"B"})
    assert set(named[named["released"]]["school"]) == {"A"}


def test_it_recodes_a_key_stage_whose_aggregate_less_the_release_is_a_few_pupils() -> None:
    # A's KS3 (12) is published; rule 4 releases its ten girls as KS3 and recodes the two
    # boys: KS3's published n·mean less the released KS3 rows would be those two boys.
    counts = _counts(
        [
            ("A", "KS3", "girl", 10),
            ("A", "KS3", "boy", 2),
            ("A", "KS2", "girl", 15),
            ("A", "KS2", "boy", 15),
            ("B", "KS2", "girl", 40),
        ]
    )
    plan = response_level_plan(counts, threshold=10).set_index(["school", "key_stage", "gender"])
    released = plan[plan["released"]]
    for ks in ("KS2", "KS3"):
        inside = plan.xs(ks, level="key_stage")["n"].sum()
        kept = released[released["released_key_stage"] == ks]
        kept = kept[kept.index.get_level_values("key_stage") == ks]["n"].sum()
        assert inside - kept == 0 or inside - kept >= 10


def test_it_keeps_rule_4_alone_on_request() -> None:
    counts = _counts([("A", "KS2", "boy", 12), ("A", "KS2", "other", 3), ("A", "", "", 2)])
    plan = response_level_plan(counts, threshold=10, with_aggregates=False)
    assert plan["released"].tolist() == [True, False, False]


cells = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", "D"]),
        st.sampled_from(["", "KS1", "KS2"]),
        st.sampled_from(["", "boy", "girl"]),
        st.integers(min_value=1, max_value=25),
    ),
    max_size=20,
    unique_by=lambda c: c[:3],
)


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(rows=cells)
# A's girls (20) are visible; rule 4 released its 16 KS1 girls as girls and recoded its 4
# KS2 girls to not given: the girls' aggregate less the released girls would be those 4.
@example(
    rows=[
        ("C", "KS2", "boy", 15),
        ("A", "KS1", "girl", 16),
        ("B", "KS1", "", 7),
        ("B", "KS2", "boy", 14),
        ("A", "KS2", "girl", 4),
        ("C", "KS2", "girl", 25),
        ("C", "KS1", "", 20),
        ("D", "KS2", "", 15),
        ("C", "KS1", "boy", 6),
        ("C", "KS1", "girl", 12),
        ("A", "KS2", "boy", 7),
        ("B", "", "", 11),
        ("D", "", "", 24),
    ]
)
def test_it_leaves_no_small_group_in_any_published_figure_less_the_release(
    rows: list[tuple[str, str, str, int]],
) -> None:
    t = 10
    plan = response_level_plan(_counts(rows), threshold=t)
    released = plan[plan["released"]]
    # k-anonymity (rule 4) still holds.
    sizes = released.groupby(["school", "released_key_stage", "released_gender"])["n"].sum()
    assert (sizes >= t).all()
    # Each school's withheld pupils: none, at least t, or the whole school (a school of
    # fewer than t is hidden in the aggregates too).
    totals = plan.groupby("school")["n"].sum()
    assert all(n == 0 or n >= t or n == totals[s] for s, n in _withheld(plan).items())
    # Each key stage and gender of a school: its pupils not released under that value
    # number none or at least t (the hidden values of a school together).
    for school, part in plan.groupby("school"):
        if not part["released"].any():
            continue
        for col in ("key_stage", "gender"):
            own = part["released"] & (part[f"released_{col}"] == part[col])
            for value, group in part.groupby(col):
                left = int(group["n"].sum() - group[own.loc[group.index]]["n"].sum())
                total = int(group["n"].sum())
                if total >= t:  # a visible value (hidden ones are checked together below)
                    assert left == 0 or left >= t, (school, col, value)
