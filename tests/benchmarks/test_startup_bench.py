"""The start-up benchmark works end to end once through (a smoke test: nothing here is
timed against a target; the figures live in docs/benchmarks.md, never in tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "startup" / "run.py"
MARKER = "<!-- startup benchmarks: written by benchmarks/startup/run.py -->"


@pytest.mark.slow
def test_it_times_every_start_once(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    done = subprocess.run(
        [sys.executable, str(RUN), "--repeats", "1",
         "--results-dir", str(tmp_path / "results"), "--doc", str(tmp_path / "benchmarks.md")],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    (report,) = (tmp_path / "results").glob("startup-benchmarks-*.md")
    text = report.read_text()
    assert text.startswith(MARKER)
    for name in ("`learnsurvey --help`", "`learnsurvey analyse`", "App server", "--preload"):
        assert name in text
    assert "`GET /s/<code>/`:" in text
    assert "`POST /s/<code>/responses`:" in text
    assert "modules imported, pandas" in text
    assert "| ≤ 0.3 s |" in text
    assert not (tmp_path / "benchmarks.md").exists()  # one repeat is a partial run
