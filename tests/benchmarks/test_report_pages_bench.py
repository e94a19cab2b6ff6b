"""The benchmark of the reports read from the database works end to end at a tiny scale on
SQLite (a smoke test: nothing here is timed against a target; the figures live in
docs/benchmarks.md, never in tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
RUN = BENCH_DIR / "reports" / "from_database.py"
MARKER = "<!-- reportpages benchmarks: written by benchmarks/reports/from_database.py -->"


@pytest.mark.slow
def test_it_runs_a_tiny_report_pages_benchmark_on_sqlite(tmp_path: Path) -> None:
    results = tmp_path / "results"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    done = subprocess.run(
        [sys.executable, str(RUN), "--database", "sqlite", "--responses", "1200",
         "--schools", "4", "--no-staff", "--requests", "2", "--cli-runs", "1", "--no-profile",
         "--results-dir", str(results), "--doc", str(tmp_path / "benchmarks.md")],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    (report,) = results.glob("reportpages-benchmarks-*.md")
    text = report.read_text()
    assert text.startswith(MARKER)
    assert "SQLite" in text
    # The worker built a page of each kind, and each view was opened twice.
    for kind in ("school", "trust", "global"):
        assert f"| {kind} | " in text
    for view in ("School report, web page", "Trust report, web page", "School dashboard"):
        assert f"{view}: median / slowest of 2" in text
    assert "`learnsurvey report --wave W --school S` (HTML + PDF), whole process" in text
    assert not (tmp_path / "benchmarks.md").exists()  # a partial run leaves the page alone


def test_the_report_pages_section_keeps_the_others() -> None:
    sys.path[:0] = [str(BENCH_DIR)]
    from lsbench.docsections import splice_section

    startup = "<!-- startup benchmarks: written by benchmarks/startup/run.py -->"
    doc = f"# Benchmarks\n\ncore\n\n{startup}\nstartup v1\n"
    doc = splice_section(doc, MARKER, f"{MARKER}\npages v1\n")
    doc = splice_section(doc, MARKER, f"{MARKER}\npages v2\n")
    assert doc.index("core") < doc.index("startup v1") < doc.index("pages v2")
    assert "pages v1" not in doc
    assert doc.count(MARKER) == 1
