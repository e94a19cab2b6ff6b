"""Benchmark how fast learnsurvey's processes start, as a crash recovery or a one-shot command
meets them: every figure is a fresh process, in this environment (``PYTHONDONTWRITEBYTECODE``
as set here, on the venv the Makefile made and byte-compiled).

- ``learnsurvey --help`` (target ≤ 0.3 s);
- ``learnsurvey analyse`` of a 30,000-row synthetic wave, whole process (target ≤ 1.5 s);
- Django set up with the platform's settings (``django.setup()``: what a server worker
  imports before its first request) and the whole URLconf (its first request);
- the app server (gunicorn, 2 workers) from start to its first answer.

    make bench-startup             # = .venv/bin/python benchmarks/startup/run.py
    .venv/bin/python benchmarks/startup/run.py --repeats 1 --no-doc     # a quick smoke run

A full run (the default repeats) rewrites the start-up section of docs/benchmarks.md.
Figures are medians; targets are reported (met / not met), never asserted.
"""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

STARTUP_DIR = Path(__file__).resolve().parent
BENCH_DIR = STARTUP_DIR.parent
REPO = BENCH_DIR.parent
sys.path[:0] = [str(BENCH_DIR)]

from lsbench.docsections import write_section  # noqa: E402
from lsbench.machine import git_revision, load_average, machine_facts  # noqa: E402

MARKER = "<!-- startup benchmarks: written by benchmarks/startup/run.py -->"
DOC = REPO / "docs" / "benchmarks.md"
COMMAND = ".venv/bin/python benchmarks/startup/run.py"
BIN = Path(sys.executable).parent
ROWS, SCHOOLS, SEED = 30_000, 87, 2021
REPEATS = 5


@dataclass(frozen=True)
class Measure:
    name: str
    argv: Callable[[Path], list[str]] | None
    """The process to time (None: measured by ``timed`` instead)."""
    target: float | None = None
    timed: Callable[[Path], float] | None = None


@dataclass(frozen=True)
class Result:
    measure: Measure
    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def verdict(self) -> str:
        if self.measure.target is None:
            return "—"
        return "✅ met" if self.median <= self.measure.target else "❌ not met"


def _env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "learnsurvey.web.settings"
    env["LEARNSURVEY_DATA_DIR"] = str(work / "var")
    return env


def _time_process(argv: Sequence[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True, timeout=600)
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _server_first_answer(work: Path) -> float:
    """Seconds from starting gunicorn to its first 200 (the sign-in page: the URLconf, the
    session and the database)."""
    env = _env(work)
    port = _free_port()
    argv = [str(BIN / "gunicorn"), "learnsurvey.web.wsgi:application", "--workers", "2",
            "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        while time.perf_counter() - started < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5):
                    return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.02)
        raise RuntimeError("the server did not answer within 120 s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measures(wave: Path) -> list[Measure]:
    python = str(BIN / "python")
    setup = "import django; django.setup()"
    urls = setup + "; from django.urls import get_resolver; get_resolver().url_patterns"
    return [
        Measure("`learnsurvey --help`", lambda w: [str(BIN / "learnsurvey"), "--help"], 0.3),
        Measure(
            f"`learnsurvey analyse`, {ROWS:,} rows (CSV), whole process",
            lambda w: [str(BIN / "learnsurvey"), "analyse", str(wave), "--out", str(w / "out")],
            1.5,
        ),
        Measure("Django set up (`django.setup()`)", lambda w: [python, "-c", setup]),
        Measure("Django set up and the whole URLconf loaded", lambda w: [python, "-c", urls]),
        Measure(
            "App server (gunicorn, 2 workers) to its first answer",
            None,
            timed=_server_first_answer,
        ),
    ]


def _wave(work: Path) -> Path:
    path = work / "wave.csv"
    subprocess.run(
        [str(BIN / "learnsurvey"), "synth", "--responses", str(ROWS), "--schools",
         str(SCHOOLS), "--seed", str(SEED), "--out", str(path)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return path


def _migrate(work: Path) -> None:
    subprocess.run([str(BIN / "python"), str(REPO / "manage.py"), "migrate", "-v", "0"],
                   env=_env(work), check=True, timeout=600)  # fmt: skip


def run(repeats: int, say: Callable[[str], None]) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory(prefix="lsbench-startup-") as tmp:
        work = Path(tmp)
        say("Preparing a synthetic wave and a migrated SQLite database…")
        wave = _wave(work)
        _migrate(work)
        for measure in measures(wave):
            runs = []
            for _ in range(repeats):
                if measure.timed is not None:
                    runs.append(measure.timed(work))
                else:
                    assert measure.argv is not None
                    runs.append(_time_process(measure.argv(work), _env(work)))
            result = Result(measure, runs)
            say(f"  {measure.name}: {result.median:.2f} s ({result.verdict()})")
            results.append(result)
    return results


def section(results: list[Result], started: datetime, repeats: int, argv: list[str]) -> str:
    env_note = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    rows = [
        f"| {r.measure.name} | {r.median:.2f} | "
        f"{', '.join(f'{x:.2f}' for x in r.runs)} | "
        f"{'—' if r.measure.target is None else f'≤ {r.measure.target:g} s'} | {r.verdict()} |"
        for r in results
    ]
    facts = machine_facts()
    command = " ".join([COMMAND, *map(shlex.quote, argv)])
    return "\n".join(
        [
            MARKER,
            "",
            "# Start-up",
            "",
            f"_Written by `{command}` on {started:%Y-%m-%d %H:%M} UTC "
            f"(revision {git_revision(REPO)}, load average {load_average()} at the start). "
            f"`PYTHONDONTWRITEBYTECODE={env_note or '(unset)'}`: nothing is cached at first "
            "use, so what is not byte-compiled at install (`make`'s `compileall`) is compiled "
            "again by every process._",
            "",
            f"Each figure is a fresh process, the median of {repeats}.",
            "",
            "| Process | Median s | Each run, s | Target | Met |",
            "|---|---|---|---|---|",
            *rows,
            "",
            "## Start-up machine",
            "",
            *(f"* {k}: {v}" for k, v in facts.items()),
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--no-doc", action="store_true", help="never rewrite the doc")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    results = run(args.repeats, say=print)
    text = section(results, started, args.repeats, sys.argv[1:] if argv is None else argv)
    write_section(
        text,
        marker=MARKER,
        name="startup",
        started=started,
        results_dir=args.results_dir,
        doc=args.doc,
        full=args.repeats >= REPEATS and not args.no_doc,
        say=print,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
