"""End-to-end tests of the `learnsurvey` command line (synth, analyse, instruments).

The analyses run once per module on a small synthetic data set (3,000 pupils, 12 schools);
figures are checked against pandas computations on the raw CSV.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from learnsurvey.cli import main
from learnsurvey.instruments import Instrument, load_instrument

REPO = Path(__file__).resolve().parents[2]
MINIMAL_INSTRUMENT = REPO / "docs" / "examples" / "minimal-instrument.yaml"
INSTRUMENT: Instrument = load_instrument("learning-survey")
DIMENSIONS = INSTRUMENT.dimension_ids
FACTORS = ["teachers", "learning", "safety"]
BANDS = [b.id for b in INSTRUMENT.bands]
TINY = "Tiny Academy"  # 5 pupils: nothing about it may be published
SMALL = "Small School"  # 30 pupils: published at the default threshold, not at 50

CONTRACT = {
    "reliability": [
        "scale",
        "n",
        "n_items",
        "alpha",
        "alpha_ci_low",
        "alpha_ci_high",
        "omega_total",
        "omega_hierarchical",
    ],
    "factor_pattern": ["dimension", "teachers", "learning", "safety", "communality"],
    "factor_correlations": ["teachers", "learning", "safety"],
    "items": [
        "item",
        "dimension",
        "n",
        "mean",
        "sd",
        "item_rest_r",
        "alpha_if_deleted",
        "rank",
    ],
    "dimension_summary": [
        "dimension",
        "n",
        "mean",
        "sd",
        "pct_quite_or_very_high",
        *[f"pct_{b}" for b in BANDS],
    ],
    "school_summary": [
        "school",
        "dimension",
        "n",
        "mean",
        "ci_low",
        "ci_high",
        "shrunken_mean",
        "rank",
        "suppressed",
    ],
    "group_effects": [
        "grouping",
        "group_a",
        "group_b",
        "dimension",
        "n_a",
        "n_b",
        "mean_a",
        "mean_b",
        "hedges_g",
        "ci_low",
        "ci_high",
    ],
    "icc": ["dimension", "icc"],
    "key_stage_trend": ["key_stage", "dimension", "n", "mean", "ci_low", "ci_high"],
    "top_bottom": ["dimension", "top_school", "bottom_school", "effect_size", "ci_low", "ci_high"],
}


def _run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def _text(result: Result) -> str:
    """Everything the command printed, with line wrapping undone."""
    return " ".join(result.output.split())


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def _read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p) for p in sorted(folder.glob("*.csv"))}


# --- pandas reference computations on the raw file ----------------------------------------


def _reversed_items(raw: pd.DataFrame, instrument: Instrument, dimension: str) -> pd.DataFrame:
    """The dimension's item columns with reverse-worded items flipped (value -> min+max-value)."""
    lo, hi = instrument.scale.min, instrument.scale.max
    cols = {}
    for item in instrument.items_of(dimension):
        values = raw[item.id].astype(float)
        cols[item.id] = lo + hi - values if item.reverse else values
    return pd.DataFrame(cols)


def _dimension_score(raw: pd.DataFrame, instrument: Instrument, dimension: str) -> pd.Series:
    """Mean of the answered items after reverse-coding, if at least half are answered."""
    items = _reversed_items(raw, instrument, dimension)
    answered = items.notna().sum(axis=1)
    need = math.ceil(0.5 * items.shape[1])
    return items.mean(axis=1).where(answered >= need)


def _alpha(items: pd.DataFrame) -> float:
    cov = items.cov().to_numpy()  # pairwise-complete, as R's cov(use = "pairwise")
    p = cov.shape[0]
    return float(p / (p - 1) * (1 - np.trace(cov) / cov.sum()))


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def synth_csv(work: Path) -> Path:
    out = work / "synthetic.csv"
    result = _ok(_run("synth", "--responses", "3000", "--schools", "12", "--out", out))
    assert "Wrote 3,000 responses from 12 schools" in _text(result)
    assert (work / "synthetic.schools.csv").is_file()
    return out


@pytest.fixture(scope="module")
def raw(synth_csv: Path) -> pd.DataFrame:
    return pd.read_csv(synth_csv)


