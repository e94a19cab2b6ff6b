"""Benchmark the reports read from the platform's database: the worker building every
report's web page once per wave, those pages opened over HTTP, and ``learnsurvey report
--wave W --school S`` as a whole process. Targets: a report's web page (school, trust,
global) opens in at most 1 s, as the school dashboard does; the command line's school
report takes at most 3 s.

    make bench-report-pages              # = .venv/bin/python benchmarks/reports/from_database.py
    .venv/bin/python benchmarks/reports/from_database.py --database sqlite --responses 1200 \\
        --schools 4 --no-staff --requests 2 --cli-runs 1     # a smoke run of a few seconds' data

What it does, on a database of its own (PostgreSQL on 127.0.0.1:5432, user postgres, created,
migrated and dropped at the end): loads the demo's synthetic Phase One wave
(``learnsurvey.web.demo.series``: 29,940 pupils, 87 schools, seed 2021, with its staff
survey) and its demo accounts, publishes it, queues the wave's recompute on the real task
queue (``LEARNSURVEY_TASKS=database``) and runs the real worker (``manage.py db_worker
--batch``) in a subprocess: it recomputes the wave and then builds every report page. Then,
as the signed-in platform administrator, it opens each web view of the reports and the
school dashboard ``--requests`` times on a gunicorn started afresh for each view (so the
first request is a fresh process's), and runs the command line ``--cli-runs`` times, then
once more under pyinstrument when it is installed (where its time goes; ``--no-profile``
skips it).

A full run (PostgreSQL, the whole wave, 5 requests and 3 command-line runs) rewrites the
"Reports from the database" section of docs/benchmarks.md; every run writes its report to
benchmarks/results/. Targets are reported (met / not met), never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

REPORTS_DIR = Path(__file__).resolve().parent
BENCH_DIR = REPORTS_DIR.parent
REPO = BENCH_DIR.parent
sys.path[:0] = [str(BENCH_DIR / "web"), str(BENCH_DIR)]

from lsbench.docsections import write_section  # noqa: E402
from lsbench.machine import load_average, run_facts  # noqa: E402
from lsbench.progress import Steps  # noqa: E402
from webstack import ServerConfig, Stack, fresh_database_url, migrated, serve  # noqa: E402

MARKER = "<!-- reportpages benchmarks: written by benchmarks/reports/from_database.py -->"
DOC = REPO / "docs" / "benchmarks.md"
SCRIPT = "benchmarks/reports/from_database.py"
BIN = Path(sys.executable).parent
FULL = {
    "database": "postgres",
    "responses": 29_940,
    "schools": 87,
    "seed": 2021,
    "no_staff": False,
    "requests": 5,
    "cli_runs": 3,
}
VIEW_TARGET_S = 1.0
CLI_TARGET_S = 3.0
BUSY_LOAD = 1.0
"""A 1-minute load average above this before the run: someone else was using the machine."""
QUEUE = {
    # The environment of this process, its worker and its servers: the real task queue, and
    # the report pages built after a recompute (its default with the queue, said out loud).
    "LEARNSURVEY_TASKS": "database",
    "LEARNSURVEY_PREBUILD_REPORT_PAGES": "true",
}
PREPARING = b'id="report-preparing"'
"""On the page shown while a report's page is first being built (reports/preparing.html)."""
TASKS = {
    "learnsurvey.web.dashboards.tasks.recompute_wave_result": "Recompute of the wave",
    "learnsurvey.web.reports.pages.build_report_pages": "Building every report page",
    "learnsurvey.web.reports.tasks.housekeeping": "Housekeeping",
}


@dataclass
class Task:
    path: str
    status: str
    seconds: float
    value: object

    @property
    def label(self) -> str:
        return TASKS.get(self.path, f"`{self.path}`")


@dataclass
class Worker:
    wall_s: float
    tasks: list[Task]
    pages: dict[str, list[float]]
    """Seconds per page built, by kind (school, trust, global), in the order built."""

    def task(self, path: str) -> Task | None:
        return next((t for t in self.tasks if t.path.endswith(path)), None)

    @property
    def n_pages(self) -> int:
        return sum(len(v) for v in self.pages.values())


