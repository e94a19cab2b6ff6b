"""Benchmark the web platform: pupils' submissions under an open-loop load (on keep-alive
connections and with a new connection per pupil), and a school dashboard at 1,000,000 stored
responses, against PostgreSQL, Redis and gunicorn as the platform is served, on this machine.

    make bench-web                               # = .venv/bin/python benchmarks/web/run.py
    .venv/bin/python benchmarks/web/run.py --only submissions --runs learnsurvey:oneshot
    .venv/bin/python benchmarks/web/run.py --database sqlite --rate 20 --run-time 3 \\
        --dashboard-responses 2000 --dashboard-requests 5          # a tiny smoke run

A full run (PostgreSQL, 500 submissions/s, every way of connecting, 1M responses, both parts)
rewrites the web section of docs/benchmarks.md; every run writes its report to
benchmarks/results/. Targets are reported (met / not met), never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from rich.console import Console
from rich.table import Table

WEB_DIR = Path(__file__).resolve().parent
BENCH_DIR = WEB_DIR.parent
REPO = BENCH_DIR.parent
sys.path[:0] = [str(WEB_DIR), str(BENCH_DIR)]

from lsbench.docsections import write_section  # noqa: E402
from lsbench.machine import load_average, run_facts  # noqa: E402
from lsbench.progress import Steps  # noqa: E402
from webreport import (  # noqa: E402
    CONNECTIONS,
    MARKER,
    DashboardRun,
    SubmissionRun,
    dashboard_lines,
    render_section,
    submission_lines,
)
from webstack import (  # noqa: E402
    SERVERS,
    ServerConfig,
    Stack,
    fresh_database_url,
    migrated,
    serve,
    warm,
)

DEFAULT_RUNS = (
    "learnsurvey:keepalive,learnsurvey:oneshot,learnsurvey:oneshot-late,"
    "gthread:oneshot-late,granian:keepalive,granian:oneshot"
)
"""The platform's server on each way of connecting; gunicorn's own worker where it stalled;
granian, which the benchmark used before, for comparison."""

FULL = {
    "rate": 500.0,
    "run_time": 60.0,
    "runs": DEFAULT_RUNS,
    "worker_class": "learnsurvey",
    "workers": None,
    "threads": None,
    "dashboard_responses": 1_000_000,
    "database": "postgres",
    "only": "both",
}
DOC = REPO / "docs" / "benchmarks.md"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    p.add_argument("--db-name", default="learnsurvey_bench", help="PostgreSQL database to use")
    p.add_argument("--redis-url", default=None, help="default: redis://127.0.0.1:6379/7")
    p.add_argument("--only", choices=["both", "submissions", "dashboard"], default="both")
    p.add_argument("--rate", type=float, default=500.0, help="submissions offered per second")
    p.add_argument("--run-time", type=float, default=60.0, help="seconds measured, per run")
    p.add_argument("--warmup-time", type=float, default=5.0, help="seconds sent first, not kept")
    p.add_argument(
        "--runs",
        default=DEFAULT_RUNS,
        help="SERVER:CONNECTIONS, comma-separated; servers: learnsurvey (gunicorn as the "
        "platform is served), gthread, sync, granian; connections: keepalive, oneshot, "
        "oneshot-late (see openloop.py)",
    )
    p.add_argument(
        "--late-close-ms",
        type=float,
        default=100.0,
        help="oneshot-late: the client closes its socket this long after the answer",
    )
    p.add_argument("--retry-share", type=float, default=0.02)
    p.add_argument("--schools", type=int, default=200, help="schools (access codes) submitting")
    p.add_argument(
        "--worker-class",
        choices=SERVERS,
        default="learnsurvey",
        help="the dashboard's server: learnsurvey (gunicorn with learnsurvey.web.serving), "
        "gthread, sync or granian",
    )
    p.add_argument("--workers", type=int, default=None, help="default: the configuration's")
    p.add_argument("--threads", type=int, default=None, help="per worker; default: the config's")
    p.add_argument("--dashboard-responses", type=int, default=1_000_000)
    p.add_argument("--dashboard-requests", type=int, default=200)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--seed", type=int, default=2021)
    p.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    p.add_argument(
        "--doc", type=Path, default=DOC, help="page whose web section a full run rewrites"
    )
    args = p.parse_args(argv)
    if args.redis_url is None:
        args.redis_url = "redis://127.0.0.1:6379/7" if args.database == "postgres" else ""
    args.full = all(getattr(args, k) == v for k, v in FULL.items())
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(stderr=True)
    started = datetime.now(UTC)
    load_before = load_average()
    work = Path(tempfile.mkdtemp(prefix="learnsurvey-webbench-"))
    logs = args.results_dir / "logs"
    url = fresh_database_url(args.database, args.db_name, work)
    if url is None:
        console.print("PostgreSQL is not answering on 127.0.0.1:5432 (user postgres).")
        return 2
    stack = Stack(args.database, url, args.redis_url, work)
    config = ServerConfig(args.worker_class, args.workers, args.threads)
    submissions: list[SubmissionRun] = []
    dashboard: DashboardRun | None = None
    with migrated(stack, args.db_name, console) as steps:
        if args.only in ("both", "submissions"):
            for number, (server, connections) in enumerate(_plan(args)):
                submissions.append(
                    bench_submissions(args, stack, server, connections, number, steps, work, logs)
                )
        if args.only in ("both", "dashboard"):
            dashboard = bench_dashboard(args, stack, config, steps, logs)
    facts = run_facts(
        "benchmarks/web/run.py",
        argv,
        started=started,
        load_before=load_before,
        packages=("Django", "gunicorn", "granian", "psycopg", "redis"),
        repo=REPO,
    )
    section = render_section(
        submissions=submissions, dashboard=dashboard, load_before=load_before, **facts
    )
    print_tables(Console() if sys.stdout.isatty() else Console(width=200), submissions, dashboard)
    write_section(
        section,
        marker=MARKER,
        name="web",
        started=started,
        results_dir=args.results_dir,
        doc=args.doc,
        full=args.full,
        say=console.print,
    )
    return 0


def _plan(args: argparse.Namespace) -> list[tuple[ServerConfig, str]]:
    """The runs asked for: a server and a way of connecting each."""
    plan = []
    for item in (i.strip() for i in args.runs.split(",")):
        if not item:
            continue
        server, _, connections = item.partition(":")
        if server not in SERVERS or connections not in CONNECTIONS:
            raise SystemExit(f"--runs: not SERVER:CONNECTIONS as --help lists them: {item}")
        plan.append((ServerConfig(server, args.workers, args.threads), connections))
    return plan


def bench_submissions(
    args: argparse.Namespace,
    stack: Stack,
    config: ServerConfig,
    connections: str,
    number: int,
    steps: Steps,
    work: Path,
    logs: Path,
) -> SubmissionRun:
    """One open-loop run against a server started for it, on a wave of its own."""
    import webdata

    from learnsurvey.web.waves.models import YEAR_GROUPS

    inst = webdata.instrument()
    wave, codes = webdata.submission_codes(args.schools, run=number)
    late = args.late_close_ms if connections == "oneshot-late" else 0.0
    settings_file = work / f"openloop-{number}.json"
    out = work / f"openloop-{number}-records.json"
    common = {
        "host": "127.0.0.1",
        "codes": codes,
        "items": list(inst.item_ids),
        "genders": list(inst.demographics.genders),
        "year_groups": [y for y, ks in YEAR_GROUPS.items() if ks in inst.demographics.key_stages],
        "scale": [inst.scale.min, inst.scale.max],
        "rate": args.rate,
        "run_seconds": args.run_time,
        "warmup_seconds": args.warmup_time,
        "connections": "oneshot" if connections.startswith("oneshot") else "keepalive",
        "retry_share": args.retry_share,
        "close_delay_ms": late,
        "seed": args.seed + number,
    }
    run = SubmissionRun(
        connections=connections,
        rate=args.rate,
        run_time_s=args.run_time,
        warmup_s=args.warmup_time,
        retry_share=args.retry_share,
        server=config.describe(),
        database=_database_name(stack),
        records=[],
        acked=[],
        close_delay_ms=late,
    )
    log_name = f"server-submissions-{number}-{config.worker_class}-{connections}.log"
    with serve(stack, config, logs / log_name) as (base, pid):
        warm(base, f"/s/{codes[0]}/")
        port = int(base.rsplit(":", 1)[1])
        settings_file.write_text(json.dumps({**common, "port": port}))
        server_before = _tree_cpu(pid)
        database_before = _postgres_cpu()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with (
            steps.spinner(
                f"{args.rate:g} submissions/s for {args.warmup_time + args.run_time:g} s: "
                f"{run.label}, {config.describe()}"
            ),
            (logs / f"openloop-{number}.log").open("w") as log,
        ):
            subprocess.run(
                [sys.executable, str(WEB_DIR / "openloop.py"), str(settings_file), str(out)],
                cwd=WEB_DIR,
                stdout=log,
                stderr=log,
                check=True,
            )
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        run.server_cpu_s = _tree_cpu(pid) - server_before
        run.database_cpu_s = _postgres_cpu() - database_before
    run.generator_cpu_s = (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    data: dict[str, Any] = json.loads(out.read_text())
    run.records = [tuple(r) for r in data["records"]]  # type: ignore[misc]
    run.acked = data["acked"]
    run.lateness_ms = data["lateness_ms"]
    run.errors = data["errors"]
    run.stale_retries = data["stale_retries"]
    run.connections_opened = data["connections_opened"]
    run.not_sent = data["not_sent"]
    with steps.spinner("Counting what was stored"):
        run.rows, run.distinct_keys, run.acked_found = webdata.count_stored(wave, run.acked)
    f = run.figures()
    steps.note(
        f"  {run.label} ({config.describe()}): {f['request_ok_rate']:,.0f}/s answered, "
        f"p50 {f['p50']:.0f} ms, p99 {f['p99']:.0f} ms, {f['errors']:,.0f} errors, "
        f"exactly once: {run.exactly_once}"
    )
    return run


def bench_dashboard(
    args: argparse.Namespace, stack: Stack, config: ServerConfig, steps: Steps, logs: Path
) -> DashboardRun:
    import webdata

    from learnsurvey.web.dashboards.results import compute_wave_result
    from learnsurvey.web.waves.models import Response

    n = args.dashboard_responses
    n_schools = max(1, round(n / 345))  # the Phase One mean school size, as the core bench
    with steps.rows("Loading synthetic responses", n) as advance:
        loaded = webdata.load_responses(n, n_schools, args.seed, on_rows=advance)
    steps.note(f"  {n:,} responses loaded in {loaded.load_s:.1f} s")
    with steps.spinner("Computing the wave's results once"):
        t0 = time.perf_counter()
        compute_wave_result(loaded.wave)
        compute_s = time.perf_counter() - t0
    steps.note(f"  results computed in {compute_s:.1f} s")
    session = webdata.leader_session(loaded.school)
    path = f"/dashboards/waves/{loaded.wave.pk}/schools/{loaded.school.urn}/"
    run = DashboardRun(
        n_responses=n,
        n_schools=n_schools,
        school_responses=Response.objects.filter(school=loaded.school).count(),
        load_s=loaded.load_s,
        compute_s=compute_s,
        server=config.describe(),
        database=_database_name(stack),
        warmup=args.warmup,
    )
    with (
        serve(stack, config, logs / "server-dashboard.log") as (base, _),
        steps.spinner(f"{args.dashboard_requests} GETs of {path}"),
    ):
        host, port = base.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        headers = {"Cookie": f"sessionid={session}", "Accept-Language": "en-GB"}
        for k in range(args.warmup + args.dashboard_requests):
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
            if k >= args.warmup:
                run.latencies_ms.append(elapsed)
        conn.close()
    f = run.figures()
    steps.note(f"  dashboard: p50 {f['p50']:.1f} ms, p95 {f['p95']:.1f} ms")
    return run


def _postgres_cpu() -> float:
    """CPU seconds of this machine's PostgreSQL processes so far (0 when not visible)."""
    total = 0.0
    for p in psutil.process_iter(["name", "cpu_times"]):
        times = p.info.get("cpu_times")
        if p.info.get("name") == "postgres" and times is not None:
            total += times.user + times.system
    return total


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children so far."""
    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            times = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _database_name(stack: Stack) -> str:
    if stack.database != "postgres":
        return "SQLite (WAL)"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    return f"PostgreSQL {str(version).split()[0]}"


def print_tables(
    console: Console, submissions: list[SubmissionRun], dashboard: DashboardRun | None
) -> None:
    parts = [
        (f"Submissions: {run.label}, {run.server}", submission_lines(run)) for run in submissions
    ]
    parts.append(("School dashboard", dashboard_lines(dashboard) if dashboard else []))
    for title, rows in parts:
        if not rows:
            continue
        table = Table("Measure", "Result", "Target", "Met", title=title, title_justify="left")
        for row in rows:
            table.add_row(*row)
        console.print(table)


if __name__ == "__main__":
    sys.exit(main())