@pytest.fixture(scope="module")
def tables(synth_csv: Path, work: Path) -> dict[str, pd.DataFrame]:
    out = work / "tables"
    result = _ok(_run("analyse", synth_csv, "--out", out))
    assert "tables written to" in _text(result)
    return _read_tables(out)


@pytest.fixture(scope="module")
def small_schools_csv(synth_csv: Path, work: Path) -> Path:
    """The synthetic data with 5 pupils moved to Tiny Academy and 30 to Small School."""
    text = pd.read_csv(synth_csv, dtype=str, keep_default_na=False)
    sizes = text["school"].value_counts()
    donor_tiny, donor_small = sizes.index[0], sizes.index[1]
    text.loc[text.index[text["school"] == donor_tiny][:5], "school"] = TINY
    text.loc[text.index[text["school"] == donor_small][:30], "school"] = SMALL
    path = work / "small-schools.csv"
    text.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def small_tables(small_schools_csv: Path, work: Path) -> Path:
    out = work / "small-tables"
    _ok(_run("analyse", small_schools_csv, "--out", out))
    return out


@pytest.fixture(scope="module")
def small_json(small_schools_csv: Path, work: Path) -> Path:
    out = work / "small-json"
    _ok(_run("analyse", small_schools_csv, "--out", out, "--format", "json"))
    return out


@pytest.fixture(scope="module")
def strict_tables(small_schools_csv: Path, work: Path) -> dict[str, pd.DataFrame]:
    out = work / "strict-tables"
    _ok(_run("analyse", small_schools_csv, "--out", out, "--min-group-size", "50"))
    return _read_tables(out)


def _hidden_schools(tables: dict[str, pd.DataFrame]) -> set[str]:
    schools = tables["school_summary"]
    return set(schools.loc[schools["suppressed"], "school"])


# --- the output contract ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CONTRACT))
def test_it_writes_each_contracted_table_with_its_columns(
    tables: dict[str, pd.DataFrame], name: str
) -> None:
    assert name in tables, sorted(tables)
    missing = [c for c in CONTRACT[name] if c not in tables[name].columns]
    assert missing == []
    assert len(tables[name]) > 0


def test_it_reports_reliability_for_every_dimension_and_overall(
    tables: dict[str, pd.DataFrame],
) -> None:
    rel = tables["reliability"]
    assert rel["scale"].tolist() == [*DIMENSIONS, "overall"]
    assert rel["n_items"].tolist() == [4] * len(DIMENSIONS) + [36]
    assert (rel["alpha_ci_low"] < rel["alpha"]).all()
    assert (rel["alpha"] < rel["alpha_ci_high"]).all()
    assert rel[["omega_total", "omega_hierarchical"]].notna().all().all()


@pytest.mark.parametrize("dimension", ["challenge", "errors_opportunities", "teachers_help"])
def test_it_computes_alpha_as_pandas_does_from_the_raw_answers(
    tables: dict[str, pd.DataFrame], raw: pd.DataFrame, dimension: str
) -> None:
    rel = tables["reliability"].set_index("scale")
    items = _reversed_items(raw, INSTRUMENT, dimension)
    assert rel.loc[dimension, "alpha"] == pytest.approx(_alpha(items), abs=1e-6)
    score = _dimension_score(raw, INSTRUMENT, dimension)
    assert rel.loc[dimension, "n"] == score.notna().sum()


def test_it_reverse_codes_items_before_reporting_them(
    tables: dict[str, pd.DataFrame], raw: pd.DataFrame
) -> None:
    items = tables["items"].set_index("item")
    assert items.index.tolist() == INSTRUMENT.item_ids
    for item_id in ["challenge_3", "challenge_1", "school_safe_4"]:
        dimension = item_id.rsplit("_", 1)[0]
        expected = _reversed_items(raw, INSTRUMENT, dimension)[item_id]
        assert items.loc[item_id, "n"] == expected.count()
        assert items.loc[item_id, "mean"] == pytest.approx(expected.mean(), rel=1e-5)
        assert items.loc[item_id, "sd"] == pytest.approx(expected.std(ddof=1), rel=1e-5)
    assert sorted(items["rank"]) == sorted(items["mean"].rank(ascending=False, method="min"))