@dataclass
class View:
    name: str
    path: str
    seconds: list[float] = field(default_factory=list)
    bytes: int = 0
    target: float | None = VIEW_TARGET_S
    cpu: list[float] = field(default_factory=list)
    """CPU seconds (user + system) of each run, for a process run here (the command line)."""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def worst(self) -> float:
        return max(self.seconds)


@dataclass
class Subjects:
    wave_id: int
    urn: str
    trust_id: int
    session: str
    n_responses: int
    n_schools: int
    n_staff: int


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    p.add_argument("--db-name", default="learnsurvey_bench_report_pages")
    p.add_argument("--responses", type=int, default=FULL["responses"], help="pupils")
    p.add_argument("--schools", type=int, default=FULL["schools"])
    p.add_argument("--seed", type=int, default=FULL["seed"])
    p.add_argument("--no-staff", action="store_true", help="leave out the staff survey")
    p.add_argument("--requests", type=int, default=FULL["requests"], help="GETs of each view")
    p.add_argument("--cli-runs", type=int, default=FULL["cli_runs"])
    p.add_argument(
        "--no-profile",
        action="store_true",
        help="skip the command line's run under pyinstrument (where its time goes)",
    )
    p.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    p.add_argument("--doc", type=Path, default=DOC)
    p.add_argument("--no-doc", action="store_true", help="never rewrite the doc")
    args = p.parse_args(argv)
    if args.requests < 1 or args.cli_runs < 1:
        p.error("--requests and --cli-runs must be at least 1")
    args.full = not args.no_doc and all(getattr(args, k) == v for k, v in FULL.items())
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(stderr=True)
    started = datetime.now(UTC)
    load_before = load_average()
    work = Path(tempfile.mkdtemp(prefix="learnsurvey-pagesbench-"))
    logs = args.results_dir / "logs"
    url = fresh_database_url(args.database, args.db_name, work)
    if url is None:
        console.print("PostgreSQL is not answering on 127.0.0.1:5432 (user postgres).")
        return 2
    os.environ.update(QUEUE)  # before Django is set up (``migrated``), and for the children
    stack = Stack(args.database, url, "", work)
    with migrated(stack, args.db_name, console) as steps:
        database = _database_name(args.database)
        subjects = load(args, steps)
        worker = run_worker(stack, subjects.wave_id, steps, logs)
        views = open_views(stack, subjects, args.requests, steps, logs)
        cli = run_cli(stack, subjects, args.cli_runs, steps, work)
        profile = None if args.no_profile else profile_cli(stack, subjects, work, args, started)
    facts = run_facts(
        SCRIPT,
        argv,
        started=started,
        load_before=load_before,
        packages=("Django", "django-tasks-db", "gunicorn", "psycopg", "weasyprint"),
        repo=REPO,
    )
    section = render_section(
        database=database,
        subjects=subjects,
        worker=worker,
        views=views,
        cli=cli,
        profile=profile,
        busy=_busy(load_before),
        **facts,
    )
    write_section(
        section,
        marker=MARKER,
        name="reportpages",
        started=started,
        results_dir=args.results_dir,
        doc=args.doc,
        full=args.full,
        say=console.print,
    )
    if profile is not None:
        console.print(f"The command line's profile: {profile.text}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


# --- the wave ------------------------------------------------------------------------------


def load(args: argparse.Namespace, steps: Steps) -> Subjects:
    """The demo's wave (and its staff survey) loaded and published, the demo's accounts, and
    the platform administrator signed in; the school and trust to open are the demo's."""
    from django.test import Client

    from learnsurvey.web.accounts.models import Role
    from learnsurvey.web.demo.accounts import create_demo_accounts
    from learnsurvey.web.demo.series import load_demo, plan_demo, publish_demo

    plan = plan_demo(
        n_responses=args.responses,
        n_schools=args.schools,
        seed=args.seed,
        n_waves=1,
        staff=not args.no_staff,
    )
    t0 = time.perf_counter()
    with steps.rows("Loading the synthetic wave", plan.n_responses) as advance:
        loaded = load_demo(plan, on_rows=advance)
    demo = loaded.latest
    accounts = create_demo_accounts(among=set(demo.codes))
    publish_demo(loaded)
    steps.note(
        f"  {demo.n_responses:,} pupils in {len(demo.codes)} schools and {demo.n_staff:,} staff "
        f"loaded and published in {time.perf_counter() - t0:.1f} s"
    )
    admin = next(a.user for a in accounts.accounts if a.user.role == Role.PLATFORM_ADMIN)
    client = Client()
    client.force_login(admin)
    return Subjects(
        wave_id=int(demo.wave.pk),
        urn=str(accounts.school.urn),
        trust_id=int(accounts.trust.pk),
        session=client.cookies["sessionid"].value,
        n_responses=demo.n_responses,
        n_schools=len(demo.codes),
        n_staff=demo.n_staff,
    )


# --- the worker ----------------------------------------------------------------------------


def run_worker(stack: Stack, wave_id: int, steps: Steps, logs: Path) -> Worker:
    """Queue the wave's recompute as a response arriving does, and let the real worker run
    everything that follows (the report pages, the housekeeping) until the queue is empty."""
    from django_tasks_db.models import DBTaskResult

    from learnsurvey.web.dashboards.tasks import request_recompute
    from learnsurvey.web.reports.models import ReportPage

    if not request_recompute(wave_id):
        raise RuntimeError("a recompute of the wave was already queued")
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / "report-pages-worker.log"
    argv = [sys.executable, str(REPO / "manage.py"), "db_worker", "--batch", "--no-startup-delay"]
    with steps.spinner("The worker: recompute, then every report page"), log.open("w") as out:
        t0 = time.perf_counter()
        done = subprocess.run(
            [*argv, "--verbosity", "1"], env=stack.env, cwd=REPO, stdout=out, stderr=out
        )
        wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"the worker exited with {done.returncode}: see {log}")
    rows = list(DBTaskResult.objects.order_by("started_at"))
    tasks = [
        Task(
            path=r.task_path,
            status=str(r.status),
            seconds=(r.finished_at - r.started_at).total_seconds()
            if r.started_at and r.finished_at
            else float("nan"),
            value=r.return_value,
        )
        for r in rows
    ]
    failed = [t for t in tasks if t.status != "SUCCESSFUL"]
    if failed:
        raise RuntimeError(f"tasks failed ({', '.join(t.path for t in failed)}): see {log}")
    builder = next(r for r in rows if r.task_path.endswith("build_report_pages"))
    pages: dict[str, list[float]] = {}
    # Each page is stored the moment it is built: the time between one page's stamp and the
    # next is that page's building (the first's counts from the task's start).
    last = builder.started_at
    for page in ReportPage.objects.filter(wave_id=wave_id).order_by("built"):
        pages.setdefault(str(page.kind), []).append((page.built - last).total_seconds())
        last = page.built
        if not page.available:
            raise RuntimeError(f"the {page.kind} page {page.target!r} could not be made")
    worker = Worker(wall, tasks, pages)
    for t in tasks:
        steps.note(f"  {t.label}: {t.seconds:.1f} s")
    steps.note(f"  {worker.n_pages} pages; the worker process took {wall:.1f} s in all")
    return worker


