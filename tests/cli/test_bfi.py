"""`learnsurvey analyse` on a file shaped like psych's ``bfi``, as it comes.

The real data live in R's psychTools, which is not a dependency: the test makes 400 rows with
bfi's columns (A1 ... O5 on a 1-6 scale, gender coded 1/2, education, age; no school column,
a few answers missing) from a five-trait model, and checks the tables against pandas.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from learnsurvey.cli import main
from learnsurvey.instruments import Instrument, load_instrument

BFI = Path(__file__).parents[1] / "instruments" / "fixtures" / "bfi.yaml"
INSTRUMENT: Instrument = load_instrument(BFI)
N_ROWS = 400


def _bfi_like(path: Path, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    traits = rng.standard_normal((N_ROWS, 5))
    columns: dict[str, pd.Series] = {}
    for item in INSTRUMENT.items:
        trait = traits[:, "ACENO".index(item.id[0])]
        latent = (-0.8 if item.reverse else 0.8) * trait + 0.6 * rng.standard_normal(N_ROWS)
        answers = np.clip(np.round(3.5 + 1.2 * latent), 1, 6)
        answers[rng.random(N_ROWS) < 0.01] = np.nan  # bfi has a few missing answers
        columns[item.id] = pd.Series(answers).astype("Int64")  # written as whole numbers
    frame = pd.DataFrame(columns)
    frame["gender"] = rng.integers(1, 3, N_ROWS)
    frame["education"] = rng.integers(1, 6, N_ROWS)
    frame["age"] = rng.integers(14, 70, N_ROWS)
    frame.to_csv(path, index=False)
    return pd.read_csv(path)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path, str]:
    work = tmp_path_factory.mktemp("bfi")
    raw = _bfi_like(work / "bfi.csv")
    result = CliRunner().invoke(
        main, ["analyse", str(work / "bfi.csv"), "--instrument", str(BFI), "--out", str(work)]
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    return raw, work, " ".join(result.output.split())


def _score(raw: pd.DataFrame, dimension: str) -> pd.Series:
    items = INSTRUMENT.items_of(dimension)
    scored = pd.DataFrame(
        {i.id: (7 - raw[i.id]) if i.reverse else raw[i.id] for i in items}, index=raw.index
    )
    # A score needs at least half of its items answered (min_answered_share).
    enough = scored.notna().mean(axis=1) >= INSTRUMENT.min_answered_share
    return scored.mean(axis=1).where(enough).dropna()


def test_it_reads_bfi_columns_as_they_come(analysed: tuple[pd.DataFrame, Path, str]) -> None:
    _, out, text = analysed
    assert "tables written" in text
    items = pd.read_csv(out / "items.csv")
    assert items["item"].tolist() == INSTRUMENT.item_ids
    assert set(items.loc[items["reverse"], "item"]) == {"A1", "C4", "C5", "E1", "E2", "O2", "O5"}


def test_it_scores_the_five_scales_as_pandas_does(
    analysed: tuple[pd.DataFrame, Path, str],
) -> None:
    raw, out, _ = analysed
    summary = pd.read_csv(out / "dimension_summary.csv").set_index("dimension")
    assert summary.index.tolist() == INSTRUMENT.dimension_ids
    for dimension in INSTRUMENT.dimension_ids:
        score = _score(raw, dimension)
        assert summary.loc[dimension, "n"] == len(score)
        assert summary.loc[dimension, "mean"] == pytest.approx(score.mean(), rel=1e-5)


def test_it_groups_by_bfis_own_gender_codes(analysed: tuple[pd.DataFrame, Path, str]) -> None:
    raw, out, _ = analysed
    genders = pd.read_csv(out / "gender_summary.csv", dtype={"gender": str})
    agree = genders[genders["dimension"] == "agree"].set_index("gender")
    assert sorted(agree.index) == ["1", "2"]
    score = _score(raw, "agree")
    for code in (1, 2):
        expected = score[raw.loc[score.index, "gender"] == code]
        assert agree.loc[str(code), "mean"] == pytest.approx(expected.mean(), rel=1e-5)


def test_it_treats_a_file_without_a_school_column_as_one_group(
    analysed: tuple[pd.DataFrame, Path, str],
) -> None:
    _, out, _ = analysed
    schools = pd.read_csv(out / "school_summary.csv")
    assert set(schools["school"]) == {"bfi"}
    assert (schools["n"] <= N_ROWS).all()