def test_it_summarises_dimensions_as_pandas_does(
    tables: dict[str, pd.DataFrame], raw: pd.DataFrame
) -> None:
    summary = tables["dimension_summary"].set_index("dimension")
    assert summary.index.tolist() == DIMENSIONS
    for dimension in DIMENSIONS:
        score = _dimension_score(raw, INSTRUMENT, dimension)
        row = summary.loc[dimension]
        assert row["n"] == score.count()
        assert row["mean"] == pytest.approx(score.mean(), rel=1e-5)
        assert row["sd"] == pytest.approx(score.std(ddof=1), rel=1e-5)
        high = (score.dropna() >= 3.4 - 1e-9).mean() * 100
        assert row["pct_quite_or_very_high"] == pytest.approx(high, abs=1e-3)
    pct = summary[[f"pct_{b}" for b in BANDS]]
    np.testing.assert_allclose(pct.sum(axis=1), 100.0, atol=1e-3)
    np.testing.assert_allclose(
        summary["pct_quite_or_very_high"],
        summary["pct_quite_high"] + summary["pct_very_high"],
        atol=1e-3,
    )
    assert summary["pct_quite_or_very_high"].between(0, 100).all()


def test_it_gives_school_means_as_pandas_does(
    tables: dict[str, pd.DataFrame], raw: pd.DataFrame
) -> None:
    schools = tables["school_summary"]
    assert set(schools["school"]) == set(raw["school"])
    assert not schools["suppressed"].any()  # every synthetic school has over 100 pupils
    for dimension in ["challenge", "school_fair"]:
        score = _dimension_score(raw, INSTRUMENT, dimension)
        by_school = score.groupby(raw["school"])
        rows = schools[schools["dimension"] == dimension].set_index("school")
        for school in raw["school"].unique()[:4]:
            assert rows.loc[school, "n"] == by_school.count()[school]
            assert rows.loc[school, "mean"] == pytest.approx(by_school.mean()[school], rel=1e-5)
        ranks = rows["rank"].astype(int)
        assert sorted(ranks) == list(range(1, len(rows) + 1))
        assert ranks.idxmin() == rows["shrunken_mean"].idxmax()


def test_it_loads_dimensions_on_their_factors(tables: dict[str, pd.DataFrame]) -> None:
    pattern = tables["factor_pattern"].set_index("dimension")
    assert pattern.index.tolist() == DIMENSIONS
    assert pattern["communality"].between(0, 1).all()
    phi = tables["factor_correlations"]
    matrix = phi[FACTORS].to_numpy()
    np.testing.assert_allclose(np.diag(matrix), 1.0, atol=1e-6)
    np.testing.assert_allclose(matrix, matrix.T, atol=1e-6)


def test_it_compares_key_stages_and_genders(tables: dict[str, pd.DataFrame]) -> None:
    effects = tables["group_effects"]
    assert set(effects["grouping"]) == {"key_stage", "gender"}
    trend = tables["key_stage_trend"].set_index(["key_stage", "dimension"])
    for _, pair in effects[effects["grouping"] == "key_stage"].head(10).iterrows():
        assert pair["n_a"] == trend.loc[(pair["group_a"], pair["dimension"]), "n"]
        assert pair["mean_b"] == pytest.approx(
            trend.loc[(pair["group_b"], pair["dimension"]), "mean"], rel=1e-5
        )
    # The key stages partition the pupils.
    totals = tables["key_stage_trend"].groupby("dimension")["n"].sum()
    summary = tables["dimension_summary"].set_index("dimension")["n"]
    assert totals.reindex(summary.index).tolist() == summary.tolist()


def test_it_reports_icc_and_top_and_bottom_schools(tables: dict[str, pd.DataFrame]) -> None:
    icc = tables["icc"]
    assert icc["dimension"].tolist() == DIMENSIONS
    assert icc["icc"].between(0, 1).all()
    top = tables["top_bottom"]
    assert top["dimension"].tolist() == DIMENSIONS
    schools = tables["school_summary"]
    for _, row in top.iterrows():
        ranked = schools[schools["dimension"] == row["dimension"]].set_index("school")["rank"]
        assert ranked[row["top_school"]] == 1
        assert ranked[row["bottom_school"]] == ranked.max()
        assert row["ci_low"] < row["effect_size"] < row["ci_high"]


# --- JSON output --------------------------------------------------------------------------


