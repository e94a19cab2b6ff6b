"""Benchmark how fast learnsurvey's processes start, as a crash recovery or a one-shot command
meets them: every figure is a fresh process, in this environment (``PYTHONDONTWRITEBYTECODE``
as set here, on the venv the Makefile made and byte-compiled).

- ``learnsurvey --help`` (target ≤ 0.3 s);
- ``learnsurvey analyse`` of a 30,000-row synthetic wave, whole process (target ≤ 1.5 s);
- Django set up with the platform's settings (``django.setup()``: what a server worker
  imports before its first request) and the whole URLconf with every view
  (``lazyurls.load_all``: what a worker's first request loaded before the URLconf was lazy);
- a pupil's first request on a fresh process: a process that imports the WSGI application
  (as a server's worker does) and answers ``GET /s/<code>/``, or a submission to
  ``POST /s/<code>/responses``, with how many modules it imported and whether pandas was
  among them;
- the app server (gunicorn, 2 workers) from start to its first answer, and the same with
  ``--preload`` (the master imports everything once, before it forks the workers).

    make bench-startup             # = .venv/bin/python benchmarks/startup/run.py
    .venv/bin/python benchmarks/startup/run.py --repeats 1 --no-doc     # a quick smoke run

A full run (the default repeats) rewrites the start-up section of docs/benchmarks.md.
Figures are medians; targets are reported (met / not met), never asserted.
"""

from __future__ import annotations

import argparse
import json
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


FACTS: dict[str, str] = {}
"""What a measure found besides its time (the modules a pupil's first request imported)."""


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


def _server_first_answer(work: Path, *, preload: bool = False) -> float:
    """Seconds from starting gunicorn to its first 200 (the sign-in page: the accounts'
    URLconf, the session and the database)."""
    env = _env(work)
    port = _free_port()
    argv = [str(BIN / "gunicorn"), "learnsurvey.web.wsgi:application", "--workers", "2",
            "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip
    if preload:
        argv.append("--preload")
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


# A fresh process that imports the WSGI application, as a server's worker does, and answers
# one pupil's request through it; it prints what it imported.
PUPIL_REQUEST = """
import io, json, sys
from learnsurvey.web.wsgi import application
method, path = sys.argv[1:3]
body = open(sys.argv[3], "rb").read() if sys.argv[3:] else b""
environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "127.0.0.1",
           "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
           "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
           "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body))}
answer = []
b"".join(application(environ, lambda status, headers, exc_info=None: answer.append(status)))
found = {"status": answer[0], "modules": len(sys.modules), "pandas": "pandas" in sys.modules}
print(json.dumps(found))
"""

# An open wave with one school and a pupil's code, in the benchmark's own database.
OPEN_WAVE = """
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from learnsurvey.instruments import load_instrument
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import AccessCode, Participation, Wave
today = timezone.localdate()
school = School.objects.create(urn="100001", name="Start-up Primary", phase="primary")
wave = Wave.objects.create(name="Start-up", opens=today - timedelta(days=1),
                           closes=today + timedelta(days=30),
                           instrument_version=load_instrument("learning-survey").version)
Participation.objects.create(wave=wave, school=school)
print(AccessCode.objects.create(wave=wave, school=school).code)
"""


def _submission(work: Path, run: int) -> Path:
    from learnsurvey.instruments import load_instrument

    items = load_instrument("learning-survey").items
    body = {"key": f"00000000-0000-4000-8000-{run:012d}", "year_group": 5, "gender": "girl",
            "language": "en", "answers": {item.id: 4 for item in items}}  # fmt: skip
    path = work / f"submission-{run}.json"
    path.write_text(json.dumps(body))
    return path


def _pupil_request(method: str, path: str, name: str, ok: str) -> Callable[[Path], float]:
    runs = 0

    def timed(work: Path) -> float:
        nonlocal runs
        runs += 1
        body = [str(_submission(work, runs))] if method == "POST" else []
        argv = [str(BIN / "python"), "-c", PUPIL_REQUEST, method, path, *body]
        started = time.perf_counter()
        done = subprocess.run(argv, env=_env(work), check=True, capture_output=True,
                              text=True, timeout=600)  # fmt: skip
        seconds = time.perf_counter() - started
        found = json.loads(done.stdout.strip().splitlines()[-1])
        if not found["status"].startswith(ok):
            raise RuntimeError(f"{method} {path} answered {found['status']}, not {ok}")
        pandas = "pandas imported" if found["pandas"] else "pandas not imported"
        FACTS[name] = f"{found['modules']:,} modules imported, {pandas}"
        return seconds

    return timed


def measures(wave: Path, code: str) -> list[Measure]:
    python = str(BIN / "python")
    setup = "import django; django.setup()"
    urls = setup + "; from learnsurvey.web.lazyurls import load_all; load_all()"
    page = "A pupil's first request on a fresh process: `GET /s/<code>/`"
    post = "A pupil's first request on a fresh process: `POST /s/<code>/responses`"
    return [
        Measure("`learnsurvey --help`", lambda w: [str(BIN / "learnsurvey"), "--help"], 0.3),
        Measure(
            f"`learnsurvey analyse`, {ROWS:,} rows (CSV), whole process",
            lambda w: [str(BIN / "learnsurvey"), "analyse", str(wave), "--out", str(w / "out")],
            1.5,
        ),
        Measure("Django set up (`django.setup()`)", lambda w: [python, "-c", setup]),
        Measure(
            "Django set up and the whole URLconf loaded, every view imported",
            lambda w: [python, "-c", urls],
        ),
        Measure(page, None, timed=_pupil_request("GET", f"/s/{code}/", page, "200")),
        Measure(post, None, timed=_pupil_request("POST", f"/s/{code}/responses", post, "201")),
        Measure(
            "App server (gunicorn, 2 workers) to its first answer",
            None,
            timed=_server_first_answer,
        ),
        Measure(
            "App server (gunicorn --preload, 2 workers) to its first answer",
            None,
            timed=lambda w: _server_first_answer(w, preload=True),
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


def _migrate(work: Path) -> str:
    """Migrate the benchmark's database and give it a pupil's code (returned)."""
    subprocess.run([str(BIN / "python"), str(REPO / "manage.py"), "migrate", "-v", "0"],
                   env=_env(work), check=True, timeout=600)  # fmt: skip
    (work / "var" / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT, for whitenoise
    done = subprocess.run([str(BIN / "python"), "-c", OPEN_WAVE], env=_env(work), check=True,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def run(repeats: int, say: Callable[[str], None]) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory(prefix="lsbench-startup-") as tmp:
        work = Path(tmp)
        say("Preparing a synthetic wave and a migrated SQLite database…")
        wave = _wave(work)
        code = _migrate(work)
        for measure in measures(wave, code):
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
            "A pupil's first request is timed from the start of a process that imports the WSGI "
            "application (`learnsurvey.web.wsgi`, as each worker of a server without "
            "`--preload` does) to its answer, in that process, without an HTTP server. What "
            "it imported:",
            "",
            *(f"* {name.split(': ', 1)[1]}: {fact}." for name, fact in FACTS.items()),
            "",
            "The sign-in page the app servers answer first needs the accounts' URLconf alone "
            "(and every app's template tag libraries, which Django imports to render any "
            "page); with `--preload` the master imports every view before it forks the "
            "workers (`learnsurvey.web.wsgi`), so its first answer includes all of them.",
            "",
            "The machine's CPUs may be shared with other work: a load average above the number "
            "of CPUs means the run had less than every CPU, and its times are an upper bound.",
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
