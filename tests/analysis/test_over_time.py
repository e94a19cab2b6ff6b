"""Figures over time (Django-free): planted changes are clear, no change is within what a
school can detect, hidden waves hide their changes, a trust beside a hidden school keeps its
totals hidden, differing instrument versions compare only what they share, and a change
across seasons carries a caution."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray
from scipy import stats

from learnsurvey.analysis.dashboard import DashboardBuilder, DashboardStatistics
from learnsurvey.analysis.figures import OverTimeFigures, build_over_time_figures
from learnsurvey.analysis.figures.over_time import WaveChange
from learnsurvey.analysis.inputs import school_context
from learnsurvey.analysis.over_time import comparability
from learnsurvey.analysis.timeline import (
    Season,
    Timeline,
    TimelineWave,
    season_in,
    timeline_from_files,
)
from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.io.responses import Coded, ResponseChunk
from learnsurvey.stats.effects import hedges_g
from learnsurvey.stats.trend import minimal_detectable_change, weighted_trend

INSTRUMENT = load_instrument("learning-survey")
THRESHOLD = 10
Codes = NDArray[np.int8]


def _block(
    rng: np.random.Generator, n: int, inst: Instrument = INSTRUMENT, shift: float = 0.0
) -> Codes:
    """Answer codes of ``n`` pupils; ``shift`` raises every challenge item (in the score's
    direction: reverse-worded items are answered the other way)."""
    person = rng.normal(0.0, 0.7, n)
    out = np.empty((n, len(inst.items)), dtype=np.int8)
    for j, item in enumerate(inst.items):
        lift = shift if item.dimension == "challenge" else 0.0
        value = np.clip(np.rint(2.0 + lift + person + rng.normal(0.0, 0.8, n)), 0, 4)
        out[:, j] = (4 - value) if item.reverse else value
    return out


def _statistics(
    rng: np.random.Generator, blocks: dict[str, Codes], inst: Instrument = INSTRUMENT
) -> DashboardStatistics:
    labels = sorted(blocks)
    answers = np.vstack([blocks[s] for s in labels])
    school = np.repeat(np.arange(len(labels)), [len(blocks[s]) for s in labels])
    n = len(answers)

    def coded(codes: NDArray[np.int64], names: list[str]) -> Coded:
        return Coded(codes.astype(np.int32), names)

    stages = list(inst.demographics.key_stages)
    chunk = ResponseChunk(
        first_row=2,
        school=coded(school, labels),
        key_stage=coded(rng.integers(0, len(stages), n), stages),
        gender=coded(rng.integers(0, 2, n), ["boy", "girl"]),
        wave=coded(np.zeros(n, dtype=np.int64), ["w"]),
        answers=answers,
    )
    builder = DashboardBuilder(inst)
    builder.add(chunk)
    return builder.result()


def _context(keys: list[str], trusts: dict[str, str]) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "school": keys,
            "name": [f"School {k}" for k in keys],
            "trust": [trusts.get(k) for k in keys],
        }
    )
    return school_context(table, keys)


def _scores(block: Codes, dimension: str, inst: Instrument = INSTRUMENT) -> NDArray[np.float64]:
    """Each pupil's score on ``dimension`` (every item answered)."""
    cols = [j for j, i in enumerate(inst.items) if i.dimension == dimension]
    values = block[:, cols].astype(float)
    reverse = np.array([inst.items[j].reverse for j in cols])
    values[:, reverse] = 4 - values[:, reverse]
    return np.asarray(values.mean(axis=1) + inst.scale.min)


SEASONS: tuple[Season, ...] = ("summer", "summer", "autumn")


@pytest.fixture(scope="module")
def blocks() -> list[dict[str, Codes]]:
    rng = np.random.default_rng(11)
    same = _block(rng, 150)  # B answers exactly alike in every wave: no change at all
    return [
        {
            "A": _block(rng, 200, shift=shift),
            "B": same,
            "C": _block(rng, 40 if k < 2 else 5),
            "D": _block(rng, 8 if k == 0 else 30),
            "E": _block(rng, 120),
            **({"F": _block(rng, 4)} if k == 0 else {}),
        }
        for k, shift in enumerate((0.0, 0.6, 1.2))
    ]