def test_it_writes_json_when_asked(small_json: Path, small_tables: Path) -> None:
    names = sorted(p.name for p in small_json.iterdir())
    assert names == sorted(p.with_suffix(".json").name for p in small_tables.iterdir())
    for path in small_json.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "NaN" not in text, path.name
        records = json.loads(text)
        assert isinstance(records, list)
    schools = json.loads((small_json / "school_summary.json").read_text(encoding="utf-8"))
    tiny = [r for r in schools if r["school"] == TINY]
    assert tiny
    assert all(r["n"] is None and r["mean"] is None and r["suppressed"] for r in tiny)


# --- disclosure ---------------------------------------------------------------------------


def _rows_naming(path: Path, name: str) -> list[dict[str, object]]:
    records: list[dict[str, object]]
    if path.suffix == ".json":
        records = json.loads(path.read_text(encoding="utf-8"))
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        records = [{str(k): v for k, v in r.items()} for r in frame.to_dict(orient="records")]
    return [r for r in records if name in {str(v) for v in r.values()}]


@pytest.mark.parametrize("output", ["small_tables", "small_json"])
def test_it_never_publishes_a_figure_about_a_school_of_five(
    request: pytest.FixtureRequest, output: str
) -> None:
    folder: Path = request.getfixturevalue(output)
    labels = {"school", "dimension", "notion", "suppressed"}
    seen_in = set()
    for path in sorted(folder.iterdir()):
        for record in _rows_naming(path, TINY):
            seen_in.add(path.stem)
            assert str(record.get("suppressed")) == "True", (path.name, record)
            shown = {k: v for k, v in record.items() if k not in labels and v not in ("", None)}
            assert shown == {}, (path.name, record)
    assert seen_in == {"school_summary", "school_notions"}


def test_it_keeps_a_hidden_school_from_being_recovered_by_subtraction(
    small_tables: Path,
) -> None:
    tables = _read_tables(small_tables)
    schools = tables["school_summary"]
    totals = tables["dimension_summary"].set_index("dimension")["n"]
    for dimension, rows in schools.groupby("dimension"):
        hidden = rows["suppressed"]
        assert hidden.sum() >= 2
        recovered = totals[dimension] - rows.loc[~hidden, "n"].sum()
        assert recovered >= 10


def test_it_hides_the_next_smallest_school_beside_a_tiny_one(small_tables: Path) -> None:
    assert _hidden_schools(_read_tables(small_tables)) == {TINY, SMALL}


def test_it_suppresses_more_with_a_larger_minimum_group_size(
    small_tables: Path, strict_tables: dict[str, pd.DataFrame]
) -> None:
    default = _hidden_schools(_read_tables(small_tables))
    strict = _hidden_schools(strict_tables)
    assert default < strict
    schools = strict_tables["school_summary"]
    assert (schools.loc[~schools["suppressed"], "n"] >= 50).all()


def test_it_reads_the_minimum_group_size_from_the_environment(
    small_schools_csv: Path, strict_tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    out = tmp_path / "tables"
    _ok(_run("analyse", small_schools_csv, "--out", out, env={"LEARNSURVEY_MIN_GROUP_SIZE": "50"}))
    assert _hidden_schools(_read_tables(out)) == _hidden_schools(strict_tables)


@pytest.mark.parametrize("size", ["1", "0", "-3"])
def test_it_rejects_a_minimum_group_size_below_two(
    small_schools_csv: Path, tmp_path: Path, size: str
) -> None:
    out = tmp_path / "tables"
    result = _run("analyse", small_schools_csv, "--out", out, "--min-group-size", size)
    assert result.exit_code == 2, f"exit code {result.exit_code}: {_text(result)[-120:]}"
    assert "at least 2" in _text(result)
    assert not out.exists()


def test_it_refuses_a_data_set_of_fewer_than_ten_pupils(tmp_path: Path) -> None:
    path = tmp_path / "nine.csv"
    _write_rows(path, [_answers(school="Ashgrove") for _ in range(9)])
    out = tmp_path / "tables"
    result = _run("analyse", path, "--out", out)
    assert result.exit_code == 2
    assert "describes 9 pupils; nothing is reported about fewer than 10" in _text(result)
    assert not out.exists()


# --- bad input ----------------------------------------------------------------------------


def _answers(school: str, value: object = 3, **cells: object) -> dict[str, object]:
    row: dict[str, object] = {"school": school, "key_stage": "KS3", "gender": "boy"}
    row.update(dict.fromkeys(INSTRUMENT.item_ids, value))
    row.update(cells)
    return row


def _write_rows(path: Path, rows: list[dict[str, object]]) -> None:
    pd.DataFrame(rows).to_csv(path, index=False)


@pytest.mark.parametrize("out_exists", [False, True], ids=["new-folder", "empty-folder"])
def test_it_rejects_a_bad_file_and_writes_nothing(tmp_path: Path, out_exists: bool) -> None:
    rows = [_answers(school=f"School {k % 3}") for k in range(30)]
    rows[1] = _answers(school="School 1", expectations_2=7)
    path = tmp_path / "bad.csv"
    _write_rows(path, rows)
    out = tmp_path / "tables"
    if out_exists:
        out.mkdir()
    result = _run("analyse", path, "--out", out)
    assert result.exit_code == 2
    text = _text(result)
    assert "row 3, column 'expectations_2': 7 is not a whole number from 1 to 5" in text
    assert "nothing was written" in text
    if out_exists:
        assert list(out.iterdir()) == []
    else:
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["bad.csv", *(["tables"] if out_exists else [])]
    )