# --- the web views -------------------------------------------------------------------------


def open_views(
    stack: Stack, subjects: Subjects, requests: int, steps: Steps, logs: Path
) -> list[View]:
    """Each view ``requests`` times, on a gunicorn started for it alone (one sync worker, so
    the first request is the first of a fresh process and every request meets the same
    one)."""
    w = subjects.wave_id
    views = [
        View("School report, web page", f"/reports/waves/{w}/schools/{subjects.urn}/view/"),
        View("Trust report, web page", f"/reports/waves/{w}/trusts/{subjects.trust_id}/view/"),
        View("Global report, web page", f"/reports/waves/{w}/global/view/"),
        View("School dashboard", f"/dashboards/waves/{w}/schools/{subjects.urn}/"),
    ]
    config = ServerConfig(worker_class="sync", workers=1, threads=1, nice=0)
    for view in views:
        with (
            serve(stack, config, logs / "report-pages-server.log") as (base, _),
            steps.spinner(f"{requests} GETs of {view.path}"),
        ):
            host, port = base.removeprefix("http://").split(":")
            for _ in range(requests):
                seconds, body = _get(host, int(port), view.path, subjects.session)
                view.seconds.append(seconds)
                view.bytes = len(body)
        steps.note(
            f"  {view.name}: median {view.median:.2f} s, max {view.worst:.2f} s "
            f"(first {view.seconds[0]:.2f} s)"
        )
    return views