@pytest.fixture(scope="module")
def timeline(blocks: list[dict[str, Codes]]) -> Timeline:
    rng = np.random.default_rng(3)
    waves = tuple(
        TimelineWave(f"w{k}", _statistics(rng, part), season=SEASONS[k])
        for k, part in enumerate(blocks)
    )
    keys = list("ABCDEF")
    return Timeline(waves, _context(keys, dict.fromkeys("ABC", "T")), THRESHOLD)


@pytest.fixture(scope="module")
def figures(timeline: Timeline) -> OverTimeFigures:
    return build_over_time_figures(timeline)


def _change(
    changes: list[WaveChange], score: str, to_wave: str, kind: str = "dimension"
) -> WaveChange:
    found = [c for c in changes if c.score == score and c.kind == kind and c.to_wave == to_wave]
    assert len(found) == 1
    return found[0]


def test_it_calls_a_planted_change_clear(figures: OverTimeFigures) -> None:
    school = figures.schools["A"]
    assert school.waves == ["w0", "w1", "w2"]
    for to_wave in ("w1", "w2"):
        change = _change(school.changes, "challenge", to_wave)
        assert change.verdict == "clear_up"
        assert change.ci_low is not None
        assert change.ci_low > 0
        assert change.mdc is not None
        assert 0 < change.mdc < change.difference
    trend = next(t for t in school.trends if t.score == "challenge")
    assert trend.n_waves == 3
    assert trend.verdict == "clear_up"


def test_it_says_no_change_is_within_what_the_school_can_detect(figures: OverTimeFigures) -> None:
    school = figures.schools["B"]
    for change in school.changes:
        assert change.difference == pytest.approx(0.0, abs=1e-12)
        assert change.verdict == "within_detectable"
        assert change.mdc is not None
        assert change.mdc > 0
    assert all(t.verdict == "no_clear_trend" for t in school.trends)


def test_it_matches_welch_hedges_and_the_mdc_by_hand(
    figures: OverTimeFigures, blocks: list[dict[str, Codes]]
) -> None:
    before, after = (_scores(blocks[k]["A"], "challenge") for k in (0, 1))
    change = _change(figures.schools["A"].changes, "challenge", "w1")
    welch = stats.ttest_ind(after, before, equal_var=False).confidence_interval(0.95)
    assert change.difference == pytest.approx(after.mean() - before.mean(), abs=1e-12)
    assert change.ci_low == pytest.approx(welch.low, abs=1e-10)
    assert change.ci_high == pytest.approx(welch.high, abs=1e-10)
    g = hedges_g(
        len(after), after.mean(), after.std(ddof=1), len(before), before.mean(), before.std(ddof=1)
    )
    assert change.hedges_g == pytest.approx(float(g["hedges_g"].iloc[0]), abs=1e-10)
    se = [x.std(ddof=1) / np.sqrt(len(x)) for x in (before, after)]
    mdc = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * np.hypot(*se)
    assert change.mdc == pytest.approx(mdc, abs=1e-10)
    assert minimal_detectable_change(se[0], se[1])[0] == pytest.approx(mdc, abs=1e-12)


def test_it_fits_the_trend_to_the_shown_waves(figures: OverTimeFigures) -> None:
    series = next(s for s in figures.schools["A"].series if s.score == "challenge")
    means = [p.mean for p in series.points]
    ses = [p.se for p in series.points]
    expected = weighted_trend([0, 1, 2], means, ses).iloc[0]
    trend = next(t for t in figures.schools["A"].trends if t.score == "challenge")
    assert trend.slope == pytest.approx(expected["slope"], abs=1e-12)
    assert trend.ci_low == pytest.approx(expected["ci_low"], abs=1e-12)


