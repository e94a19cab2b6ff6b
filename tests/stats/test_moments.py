"""Tests for learnsurvey.stats.moments: mergeable sufficient statistics.

Every statistic is checked against a direct computation on the raw data (numpy loops or
pandas, which computes pairwise-complete covariances and correlations as R does), and the
chunks of any split must add up to the statistics of the whole.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import reduce
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

from learnsurvey.stats import moments as moments_module
from learnsurvey.stats.moments import CategoryTables, GroupMoments, PairwiseMoments

EXAMPLES = settings(max_examples=50, deadline=None)


# --- strategies ---------------------------------------------------------------------------


@st.composite
def answer_matrices(draw: st.DrawFn) -> tuple[NDArray[np.int64], int]:
    """(rows x items) category codes 0..K-1 with -1 for a missing answer, and K."""
    k = draw(st.integers(2, 5))
    rows = draw(st.integers(0, 30))
    items = draw(st.integers(1, 5))
    codes = draw(hnp.arrays(np.int64, (rows, items), elements=st.integers(-1, k - 1)))
    return codes, k


@st.composite
def split_points(draw: st.DrawFn, n_rows: int) -> list[int]:
    """Sorted cut points 0 = c0 <= c1 <= ... <= n_rows (empty chunks allowed)."""
    cuts = draw(st.lists(st.integers(0, n_rows), max_size=4))
    return [0, *sorted(cuts), n_rows]


def _chunks(x: NDArray[np.generic], cuts: list[int]) -> list[NDArray[np.generic]]:
    return [x[a:b] for a, b in pairwise(cuts)]


def _reference(compute: Callable[[], pd.DataFrame | pd.Series]) -> NDArray[np.float64]:
    """Run a pandas reference computation, which warns about empty input that ours accepts."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return compute().to_numpy(dtype=float)


