"""The analysis layer: scoring rules, mergeable wave statistics, tables on awkward data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from learnsurvey.analysis import StatisticsBuilder, analyse_file, wave_tables
from learnsurvey.analysis.scoring import ScoreLayout, band_codes, reverse_codes, score_answers
from learnsurvey.instruments import load_instrument
from learnsurvey.io import read_responses, write_responses
from learnsurvey.stats.disclosure import DisclosureError
from learnsurvey.synth import ResponseModel, load_params

INSTRUMENT = load_instrument("learning-survey")
LAYOUT = ScoreLayout(INSTRUMENT)


def synth_file(tmp_path: Path, n: int, schools: int, seed: int = 5) -> Path:
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    path = tmp_path / f"wave-{n}-{schools}.parquet"
    write_responses(path, model.tables(n, schools, seed))
    return path


def test_it_scores_a_dimension_only_when_half_its_items_are_answered() -> None:
    answers = np.full((3, len(INSTRUMENT.items)), -1, dtype=np.int8)
    first = [k for k, i in enumerate(INSTRUMENT.items) if i.dimension == "expectations"]
    assert not any(INSTRUMENT.items[k].reverse for k in first)
    answers[0, first[:2]] = [4, 2]  # two of four answered: 5 and 3 on the 1-5 scale
    answers[1, first[:1]] = 4  # one of four: no score
    answers[2, first] = [0, 1, 2, 3]
    scores = score_answers(reverse_codes(answers, LAYOUT), LAYOUT)
    col = LAYOUT.ids.index("expectations")
    assert scores[0, col] == pytest.approx(4.0)
    assert np.isnan(scores[1, col])
    assert scores[2, col] == pytest.approx(2.5)


def test_it_reverse_codes_negatively_worded_items() -> None:
    reverse = [k for k, i in enumerate(INSTRUMENT.items) if i.reverse]
    assert reverse
    answers = np.zeros((1, len(INSTRUMENT.items)), dtype=np.int8)  # "strongly disagree"
    answers[0, 0] = -1
    coded = reverse_codes(answers, LAYOUT)
    assert (coded[0, reverse] == INSTRUMENT.scale.n_categories - 1).all()
    assert coded[0, 0] == -1


def test_it_puts_a_score_on_a_band_edge_in_the_higher_band() -> None:
    scores = np.full((1, LAYOUT.n_scores), np.nan)
    scores[0, 0] = 3.4
    scores[0, 1] = 3.3999
    bands = band_codes(scores, LAYOUT)
    names = [b.id for b in INSTRUMENT.bands]
    assert names[bands[0, 0]] == "quite_high"
    assert names[bands[0, 1]] == "medium"
    assert bands[0, 2] == -1


def test_it_merges_wave_statistics_split_anywhere(tmp_path: Path) -> None:
    path = synth_file(tmp_path, 3_000, 9)
    chunks = list(read_responses(path, INSTRUMENT, chunk_rows=700))
    whole = StatisticsBuilder(INSTRUMENT)
    first, second = StatisticsBuilder(INSTRUMENT), StatisticsBuilder(INSTRUMENT)
    for k, chunk in enumerate(chunks):
        whole.add(chunk)
        (first if k % 2 else second).add(chunk)
    merged = first.result() + second.result()
    reference = whole.result()
    assert merged.n_rows == reference.n_rows == 3_000
    np.testing.assert_array_equal(merged.items.counts, reference.items.counts)
    a = wave_tables(merged, threshold=10)
    b = wave_tables(reference, threshold=10)
    for name in ("reliability", "school_summary", "group_effects", "icc", "top_bottom"):
        left = a[name].sort_values(list(a[name].columns[:2])).reset_index(drop=True)
        right = b[name].sort_values(list(b[name].columns[:2])).reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-9)


def test_it_analyses_a_single_school(tmp_path: Path) -> None:
    result = analyse_file(synth_file(tmp_path, 400, 1), INSTRUMENT, threshold=10)
    t = result.tables
    assert t["icc"]["icc"].isna().all()
    assert (t["icc"]["n_schools"] == 1).all()
    assert t["top_bottom"].empty
    assert t["school_summary"]["mean"].notna().all()
    assert t["reliability"]["alpha"].notna().all()


def test_it_refuses_a_wave_smaller_than_the_threshold(tmp_path: Path) -> None:
    with pytest.raises(DisclosureError, match="fewer than 10"):
        analyse_file(synth_file(tmp_path, 9, 1), INSTRUMENT, threshold=10)


def test_it_hides_a_small_school_and_one_more_so_it_cannot_be_recovered(tmp_path: Path) -> None:
    path = synth_file(tmp_path, 2_000, 6)
    frame = pd.read_parquet(path)
    small = frame[frame.school == frame.school.iloc[0]].head(4)
    rest = frame[frame.school != frame.school.iloc[0]]
    mixed = tmp_path / "mixed.csv"
    pd.concat([small, rest]).to_csv(mixed, index=False)
    tables = analyse_file(mixed, INSTRUMENT, threshold=10).tables
    schools = tables["school_summary"]
    hidden = schools[schools.suppressed]
    per_dim = hidden.groupby("dimension")["school"].nunique()
    assert (per_dim >= 2).all()
    assert set(hidden.school) >= {frame.school.iloc[0]}
    assert hidden["mean"].isna().all()
    assert hidden["n"].isna().all()
    assert frame.school.iloc[0] not in set(tables["top_bottom"].top_school)
    assert frame.school.iloc[0] not in set(tables["top_bottom"].bottom_school)


def test_it_reports_the_right_row_for_a_bad_cell_deep_in_a_large_csv(tmp_path: Path) -> None:
    # The fast reader parses answers as numbers; after a bad cell, the rest of the file is
    # read again as text from where it stopped. The row number must survive the switch.
    from learnsurvey.io import ResponseDataError

    frame = pd.read_parquet(synth_file(tmp_path, 12_000, 4)).astype({"challenge_2": "string"})
    frame.loc[11_000, "challenge_2"] = "lots"
    frame.loc[11_001, "challenge_3"] = 9
    path = tmp_path / "large.csv"
    frame.to_csv(path, index=False)
    assert path.stat().st_size > 1 << 20  # more than one block of the reader
    with pytest.raises(ResponseDataError) as caught:
        list(read_responses(path, INSTRUMENT))
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(11_002, "challenge_2"), (11_003, "challenge_3")}


def test_it_accepts_answers_padded_with_spaces(tmp_path: Path) -> None:
    frame = pd.read_parquet(synth_file(tmp_path, 50, 2)).astype({"challenge_1": "string"})
    frame["challenge_1"] = " " + frame["challenge_1"].fillna("") + " "
    path = tmp_path / "padded.csv"
    frame.to_csv(path, index=False)
    chunks = list(read_responses(path, INSTRUMENT))
    column = INSTRUMENT.item_ids.index("challenge_1")
    assert (chunks[0].answers[:, column] >= -1).all()
    assert (chunks[0].answers[:, column] >= 0).sum() > 40


def test_it_names_the_row_with_a_missing_field(tmp_path: Path) -> None:
    from learnsurvey.io import ResponseDataError

    frame = pd.read_parquet(synth_file(tmp_path, 30, 2))
    path = tmp_path / "ragged.csv"
    frame.to_csv(path, index=False)
    lines = path.read_text().splitlines()
    lines[4] = lines[4].rsplit(",", 1)[0]  # row 5 loses its last field
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ResponseDataError) as caught:
        list(read_responses(path, INSTRUMENT))
    (problem,) = caught.value.problems
    assert problem.row == 5
    width = len(frame.columns)  # the 36 items and the synthetic demographic columns
    assert f"{width - 1} fields where the header has {width}" in problem.message
