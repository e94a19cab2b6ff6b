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
    "--rate", "20", "--run-time", "2", "--warmup-time", "1",
    "--runs", "learnsurvey:keepalive,learnsurvey:oneshot",
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
    lines = text.splitlines()
    # One run on keep-alive connections, one with a new connection per pupil.
    errors = [line for line in lines if line.startswith("| Errors (any other status")]
    assert errors == ["| Errors (any other status, or no answer) | 0 | 0 | ✅ met |"] * 2
    stored = [line for line in lines if "Stored exactly once" in line]
    assert len(stored) == 2
    assert all(line.endswith("| ✅ met |") for line in stored)
    assert "### gunicorn, 2 learnsurvey.web.serving workers × 2 threads: keep-alive" in text
    assert "a new connection per pupil, closed at once" in text
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


def test_it_counts_the_measured_window_and_checks_exactly_once() -> None:
    records = [(t / 10, 5.0 + t, 201, "new") for t in range(200)]
    records.append((10.0, 1.0, 200, "retry"))
    records.append((11.0, 1.0, 500, "new"))
    records.append((12.0, 30_000.0, 0, "new"))  # no answer
    keys = [f"k{n}" for n in range(230)]  # the warm-up's acknowledgements too
    run = SubmissionRun(
        connections="oneshot", rate=10.0, run_time_s=20.0, warmup_s=3.0, retry_share=0.01,
        server="gunicorn", database="SQLite", records=records, acked=keys,
        rows=230, distinct_keys=230, acked_found=230,
    )  # fmt: skip
    f = run.figures()
    assert f["requests"] == 203
    assert f["offered_rate"] == pytest.approx(203 / 20)
    assert f["rate"] == pytest.approx(200 / 20)
    assert f["request_ok_rate"] == pytest.approx(201 / 20)
    assert f["errors"] == 2
    assert f["retries_ok"] == 1
    assert f["max"] == 30_000.0
    assert run.label == "a new connection per pupil, closed at once"
    assert run.exactly_once
    run.rows, run.distinct_keys = 231, 231  # stored, its answer lost: not held against it
    assert run.exactly_once
    run.rows = 232  # a key stored twice
    assert not run.exactly_once
    run.rows, run.acked_found = 231, 229  # an acknowledged submission lost
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
