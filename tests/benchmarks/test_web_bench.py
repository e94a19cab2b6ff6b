"""The web benchmark works end to end at a tiny scale (a smoke test: nothing here is timed
against a target; the figures live in docs/benchmarks.md, never in tests)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
WEB_DIR = BENCH_DIR / "web"
sys.path[:0] = [str(WEB_DIR), str(BENCH_DIR)]

from webreport import MARKER, SubmissionRun, splice  # noqa: E402
from webstack import postgres_available  # noqa: E402

TINY = [
    "--users", "12", "--spawn-rate", "12", "--pacing", "1", "--run-time", "4",
    "--schools", "3", "--workers", "2", "--threads", "2",
    "--dashboard-responses", "2000", "--dashboard-requests", "3", "--warmup", "1",
]  # fmt: skip


def _bench(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    results = tmp_path / "results"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    done = subprocess.run(
        [sys.executable, str(WEB_DIR / "run.py"), *TINY, *args,
         "--results-dir", str(results), "--doc", str(tmp_path / "benchmarks.md")],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return done, results


def _report(results: Path) -> str:
    (report,) = results.glob("web-benchmarks-*.md")
    return report.read_text()


def _check(done: subprocess.CompletedProcess[str], results: Path, tmp_path: Path) -> None:
    assert done.returncode == 0, done.stderr[-3000:]
    text = _report(results)
    assert text.startswith(MARKER)
    assert "| Errors (any other status) | 0 | 0 | ✅ met |" in text
    stored = next(line for line in text.splitlines() if "Stored exactly once" in line)
    assert stored.endswith("| all equal | ✅ met |")
    assert "## School dashboard at 1,000,000 responses" in text
    assert "2,000 in 6 schools" in text
    assert not (tmp_path / "benchmarks.md").exists()  # a partial run leaves the page alone


@pytest.mark.slow
def test_it_runs_tiny_benchmarks_on_sqlite(tmp_path: Path) -> None:
    done, results = _bench(tmp_path, "--database", "sqlite")
    _check(done, results, tmp_path)
    assert "SQLite" in _report(results)


@pytest.mark.slow
@pytest.mark.skipif(not postgres_available(), reason="PostgreSQL is not on 127.0.0.1:5432")
def test_it_runs_tiny_benchmarks_on_postgres(tmp_path: Path) -> None:
    name = f"learnsurvey_bench_smoke_{os.getpid()}"
    done, results = _bench(tmp_path, "--database", "postgres", "--db-name", name)
    _check(done, results, tmp_path)
    assert "PostgreSQL" in _report(results)
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres") as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchall()
    assert found == []  # the benchmark's database is dropped


def test_it_counts_only_the_steady_state_and_checks_exactly_once() -> None:
    records = [(t / 10, 5.0 + t, 201, "new") for t in range(200)]
    records.append((10.0, 1.0, 200, "retry"))
    records.append((11.0, 1.0, 500, "new"))
    keys = [f"k{n}" for n in range(200)]
    run = SubmissionRun(
        users=10, pacing_s=1.0, spawn_rate=10.0, run_time_s=20.0, retry_share=0.01,
        server="gunicorn", database="SQLite", records=records, acked=keys,
        rows=200, distinct_keys=200, acked_found=200,
    )  # fmt: skip
    f = run.figures()
    start, end = run.steady
    assert (start, end) == (pytest.approx(2.0), pytest.approx(18.9))
    assert f["errors"] == 1
    assert f["retries_ok"] == 1
    in_window = sum(1 for r in records if start <= r[0] <= end and r[3] == "new" and r[2] == 201)
    assert f["rate"] == pytest.approx(in_window / (end - start))
    assert run.exactly_once
    run.rows = 201
    assert not run.exactly_once


def _core_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run_web", BENCH_DIR / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_core_and_web_runs_keep_each_others_sections(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\ncore figures\n")
    doc.write_text(splice(doc.read_text(), f"{MARKER}\n\n# Web platform\n\nweb v1\n"))
    doc.write_text(splice(doc.read_text(), f"{MARKER}\n\n# Web platform\n\nweb v2\n"))
    text = doc.read_text()
    assert text.count(MARKER) == 1
    assert "core figures" in text
    assert "web v2" in text
    assert "web v1" not in text
    core = _core_run()
    assert core.WEB_MARKER == MARKER
    assert core.web_section(doc) == "\n" + MARKER + "\n\n# Web platform\n\nweb v2\n"
    assert core.web_section(tmp_path / "absent.md") == ""


def test_each_run_keeps_the_sections_after_its_own(tmp_path: Path) -> None:
    from lsbench.docsections import splice_section

    other = "<!-- report benchmarks: written by benchmarks/reports/run.py -->"
    doc = "# Benchmarks\n\ncore\n"
    doc = splice_section(doc, MARKER, f"{MARKER}\nweb v1\n")
    doc = splice_section(doc, other, f"{other}\nreports v1\n")
    doc = splice_section(doc, MARKER, f"{MARKER}\nweb v2\n")
    assert doc.index("core") < doc.index("web v2") < doc.index("reports v1")
    assert "web v1" not in doc
    assert doc.count(MARKER) == 1
    assert doc.count(other) == 1