def test_it_hides_a_change_involving_a_hidden_wave(figures: OverTimeFigures) -> None:
    school = figures.schools["C"]  # 5 pupils in w2
    last = [p for s in school.series for p in s.points if p.wave == "w2"]
    assert all(p.suppressed and p.n is None and p.mean is None for p in last)
    for change in school.changes:
        if change.to_wave == "w2":
            assert change.suppressed
            assert change.verdict == "unknown"
            assert change.mean_to is None
            assert change.difference is None
            assert change.mdc is None
        else:
            assert not change.suppressed
    assert school.trends == []  # two shown waves only
    # D is hidden in w0 (8 pupils) and again in w2, beside C's 5 (complementary rule).
    d = figures.schools["D"].series[0].points
    assert [p.suppressed for p in d] == [True, False, True]
    assert all(c.suppressed for c in figures.schools["D"].changes)


def test_it_leaves_out_schools_never_shown(figures: OverTimeFigures) -> None:
    assert "F" not in figures.schools
    assert sorted(figures.schools) == list("ABCDE")


def test_it_keeps_a_trust_total_hidden_beside_a_hidden_school(figures: OverTimeFigures) -> None:
    trust = figures.trusts["T"]
    overall = next(s for s in trust.series if s.kind == "overall")
    assert [p.suppressed for p in overall.points] == [False, False, True]
    assert overall.points[2].n is None
    assert overall.points[2].mean is None
    assert overall.points[0].n == 200 + 150 + 40
    last = [c for c in trust.changes if c.to_wave == "w2"]
    assert last
    assert all(c.suppressed and c.verdict == "unknown" for c in last)
    assert trust.trends == []
    # Side by side, B is hidden with C as the partition of the trust's total in w2.
    by_school = {s.school: s for s in trust.schools}
    assert list(by_school) == ["A", "B", "C"]
    assert all(s.from_wave == "w1" and s.to_wave == "w2" for s in trust.schools)
    assert all(c.suppressed for c in by_school["B"].changes + by_school["C"].changes)
    assert not any(c.suppressed for c in by_school["A"].changes)
    counts = {(c.kind, c.score): c for c in trust.clear_counts}
    assert counts[("dimension", "challenge")].n_schools == 1
    assert counts[("dimension", "challenge")].n_up == 1
    assert sum(c.n_up + c.n_down + c.n_within for c in trust.clear_counts) == len(
        trust.clear_counts
    )


def test_it_shows_the_whole_database_and_the_key_stage_decline(figures: OverTimeFigures) -> None:
    glob = figures.global_
    assert [s.score for s in glob.series[:2]] == INSTRUMENT.dimension_ids[:2]
    assert all(not p.suppressed for s in glob.series for p in s.points)
    assert len(glob.changes) == 2 * len(glob.series)
    assert len(glob.trends) == len(glob.series)
    decline = glob.key_stage_decline
    assert [(d.wave, d.dimension) for d in decline[:2]] == [
        ("w0", INSTRUMENT.dimension_ids[0]),
        ("w0", INSTRUMENT.dimension_ids[1]),
    ]
    assert len(decline) == 3 * len(INSTRUMENT.dimensions)
    assert all(d.hedges_g is not None and d.n_primary and d.n_secondary for d in decline)


def test_it_cautions_across_seasons(figures: OverTimeFigures) -> None:
    assert figures.season_caution
    assert [w.season for w in figures.waves] == list(SEASONS)
    for change in figures.global_.changes:
        assert change.seasons_differ == (change.to_wave == "w2")


def test_it_serialises_and_validates(figures: OverTimeFigures) -> None:
    again = OverTimeFigures.model_validate_json(figures.model_dump_json())
    assert again == figures
    assert figures.comparability.same_version
    assert figures.comparability.dropped_dimensions == []


def _changed_version(inst: Instrument) -> Instrument:
    """Version 2: the first challenge item is gone, a new expectations item added."""
    gone = next(i for i in inst.items if i.dimension == "challenge")
    model = next(i for i in inst.items if i.dimension == "expectations")
    items = [i for i in inst.items if i.id != gone.id]
    items.append(model.model_copy(update={"id": "expectations_new"}))
    return inst.model_copy(update={"version": "2.0.0", "items": tuple(items)})


