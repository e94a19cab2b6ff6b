"""`learnsurvey report` from files (no database): a school, a trust, the wave, every school,
and its refusals (an unknown school, a school with too few pupils, a file of several waves).

Runs on a small synthetic wave: `learnsurvey synth --responses 3000 --schools 6`, plus a
tiny school appended by hand.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from learnsurvey.cli import main
from learnsurvey.cli_report import report

TINY = "Tiny Academy"
TINY_PUPILS = 7  # below the threshold of 10: its count must never be printed


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(report, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(responses, context) of six schools, and a seventh with too few pupils."""
    folder = tmp_path_factory.mktemp("small")
    responses = folder / "small.csv"
    synth = CliRunner().invoke(
        main, ["synth", "--responses", "3000", "--schools", "6", "--out", str(responses)]
    )
    assert synth.exit_code == 0, synth.output
    frame = pd.read_csv(responses, dtype=str, keep_default_na=False)
    tiny = frame.head(TINY_PUPILS).assign(school=TINY)
    pd.concat([frame, tiny]).to_csv(responses, index=False)
    return responses, folder / "small.schools.csv"


@pytest.fixture(scope="module")
def context(small: tuple[Path, Path]) -> pd.DataFrame:
    return pd.read_csv(small[1])


@pytest.mark.slow
def test_it_writes_a_school_report_from_files(
    small: tuple[Path, Path], context: pd.DataFrame, tmp_path: Path
) -> None:
    responses, schools = small
    school = str(context["school"].iloc[0])
    result = run(
        "--responses", responses, "--context", schools, "--school", school, "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    pdfs = list(tmp_path.glob("school-*.pdf"))
    assert len(pdfs) == 1
    assert pdfs[0].read_bytes().startswith(b"%PDF")
    assert pdfs[0].with_suffix(".html").is_file()
    assert (tmp_path / "assets" / "vega.js").is_file()
    assert school in result.output
    assert pdfs[0].name in result.output.replace("\n", "")


@pytest.mark.slow
def test_it_writes_a_trust_report_from_files(
    small: tuple[Path, Path], context: pd.DataFrame, tmp_path: Path
) -> None:
    responses, schools = small
    trust = str(context["trust"].dropna().iloc[0])
    result = run(
        "--responses", responses, "--context", schools, "--trust", trust, "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    (pdf,) = tmp_path.glob("trust-*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert trust in pdf.with_suffix(".html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_it_writes_the_global_report_from_files(small: tuple[Path, Path], tmp_path: Path) -> None:
    responses, schools = small
    result = run("--responses", responses, "--context", schools, "--global", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    (pdf,) = tmp_path.glob("global-*.pdf")
    assert pdf.name == "global-2021-summer.pdf"  # the wave's label in the file
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_it_writes_every_school_report_from_files(
    small: tuple[Path, Path], context: pd.DataFrame, tmp_path: Path
) -> None:
    responses, schools = small
    result = run("--responses", responses, "--context", schools, "--all-schools", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    pdfs = sorted(tmp_path.glob("school-*.pdf"))
    assert len(pdfs) == len(context)  # the six schools; not the tiny one
    assert not list(tmp_path.glob("school-tiny*"))
    assert f"Wrote {len(context)} school reports" in result.output
    assert str(tmp_path) in result.output.replace("\n", "")


def test_it_refuses_an_unknown_school(small: tuple[Path, Path], tmp_path: Path) -> None:
    result = run("--responses", small[0], "--school", "Nowhere High", "--out", tmp_path)
    assert result.exit_code != 0
    assert "no responses from school 'Nowhere High'" in result.output
    assert not list(tmp_path.glob("*.pdf"))


def test_it_refuses_a_school_with_too_few_pupils_without_saying_how_many(
    small: tuple[Path, Path], tmp_path: Path
) -> None:
    result = run("--responses", small[0], "--school", TINY, "--out", tmp_path)
    assert result.exit_code != 0
    assert "too few responses" in result.output
    assert str(TINY_PUPILS) not in result.output
    assert not list(tmp_path.glob("*.pdf"))


def test_it_asks_which_wave_of_a_file_of_several(small: tuple[Path, Path], tmp_path: Path) -> None:
    frame = pd.read_csv(small[0], dtype=str, keep_default_na=False)
    two = tmp_path / "two-waves.csv"
    pd.concat([frame, frame.assign(wave="2022-summer")]).to_csv(two, index=False)
    result = run("--responses", two, "--global", "--out", tmp_path / "out")
    assert result.exit_code != 0
    assert "holds 2 waves" in result.output
    assert "choose one" in result.output
    result = run("--responses", two, "--wave", "2022-summer", "--global", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "global-2022-summer.pdf").is_file()


@pytest.mark.parametrize(
    "targets",
    [[], ["--global", "--all-schools"], ["--school", "A", "--trust", "B"]],
)
def test_it_wants_exactly_one_report(
    small: tuple[Path, Path], tmp_path: Path, targets: list[str]
) -> None:
    result = run("--responses", small[0], "--out", tmp_path, *targets)
    assert result.exit_code == 2
    assert "choose one report" in result.output


def test_it_wants_the_wave_id_without_a_file(tmp_path: Path) -> None:
    result = run("--global", "--out", tmp_path)
    assert result.exit_code == 2
    assert "--wave" in result.output
