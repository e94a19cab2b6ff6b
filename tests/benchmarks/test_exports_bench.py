"""The export benchmark works end to end at a tiny scale on SQLite (a smoke test: nothing
here is timed against a target; the figures live in docs/benchmarks.md, never in tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
RUN = BENCH_DIR / "exports" / "run.py"
MARKER = "<!-- export benchmarks: written by benchmarks/exports/run.py -->"


@pytest.mark.slow
def test_it_runs_a_tiny_export_benchmark_on_sqlite(tmp_path: Path) -> None:
    results = tmp_path / "results"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    done = subprocess.run(
        [sys.executable, str(RUN), "--database", "sqlite", "--sizes", "1500,3000",
         "--formats", "csv,parquet,xlsx", "--xlsx-up-to", "1500",
         "--results-dir", str(results), "--doc", str(tmp_path / "benchmarks.md")],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    (report,) = results.glob("export-benchmarks-*.md")
    text = report.read_text()
    assert text.startswith(MARKER)
    assert "SQLite" in text
    for fmt in ("CSV", "PARQUET"):
        assert f"| 3,000 | {fmt} |" in text
        assert f"{fmt}: peak memory at 3,000 against 1,500" in text
    assert "| 1,500 | XLSX |" in text
    assert "| 3,000 | XLSX |" not in text  # above --xlsx-up-to
    assert "XLSX skipped" in done.stderr
    assert not (tmp_path / "benchmarks.md").exists()  # a partial run leaves the page alone


def test_the_export_section_keeps_the_others() -> None:
    sys.path[:0] = [str(BENCH_DIR)]
    from lsbench.docsections import splice_section

    web = "<!-- web benchmarks: written by benchmarks/web/run.py -->"
    doc = f"# Benchmarks\n\ncore\n\n{web}\nweb v1\n"
    doc = splice_section(doc, MARKER, f"{MARKER}\nexports v1\n")
    doc = splice_section(doc, MARKER, f"{MARKER}\nexports v2\n")
    assert doc.index("core") < doc.index("web v1") < doc.index("exports v2")
    assert "exports v1" not in doc
    assert doc.count(MARKER) == 1
