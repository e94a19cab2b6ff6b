"""Tests for learnsurvey.stats.disclosure: small-group suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnsurvey.stats.disclosure import (
    DEFAULT_THRESHOLD,
    DisclosureError,
    default_threshold,
    require_publishable,
    suppress,
    suppress_pairs,
)

ENV = "LEARNSURVEY_MIN_GROUP_SIZE"


def _schools(counts: dict[str, int]) -> pd.DataFrame:
    """One row per school with a count, a mean and a boolean flag."""
    names = list(counts)
    return pd.DataFrame(
        {
            "school": names,
            "n": [counts[s] for s in names],
            "mean": [3.0 + 0.1 * k for k in range(len(names))],
            "above_average": [k % 2 == 0 for k in range(len(names))],
        }
    )


def _hidden(table: pd.DataFrame, key: str = "school") -> set[object]:
    return set(table.loc[table["suppressed"], key])


# --- the threshold ------------------------------------------------------------------------


def test_it_defaults_to_ten_pupils(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert DEFAULT_THRESHOLD == 10
    assert default_threshold() == 10


def test_it_reads_the_threshold_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "25")
    assert default_threshold() == 25


@pytest.mark.parametrize("raw", ["ten", "", "7.5"])
def test_it_rejects_a_threshold_that_is_not_a_whole_number(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(ENV, raw)
    with pytest.raises(ValueError, match=f"{ENV} must be a whole number"):
        default_threshold()


@pytest.mark.parametrize("raw", ["1", "0", "-5"])
def test_it_rejects_a_threshold_below_two_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(ENV, raw)
    with pytest.raises(ValueError, match="at least 2"):
        default_threshold()


@pytest.mark.parametrize("threshold", [1, 0])
def test_it_rejects_a_threshold_below_two(threshold: int) -> None:
    with pytest.raises(ValueError, match="at least 2"):
        suppress(_schools({"Ashgrove": 30}), threshold=threshold)


# --- primary suppression ------------------------------------------------------------------


def test_it_leaves_a_table_of_large_groups_alone() -> None:
    table = _schools({"Ashgrove": 40, "Birchfield": 25, "Cedar Vale": 10})
    out = suppress(table, threshold=10)
    assert not out["suppressed"].any()
    assert out["n"].tolist() == [40, 25, 10]  # exactly the threshold is published
    assert out["mean"].tolist() == table["mean"].tolist()


def test_it_hides_everything_about_a_small_group_but_its_name() -> None:
    # Dunmore has 4 pupils, Ashgrove and Birchfield two large groups; Birchfield is the
    # smaller of the two, so it is hidden too (complementary suppression).
    table = _schools({"Ashgrove": 120, "Dunmore": 4, "Birchfield": 60})
    out = suppress(table, threshold=10, keep=["school"])
    assert out["school"].tolist() == ["Ashgrove", "Dunmore", "Birchfield"]
    assert out["suppressed"].tolist() == [False, True, True]
    dunmore = out.iloc[1]
    assert pd.isna(dunmore["n"])
    assert pd.isna(dunmore["mean"])
    assert pd.isna(dunmore["above_average"])
    assert out.iloc[0]["n"] == 120
    assert out.iloc[0]["mean"] == pytest.approx(3.0)


def test_it_does_not_change_the_table_it_was_given() -> None:
    table = _schools({"Ashgrove": 120, "Dunmore": 4, "Birchfield": 60})
    before = table.copy()
    suppress(table, threshold=10)
    pd.testing.assert_frame_equal(table, before)


def test_it_keeps_counts_as_nullable_integers() -> None:
    out = suppress(_schools({"Ashgrove": 50, "Dunmore": 3, "Elmwood": 8}), threshold=10)
    assert out["n"].dtype == "Int64"
    assert out["n"].isna().tolist() == [False, True, True]
    assert out["n"].iloc[0] == 50
    assert out["above_average"].dtype == "boolean"
    assert out["mean"].dtype == np.float64


def test_it_uses_the_threshold_it_is_given() -> None:
    table = _schools({"Ashgrove": 200, "Birchfield": 30, "Cedar Vale": 45, "Dunmore": 60})
    assert not suppress(table, threshold=10)["suppressed"].any()
    out = suppress(table, threshold=50, keep=["school"])
    # Birchfield and Cedar Vale are below 50 and together 75: nothing more is needed.
    assert _hidden(out) == {"Birchfield", "Cedar Vale"}


def test_it_treats_a_missing_count_as_zero_pupils() -> None:
    table = pd.DataFrame({"school": ["Ashgrove", "Birchfield", "Cedar Vale"], "n": [50, None, 40]})
    out = suppress(table, threshold=10, keep=["school"])
    assert _hidden(out) == {"Birchfield", "Cedar Vale"}


def test_it_names_a_missing_count_column() -> None:
    with pytest.raises(ValueError, match="'pupils'"):
        suppress(_schools({"Ashgrove": 30}), threshold=10, count="pupils")


def test_it_uses_the_count_column_it_is_told_to() -> None:
    table = pd.DataFrame({"school": ["Ashgrove", "Birchfield", "Cedar Vale"], "pupils": [5, 6, 70]})
    out = suppress(table, threshold=10, count="pupils", keep=["school"])
    # 5 + 6 = 11 >= 10: the two small schools together cannot be told apart.
    assert _hidden(out) == {"Ashgrove", "Birchfield"}
    assert out["pupils"].isna().tolist() == [True, True, False]
    assert out["pupils"].iloc[2] == 70


# --- complementary suppression ------------------------------------------------------------


def test_it_hides_the_next_smallest_group_when_one_is_hidden() -> None:
    table = _schools({"Ashgrove": 300, "Birchfield": 45, "Cedar Vale": 8, "Dunmore": 90})
    out = suppress(table, threshold=10, keep=["school"])
    assert _hidden(out) == {"Cedar Vale", "Birchfield"}


def test_it_hides_more_until_the_hidden_groups_reach_the_threshold() -> None:
    # Two groups of 2 and 3 are hidden, but 5 pupils could still be recovered by subtraction;
    # the next smallest (Elmwood, 12) is hidden too.
    table = _schools({"Ashgrove": 80, "Birchfield": 2, "Cedar Vale": 3, "Elmwood": 12, "Fir": 40})
    out = suppress(table, threshold=10, keep=["school"])
    assert _hidden(out) == {"Birchfield", "Cedar Vale", "Elmwood"}


def test_it_stops_when_two_small_groups_together_reach_the_threshold() -> None:
    table = _schools({"Ashgrove": 80, "Birchfield": 4, "Cedar Vale": 7, "Elmwood": 12})
    out = suppress(table, threshold=10, keep=["school"])
    assert _hidden(out) == {"Birchfield", "Cedar Vale"}


def test_it_hides_everything_when_nothing_else_would_do() -> None:
    table = _schools({"Ashgrove": 3, "Birchfield": 40})
    out = suppress(table, threshold=10, keep=["school"])
    assert out["suppressed"].all()


def test_it_applies_complementary_suppression_within_each_partition() -> None:
    # Schools x dimensions: Cedar Vale is small on "challenge" only (pupils skipped items).
    table = pd.DataFrame(
        {
            "school": ["Ashgrove", "Birchfield", "Cedar Vale"] * 2,
            "dimension": ["expectations"] * 3 + ["challenge"] * 3,
            "n": [100, 50, 30, 100, 50, 6],
            "mean": [3.1, 3.2, 3.3, 3.4, 3.5, 3.6],
        }
    )
    out = suppress(table, threshold=10, within=["dimension"], keep=["school"])
    assert out["suppressed"].tolist() == [False, False, False, False, True, True]
    # The partition column stays visible on hidden rows.
    assert out["dimension"].tolist() == table["dimension"].tolist()


def test_it_treats_the_whole_table_as_one_partition_by_default() -> None:
    table = pd.DataFrame(
        {
            "school": ["Ashgrove", "Birchfield", "Ashgrove", "Birchfield"],
            "dimension": ["expectations", "expectations", "challenge", "challenge"],
            "n": [100, 50, 70, 6],
        }
    )
    out = suppress(table, threshold=10)
    # One partition: the smallest visible row anywhere (Birchfield/expectations) is hidden.
    assert out["suppressed"].tolist() == [False, True, False, True]


def test_it_blanks_the_school_name_unless_told_to_keep_it() -> None:
    table = _schools({"Ashgrove": 80, "Birchfield": 4, "Cedar Vale": 30})
    out = suppress(table, threshold=10)
    assert out["school"].isna().tolist() == [False, True, True]
    kept = suppress(table, threshold=10, keep=["school", "above_average"])
    assert kept["school"].tolist() == ["Ashgrove", "Birchfield", "Cedar Vale"]
    assert kept["above_average"].tolist() == table["above_average"].tolist()


def test_it_works_on_a_table_with_a_shuffled_index() -> None:
    table = _schools({"Ashgrove": 80, "Birchfield": 4, "Cedar Vale": 30, "Dunmore": 55})
    table.index = [10, 3, 7, 0]
    out = suppress(table, threshold=10, keep=["school"])
    assert _hidden(out) == {"Birchfield", "Cedar Vale"}
    assert pd.isna(out.loc[3, "mean"])
    assert out.loc[10, "n"] == 80


# --- the property: nothing below the threshold can be recovered by subtraction -------------


@st.composite
def count_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    threshold = draw(st.integers(2, 30))
    n_rows = draw(st.integers(1, 12))
    n_parts = draw(st.integers(1, 3))
    counts = draw(
        st.lists(
            st.one_of(st.integers(0, threshold + 5), st.integers(0, 500)),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
    part = draw(st.lists(st.integers(0, n_parts - 1), min_size=n_rows, max_size=n_rows))
    table = pd.DataFrame(
        {
            "school": [f"school {k}" for k in range(n_rows)],
            "dimension": [f"dim {p}" for p in part],
            "n": counts,
            "mean": draw(
                st.lists(st.floats(1, 5), min_size=n_rows, max_size=n_rows),
            ),
        }
    )
    return table, threshold


@settings(max_examples=50, deadline=None)
@given(count_tables())
def test_it_never_lets_a_small_group_be_recovered_by_subtraction(
    data: tuple[pd.DataFrame, int],
) -> None:
    table, threshold = data
    out = suppress(table, threshold=threshold, within=["dimension"], keep=["school"])
    visible = ~out["suppressed"]
    # No published row describes fewer than `threshold` pupils.
    assert (table.loc[visible, "n"] >= threshold).all()
    # Hidden rows are blank.
    assert out.loc[~visible, ["n", "mean"]].isna().all().all()
    assert out.loc[visible, "n"].astype(int).tolist() == table.loc[visible, "n"].tolist()
    for _, rows in table.groupby("dimension"):
        hidden = out.loc[rows.index, "suppressed"]
        n_hidden = int(hidden.sum())
        total = int(rows["n"].sum())
        recovered = total - int(rows.loc[~hidden, "n"].sum())
        if n_hidden == 0 or n_hidden == len(rows):
            continue
        # The published total minus the visible rows is the sum of at least two hidden rows,
        # and describes at least `threshold` pupils.
        assert n_hidden >= 2
        assert recovered >= threshold


# --- derived rows and whole data sets -----------------------------------------------------


def _pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "grouping": ["key_stage"] * 3,
            "group_a": ["KS1", "KS1", "KS2"],
            "group_b": ["KS2", "KS3", "KS3"],
            "dimension": ["challenge"] * 3,
            "n_a": [40, 40, 60],
            "n_b": [60, 7, 7],
            "hedges_g": [0.1, 0.5, 0.4],
        }
    )


def test_it_hides_comparisons_with_a_hidden_group() -> None:
    out = suppress_pairs(
        _pairs(),
        {("KS3", "challenge")},
        group_a=["group_a", "dimension"],
        group_b=["group_b", "dimension"],
        keep=["grouping"],
    )
    assert out["suppressed"].tolist() == [False, True, True]
    assert out["n_b"].dtype == "Int64"
    assert out["n_b"].isna().tolist() == [False, True, True]
    assert out["n_b"].iloc[0] == 60
    assert out["hedges_g"].isna().tolist() == [False, True, True]
    # The comparison's labels stay so the reader sees it was withheld.
    assert out["group_b"].tolist() == ["KS2", "KS3", "KS3"]
    assert out["grouping"].tolist() == ["key_stage"] * 3


def test_it_matches_hidden_groups_on_every_key_column() -> None:
    # KS3 is hidden on "expectations" only, so a KS3 comparison on "challenge" stays.
    out = suppress_pairs(
        _pairs(),
        {("KS3", "expectations")},
        group_a=["group_a", "dimension"],
        group_b=["group_b", "dimension"],
    )
    assert not out["suppressed"].any()
    assert out["hedges_g"].tolist() == [0.1, 0.5, 0.4]


def test_it_hides_a_comparison_when_the_first_group_is_hidden() -> None:
    out = suppress_pairs(
        _pairs(),
        {("KS1", "challenge")},
        group_a=["group_a", "dimension"],
        group_b=["group_b", "dimension"],
    )
    assert out["suppressed"].tolist() == [True, True, False]


def test_it_refuses_to_report_on_a_data_set_below_the_threshold() -> None:
    with pytest.raises(DisclosureError, match=r"describes 9 pupils.*fewer than 10"):
        require_publishable(9, 10, "this data set")


def test_it_refuses_to_report_on_an_unknown_number_of_pupils() -> None:
    with pytest.raises(DisclosureError):
        require_publishable(float("nan"), 10, "this data set")


def test_it_allows_a_data_set_at_the_threshold() -> None:
    require_publishable(10, 10, "this data set")
    require_publishable(10_000, 10, "this data set")


def test_it_makes_the_disclosure_error_a_value_error() -> None:
    assert issubclass(DisclosureError, ValueError)