def _get(host: str, port: int, path: str, session: str) -> tuple[float, bytes]:
    """One signed-in GET on a new connection, as a browser opening the page meets it."""
    conn = http.client.HTTPConnection(host, port, timeout=120)
    headers = {"Cookie": f"sessionid={session}", "Accept-Language": "en-GB"}
    try:
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        seconds = time.perf_counter() - t0
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    if PREPARING in body:
        raise RuntimeError(f"GET {path}: the page was not built yet (the worker's pages?)")
    return seconds, body


# --- the command line ----------------------------------------------------------------------


def _cli_argv(subjects: Subjects, out: Path) -> list[str]:
    return [
        str(BIN / "learnsurvey"),
        "report",
        "--wave",
        str(subjects.wave_id),
        "--school",
        subjects.urn,
        "--out",
        str(out),
    ]


def run_cli(stack: Stack, subjects: Subjects, runs: int, steps: Steps, work: Path) -> View:
    """``learnsurvey report --wave W --school S`` ``runs`` times, each a whole fresh process
    pointed at the benchmark's database (``DATABASE_URL``)."""
    cli = View(
        "`learnsurvey report --wave W --school S` (HTML + PDF), whole process",
        " ".join(_cli_argv(subjects, Path("<tmp>"))[1:]),
        target=CLI_TARGET_S,
    )
    for k in range(runs):
        out = work / f"cli-{k}"
        with steps.spinner(f"learnsurvey report, run {k + 1} of {runs}"):
            cpu0, t0 = _children_cpu(), time.perf_counter()
            done = subprocess.run(
                _cli_argv(subjects, out), env=stack.env, capture_output=True, text=True
            )
            seconds, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
        if done.returncode != 0:
            raise RuntimeError(f"learnsurvey report failed:\n{done.stderr[-3000:]}")
        files = [p for p in out.iterdir() if p.suffix in {".html", ".pdf"}]
        if sorted(p.suffix for p in files) != [".html", ".pdf"]:
            raise RuntimeError(f"learnsurvey report wrote {files}, not an .html and a .pdf")
        cli.seconds.append(seconds)
        cli.cpu.append(cpu)
        cli.bytes = sum(p.stat().st_size for p in files)
        steps.note(f"  learnsurvey report, run {k + 1}: {seconds:.1f} s ({cpu:.1f} s of CPU)")
    return cli


def _children_cpu() -> float:
    """CPU seconds of this process's children waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


PHASES = (
    ("_inputs_from_database", "Reading the platform: Django, imports, responses, stored figures"),
    ("django/__init__.py:setup", "… of which setting Django up"),
    ("inputs_from_database", "… of which reading the wave's responses (and its staff's)"),
    ("SchoolReports.__init__", "The wave's figures for every school (skipped when stored)"),
    ("SchoolReports.build", "Building the school's report (tables, words, charts)"),
    ("_svg", "… of which drawing the charts' SVG (vl-convert)"),
    ("render_html", "Rendering the HTML (file and print) with Jinja2"),
    ("html_to_pdf", "The PDF (WeasyPrint, its import included)"),
    ("write_assets", "The standalone file's script, `assets/vega.js` (vl-convert's bundle)"),
)
"""What the command line's time is split into: a function of the profile (``Class.method``
for a method, ``path:function`` for one of that file) and what it does; the time of every
call of it, nested calls counted once."""


@dataclass
class Profile:
    text: Path
    """pyinstrument's text report."""
    duration: float
    cpu: float
    phases: dict[str, float]
    """Seconds in each function of :data:`PHASES`."""