def test_it_compares_only_what_differing_versions_share() -> None:
    rng = np.random.default_rng(5)
    second = _changed_version(INSTRUMENT)
    waves = (
        TimelineWave("v1", _statistics(rng, {"A": _block(rng, 60), "B": _block(rng, 60)})),
        TimelineWave(
            "v2",
            _statistics(rng, {"A": _block(rng, 60, second), "B": _block(rng, 60, second)}, second),
        ),
    )
    figures = build_over_time_figures(Timeline(waves, _context(["A", "B"], {}), THRESHOLD))
    comp = figures.comparability
    assert comp.versions == ["1.0.0", "2.0.0"]
    assert not comp.same_version
    assert comp.dropped_dimensions == ["expectations", "challenge"]
    assert "expectations" not in comp.dimensions
    assert "challenge" not in comp.dimensions
    gone = next(i.id for i in INSTRUMENT.items if i.dimension == "challenge")
    assert set(comp.dropped_items) == {"expectations_new", gone}
    assert not comp.overall
    notion = {d.id: d.factor for d in INSTRUMENT.dimensions}
    assert set(comp.dropped_notions) == {notion["expectations"], notion["challenge"]}
    shown = {(s.kind, s.score) for s in figures.schools["A"].series}
    assert shown == {("dimension", d) for d in comp.dimensions} | {
        ("notion", f) for f in comp.notions
    }
    assert {c.score for c in figures.schools["A"].changes} == {s for _, s in shown}
    assert [w.instrument_version for w in figures.waves] == ["1.0.0", "2.0.0"]


def test_it_refuses_an_empty_or_mixed_series() -> None:
    with pytest.raises(ValueError, match="at least one wave"):
        comparability([])
    with pytest.raises(ValueError, match="different instruments"):
        comparability([INSTRUMENT, load_instrument("staff-survey")])


def test_it_reads_a_series_from_one_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    rows = []
    for wave, shift in (("Summer 2021", 0.0), ("Autumn 2021", 1.0)):
        block = _block(rng, 30, shift=shift)
        for k, answers in enumerate(block):
            rows.append(
                {
                    "school": "S1" if k % 2 else "S2",
                    "key_stage": "KS2",
                    "gender": "girl",
                    "wave": wave,
                    **{
                        item.id: int(a) + INSTRUMENT.scale.min
                        for item, a in zip(INSTRUMENT.items, answers, strict=True)
                    },
                }
            )
    path = tmp_path / "waves.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    timeline = timeline_from_files(
        path, INSTRUMENT, threshold=THRESHOLD, opens={"Autumn 2021": date(2021, 10, 1)}
    )
    assert [w.wave for w in timeline.waves] == ["Summer 2021", "Autumn 2021"]
    assert [w.season for w in timeline.waves] == ["summer", "autumn"]
    assert timeline.waves[1].opens == date(2021, 10, 1)
    assert sorted(timeline.schools["school"]) == ["S1", "S2"]
    figures = build_over_time_figures(timeline)
    assert figures.season_caution
    assert _change(figures.schools["S1"].changes, "challenge", "Autumn 2021").verdict == "clear_up"
    reordered = timeline_from_files(
        path, INSTRUMENT, threshold=THRESHOLD, waves=["Autumn 2021", "Summer 2021"]
    )
    assert [w.wave for w in reordered.waves] == ["Autumn 2021", "Summer 2021"]
    with pytest.raises(ValueError, match="no responses for wave 'Spring 2022'"):
        timeline_from_files(path, INSTRUMENT, threshold=THRESHOLD, waves=["Spring 2022"])


def test_it_reads_a_season_from_a_wave_name() -> None:
    assert season_in("Phase One, summer 2021") == "summer"
    assert season_in("Autumn term") == "autumn"
    assert season_in("2021") is None
    assert season_in("spring and summer") is None


def test_it_gives_a_single_wave_no_change() -> None:
    rng = np.random.default_rng(2)
    wave = TimelineWave("only", _statistics(rng, {"A": _block(rng, 40), "B": _block(rng, 40)}))
    figures = build_over_time_figures(Timeline((wave,), _context(["A", "B"], {}), THRESHOLD))
    assert figures.schools["A"].changes == []
    assert figures.schools["A"].trends == []
    assert not figures.season_caution
    assert figures.trusts == {}
