"""A trust's tables (Django-free): its schools suppressed as the partition of its total, its
total shown only where no hidden school follows from it, its pupils against the rest of the
wave by direct grouping."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnsurvey.analysis.figures.trust import TrustFigures, build_trust_figures
from learnsurvey.analysis.groups import group_summary
from learnsurvey.analysis.inputs import ReportInputs, inputs_from_files
from learnsurvey.analysis.trusts import (
    clear_trust_totals,
    direction,
    effect_size,
    trust_school_scores,
)
from learnsurvey.instruments import load_instrument
from learnsurvey.stats.disclosure import suppress

THRESHOLD = 10


def _wave(sizes: dict[str, int], hidden: set[str]) -> pd.DataFrame:
    """One overall score per school as :func:`wave_school_scores` gives it, the schools in
    ``hidden`` hidden by the wave-wide rule."""
    rows = pd.DataFrame(
        {
            "school": list(sizes),
            "kind": "overall",
            "score": "overall",
            "n": list(sizes.values()),
            "mean": np.linspace(3.0, 3.5, len(sizes)),
            "raw_n": list(sizes.values()),
        }
    )
    wave_hidden = rows["school"].isin(hidden)
    rows["suppressed"] = wave_hidden
    rows.loc[wave_hidden, ["n", "mean"]] = np.nan
    return rows


def test_it_hides_a_second_school_beside_one_the_wave_hid() -> None:
    # The wave hid B (a complement of a small school elsewhere); alone among the trust's
    # schools it would be the trust's total minus A and C.
    wave = _wave({"A": 50, "B": 60, "C": 70, "X": 4}, hidden={"B", "X"})
    rows = trust_school_scores(wave, ["A", "B", "C"], threshold=THRESHOLD)
    assert dict(zip(rows["school"], rows["suppressed"], strict=True)) == {
        "A": True,
        "B": True,
        "C": False,
    }
    assert rows.loc[rows["school"] == "A", "n"].isna().all()
    assert "raw_n" not in rows.columns


def test_it_leaves_a_trust_with_nothing_hidden_alone() -> None:
    wave = _wave({"A": 50, "B": 60, "C": 70}, hidden=set())
    rows = trust_school_scores(wave, ["A", "B"], threshold=THRESHOLD)
    assert not rows["suppressed"].any()
    assert rows["n"].tolist() == [50, 60]


def _against(n: int) -> pd.DataFrame:
    table = pd.DataFrame(
        {"kind": ["overall"], "score": ["overall"], "n": [n], "mean": [3.2], "all_mean": [3.1]}
    )
    return suppress(table, threshold=THRESHOLD, within=["kind", "score"])


def _cleared(against: pd.DataFrame, wave: pd.DataFrame, schools: list[str]) -> pd.DataFrame:
    trust = trust_school_scores(wave, schools, threshold=THRESHOLD)
    return clear_trust_totals(against, wave, trust, threshold=THRESHOLD)


def test_a_total_beside_one_small_school_is_hidden() -> None:
    wave = _wave({"A": 50, "B": 60, "T": 4}, hidden={"T"})
    cleared = _cleared(_against(114), wave, ["A", "B", "T"])
    row = cleared.iloc[0]
    assert row["suppressed"]
    assert pd.isna(row["n"])
    assert pd.isna(row["mean"])
    assert row["all_mean"] == 3.1


def test_a_total_beside_two_small_schools_of_enough_pupils_is_shown() -> None:
    wave = _wave({"A": 50, "S": 5, "T": 6}, hidden={"S", "T"})
    cleared = _cleared(_against(61), wave, ["A", "S", "T"])
    assert not cleared.iloc[0]["suppressed"]
    assert cleared.iloc[0]["n"] == 61


def test_a_school_hidden_only_as_a_complement_does_not_hide_the_total() -> None:
    # B is hidden by the wave, but its own pages publish its count: the total gives no
    # one away that is not already published.
    wave = _wave({"A": 50, "B": 60}, hidden={"B"})
    cleared = _cleared(_against(110), wave, ["A", "B"])
    assert not cleared.iloc[0]["suppressed"]


def test_a_trust_of_one_school_the_wave_hid_hides_its_total() -> None:
    # A complement of X in the wave: the trust's total would be its count, and with the
    # wave's total and Y's, X's.
    wave = _wave({"A": 10, "Y": 10, "X": 2}, hidden={"A", "X"})
    assert _cleared(_against(10), wave, ["A"]).iloc[0]["suppressed"]


def test_it_words_intervals_and_sizes() -> None:
    assert direction(0.1, 0.3) == "above"
    assert direction(-0.3, -0.1) == "below"
    assert direction(-0.1, 0.3) == "within"
    assert direction(None, 0.3) == "unknown"
    assert [effect_size(g) for g in (0.1, -0.3, 0.6, 0.9, None)] == [
        "very small",
        "small",
        "medium",
        "large",
        None,
    ]


PUPILS = load_instrument("learning-survey")


def _inputs(folder: Path, sizes: list[int], trusts: list[str | None], seed: int) -> ReportInputs:
    rng = np.random.default_rng(seed)
    rows = [
        {
            "school": f"S{k:02d}",
            "key_stage": "KS2",
            "gender": "girl",
            "wave": "w",
            **{item.id: int(rng.integers(1, 6)) for item in PUPILS.items},
        }
        for k, n in enumerate(sizes)
        for _ in range(n)
    ]
    pd.DataFrame(rows).to_csv(folder / "p.csv", index=False)
    context = pd.DataFrame(
        {
            "school": [f"S{k:02d}" for k in range(len(sizes))],
            "name": [f"School {k:02d}" for k in range(len(sizes))],
            "trust": trusts,
        }
    )
    context.to_csv(folder / "c.csv", index=False)
    return inputs_from_files(
        folder / "p.csv", PUPILS, threshold=THRESHOLD, context=folder / "c.csv"
    )


def _check_trust(figures: TrustFigures, own: dict[str, int]) -> None:
    """No published count is 1 to threshold − 1; the trust's total gives no school away,
    neither beside its shown schools nor beside every school's own count."""
    shown = [r for r in figures.schools if not r.overall.suppressed]
    hidden = [r for r in figures.schools if r.overall.suppressed]
    for row in shown:
        assert row.overall.n is not None
        assert row.overall.n >= THRESHOLD
    if shown:  # some shown, some hidden: the hidden do not follow from the trust's total
        assert len(hidden) != 1
        assert not hidden or sum(own[r.urn] for r in hidden) >= THRESHOLD
    if figures.n_pupils is None:
        assert all(s.n is None and s.mean is None for s in figures.against_rest)
        return
    assert figures.n_pupils == sum(own[r.urn] for r in figures.schools)
    for visible in (
        [own[r.urn] for r in shown],  # beside the trust's table
        [n for n in (own[r.urn] for r in figures.schools) if n >= THRESHOLD],  # own pages
    ):
        rest = figures.n_pupils - sum(visible)
        assert rest == 0 or rest >= THRESHOLD
        if rest:
            assert len(figures.schools) - len(visible) >= 2


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sizes=st.lists(st.integers(2, 30), min_size=3, max_size=8),
    seed=st.integers(0, 1000),
    data=st.data(),
)
def test_it_never_publishes_a_total_that_gives_a_school_away(
    tmp_path: Path, sizes: list[int], seed: int, data: st.DataObject
) -> None:
    trusts = data.draw(
        st.lists(
            st.sampled_from(["North", "South", None]), min_size=len(sizes), max_size=len(sizes)
        )
    )
    inputs = _inputs(tmp_path, sizes, trusts, seed)
    overall = group_summary(inputs.current.stats, ["school"], kind="overall", label="score")
    own = {str(s): int(n) for s, n in zip(overall["school"], overall["n"], strict=True)}
    for figures in build_trust_figures(inputs).values():
        _check_trust(figures, own)