def profile_cli(
    stack: Stack, subjects: Subjects, work: Path, args: argparse.Namespace, started: datetime
) -> Profile | None:
    """One more run of the command line under pyinstrument (None: it is not installed): its
    text report kept in the results folder, and the time spent in each of :data:`PHASES`."""
    pyinstrument = BIN / "pyinstrument"
    if not pyinstrument.exists():
        return None
    from pyinstrument.renderers import ConsoleRenderer
    from pyinstrument.session import Session

    args.results_dir.mkdir(parents=True, exist_ok=True)
    text = args.results_dir / f"reportpages-cli-profile-{started:%Y%m%d-%H%M%S}.txt"
    session_file = work / "cli.pyisession"
    subprocess.run(
        [str(pyinstrument), "-r", "pyisession", "-o", str(session_file),
         *_cli_argv(subjects, work / "cli-profile")],
        env=stack.env, capture_output=True, check=True,
    )  # fmt: skip
    session = Session.load(session_file)
    text.write_text(ConsoleRenderer(unicode=True, color=False, short_mode=True).render(session))
    root = session.root_frame()
    phases = {name: _time_in(root, name) if root is not None else 0.0 for name, _ in PHASES}
    return Profile(text, session.duration, session.cpu_time, phases)


def _time_in(frame: Any, name: str) -> float:
    """Seconds in calls of ``name`` under ``frame`` (a call inside another counted once)."""
    called = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
    where, _, function = name.rpartition(":")
    if called == function and (frame.file_path_short or "").endswith(where):
        return float(frame.time)
    return sum(_time_in(child, name) for child in frame.children)


# --- the section of docs/benchmarks.md -----------------------------------------------------


def _database_name(kind: str) -> str:
    if kind != "postgres":
        return "SQLite (WAL)"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    return f"PostgreSQL {str(version).split()[0]}"


def _busy(load_before: str) -> bool:
    return float(load_before.split("/")[0]) > BUSY_LOAD


def _met(value: float, target: float | None) -> str:
    if target is None:
        return "—"
    return "✅ met" if value <= target else "❌ not met"


def verdicts(views: list[View], cli: View) -> list[tuple[str, str, str, str]]:
    """Measure, result, target, met: each view's median and slowest, the command's median."""
    lines = []
    for v in views:
        lines.append(
            (
                f"{v.name}: median / slowest of {len(v.seconds)} (first: a fresh process)",
                f"{v.median:.2f} s / {v.worst:.2f} s",
                f"≤ {v.target:g} s",
                _met(v.worst, v.target),
            )
        )
    cpu = f" ({statistics.median(cli.cpu):.1f} s of CPU)" if cli.cpu else ""
    lines.append(
        (
            f"{cli.name}, median of {len(cli.seconds)}",
            f"{cli.median:.1f} s{cpu}",
            f"≤ {cli.target:g} s",
            _met(cli.median, cli.target),
        )
    )
    return lines


def worker_lines(worker: Worker) -> list[str]:
    rows = ["| Step | Seconds |", "|---|---:|"]
    rows += [f"| {t.label} (task) | {t.seconds:.1f} |" for t in worker.tasks]
    rows.append(
        f"| The worker process, start to exit (`db_worker --batch`) | {worker.wall_s:.1f} |"
    )
    pages = ["| Pages | Built | Total s | Median s a page | Slowest s | First s |"]
    pages.append("|---|---:|---:|---:|---:|---:|")
    for kind, seconds in worker.pages.items():
        pages.append(
            f"| {kind} | {len(seconds)} | {sum(seconds):.1f} | {statistics.median(seconds):.2f} "
            f"| {max(seconds):.2f} | {seconds[0]:.2f} |"
        )
    every = [s for v in worker.pages.values() for s in v]
    pages.append(
        f"| all | {len(every)} | {sum(every):.1f} | {statistics.median(every):.2f} "
        f"| {max(every):.2f} | — |"
    )
    return [*rows, "", *pages]


