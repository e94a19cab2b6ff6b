"""Staff versus pupil gaps (Django-free): equal to a hand calculation, suppressed per side."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from learnsurvey.analysis import WaveStatistics, wave_statistics
from learnsurvey.analysis.groups import by_school_attribute
from learnsurvey.analysis.staff import staff_pupil_gaps, trust_staff_gaps
from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.io import read_responses

PUPILS = load_instrument("learning-survey")
STAFF = load_instrument("staff-survey")
THRESHOLD = 10


def _answers(inst: Instrument, values: dict[str, int]) -> dict[str, int]:
    """Answers that give each dimension exactly the score in ``values``: reverse-worded
    items get min + max − v, so that after reverse-coding every item reads v."""
    top = inst.scale.min + inst.scale.max
    return {
        item.id: top - values[item.dimension] if item.reverse else values[item.dimension]
        for item in inst.items
    }


def _write(
    path: Path, inst: Instrument, groups: dict[str, list[int]], *, staff: bool
) -> WaveStatistics:
    """One row per respondent; every dimension gets the respondent's value."""
    rows = []
    for school, values in groups.items():
        for k, v in enumerate(values):
            rows.append(
                {
                    "school": school,
                    "key_stage": "" if staff else ("KS2" if k % 2 else "KS3"),
                    "gender": "" if staff else ("girl" if k % 3 else "boy"),
                    "wave": "w1",
                    **_answers(inst, {d.id: v for d in inst.dimensions}),
                }
            )
    pd.DataFrame(rows).to_csv(path, index=False)
    return wave_statistics(inst, read_responses(path, inst))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(4)


def _values(rng: np.random.Generator, n: int, low: int) -> list[int]:
    return [int(v) for v in rng.integers(low, 6, size=n)]


def test_it_matches_a_hand_calculation(tmp_path: Path, rng: np.random.Generator) -> None:
    pupil_values = {"A": _values(rng, 30, 1), "B": _values(rng, 25, 2)}
    staff_values = {"A": _values(rng, 12, 3), "B": _values(rng, 15, 2)}
    pupils = _write(tmp_path / "p.csv", PUPILS, pupil_values, staff=False)
    staff = _write(tmp_path / "s.csv", STAFF, staff_values, staff=True)
    gaps = staff_pupil_gaps(pupils, staff, threshold=THRESHOLD)
    assert len(gaps) == 2 * len(PUPILS.dimensions)
    assert not gaps["suppressed"].any()
    for school in ("A", "B"):
        p = np.array(pupil_values[school], dtype=float)
        s = np.array(staff_values[school], dtype=float)
        row = gaps[(gaps["school"] == school) & (gaps["dimension"] == "challenge")].iloc[0]
        assert row["pupil_n"] == len(p)
        assert row["staff_n"] == len(s)
        assert row["pupil_mean"] == pytest.approx(p.mean())
        assert row["staff_mean"] == pytest.approx(s.mean())
        assert row["gap"] == pytest.approx(s.mean() - p.mean())
        welch = stats.ttest_ind(s, p, equal_var=False).confidence_interval(0.95)
        assert row["gap_ci_low"] == pytest.approx(welch.low)
        assert row["gap_ci_high"] == pytest.approx(welch.high)
        n1, n2 = len(s), len(p)
        pooled = np.sqrt(((n1 - 1) * s.var(ddof=1) + (n2 - 1) * p.var(ddof=1)) / (n1 + n2 - 2))
        df = n1 + n2 - 2
        j = np.exp(special.gammaln(df / 2) - 0.5 * np.log(df / 2) - special.gammaln((df - 1) / 2))
        g = j * (s.mean() - p.mean()) / pooled
        half = 1.959963984540054 * np.sqrt(1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2)))
        assert row["hedges_g"] == pytest.approx(g)
        assert row["g_ci_low"] == pytest.approx(g - half)
        assert row["g_ci_high"] == pytest.approx(g + half)


