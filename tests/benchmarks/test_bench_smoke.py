"""The benchmark harness works end to end at 2,000 rows (a smoke test: nothing here is timed
against a target; speed targets live in docs/benchmarks.md, never in tests)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rich.console import Console

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

from lsbench.data import Size, ensure_dataset, parse_sizes  # noqa: E402
from lsbench.measure import measure, run_measured  # noqa: E402
from lsbench.progress import Steps  # noqa: E402
from lsbench.rref import r_status  # noqa: E402


def _load_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH_DIR / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One run of benchmarks/run.py at 2k rows, with R when it is installed."""
    root = tmp_path_factory.mktemp("bench")
    paths = {"data": root / "data", "results": root / "results", "doc": root / "benchmarks.md"}
    argv = ["--sizes", "2k", "--repeats", "1", "--r-timeout", "300"]
    argv += ["--data-dir", str(paths["data"]), "--results-dir", str(paths["results"])]
    argv += ["--doc", str(paths["doc"])]
    assert _load_run().main(argv) == 0
    return paths


def _report(bench: dict[str, Path]) -> str:
    (report,) = bench["results"].glob("benchmarks-*.md")
    return report.read_text()


def test_sizes_parse() -> None:
    assert [s.rows for s in parse_sizes("10m,30k,1M,2000")] == [
        2_000,
        30_000,
        1_000_000,
        10_000_000,
    ]
    assert Size("30k", 30_000).schools == 87
    assert (BENCH_DIR / "r_reference.R").is_file()
    with pytest.raises(ValueError, match="not a size"):
        parse_sizes("lots")


@pytest.mark.slow
def test_run_writes_a_partial_report(bench: dict[str, Path]) -> None:
    text = _report(bench)
    assert "| 2,000 | 10 | learnsurvey analyse | Parquet |" in text
    assert "| 2,000 | 10 | learnsurvey analyse | CSV |" in text
    assert "## Machine" in text
    assert not bench["doc"].exists()  # a partial run leaves docs/benchmarks.md alone


@pytest.mark.slow
def test_run_measures_the_polychoric_matrix(bench: dict[str, Path]) -> None:
    # The timing that tests/stats/test_correlation.py used to assert now lives here.
    text = _report(bench)
    assert "## Polychoric correlations (in memory)" in text
    assert "| 36 × 3,000 |" in text
    assert "Polychoric matrix of 36 items (3,000 pupils), in memory: ≤ 1 s" in text


@pytest.mark.slow
def test_data_are_reused(bench: dict[str, Path]) -> None:
    with Steps(Console(file=sys.stderr)) as steps:
        again = ensure_dataset(Size("2k", 2_000), 2021, bench["data"], steps)
    assert again.generated_s is None
    assert again.csv is not None
    assert again.csv.is_file()


@pytest.mark.slow
@pytest.mark.skipif(not r_status().available, reason="Rscript or its packages not installed")
def test_r_reference_agrees(bench: dict[str, Path]) -> None:
    text = _report(bench)
    assert "| 2,000 | alpha (9 dimensions + overall) | psych::alpha | 10 |" in text
    assert "lme4::lmer" in text
    assert "| ❌ |" not in text  # every cross-check within its tolerance


def test_measure_reports_a_timeout_and_a_failure(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    slow = run_measured(
        [sys.executable, "-c", "import time; time.sleep(30)"], timeout_s=0.5, log=log
    )
    assert slow.timed_out
    assert not slow.ok
    assert slow.wall_s < 10
    failing = measure(
        [sys.executable, "-c", "import sys; sys.exit('broken')"], repeats=3, timeout_s=60, log=log
    )
    assert len(failing.runs) == 1  # a failure is not repeated
    assert failing.failure() == "exit code 1: broken"
    ok = run_measured([sys.executable, "-c", "x = bytearray(50_000_000)"], timeout_s=60, log=log)
    assert ok.ok
    assert ok.max_rss_bytes > 50_000_000
    assert ok.cpu_s > 0