def profile_lines(profile: Profile | None) -> list[str]:
    """Where the command line's time goes, from one more run under pyinstrument."""
    if profile is None:
        return []
    rows = ["| Part | Seconds | Share |", "|---|---:|---:|"]
    for name, label in PHASES:
        seconds = profile.phases[name]
        rows.append(f"| {label} | {seconds:.1f} | {seconds / profile.duration:.0%} |")
    return [
        "### Where the command line's time goes",
        "",
        f"One more run under pyinstrument (sampling; {profile.duration:.1f} s, "
        f"{profile.cpu:.1f} s of CPU, slower than the timed runs by the profiler's cost); "
        "the rest of its time is Python, click and rich starting, and the imports outside "
        "these parts.",
        "",
        *rows,
        "",
    ]


def render_section(
    *,
    command: str,
    started: datetime,
    minutes: float,
    database: str,
    subjects: Subjects,
    worker: Worker,
    views: list[View],
    cli: View,
    profile: Profile | None,
    busy: bool,
    machine: dict[str, str],
    revision: str,
) -> str:
    verdict = ["| Measure | Result | Target | Met |", "|---|---|---|---|"]
    verdict += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in verdicts(views, cli)]
    each = ["| Request | Path | Each, s | Body |", "|---|---|---|---:|"]
    each += [
        f"| {v.name} | `{v.path}` | {', '.join(f'{s:.2f}' for s in v.seconds)} "
        f"| {v.bytes / 1024:,.0f} KiB |"
        for v in [*views, cli]
    ]
    facts = ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in machine.items()]
    facts.append(f"| learnsurvey revision | {revision} |")
    loads = machine.get("Load average before / after (1, 5, 15 min)", "")
    shared = (
        [
            f"**The machine was shared** (load average {loads} on "
            f"{machine.get('CPUs (nproc)', '?')} CPUs): other work took CPU time from every "
            "step, so these times are upper bounds and noisy.",
            "",
        ]
        if busy
        else []
    )
    staff = f" and {subjects.n_staff:,} staff" if subjects.n_staff else ""
    parts = [
        MARKER,
        "",
        "# Reports from the database",
        "",
        f"_Written by `{command}` on {started:%Y-%m-%d %H:%M} UTC (the run took "
        f"{minutes:.0f} min; `make bench-report-pages` runs it, `make bench` runs it too)._",
        "",
        "```sh",
        "make bench-report-pages                            # installs [dev,bench], then:",
        f".venv/bin/python {SCRIPT}    # PostgreSQL on 127.0.0.1:5432",
        "```",
        "",
        *shared,
        f"The demo's synthetic Phase One wave ({subjects.n_responses:,} pupils in "
        f"{subjects.n_schools} schools{staff}; `learnsurvey.web.demo.series`, one wave) "
        f"loaded into {database} and published, with the demo's accounts. The reports' web "
        "pages are built once per change of the wave's data by the worker "
        "(`learnsurvey.web.reports.pages`) and read from a row when opened.",
        "",
        "\n".join(verdict),
        "",
        "## The worker",
        "",
        "The wave's recompute queued on the real task queue (`LEARNSURVEY_TASKS=database`, "
        "django-tasks-db) as a response arriving queues it, then the real worker "
        "(`manage.py db_worker --batch` in a subprocess) run until the queue is empty: the "
        "recompute queues `build_report_pages`, which builds every school's, trust's and the "
        "global page in the platform's language. Task times are the queue's own records "
        "(started → finished); a page's time is from the page stored before it (the first: "
        "from the task's start, so it includes the reports' wave-level work).",
        "",
        *worker_lines(worker),
        "",
        "## Opening the pages, and the command line",
        "",
        "Each view opened over HTTP as the signed-in platform administrator on a gunicorn "
        "started afresh for it (one sync worker; its readiness check loads the sign-in "
        "page, so the first report request is the first of a fresh process after Django "
        "is set up), one new connection per request. The command line is a whole fresh "
        "process each time, `DATABASE_URL` pointing at the benchmark's database, writing "
        "the school's standalone HTML file and its A4 PDF.",
        "",
        "\n".join(each),
        "",
        *profile_lines(profile),
        "## Reports-from-the-database machine",
        "",
        "\n".join(facts),
        "",
    ]
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