def test_small_staff_groups_are_hidden_with_their_complement(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    pupil_values = {s: _values(rng, 40, 1) for s in ("A", "B", "C", "D")}
    # B has too few staff; A is then the smallest visible group and is hidden too, or B's
    # figures would follow from the total. D has no staff at all: a zero describes nobody,
    # so it does not trigger any further hiding.
    staff_values = {"A": _values(rng, 12, 2), "B": _values(rng, 4, 2), "C": _values(rng, 30, 2)}
    pupils = _write(tmp_path / "p.csv", PUPILS, pupil_values, staff=False)
    staff = _write(tmp_path / "s.csv", STAFF, staff_values, staff=True)
    gaps = staff_pupil_gaps(pupils, staff, threshold=THRESHOLD)
    hidden = gaps.groupby("school")["suppressed"].all().to_dict()
    assert hidden == {"A": True, "B": True, "C": False, "D": True}
    shown = gaps.groupby("school")["suppressed"].any()
    assert not shown["C"]
    answered = gaps.groupby("school")["staff_answered"].all().to_dict()
    assert answered == {"A": True, "B": True, "C": True, "D": False}
    small = gaps[gaps["school"].isin(["A", "B"])]
    for column in ("staff_n", "pupil_n", "staff_mean", "gap", "gap_ci_low", "hedges_g"):
        assert small[column].isna().all(), column


def test_only_restricts_the_partition(tmp_path: Path, rng: np.random.Generator) -> None:
    pupil_values = {s: _values(rng, 40, 1) for s in ("A", "B", "C")}
    staff_values = {"A": _values(rng, 12, 2), "B": _values(rng, 4, 2), "C": _values(rng, 30, 2)}
    pupils = _write(tmp_path / "p.csv", PUPILS, pupil_values, staff=False)
    staff = _write(tmp_path / "s.csv", STAFF, staff_values, staff=True)
    # A and C alone: both have enough staff, and B's staff are outside this partition.
    gaps = staff_pupil_gaps(pupils, staff, threshold=THRESHOLD, only=["A", "C"])
    assert set(gaps["school"]) == {"A", "C"}
    assert not gaps["suppressed"].any()


def test_it_groups_by_trust_and_by_the_whole_wave(tmp_path: Path, rng: np.random.Generator) -> None:
    pupil_values = {s: _values(rng, 20, 1) for s in ("A", "B", "C")}
    staff_values = {"A": _values(rng, 6, 2), "B": _values(rng, 7, 2), "C": _values(rng, 11, 2)}
    pupils = _write(tmp_path / "p.csv", PUPILS, pupil_values, staff=False)
    staff = _write(tmp_path / "s.csv", STAFF, staff_values, staff=True)
    trusts: dict[str, str | None] = {"A": "T", "B": "T", "C": None}
    gaps = staff_pupil_gaps(
        by_school_attribute(pupils, "trust", trusts),
        by_school_attribute(staff, "trust", trusts),
        threshold=THRESHOLD,
        by="trust",
        only=["T"],
    )
    row = gaps[gaps["dimension"] == "learning"].iloc[0]
    staff_t = np.array(staff_values["A"] + staff_values["B"], dtype=float)
    pupil_t = np.array(pupil_values["A"] + pupil_values["B"], dtype=float)
    assert row["staff_n"] == 13
    assert not row["suppressed"]
    assert row["gap"] == pytest.approx(staff_t.mean() - pupil_t.mean())
    whole = staff_pupil_gaps(pupils, staff, threshold=THRESHOLD, by=None)
    assert len(whole) == len(PUPILS.dimensions)
    everyone = np.array([v for vs in staff_values.values() for v in vs], dtype=float)
    assert whole["staff_mean"].iloc[0] == pytest.approx(everyone.mean())


def test_a_school_with_no_staff_hides_no_other(tmp_path: Path, rng: np.random.Generator) -> None:
    pupil_values = {s: _values(rng, 30, 1) for s in ("A", "B", "C", "D")}
    staff_values = {"A": _values(rng, 12, 2), "B": _values(rng, 11, 2), "C": _values(rng, 30, 2)}
    pupils = _write(tmp_path / "p.csv", PUPILS, pupil_values, staff=False)
    staff = _write(tmp_path / "s.csv", STAFF, staff_values, staff=True)
    gaps = staff_pupil_gaps(pupils, staff, threshold=THRESHOLD)
    hidden = gaps.groupby("school")["suppressed"].all().to_dict()
    assert hidden == {"A": False, "B": False, "C": False, "D": True}


def test_the_trust_view_hides_what_the_trust_tables_hide(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    """A trust's staff table repeats the pupils' counts: a dimension hidden in the trust's
    own figures, or a school hidden in its schools table, is hidden here too."""
    pupil_values = {s: _values(rng, 30, 1) for s in ("A", "B", "C")}
    staff_values = {s: _values(rng, 12, 2) for s in ("A", "B", "C")}
    pupils = _write(tmp_path / "p.csv", PUPILS, pupil_values, staff=False)
    staff = _write(tmp_path / "s.csv", STAFF, staff_values, staff=True)
    trusts: dict[str, str | None] = {"A": "T", "B": "T", "C": None}
    whole, schools = trust_staff_gaps(
        pupils,
        staff,
        trusts,
        "T",
        threshold=THRESHOLD,
        hidden_trust={"challenge"},
        hidden_schools={("A", "learning")},
    )
    hidden = dict(zip(whole["dimension"], whole["suppressed"], strict=True))
    assert hidden["challenge"]
    assert sum(hidden.values()) == 1
    assert whole.loc[whole["dimension"] == "challenge", "pupil_n"].isna().all()
    assert set(schools["school"]) == {"A", "B"}
    gone = schools[schools["suppressed"]]
    assert set(zip(gone["school"], gone["dimension"], strict=True)) == {("A", "learning")}