def _decode(codes: NDArray[np.int64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.where(codes >= 0, values[np.clip(codes, 0, None)], np.nan)


def _brute_force_tables(codes: NDArray[np.int64], k: int) -> NDArray[np.int64]:
    p = codes.shape[1]
    out = np.zeros((p, p, k, k), dtype=np.int64)
    for i in range(p):
        for j in range(p):
            for a in range(k):
                for b in range(k):
                    out[i, j, a, b] = np.sum((codes[:, i] == a) & (codes[:, j] == b))
    return out


def _assert_moments_close(a: PairwiseMoments, b: PairwiseMoments) -> None:
    for name in ("n", "sum_x", "sum_xx", "sum_xy"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-12, atol=1e-9)


# --- CategoryTables -----------------------------------------------------------------------


@EXAMPLES
@given(answer_matrices())
def test_it_counts_every_item_pair_like_a_brute_force_tally(data: tuple[NDArray, int]) -> None:
    codes, k = data
    tables = CategoryTables.from_codes(codes, k)
    assert tables.counts.dtype == np.int64
    np.testing.assert_array_equal(tables.counts, _brute_force_tables(codes, k))


@EXAMPLES
@given(data=answer_matrices(), cut_data=st.data())
def test_it_adds_chunk_tables_up_to_the_whole_exactly(
    data: tuple[NDArray, int], cut_data: st.DataObject
) -> None:
    codes, k = data
    cuts = cut_data.draw(split_points(codes.shape[0]))
    parts = [CategoryTables.from_codes(c, k) for c in _chunks(codes, cuts)]
    total = reduce(lambda a, b: a + b, parts, CategoryTables.empty(codes.shape[1], k))
    np.testing.assert_array_equal(total.counts, CategoryTables.from_codes(codes, k).counts)


def test_it_gives_the_same_tables_whatever_the_block_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(7)
    codes = rng.integers(-1, 4, size=(101, 6))
    whole = CategoryTables.from_codes(codes, 4)
    monkeypatch.setattr(moments_module, "_BLOCK_ROWS", 8)
    blocked = CategoryTables.from_codes(codes, 4)
    np.testing.assert_array_equal(blocked.counts, whole.counts)
    np.testing.assert_array_equal(blocked.counts, _brute_force_tables(codes, 4))


def test_it_keeps_item_category_counts_on_the_diagonal() -> None:
    # Three pupils, two items on a 3-point scale; pupil 3 skipped item 2.
    codes = np.array([[0, 2], [2, 2], [2, -1]])
    tables = CategoryTables.from_codes(codes, 3)
    np.testing.assert_array_equal(tables.item_counts(), [[1, 0, 2], [0, 0, 2]])
    assert tables.n_items == 2
    assert tables.n_categories == 3
    # Off-diagonal tables only count pupils who answered both items.
    assert tables.counts[0, 1].sum() == 2
    np.testing.assert_array_equal(tables.counts[0, 1], tables.counts[1, 0].T)


@EXAMPLES
@given(answer_matrices())
def test_it_is_symmetric_in_the_item_pair(data: tuple[NDArray, int]) -> None:
    codes, k = data
    c = CategoryTables.from_codes(codes, k).counts
    np.testing.assert_array_equal(c, c.transpose(1, 0, 3, 2))


def test_it_subsets_tables_like_counting_the_subset() -> None:
    rng = np.random.default_rng(3)
    codes = rng.integers(-1, 5, size=(60, 5))
    sub = CategoryTables.from_codes(codes, 5).subset([4, 1])
    np.testing.assert_array_equal(sub.counts, CategoryTables.from_codes(codes[:, [4, 1]], 5).counts)


@EXAMPLES
@given(data=answer_matrices(), scale=st.data())
def test_it_derives_moments_equal_to_those_of_the_decoded_values(
    data: tuple[NDArray, int], scale: st.DataObject
) -> None:
    codes, k = data
    values = np.asarray(
        scale.draw(st.lists(st.integers(-5, 9), min_size=k, max_size=k)), dtype=np.float64
    )
    from_tables = CategoryTables.from_codes(codes, k).moments(values)
    from_values = PairwiseMoments.from_values(_decode(codes, values))
    _assert_moments_close(from_tables, from_values)


def test_it_scores_categories_zero_to_k_minus_one_by_default() -> None:
    codes = np.array([[0, 1], [3, -1], [2, 2]])
    from_tables = CategoryTables.from_codes(codes, 4).moments()
    from_values = PairwiseMoments.from_values(_decode(codes, np.arange(4.0)))
    _assert_moments_close(from_tables, from_values)


def test_it_counts_an_empty_answer_matrix_as_zero() -> None:
    tables = CategoryTables.from_codes(np.empty((0, 3), dtype=np.int64), 5)
    assert tables.counts.shape == (3, 3, 5, 5)
    assert not tables.counts.any()


@pytest.mark.parametrize(
    "codes",
    [
        pytest.param(np.array([[0, 5]]), id="code-equal-to-k"),
        pytest.param(np.array([[-2, 0]]), id="code-below-minus-one"),
    ],
)
def test_it_rejects_codes_outside_the_scale(codes: NDArray[np.int64]) -> None:
    with pytest.raises(ValueError, match=r"-1\.\.4"):
        CategoryTables.from_codes(codes, 5)


def test_it_rejects_a_one_dimensional_answer_array() -> None:
    with pytest.raises(ValueError, match="2-d"):
        CategoryTables.from_codes(np.array([0, 1, 2]), 3)


@pytest.mark.parametrize(
    "shape", [(2, 2, 3), (2, 3, 4, 4), (2, 2, 3, 4)], ids=["3-d", "items", "categories"]
)
def test_it_rejects_counts_of_the_wrong_shape(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r"shape \(p, p, K, K\)"):
        CategoryTables(np.zeros(shape, dtype=np.int64))


def test_it_refuses_to_add_tables_of_different_shapes() -> None:
    with pytest.raises(ValueError, match="different shapes"):
        CategoryTables.empty(3, 5) + CategoryTables.empty(3, 4)


# --- PairwiseMoments ----------------------------------------------------------------------


@st.composite
def value_matrices(draw: st.DrawFn) -> NDArray[np.float64]:
    """Small-integer scores with NaN for missing, as pupils' answers and scores are."""
    data, _ = draw(answer_matrices())
    offset = draw(st.integers(-3, 3))
    return np.where(data >= 0, data + offset, np.nan).astype(np.float64)


@EXAMPLES
@given(values=value_matrices(), cut_data=st.data())
def test_it_adds_chunk_moments_up_to_the_whole(
    values: NDArray[np.float64], cut_data: st.DataObject
) -> None:
    cuts = cut_data.draw(split_points(values.shape[0]))
    parts = [PairwiseMoments.from_values(c) for c in _chunks(values, cuts)]
    total = reduce(lambda a, b: a + b, parts, PairwiseMoments.empty(values.shape[1]))
    _assert_moments_close(total, PairwiseMoments.from_values(values))


@EXAMPLES
@given(value_matrices())
def test_it_matches_pandas_pairwise_covariance(values: NDArray[np.float64]) -> None:
    ours = PairwiseMoments.from_values(values).cov()
    expected = _reference(lambda: pd.DataFrame(values).cov())
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-9, equal_nan=True)


@EXAMPLES
@given(value_matrices())
def test_it_matches_pandas_pairwise_correlation(values: NDArray[np.float64]) -> None:
    ours = PairwiseMoments.from_values(values).corr()
    expected = _reference(lambda: pd.DataFrame(values).corr())
    off = ~np.eye(values.shape[1], dtype=bool)
    np.testing.assert_allclose(ours[off], expected[off], rtol=1e-9, atol=1e-9, equal_nan=True)
    # The diagonal is 1 by definition, even where pandas gives NaN for a constant column.
    np.testing.assert_array_equal(np.diag(ours), 1.0)


def test_it_uses_each_pairs_own_rows_for_the_correlation_as_r_does() -> None:
    # Item b is missing for the two pupils who make a and c disagree most.
    values = np.array(
        [[1, np.nan, 5], [5, np.nan, 1], [2, 2, 2], [3, 4, 3], [4, 3, 5], [5, 5, 4]], dtype=float
    )
    ours = PairwiseMoments.from_values(values).corr()
    frame = pd.DataFrame(values, columns=list("abc"))
    both = frame[["a", "b"]].dropna()
    expected_ab = np.corrcoef(both["a"], both["b"])[0, 1]
    assert ours[0, 1] == pytest.approx(expected_ab, abs=1e-12)
    assert ours[0, 2] == pytest.approx(np.corrcoef(frame["a"], frame["c"])[0, 1], abs=1e-12)
    np.testing.assert_allclose(ours, frame.corr().to_numpy(), atol=1e-12)


def test_it_reports_counts_and_means_of_observed_values() -> None:
    values = np.array([[1.0, np.nan], [2.0, 4.0], [np.nan, 6.0], [6.0, np.nan]])
    m = PairwiseMoments.from_values(values)
    np.testing.assert_array_equal(m.counts(), [3, 2])
    np.testing.assert_allclose(m.means(), [3.0, 5.0])
    assert m.n[0, 1] == 1  # only pupil 2 has both


def test_it_subsets_moments_like_computing_on_the_subset() -> None:
    rng = np.random.default_rng(11)
    values = rng.integers(1, 6, size=(40, 4)).astype(float)
    values[rng.random(values.shape) < 0.2] = np.nan
    _assert_moments_close(
        PairwiseMoments.from_values(values).subset([3, 0]),
        PairwiseMoments.from_values(values[:, [3, 0]]),
    )


def test_it_rejects_a_one_dimensional_value_array() -> None:
    with pytest.raises(ValueError, match="2-d"):
        PairwiseMoments.from_values([1.0, 2.0, 3.0])


def test_it_refuses_to_add_moments_of_different_shapes() -> None:
    with pytest.raises(ValueError, match="different shapes"):
        PairwiseMoments.empty(2) + PairwiseMoments.empty(3)


# --- GroupMoments -------------------------------------------------------------------------


@st.composite
def grouped_values(draw: st.DrawFn) -> tuple[NDArray[np.float64], NDArray[np.intp], int]:
    values = draw(value_matrices())
    n_groups = draw(st.integers(1, 6))
    groups = draw(hnp.arrays(np.intp, (values.shape[0],), elements=st.integers(0, n_groups - 1)))
    return values, groups, n_groups


def _pandas_group_stats(
    values: NDArray[np.float64], groups: NDArray[np.intp], n_groups: int
) -> dict[str, NDArray[np.float64]]:
    frame = pd.DataFrame(values)
    by = frame.groupby(groups)
    index = pd.RangeIndex(n_groups)
    centred = frame - by.transform("mean")
    return {
        "n": _reference(lambda: by.count().reindex(index, fill_value=0)),
        "means": _reference(lambda: by.mean().reindex(index)),
        "sds": _reference(lambda: by.std(ddof=1).reindex(index)),
        "ss_within": _reference(
            lambda: (centred**2).groupby(groups).sum().reindex(index, fill_value=0.0)
        ),
    }


@EXAMPLES
@given(grouped_values())
def test_it_matches_pandas_groupby(data: tuple[NDArray, NDArray, int]) -> None:
    values, groups, n_groups = data
    gm = GroupMoments.from_values(values, groups, n_groups)
    expected = _pandas_group_stats(values, groups, n_groups)
    assert gm.n.shape == (n_groups, values.shape[1])
    np.testing.assert_array_equal(gm.n, expected["n"])
    np.testing.assert_allclose(gm.means(), expected["means"], atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(gm.sds(), expected["sds"], atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(gm.ss_within(), expected["ss_within"], atol=1e-8)


@EXAMPLES
@given(data=grouped_values(), cut_data=st.data())
def test_it_adds_chunk_group_moments_up_to_the_whole(
    data: tuple[NDArray, NDArray, int], cut_data: st.DataObject
) -> None:
    values, groups, n_groups = data
    cuts = cut_data.draw(split_points(values.shape[0]))
    parts = [
        GroupMoments.from_values(v, g, n_groups)
        for v, g in zip(_chunks(values, cuts), _chunks(groups, cuts), strict=True)
    ]
    total = reduce(lambda a, b: a + b, parts, GroupMoments.empty(n_groups, values.shape[1]))
    whole = GroupMoments.from_values(values, groups, n_groups)
    np.testing.assert_array_equal(total.n, whole.n)  # counts add up exactly
    np.testing.assert_allclose(total.sum, whole.sum, atol=1e-9)
    np.testing.assert_allclose(total.sum_sq, whole.sum_sq, atol=1e-9)


@EXAMPLES
@given(data=grouped_values(), mapping_data=st.data())
def test_it_collapses_groups_like_regrouping_the_raw_data(
    data: tuple[NDArray, NDArray, int], mapping_data: st.DataObject
) -> None:
    values, groups, n_groups = data
    n_new = mapping_data.draw(st.integers(1, 4))
    mapping = np.array(
        mapping_data.draw(
            st.lists(st.integers(-1, n_new - 1), min_size=n_groups, max_size=n_groups)
        ),
        dtype=np.intp,
    )
    collapsed = GroupMoments.from_values(values, groups, n_groups).collapse(mapping, n_new)
    new_groups = mapping[groups]
    keep = new_groups >= 0  # rows of a dropped group leave the statistics
    direct = GroupMoments.from_values(values[keep], new_groups[keep], n_new)
    np.testing.assert_array_equal(collapsed.n, direct.n)
    np.testing.assert_allclose(collapsed.sum, direct.sum, atol=1e-9)
    np.testing.assert_allclose(collapsed.sum_sq, direct.sum_sq, atol=1e-9)


@EXAMPLES
@given(grouped_values())
def test_it_totals_to_the_ungrouped_statistics(data: tuple[NDArray, NDArray, int]) -> None:
    values, groups, n_groups = data
    total = GroupMoments.from_values(values, groups, n_groups).total()
    frame = pd.DataFrame(values)
    assert total.n.shape == (1, values.shape[1])
    np.testing.assert_array_equal(total.n[0], _reference(frame.count))
    np.testing.assert_allclose(total.means()[0], _reference(frame.mean), equal_nan=True)
    np.testing.assert_allclose(
        total.sds()[0], _reference(lambda: frame.std(ddof=1)), atol=1e-6, equal_nan=True
    )


def test_it_pads_with_empty_groups() -> None:
    # Two schools seen so far; a chunk introduces a third.
    gm = GroupMoments.from_values([[3.0], [5.0], [4.0]], [0, 0, 1], 2)
    padded = gm.padded(3)
    np.testing.assert_array_equal(padded.n, [[2], [1], [0]])
    np.testing.assert_array_equal(padded.sum, [[8], [4], [0]])
    assert np.isnan(padded.means()[2, 0])
    assert np.isnan(padded.sds()[2, 0])
    assert padded.ss_within()[2, 0] == 0.0
    later = GroupMoments.from_values([[1.0]], [2], 3)
    merged = padded + later
    np.testing.assert_array_equal(merged.n, [[2], [1], [1]])
    assert gm.padded(2).n.shape == (2, 1)


def test_it_refuses_to_pad_to_fewer_groups() -> None:
    gm = GroupMoments.empty(3, 2)
    with pytest.raises(ValueError, match="fewer groups"):
        gm.padded(2)


def test_it_gives_no_sd_for_a_group_of_one() -> None:
    gm = GroupMoments.from_values([[2.0], [4.0], [7.0]], [0, 0, 1], 2)
    np.testing.assert_allclose(gm.sds()[:, 0], [np.sqrt(2.0), np.nan], equal_nan=True)
    np.testing.assert_allclose(gm.ss_within()[:, 0], [2.0, 0.0])


@pytest.mark.parametrize(
    ("values", "groups", "message"),
    [
        pytest.param([1.0, 2.0], [0, 1], "rows x variables", id="1-d-values"),
        pytest.param([[1.0], [2.0]], [0], "one code per row", id="too-few-codes"),
        pytest.param([[1.0], [2.0]], [0, 3], r"0\.\.2", id="code-too-high"),
        pytest.param([[1.0], [2.0]], [0, -1], r"0\.\.2", id="negative-code"),
    ],
)
def test_it_rejects_bad_group_input(values: object, groups: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GroupMoments.from_values(values, groups, 3)  # type: ignore[arg-type]


def test_it_rejects_a_mapping_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="one entry per group"):
        GroupMoments.empty(3, 1).collapse([0, 0], 1)


def test_it_refuses_to_add_group_moments_of_different_shapes() -> None:
    with pytest.raises(ValueError, match="different shapes"):
        GroupMoments.empty(2, 2) + GroupMoments.empty(3, 2)
