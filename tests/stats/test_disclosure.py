"""Tests for learnsurvey.stats.disclosure: small-group suppression."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnsurvey.stats.disclosure import (
    DEFAULT_STAFF_THRESHOLD,
    DEFAULT_THRESHOLD,
    MIN_GROUP_SCHOOLS,
    MIN_OTHER_SCHOOLS,
    Cleared,
    DisclosureError,
    blank_where,
    clear_total,
    concat_cleared,
    default_staff_threshold,
    default_threshold,
    enough_schools,
    enough_schools_mask,
    hidden_keys,
    is_publishable,
    keep_columns,
    keep_rows,
    publishable_mask,
    require_publishable,
    suppress,
    suppress_pairs,
    suppress_shares,
    total_is_publishable,
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


# --- predicates: the one place a count meets a threshold (rules 1, 5) -----------------------


def test_it_publishes_a_count_at_the_threshold_and_not_below() -> None:
    assert is_publishable(10, 10)
    assert is_publishable(10_000.0, 10)
    assert not is_publishable(9, 10)
    assert not is_publishable(0, 10)


@pytest.mark.parametrize("unknown", [None, float("nan"), pd.NA, np.nan])
def test_it_treats_an_unknown_count_as_unsafe(unknown: float | None) -> None:
    assert not is_publishable(unknown, 10)


def test_it_rejects_a_predicate_threshold_below_two() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        is_publishable(50, 1)
    with pytest.raises(ValueError, match="at least 2"):
        publishable_mask([50], 0)


def test_it_masks_counts_in_their_own_shape() -> None:
    counts = np.array([[3, 10], [25, 9]])
    assert publishable_mask(counts, 10).tolist() == [[False, True], [True, False]]
    nullable = pd.Series([12, None, 4], dtype="Int64")
    assert publishable_mask(nullable, 10).tolist() == [True, False, False]
    assert publishable_mask([10.0, float("nan"), "11"], 10).tolist() == [True, False, True]


def test_it_needs_five_schools_to_describe_a_group_and_three_behind_a_benchmark() -> None:
    assert MIN_GROUP_SCHOOLS == 5
    assert MIN_OTHER_SCHOOLS == 3
    assert not enough_schools(4)
    assert enough_schools(5)
    assert enough_schools(3, MIN_OTHER_SCHOOLS)
    assert not enough_schools(2, MIN_OTHER_SCHOOLS)
    assert not enough_schools(None)
    assert enough_schools_mask(np.array([2, 3, 7]), MIN_OTHER_SCHOOLS).tolist() == [
        False,
        True,
        True,
    ]
    with pytest.raises(ValueError, match="at least 1"):
        enough_schools(5, 0)


# --- the staff threshold (rule 8) -----------------------------------------------------------

STAFF_ENV = "LEARNSURVEY_MIN_STAFF_GROUP_SIZE"


def test_it_defaults_to_five_staff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STAFF_ENV, raising=False)
    monkeypatch.setenv(ENV, "25")  # the pupil setting does not move the staff one
    assert DEFAULT_STAFF_THRESHOLD == 5
    assert default_staff_threshold() == 5


def test_it_reads_the_staff_threshold_from_its_own_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(STAFF_ENV, "8")
    monkeypatch.delenv(ENV, raising=False)
    assert default_staff_threshold() == 8
    assert default_threshold() == 10


@pytest.mark.parametrize(("raw", "message"), [("five", "whole number"), ("1", "at least 2")])
def test_it_rejects_a_bad_staff_threshold(
    monkeypatch: pytest.MonkeyPatch, raw: str, message: str
) -> None:
    monkeypatch.setenv(STAFF_ENV, raw)
    with pytest.raises(ValueError, match=message):
        default_staff_threshold()


# --- enough schools and further counts, folded into suppress (rule 5) ----------------------


def _benchmarks() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "school": ["Ashgrove", "Birchfield", "Cedar Vale", "Dunmore"],
            "n": [400, 300, 250, 500],
            "n_schools": [5, 2, 4, 6],
            "own_n": [30, 40, 50, 6],
            "mean": [3.1, 3.2, 3.3, 3.4],
        }
    )


def test_it_hides_a_row_behind_too_few_schools_as_if_it_described_nobody() -> None:
    out = suppress(_benchmarks(), threshold=10, keep=["school"], schools="n_schools")
    # Birchfield has 2 other schools behind it: hidden, and as a row of 0 pupils it needs a
    # complement (the smallest other row, Cedar Vale).
    assert _hidden(out) == {"Birchfield", "Cedar Vale"}
    assert pd.isna(out.loc[1, "n_schools"])


def test_it_uses_the_minimum_number_of_schools_it_is_given() -> None:
    out = suppress(_benchmarks(), threshold=10, keep=["school"], schools="n_schools", min_schools=2)
    assert not out["suppressed"].any()


def test_it_hides_a_row_when_a_further_count_is_too_small() -> None:
    out = suppress(_benchmarks(), threshold=10, keep=["school"], within=["school"], also=["own_n"])
    # Each row alone (within each school): only Dunmore, whose own pupils are 6, goes.
    assert _hidden(out) == {"Dunmore"}


def test_it_names_a_missing_school_count_or_further_count() -> None:
    with pytest.raises(ValueError, match="'schools'"):
        suppress(_benchmarks(), threshold=10, schools="schools")
    with pytest.raises(ValueError, match="'pupils'"):
        suppress(_benchmarks(), threshold=10, also=["pupils"])


def test_it_types_what_it_clears() -> None:
    for function in (suppress, suppress_pairs, suppress_shares, keep_rows, keep_columns):
        # The annotations are strings (postponed evaluation); mypy checks what they mean.
        assert inspect.signature(function).return_annotation == Cleared.__name__ == "Cleared"
    assert isinstance(suppress(_benchmarks(), threshold=10), pd.DataFrame)


# --- blanking a hidden row (rule 2's helper) ------------------------------------------------


def test_it_blanks_every_figure_of_a_hidden_row_but_what_it_keeps() -> None:
    table = _schools({"Ashgrove": 80, "Birchfield": 40, "Cedar Vale": 30})
    out = blank_where(table, np.array([False, True, False]), keep=["school"])
    assert out["suppressed"].tolist() == [False, True, False]
    assert out["school"].tolist() == ["Ashgrove", "Birchfield", "Cedar Vale"]
    assert out["n"].dtype == "Int64"
    assert out["above_average"].dtype == "boolean"
    assert out.loc[1, ["n", "mean", "above_average"]].isna().all()
    assert out.loc[0, "n"] == 80
    assert "suppressed" not in table.columns  # the input is not changed


def test_it_keeps_rows_already_hidden_hidden() -> None:
    shown = suppress(_schools({"Ashgrove": 80, "Birchfield": 4, "Cedar Vale": 30}), threshold=10)
    out = blank_where(shown, np.zeros(3, dtype=bool))
    assert out["suppressed"].tolist() == shown["suppressed"].tolist()


def test_it_aligns_a_flag_series_on_the_index_and_takes_one_flag_for_all() -> None:
    table = _schools({"Ashgrove": 80, "Birchfield": 40})
    table.index = [7, 3]
    flags = pd.Series([True], index=[3])  # a row without a flag is not hidden
    assert blank_where(table, flags)["suppressed"].tolist() == [False, True]
    assert blank_where(table, True)["suppressed"].all()


def test_it_blanks_only_the_columns_it_is_told_to() -> None:
    table = _schools({"Ashgrove": 80, "Birchfield": 40})
    out = blank_where(table, [True, False], columns=["mean"])
    assert pd.isna(out.loc[0, "mean"])
    assert out.loc[0, "n"] == 80
    with pytest.raises(ValueError, match="sd"):
        blank_where(table, True, columns=["sd"])


def test_it_lists_the_keys_of_hidden_rows() -> None:
    shown = suppress(
        _schools({"Ashgrove": 80, "Birchfield": 4, "Cedar Vale": 30}),
        threshold=10,
        keep=["school"],
    )
    assert hidden_keys(shown, ["school"]) == {("Birchfield",), ("Cedar Vale",)}


def test_it_selects_from_a_cleared_table() -> None:
    shown = suppress(_schools({"Ashgrove": 80, "Birchfield": 40}), threshold=10, keep=["school"])
    assert keep_columns(shown, ["school", "n"]).columns.tolist() == ["school", "n"]
    assert keep_rows(shown, shown["school"] == "Birchfield")["n"].tolist() == [40]
    stacked = concat_cleared([shown, shown])
    assert stacked.index.tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="no tables"):
        concat_cleared([])


# --- shares that are counts (rule 6) --------------------------------------------------------

BANDS = ["pct_very_low", "pct_low", "pct_medium", "pct_quite_high", "pct_very_high"]
HIGH = {"pct_quite_or_very_high": ["pct_quite_high", "pct_very_high"]}


def _shares(rows: dict[str, list[int]], dimension: str = "challenge") -> pd.DataFrame:
    """One row per school: n and the percentage of its pupils in each band."""
    frame = pd.DataFrame(
        {
            "school": list(rows),
            "dimension": dimension,
            "n": [sum(c) for c in rows.values()],
            "mean": 3.0,
        }
    )
    for j, band in enumerate(BANDS):
        frame[band] = [100.0 * c[j] / sum(c) for c in rows.values()]
    frame["pct_quite_or_very_high"] = frame["pct_quite_high"] + frame["pct_very_high"]
    return frame


def _visible(table: pd.DataFrame, row: int, columns: list[str]) -> list[bool]:
    return table.loc[row, columns].notna().tolist()


def test_it_hides_a_share_that_is_a_few_pupils_and_its_complement() -> None:
    # 3 of Ashgrove's 100 pupils are very low: 3% is three pupils. Hiding it alone would
    # leave it as 100% minus the others, so the smallest other non-zero band goes too.
    table = _shares({"Ashgrove": [3, 20, 30, 29, 18]})
    out = suppress(table, threshold=10, keep=["school"], shares=BANDS)
    assert not out["suppressed"].any()
    assert _visible(out, 0, BANDS) == [False, True, True, True, False]
    assert out.loc[0, "pct_low"] == pytest.approx(20.0)
    assert out.loc[0, "mean"] == 3.0


def test_it_publishes_a_share_of_nobody() -> None:
    table = _shares({"Ashgrove": [0, 20, 30, 30, 20]})
    out = suppress(table, threshold=10, keep=["school"], shares=BANDS)
    assert _visible(out, 0, BANDS) == [True] * 5
    assert out.loc[0, "pct_very_low"] == 0.0


def test_it_stops_once_the_hidden_shares_hold_enough_pupils() -> None:
    table = _shares({"Ashgrove": [4, 7, 30, 39, 20]})
    out = suppress(table, threshold=10, keep=["school"], shares=BANDS)
    assert _visible(out, 0, BANDS) == [False, False, True, True, True]


def test_it_keeps_a_combined_share_consistent_with_its_parts() -> None:
    # 5 very high and 40 quite high: "quite or very high" (45) is shown, so hiding very high
    # alone would leave it as 45 − 40; quite high goes too.
    table = _shares({"Ashgrove": [10, 20, 25, 40, 5]})
    columns = [*BANDS, "pct_quite_or_very_high"]
    out = suppress(table, threshold=10, keep=["school"], shares=columns, combined=HIGH)
    assert _visible(out, 0, columns) == [True, True, True, False, False, True]


def test_it_hides_a_combined_share_of_a_few_pupils() -> None:
    # 4 pupils quite or very high: the combined share is four pupils, and 100 minus it
    # would be told by the low bands, so it goes with them.
    table = _shares({"Ashgrove": [30, 40, 26, 3, 1]})
    columns = [*BANDS, "pct_quite_or_very_high"]
    out = suppress(table, threshold=10, keep=["school"], shares=columns, combined=HIGH)
    shown = _visible(out, 0, columns)
    assert shown[3:] == [False, False, False]
    assert sum(not s for s in shown) >= 4  # the high bands, the combined share and a complement


def test_it_checks_each_band_down_a_partition_of_schools() -> None:
    # Birchfield's 3 very-low pupils are hidden with its smallest other band. Down the very
    # low column the schools add up to the wave's published count, so Ashgrove's very low
    # goes too; each school alone (within each school) it would not.
    table = _shares({"Ashgrove": [30, 20, 30, 10, 10], "Birchfield": [3, 20, 30, 27, 20]})
    across = suppress(table, threshold=10, within=["dimension"], keep=["school"], shares=BANDS)
    alone = suppress(table, threshold=10, within=["school"], keep=["school"], shares=BANDS)
    assert pd.isna(across.loc[0, "pct_very_low"])
    assert alone.loc[0, "pct_very_low"] == pytest.approx(30.0)


def test_it_leaves_the_shares_of_a_hidden_row_blank() -> None:
    table = _shares({"Ashgrove": [30, 20, 30, 10, 10], "Birchfield": [1, 2, 3, 1, 0]})
    out = suppress(table, threshold=10, keep=["school"], shares=BANDS)
    assert out["suppressed"].tolist() == [True, True]
    assert out.loc[:, BANDS].isna().all().all()


def test_it_names_unknown_share_columns() -> None:
    table = _shares({"Ashgrove": [30, 20, 30, 10, 10]})
    with pytest.raises(ValueError, match="pct_middling"):
        suppress(table, threshold=10, shares=["pct_middling"])
    with pytest.raises(ValueError, match="not one of the shares"):
        suppress(table, threshold=10, shares=BANDS, combined=HIGH)
    with pytest.raises(ValueError, match="unknown shares"):
        suppress(
            table,
            threshold=10,
            shares=[*BANDS, "pct_quite_or_very_high"],
            combined={"pct_quite_or_very_high": ["pct_top"]},
        )


def _long(groups: dict[str, tuple[str, list[int]]]) -> pd.DataFrame:
    rows = []
    for school, (score, counts) in groups.items():
        for band, count in zip(["low", "medium", "high"], counts, strict=True):
            total = sum(counts)
            rows.append(
                {
                    "school": school,
                    "score": score,
                    "band": band,
                    "n": total,
                    "count": count,
                    "pct": 100.0 * count / total if total else np.nan,
                }
            )
    return pd.DataFrame(rows)


def test_it_hides_band_counts_of_a_few_pupils_in_a_long_table() -> None:
    table = _long(
        {"Ashgrove": ("challenge", [3, 47, 50]), "Birchfield": ("challenge", [0, 15, 15])}
    )
    out = suppress_shares(table, threshold=10, group=["school", "score"])
    assert out["suppressed"].tolist() == [True, True, False, False, False, False]
    assert out["count"].isna().tolist() == [True, True, False, False, False, False]
    assert out["pct"].isna().tolist() == [True, True, False, False, False, False]
    assert out["n"].tolist() == [100, 100, 100, 30, 30, 30]  # shown groups keep their n
    assert out.loc[3, "count"] == 0


def test_it_hides_every_band_of_a_small_group_with_its_n() -> None:
    table = _long({"Ashgrove": ("challenge", [10, 40, 50]), "Dunmore": ("challenge", [2, 3, 3])})
    out = suppress_shares(table, threshold=10, group=["school"], keep=["score"])
    assert out["suppressed"].tolist() == [False] * 3 + [True] * 3
    assert out.loc[3:, "n"].isna().all()
    assert out.loc[:2, "count"].tolist() == [10, 40, 50]


def test_it_checks_each_band_down_the_groups_of_a_set() -> None:
    table = _long(
        {"Ashgrove": ("challenge", [20, 30, 50]), "Birchfield": ("challenge", [4, 30, 16])}
    )
    alone = suppress_shares(table, threshold=10, group=["school", "score"])
    across = suppress_shares(table, threshold=10, group=["school", "score"], within=["score"])
    assert not alone.loc[0, "suppressed"]
    assert across.loc[0, "suppressed"]  # Ashgrove's low is Birchfield's complement down "low"


def test_it_refuses_a_long_table_it_cannot_read() -> None:
    table = _long({"Ashgrove": ("challenge", [20, 30, 50])})
    with pytest.raises(ValueError, match="missing"):
        suppress_shares(table.drop(columns="count"), threshold=10, group=["school"])
    with pytest.raises(ValueError, match="more than one row"):
        suppress_shares(pd.concat([table, table]), threshold=10, group=["school"])
    with pytest.raises(ValueError, match="group columns"):
        suppress_shares(table, threshold=10, group=["school"], within=["score"])


def _lines_hold(counts: np.ndarray, hidden: np.ndarray, threshold: int) -> bool:
    """On a line of counts: no hidden cell, or two or more holding ``threshold`` together.

    A line hidden whole leaves only its total, which is a figure of its own table (the
    wave's band count is cleared where the wave is published)."""
    off = int(hidden.sum())
    return off in (0, len(hidden)) or (off >= 2 and counts[hidden].sum() >= threshold)


def _pinned(table: pd.DataFrame, hidden: np.ndarray, threshold: int) -> list[int]:
    """Hidden rows of a long band table whose count the published totals fix exactly.

    Unknowns are the hidden counts; each shown school's n and each band's total down a
    score are known sums. A count is fixed when its unit vector lies in the span of those
    sums (the rank does not grow when it is added)."""
    cells = np.flatnonzero(hidden)
    if not cells.size:
        return []
    where = {int(c): k for k, c in enumerate(cells)}
    sums = []
    lines = [rows for _, rows in table.groupby("school") if rows["n"].iloc[0] >= threshold]
    lines += [rows for _, rows in table.groupby(["score", "band"]) if len(rows) > 1]
    for rows in lines:
        vector = np.zeros(cells.size)
        for r in rows.index:
            if hidden[r]:
                vector[where[int(r)]] = 1.0
        sums.append(vector)
    if not sums:
        return []
    matrix = np.array(sums)
    rank = np.linalg.matrix_rank(matrix)
    unit = np.eye(cells.size)
    return [
        int(c)
        for k, c in enumerate(cells)
        if np.linalg.matrix_rank(np.vstack([matrix, unit[k]])) == rank
    ]


def test_it_hides_a_band_that_two_safe_lines_would_pin_between_them() -> None:
    # Found by search: every school's bands and every band down the schools are safe line
    # by line, yet Ashgrove's medium and high counts follow from combining the lines. The
    # linear audit hides more until none does.
    counts = {
        "Ashgrove": [12, 0, 5, 12],
        "Birchfield": [12, 0, 20, 0],
        "Cedar Vale": [0, 12, 5, 12],
        "Dunmore": [40, 5, 40, 12],
        "Elmwood": [40, 20, 0, 5],
        "Fir": [20, 20, 40, 20],
    }
    table = pd.DataFrame(
        [
            {"school": s, "score": "d", "band": f"b{k}", "n": sum(c), "count": x}
            for s, c in counts.items()
            for k, x in enumerate(c)
        ]
    )
    out = suppress_shares(table, threshold=10, group=["school", "score"], within=["score"])
    hidden = out["suppressed"].to_numpy(dtype=bool)
    assert hidden.any()
    assert _pinned(table, hidden, 10) == []


@st.composite
def band_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    threshold = draw(st.integers(2, 12))
    n_groups = draw(st.integers(1, 6))
    small = st.integers(0, threshold + 3)
    rows = []
    for g in range(n_groups):
        counts = draw(st.lists(st.one_of(small, st.integers(0, 80)), min_size=4, max_size=4))
        for band, count in enumerate(counts):
            rows.append(
                {
                    "school": f"school {g}",
                    "score": f"dim {g % 2}",
                    "band": f"band {band}",
                    "n": sum(counts),
                    "count": count,
                }
            )
    return pd.DataFrame(rows), threshold


@settings(max_examples=40, deadline=None)
@given(band_tables())
def test_it_never_publishes_a_band_of_a_few_pupils_or_lets_one_be_recovered(
    data: tuple[pd.DataFrame, int],
) -> None:
    table, threshold = data
    out = suppress_shares(table, threshold=threshold, group=["school", "score"], within=["score"])
    hidden = out["suppressed"].to_numpy(dtype=bool)
    counts = table["count"].to_numpy()
    # No visible count of 1 .. threshold − 1 pupils; visible counts are the true ones.
    assert not ((counts[~hidden] > 0) & (counts[~hidden] < threshold)).any()
    assert out.loc[~hidden, "count"].astype(int).tolist() == counts[~hidden].tolist()
    assert out.loc[hidden, "count"].isna().all()
    # Each shown school's bands partition its n; no hidden band is its n minus the others.
    for _, rows in table.groupby("school"):
        if rows["n"].iloc[0] >= threshold:
            assert _lines_hold(counts[rows.index], hidden[rows.index], threshold)
        else:
            assert hidden[rows.index].all()
    # Down each band, a score's schools add up to the published wave count.
    for _, rows in table.groupby(["score", "band"]):
        if len(rows) > 1:
            assert _lines_hold(counts[rows.index], hidden[rows.index], threshold)
    # Nor does any combination of the published sums fix a hidden count.
    assert _pinned(table, hidden, threshold) == []


@settings(max_examples=40, deadline=None)
@given(band_tables())
def test_it_keeps_wide_shares_and_their_combined_share_unrecoverable(
    data: tuple[pd.DataFrame, int],
) -> None:
    long, threshold = data
    wide = long.pivot_table(index=["school", "score", "n"], columns="band", values="count")
    wide = wide.reset_index()
    bands = [f"band {k}" for k in range(4)]
    counts = wide[bands].to_numpy(dtype=float)
    n = wide["n"].to_numpy(dtype=float)
    for k, band in enumerate(bands):
        wide[band] = np.where(n > 0, 100.0 * counts[:, k] / np.maximum(n, 1), np.nan)
    wide["top"] = wide["band 2"] + wide["band 3"]
    columns = [*bands, "top"]
    out = suppress(
        wide,
        threshold=threshold,
        within=["score"],
        keep=["school"],
        shares=columns,
        combined={"top": ["band 2", "band 3"]},
    )
    top = counts[:, 2] + counts[:, 3]
    cells = np.column_stack([counts, top])
    off = out[columns].isna().to_numpy()
    assert not ((cells[~off] > 0) & (cells[~off] < threshold)).any()
    for i in range(len(out)):
        if out.loc[i, "suppressed"]:
            assert off[i].all()
            continue
        assert _lines_hold(cells[i, :4], off[i, :4], threshold)
        if not off[i, 4]:  # the combined share shown: its parts and the rest are lines too
            assert _lines_hold(cells[i, 2:4], off[i, 2:4], threshold)
            assert _lines_hold(cells[i, [0, 1, 4]], off[i, [0, 1, 4]], threshold)
    # Down each share, a score's schools add up to the wave's published share.
    for rows in out.groupby("score").indices.values():
        if len(rows) > 1:
            for j in range(len(columns)):
                assert _lines_hold(cells[rows, j], off[rows, j], threshold)


# --- totals beside hidden parts (rule 7) ----------------------------------------------------


def _parts(n: list[int | None], hidden: list[bool]) -> pd.DataFrame:
    return pd.DataFrame({"n": pd.array(n, dtype="Int64"), "suppressed": hidden})


def test_it_withholds_a_total_that_gives_a_hidden_school_away() -> None:
    # The trust report's "4,830 pupils took part" beside visible schools summing to 4,826.
    parts = _parts([2000, 2826, None], [False, False, True])
    assert not total_is_publishable(4830, parts, threshold=10)
    assert clear_total(4830, parts, threshold=10) is None


def test_it_withholds_a_total_beside_one_hidden_part_however_large() -> None:
    parts = _parts([2000, None], [False, True])
    assert not total_is_publishable(2500, parts, threshold=10)


def test_it_publishes_a_total_whose_hidden_parts_stay_unrecoverable() -> None:
    parts = _parts([2000, None, None], [False, True, True])
    assert total_is_publishable(2012, parts, threshold=10)
    assert clear_total(2012, parts, threshold=10) == 2012
    assert not total_is_publishable(2008, parts, threshold=10)  # two hidden holding 8


def test_it_publishes_a_total_of_visible_parts() -> None:
    parts = _parts([2000, 30], [False, False])
    assert total_is_publishable(2030, parts, threshold=10)
    # Pupils outside the listed parts are a group too: 4 of them would be told.
    assert not total_is_publishable(2034, parts, threshold=10)
    assert total_is_publishable(2050, parts, threshold=10)


def test_it_withholds_a_total_below_the_threshold() -> None:
    assert not total_is_publishable(8, _parts([8], [False]), threshold=10)


def test_it_refuses_a_total_smaller_than_its_visible_parts() -> None:
    with pytest.raises(ValueError, match="total"):
        total_is_publishable(100, _parts([80, 30], [False, False]), threshold=10)
