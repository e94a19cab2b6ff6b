"""Figures of the web benchmarks and their section of docs/benchmarks.md.

Targets are reported (met / not met), never asserted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

MARKER = "<!-- web benchmarks: written by benchmarks/web/run.py -->"
"""Where the web section starts; benchmarks/run.py keeps everything from here on."""

TARGET_RATE = 500.0
TARGET_P99_MS = 250.0
TARGET_DASHBOARD_P95_MS = 300.0


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


@dataclass
class SubmissionRun:
    users: int
    pacing_s: float
    spawn_rate: float
    run_time_s: float
    retry_share: float
    server: str
    database: str
    records: list[tuple[float, float, int, str]]
    acked: list[str]
    rows: int = 0
    distinct_keys: int = 0
    acked_found: int = 0
    locust_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    database_cpu_s: float = 0.0
    steady: tuple[float, float] = (0.0, 0.0)

    @property
    def offered_rate(self) -> float:
        return self.users / self.pacing_s

    def window(self) -> list[tuple[float, float, int, str]]:
        """Requests started once every pupil was running (ramp-up and the last seconds,
        when pupils are being stopped, are left out)."""
        if not self.records:
            return []
        first = min(r[0] for r in self.records)
        last = max(r[0] for r in self.records)
        ramp = self.users / self.spawn_rate
        start = first + ramp + min(self.pacing_s, 5.0)
        end = last - min(self.pacing_s, 3.0)
        if end <= start:  # a tiny run: use it all
            start, end = first, last
        self.steady = (start, end)
        return [r for r in self.records if start <= r[0] <= end]

    def figures(self) -> dict[str, float]:
        window = self.window()
        start, end = self.steady
        seconds = max(end - start, 1e-9)
        latencies = [r[1] for r in window]
        stored = sum(1 for r in window if r[3] == "new" and r[2] == 201)
        return {
            "window_s": seconds,
            "requests": float(len(self.records)),
            "window_requests": float(len(window)),
            "rate": stored / seconds,
            "request_rate": len(window) / seconds,
            "request_ok_rate": sum(1 for r in window if self.expected(r)) / seconds,
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
            "max": max(latencies, default=float("nan")),
            "errors": float(sum(1 for r in self.records if not self.expected(r))),
            "retries": float(sum(1 for r in self.records if r[3] == "retry")),
            "retries_ok": float(sum(1 for r in self.records if r[3] == "retry" and r[2] == 200)),
        }

    @staticmethod
    def expected(record: tuple[float, float, int, str]) -> bool:
        return record[2] == (201 if record[3] == "new" else 200)

    @property
    def exactly_once(self) -> bool:
        unique = len(set(self.acked))
        return unique == len(self.acked) == self.rows == self.distinct_keys == self.acked_found


@dataclass
class DashboardRun:
    n_responses: int
    n_schools: int
    school_responses: int
    load_s: float
    compute_s: float
    server: str
    database: str
    latencies_ms: list[float] = field(default_factory=list)
    warmup: int = 0

    def figures(self) -> dict[str, float]:
        return {
            "p50": percentile(self.latencies_ms, 50),
            "p95": percentile(self.latencies_ms, 95),
            "p99": percentile(self.latencies_ms, 99),
            "max": max(self.latencies_ms, default=float("nan")),
        }


def _met(ok: bool) -> str:
    return "✅ met" if ok else "❌ not met"


def submission_lines(run: SubmissionRun) -> list[tuple[str, str, str, str]]:
    f = run.figures()
    stored = f"{len(set(run.acked)):,} acknowledged keys, {run.rows:,} rows, " + (
        f"{run.distinct_keys:,} distinct keys, {run.acked_found:,} acknowledged keys found"
    )
    return [
        ("Offered load", f"{run.offered_rate:,.0f} submissions/s", "≈ 500/s", "—"),
        (
            "Sustained (answered as expected, steady state)",
            f"{f['request_ok_rate']:,.0f} submissions/s over {f['window_s']:.0f} s "
            f"({f['rate']:,.0f}/s new and stored, the rest retries)",
            "≥ 500/s (the offered load, within 2%)",
            _met(f["request_ok_rate"] >= TARGET_RATE * 0.98),
        ),
        ("Latency p50", f"{f['p50']:.1f} ms", "—", "—"),
        ("Latency p95", f"{f['p95']:.1f} ms", "—", "—"),
        ("Latency p99", f"{f['p99']:.1f} ms", "≤ 250 ms", _met(f["p99"] <= TARGET_P99_MS)),
        ("Slowest request", f"{f['max']:.0f} ms", "—", "—"),
        (
            "Requests (whole run)",
            f"{f['requests']:,.0f}, of which {f['retries']:,.0f} retries "
            f"({f['retries_ok']:,.0f} answered 200 already_stored)",
            "—",
            "—",
        ),
        ("Errors (any other status)", f"{f['errors']:,.0f}", "0", _met(f["errors"] == 0)),
        ("Stored exactly once", stored, "all equal", _met(run.exactly_once)),
        (
            "CPU seconds during the run",
            f"locust {run.locust_cpu_s:.0f} s, server {run.server_cpu_s:.0f} s, "
            f"PostgreSQL {run.database_cpu_s:.0f} s (of {2 * run.run_time_s:.0f} s on 2 CPUs)",
            "—",
            "—",
        ),
    ]


def dashboard_lines(run: DashboardRun) -> list[tuple[str, str, str, str]]:
    f = run.figures()
    return [
        (
            "Responses stored",
            f"{run.n_responses:,} in {run.n_schools:,} schools (loaded in {run.load_s:.0f} s)",
            "1,000,000",
            "—",
        ),
        ("Wave results computed once", f"{run.compute_s:.1f} s", "—", "—"),
        (
            "Requests",
            f"{len(run.latencies_ms)} sequential GETs after {run.warmup} warm-up, school of "
            f"{run.school_responses:,} pupils",
            "—",
            "—",
        ),
        ("Latency p50", f"{f['p50']:.1f} ms", "—", "—"),
        (
            "Latency p95",
            f"{f['p95']:.1f} ms",
            "≤ 300 ms",
            _met(f["p95"] <= TARGET_DASHBOARD_P95_MS),
        ),
        ("Latency p99 / max", f"{f['p99']:.1f} / {f['max']:.1f} ms", "—", "—"),
    ]


def _table(rows: list[tuple[str, str, str, str]]) -> str:
    lines = ["| Measure | Result | Target | Met |", "|---|---|---|---|"]
    lines += [f"| {' | '.join(r)} |" for r in rows]
    return "\n".join(lines) + "\n"


def render_section(
    *,
    command: str,
    started: datetime,
    minutes: float,
    submissions: SubmissionRun | None,
    dashboard: DashboardRun | None,
    machine: dict[str, str],
    revision: str,
) -> str:
    parts = [
        MARKER,
        "",
        "# Web platform",
        "",
        f"_Written by `{command}` on {started:%Y-%m-%d %H:%M} UTC (the run took "
        f"{minutes:.0f} min; `make bench-web` runs it, `make bench` runs it after the core)._",
        "",
        "```sh",
        "make bench-web                            # installs the [dev,bench] extras, then:",
        ".venv/bin/python benchmarks/web/run.py    # PostgreSQL 127.0.0.1:5432, Redis :6379",
        "```",
        "",
        f"This section was produced by `{command}`.",
        "",
    ]
    if submissions is not None:
        s = submissions
        parts += [
            "## Submissions: `POST /s/<code>/responses` under load",
            "",
            f"{s.users:,} simulated pupils (locust `FastHttpUser`, one process, headless), "
            f"spawned at {s.spawn_rate:g}/s, each submitting a full answer set every "
            f"{s.pacing_s:g} s (constant pacing) for {s.run_time_s:g} s; "
            f"{s.retry_share:.0%} of turns resend an acknowledged submission with its key. "
            f"Served by {s.server} on {s.database}, on loopback, Redis as the cache.",
            "",
            _table(submission_lines(s)),
        ]
    if dashboard is not None:
        d = dashboard
        parts += [
            "## School dashboard at 1,000,000 responses",
            "",
            f"Synthetic responses (the Phase One generator) loaded with `COPY`, the wave's "
            f"results computed once (`compute_wave_result`), then a signed-in school leader's "
            f"dashboard fetched over HTTP, one request at a time on a keep-alive connection. "
            f"Served by {d.server} on {d.database}.",
            "",
            _table(dashboard_lines(d)),
        ]
    parts += [
        "## How the web figures are measured",
        "",
        "* A database of its own (`learnsurvey_bench`) is created, migrated, and dropped at "
        "the end; the server (granian by default, or gunicorn) runs on a free loopback port "
        "one notch lower in priority than the load generator; the pupils' rate limits are "
        "raised by environment variables (one address sends everything).",
        "* Sustained rate: submissions answered `201` per second in the steady state (after "
        "every pupil has started, before they are stopped); latency percentiles cover every "
        "request in that window, measured by the load generator around each request.",
        "* Exactly once: every key the server acknowledged with `201` is counted in the "
        "database; the wave's rows, its distinct keys and the acknowledged keys must all be "
        "equal.",
        "* Dashboard: the first requests warm the workers and are left out.",
        "",
        "## Web machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in machine.items()],
        f"| Revision | {revision} |",
        "",
    ]
    return "\n".join(parts)


def splice(doc: str, section: str) -> str:
    """``doc`` with its web section (from MARKER to the next section's marker) replaced."""
    from lsbench.docsections import splice_section

    return splice_section(doc, MARKER, section)