def test_it_names_a_missing_responses_file(tmp_path: Path) -> None:
    result = _run("analyse", tmp_path / "nowhere.csv", "--out", tmp_path / "tables")
    assert result.exit_code == 2
    assert "no such file" in _text(result)
    assert not (tmp_path / "tables").exists()


# --- other instruments --------------------------------------------------------------------


def test_it_analyses_a_file_for_the_minimal_example_instrument(tmp_path: Path) -> None:
    instrument = load_instrument(MINIMAL_INSTRUMENT)
    rng = np.random.default_rng(4)
    rows = []
    for k in range(60):
        liking = int(rng.integers(1, 6))
        rows.append(
            {
                "school": ["Ashgrove", "Birchfield", "Cedar Vale"][k % 3],
                "key_stage": "KS2",
                "gender": ["boy", "girl"][k % 2],
                "enjoyment_1": liking,
                "enjoyment_2": 6 - liking if rng.random() < 0.8 else int(rng.integers(1, 6)),
                "confidence_1": int(rng.integers(1, 6)),
            }
        )
    path = tmp_path / "reading.csv"
    _write_rows(path, rows)
    out = tmp_path / "tables"
    result = _run("analyse", path, "--instrument", MINIMAL_INSTRUMENT, "--out", out)
    assert result.exit_code == 0, _text(result)
    tables = _read_tables(out)
    raw = pd.read_csv(path)
    summary = tables["dimension_summary"].set_index("dimension")
    for dimension in instrument.dimension_ids:
        score = _dimension_score(raw, instrument, dimension)
        assert summary.loc[dimension, "mean"] == pytest.approx(score.mean(), rel=1e-5)
    rel = tables["reliability"].set_index("scale")
    assert rel.index.tolist() == ["enjoyment", "confidence", "overall"]
    enjoyment = _reversed_items(raw, instrument, "enjoyment")
    assert rel.loc["enjoyment", "alpha"] == pytest.approx(_alpha(enjoyment), abs=1e-6)
    assert rel["alpha"].isna().loc["confidence"]  # one item: no alpha


def test_it_lists_the_built_in_instruments() -> None:
    result = _ok(_run("instruments"))
    text = _text(result)
    assert "learning-survey v1.0.0: The Learning Survey — 36 items, 9 dimensions" in text
    assert "staff-survey" in text


def test_it_validates_the_minimal_example_instrument() -> None:
    text = _text(_ok(_run("instruments", MINIMAL_INSTRUMENT)))
    assert "reading-check v0.1: Reading Check — 3 items, 2 dimensions, 1 factors" in text


def test_it_names_a_missing_instrument_file() -> None:
    result = _run("instruments", "some/bad.yaml")
    assert result.exit_code == 2
    assert "some/bad.yaml: no such instrument file" in _text(result)


def test_it_names_an_invalid_instrument_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\nversion: '1'\nname: Broken\n", encoding="utf-8")
    result = _run("instruments", path)
    assert result.exit_code == 2
    assert "broken.yaml" in "".join(result.output.split())  # rich may fold a long path
    assert "problem(s)" in _text(result)
