"""The dashboards' figures (Django-free): every school's figures and the wave's own part,
equal to a direct pandas computation, suppressed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from learnsurvey.analysis import DashboardBuilder, dashboard_payload, school_spread
from learnsurvey.analysis.dashboard import DashboardStatistics, band_ids
from learnsurvey.analysis.figures.school import SchoolFigures, build_school_figures
from learnsurvey.analysis.groups import school_table
from learnsurvey.analysis.inputs import ReportInputs, school_context
from learnsurvey.analysis.scoring import ScoreLayout, reverse_codes, score_answers
from learnsurvey.instruments import load_instrument
from learnsurvey.io import read_responses, write_responses
from learnsurvey.stats.multilevel import random_intercept_reml
from learnsurvey.synth import ResponseModel, load_params

INSTRUMENT = load_instrument("learning-survey")
LAYOUT = ScoreLayout(INSTRUMENT)
THRESHOLD = 10


@pytest.fixture(scope="module")
def wave_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    path = tmp_path_factory.mktemp("dashboard") / "wave.parquet"
    write_responses(path, model.tables(2400, 8, seed=11))
    return path


def _data(path: Path, chunk_rows: int = 1 << 15) -> DashboardStatistics:
    builder = DashboardBuilder(INSTRUMENT)
    for chunk in read_responses(path, INSTRUMENT, chunk_rows=chunk_rows):
        builder.add(chunk)
    return builder.result()


def _figures(data: DashboardStatistics) -> dict[str, SchoolFigures]:
    inputs = ReportInputs(
        wave="w",
        current=data,
        schools=school_context(None, data.item_schools),
        threshold=THRESHOLD,
    )
    return build_school_figures(inputs)


@pytest.fixture(scope="module")
def data(wave_file: Path) -> DashboardStatistics:
    return _data(wave_file)


@pytest.fixture(scope="module")
def payload(data: DashboardStatistics) -> dict[str, Any]:
    return dashboard_payload(data, threshold=THRESHOLD)


@pytest.fixture(scope="module")
def figures(data: DashboardStatistics) -> dict[str, SchoolFigures]:
    return _figures(data)


@pytest.fixture(scope="module")
def pupils(wave_file: Path) -> pd.DataFrame:
    """One row per pupil: school, key stage, gender, every score and reverse-coded item."""
    frame = pd.read_parquet(wave_file)
    answers = frame[INSTRUMENT.item_ids].to_numpy(dtype=float, na_value=np.nan)
    codes = np.where(np.isnan(answers), -1, answers - INSTRUMENT.scale.min).astype(np.int8)
    reversed_codes = reverse_codes(codes, LAYOUT)
    scores = score_answers(reversed_codes, LAYOUT)
    out = frame[["school", "key_stage", "gender"]].copy()
    for j, (kind, name) in enumerate(zip(LAYOUT.kinds, LAYOUT.ids, strict=True)):
        out[f"{kind}:{name}"] = scores[:, j]
    items = np.where(reversed_codes >= 0, reversed_codes + INSTRUMENT.scale.min, np.nan)
    for k, item in enumerate(INSTRUMENT.item_ids):
        out[f"item:{item}"] = items[:, k]
    return out


def test_it_gives_school_scores_and_benchmark_as_pandas_does(
    figures: dict[str, SchoolFigures], payload: dict[str, Any], pupils: pd.DataFrame
) -> None:
    for school, own in pupils.groupby("school"):
        section = figures[str(school)]
        assert section.publishable
        assert section.n_responses == len(own)
        for score in section.scores:
            row = score.model_dump()
            column = f"{row['kind']}:{row['score']}"
            mine, everyone = own[column].dropna(), pupils[column].dropna()
            assert row["n"] == len(mine)
            assert row["mean"] == pytest.approx(mine.mean())
            assert row["sd"] == pytest.approx(mine.std())
            assert row["benchmark_mean"] == pytest.approx(everyone.mean())
            na, nb = len(mine), len(everyone)
            pooled = np.sqrt(((na - 1) * mine.var() + (nb - 1) * everyone.var()) / (na + nb - 2))
            # Hedges' g with the usual approximation of J; the exact J differs by < 1e-3.
            j = 1 - 3 / (4 * (na + nb - 2) - 1)
            assert row["hedges_g"] == pytest.approx(
                j * (mine.mean() - everyone.mean()) / pooled, abs=1e-3
            )
            assert row["g_ci_low"] < row["hedges_g"] < row["g_ci_high"]
    bench = {(r["kind"], r["score"]): r for r in payload["benchmark"]}
    for kind, name in zip(LAYOUT.kinds, LAYOUT.ids, strict=True):
        assert bench[(kind, name)]["mean"] == pytest.approx(pupils[f"{kind}:{name}"].mean())


def test_it_gives_band_shares_as_pandas_does_unless_they_stand_for_a_few_pupils(
    figures: dict[str, SchoolFigures], pupils: pd.DataFrame
) -> None:
    hidden = 0
    for school, own in pupils.groupby("school"):
        score = figures[str(school)].score("dimension", "challenge")
        assert score is not None
        scores = own["dimension:challenge"].dropna().to_numpy()
        bands = band_ids(scores, INSTRUMENT)
        for band, shown in zip(INSTRUMENT.bands, score.bands, strict=True):
            count = sum(b == band.id for b in bands)
            if 0 < count < THRESHOLD:
                # A share that is a count of 1 to 9 pupils is never published exactly.
                assert shown.pct is None
            if shown.pct is None:
                hidden += 1
                continue
            assert shown.pct == pytest.approx(100 * count / len(scores))
    assert hidden


def test_it_gives_key_stage_means_and_counts_within_each_school(
    figures: dict[str, SchoolFigures], pupils: pd.DataFrame
) -> None:
    for school, own in pupils.groupby("school"):
        section = figures[str(school)]
        counts = {r.group: r for r in section.key_stage_counts}
        assert set(counts) == set(own["key_stage"])
        for group, rows in own.groupby("key_stage"):
            c = counts[str(group)]
            assert c.suppressed or c.n == len(rows)
            if len(rows) < THRESHOLD:
                assert c.suppressed
                assert c.n is None
        for r in section.key_stages:
            values = own[own["key_stage"] == r.group][f"dimension:{r.dimension}"]
            if r.suppressed:
                assert r.mean is None
            else:
                assert r.n is not None
                assert r.n >= THRESHOLD
                assert r.mean == pytest.approx(values.dropna().mean())


def test_it_picks_the_highest_and_lowest_items_of_each_school(
    figures: dict[str, SchoolFigures], pupils: pd.DataFrame
) -> None:
    for school, own in pupils.groupby("school"):
        means = own[[f"item:{i}" for i in INSTRUMENT.item_ids]].mean()
        highest = figures[str(school)].highest_items
        lowest = figures[str(school)].lowest_items
        assert len(highest) == len(lowest) == 3
        assert highest[0].mean == pytest.approx(means.max())
        assert lowest[0].mean == pytest.approx(means.min())
        assert highest[0].mean >= highest[2].mean >= lowest[2].mean >= lowest[0].mean
        by_item = {i.id: i.dimension for i in INSTRUMENT.items}
        assert all(x.dimension == by_item[x.item] for x in highest + lowest)


def test_it_shrinks_school_means_towards_the_grand_mean(
    data: DashboardStatistics, pupils: pd.DataFrame
) -> None:
    table = school_table(data.stats, threshold=THRESHOLD)
    for dim in INSTRUMENT.dimension_ids:
        column = f"dimension:{dim}"
        groups = pupils.groupby("school")[column]
        n, mean = groups.count(), groups.mean()
        ss = groups.apply(lambda s: ((s.dropna() - s.mean()) ** 2).sum())
        grand = random_intercept_reml(n, mean, ss).grand_mean
        rows = table[(table["dimension"] == dim) & ~table["suppressed"]]
        assert len(rows) == pupils["school"].nunique()
        columns = ["mean", "shrunken_mean", "shrunken_ci_low", "shrunken_ci_high"]
        for mean, shrunk, low, high in rows[columns].to_numpy(dtype=float):
            lo, hi = sorted([mean, grand])
            assert lo - 1e-12 <= shrunk <= hi + 1e-12
            assert low <= shrunk <= high


def test_it_gives_the_same_figures_whatever_the_chunk_size(
    wave_file: Path, figures: dict[str, SchoolFigures]
) -> None:
    small = _figures(_data(wave_file, chunk_rows=333))
    for school, section in figures.items():
        other = small[school]
        for a, b in zip(section.scores, other.scores, strict=True):
            assert a.mean == pytest.approx(b.mean)
            assert a.n == b.n
        mine = section.highest_items + section.lowest_items
        theirs = other.highest_items + other.lowest_items
        assert [x.item for x in mine] == [y.item for y in theirs]
        assert [x.mean for x in mine] == pytest.approx([y.mean for y in theirs])


def test_it_is_plain_json(payload: dict[str, Any]) -> None:
    text = json.dumps(payload, allow_nan=False)
    assert json.loads(text)["threshold"] == THRESHOLD
    assert payload["global"] is not None
    assert set(payload["global"]) >= {"reliability", "school_summary", "icc"}


def test_it_shows_nothing_of_a_school_with_too_few_pupils(tmp_path: Path) -> None:
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    big = next(model.tables(60, 1, seed=1)).to_pandas()
    small = next(model.tables(7, 1, seed=2)).to_pandas()
    small["school"] = "Tiny School"
    path = tmp_path / "two.parquet"
    pd.concat([big, small], ignore_index=True).to_parquet(path)
    data = _data(path)
    tiny = _figures(data)["Tiny School"]
    assert tiny.n_responses is None
    assert not tiny.publishable
    assert tiny.scores == []
    assert tiny.highest_items == []
    # Tiny alone would follow from the total: the other school is hidden in the table too.
    assert school_table(data.stats, threshold=THRESHOLD)["suppressed"].all()
    out = dashboard_payload(data, threshold=THRESHOLD)
    assert out["global"] is not None  # the wave as a whole has 67 pupils


def test_it_refuses_global_tables_for_a_wave_below_the_threshold(tmp_path: Path) -> None:
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    path = tmp_path / "tiny.parquet"
    write_responses(path, model.tables(8, 1, seed=3))
    out = dashboard_payload(_data(path), threshold=THRESHOLD)
    assert out["global"] is None
    assert out["global_message"] == "too_few_responses"
    assert all(r["mean"] is None for r in out["benchmark"])


def test_it_measures_the_spread_of_the_shown_schools() -> None:
    rows = pd.DataFrame(
        {
            "school": ["A", "B", "C", "D"],
            "dimension": ["x"] * 4,
            "n": [30, 40, 50, None],
            "mean": [3.0, 3.5, 4.0, None],
            "shrunken_mean": [3.1, 3.45, 3.9, None],
            "suppressed": [False, False, False, True],
        }
    )
    spread = school_spread(rows).iloc[0]
    assert spread["n_schools"] == 3
    assert spread["sd"] == pytest.approx(0.5)
    assert spread["range"] == pytest.approx(1.0)
    assert (spread["top_school"], spread["bottom_school"]) == ("C", "A")
