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


CONNECTIONS = {
    "keepalive": "keep-alive connections (a browser's pool)",
    "oneshot": "a new connection per pupil, closed at once",
    "oneshot-late": "a new connection per pupil, closed late by the client",
}
"""The ways of connecting a run can use (benchmarks/web/openloop.py)."""


@dataclass
class SubmissionRun:
    """One open-loop run of submissions at a fixed offered rate (benchmarks/web/openloop.py)."""

    connections: str
    rate: float
    run_time_s: float
    warmup_s: float
    retry_share: float
    server: str
    database: str
    records: list[tuple[float, float, int, str]]
    """(due, epoch s; latency from due, ms; status, 0 for no answer; "new" or "retry")."""
    acked: list[str]
    close_delay_ms: float = 0.0
    lateness_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    stale_retries: int = 0
    connections_opened: int = 0
    not_sent: int = 0
    """Submissions the generator did not send: too many were waiting for an answer."""
    rows: int = 0
    distinct_keys: int = 0
    acked_found: int = 0
    generator_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    database_cpu_s: float = 0.0

    @property
    def label(self) -> str:
        return CONNECTIONS[self.connections]

    def figures(self) -> dict[str, float]:
        """The measured window only (the generator leaves the warm-up out)."""
        latencies = [r[1] for r in self.records]
        seconds = max(self.run_time_s, 1e-9)
        return {
            "requests": float(len(self.records)),
            "offered_rate": len(self.records) / seconds,
            "rate": sum(1 for r in self.records if r[3] == "new" and r[2] == 201) / seconds,
            "request_ok_rate": sum(1 for r in self.records if self.expected(r)) / seconds,
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
            "max": max(latencies, default=float("nan")),
            "late_p99": percentile(self.lateness_ms, 99),
            "errors": float(sum(1 for r in self.records if not self.expected(r))),
            "retries": float(sum(1 for r in self.records if r[3] == "retry")),
            "retries_ok": float(sum(1 for r in self.records if r[3] == "retry" and r[2] == 200)),
            "server_cpu_ms": 1000 * self.server_cpu_s / max(len(self.acked), 1),
        }

    @staticmethod
    def expected(record: tuple[float, float, int, str]) -> bool:
        return record[2] == (201 if record[3] == "new" else 200)

    @property
    def exactly_once(self) -> bool:
        """Every acknowledged key stored, no key stored twice. A submission the client gave
        up waiting for may be stored without its acknowledgement (a pupil's page sends it
        again with its key); those are counted apart, not held against this."""
        unique = len(set(self.acked))
        return (
            unique == len(self.acked) == self.acked_found
            and self.rows == self.distinct_keys >= unique
        )


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
    unanswered = run.rows - len(set(run.acked))
    if unanswered > 0:
        stored += f" ({unanswered:,} stored but answered too late or not at all)"
    errors = f"{f['errors']:,.0f}"
    causes = dict(run.errors)
    if run.not_sent:
        causes["not sent, too many waiting"] = run.not_sent
    if causes:
        errors += " (" + ", ".join(f"{k} {v:,}" for k, v in sorted(causes.items())) + ")"
    return [
        (
            "Offered load (open loop)",
            f"{f['offered_rate']:,.0f} submissions/s",
            "≥ 500/s",
            _met(f["offered_rate"] >= TARGET_RATE * 0.98),
        ),
        (
            "Answered as expected",
            f"{f['request_ok_rate']:,.0f} submissions/s over {run.run_time_s:g} s "
            f"({f['rate']:,.0f}/s new and stored, the rest retries)",
            "the offered load, within 2%",
            _met(f["request_ok_rate"] >= f["offered_rate"] * 0.98),
        ),
        ("Latency p50", f"{f['p50']:.1f} ms", "—", "—"),
        ("Latency p95", f"{f['p95']:.1f} ms", "—", "—"),
        ("Latency p99", f"{f['p99']:.1f} ms", "≤ 250 ms", _met(f["p99"] <= TARGET_P99_MS)),
        ("Slowest request", f"{f['max']:.0f} ms", "—", "—"),
        ("Generator late by, p99 (in the latency)", f"{f['late_p99']:.1f} ms", "—", "—"),
        (
            "Requests",
            f"{f['requests']:,.0f}, of which {f['retries']:,.0f} retries "
            f"({f['retries_ok']:,.0f} answered 200 already_stored); "
            f"{run.connections_opened:,} connections opened"
            + (f", {run.stale_retries:,} sent again on a new one" if run.stale_retries else ""),
            "—",
            "—",
        ),
        ("Errors (any other status, or no answer)", errors, "0", _met(f["errors"] == 0)),
        (
            "Stored exactly once",
            stored,
            "every acknowledged key found, rows = distinct keys",
            _met(run.exactly_once),
        ),
        (
            "CPU seconds during the run",
            f"generator {run.generator_cpu_s:.0f} s, server {run.server_cpu_s:.0f} s "
            f"({f['server_cpu_ms']:.2f} ms a submission), PostgreSQL "
            f"{run.database_cpu_s:.0f} s (of "
            f"{2 * (run.run_time_s + run.warmup_s):.0f} s on 2 CPUs)",
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


def summary_lines(runs: list[SubmissionRun]) -> list[str]:
    """One line per run: the figures a reader compares."""
    lines = [
        "| Server | Connections | Offered | Answered as expected | p50 | p95 | p99 | Errors "
        "| p99 ≤ 250 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        f = run.figures()
        lines.append(
            f"| {run.server} | {run.label} | {f['offered_rate']:,.0f}/s "
            f"| {f['request_ok_rate']:,.0f}/s | {f['p50']:.0f} ms | {f['p95']:.0f} ms "
            f"| {f['p99']:.0f} ms | {f['errors']:,.0f} | {_met(f['p99'] <= TARGET_P99_MS)} |"
        )
    return lines


def _run_heading(run: SubmissionRun) -> str:
    late = f" ({run.close_delay_ms:g} ms after the answer)" if run.close_delay_ms else ""
    return f"### {run.server}: {run.label}{late}"


def render_section(
    *,
    command: str,
    started: datetime,
    minutes: float,
    submissions: list[SubmissionRun],
    dashboard: DashboardRun | None,
    machine: dict[str, str],
    revision: str,
    load_before: str = "",
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
        ".venv/bin/python benchmarks/web/run.py --only submissions --runs learnsurvey:oneshot",
        "```",
        "",
        f"This section was produced by `{command}`.",
        "",
        "**Shared machine.** The load generator, the server, PostgreSQL and Redis share the "
        "machine's two CPUs with whatever else runs on it"
        + (f" (load average before the run: {load_before})" if load_before else "")
        + "; a load average above 2 means the run had less than both CPUs, and its "
        "latencies are an upper bound. The CPU seconds a submission costs are the least "
        "affected figure.",
        "",
    ]
    if submissions:
        first = submissions[0]
        parts += [
            "## Submissions: `POST /s/<code>/responses` under load",
            "",
            f"An open-loop generator (`benchmarks/web/openloop.py`, asyncio, one process on "
            f"the same machine) sends a full answer set to one of the access codes at a "
            f"fixed offered rate, whatever the server's answers ({first.rate:g}/s for "
            f"{first.run_time_s:g} s after {first.warmup_s:g} s of warm-up left out); "
            f"latency runs from the moment a submission was due, so time the generator "
            f"lost counts against the server. {first.retry_share:.0%} of submissions resend "
            f"an acknowledged one with its key. On {first.database}, on loopback"
            + (", Redis as the cache." if first.database.startswith("PostgreSQL") else "."),
            "",
            *summary_lines(submissions),
            "",
            "*Keep-alive* is a browser's pool of HTTP/1.1 connections; *a new connection "
            "per pupil* is a one-shot client (`Connection: close`, as one phone submission "
            "or Python's urllib); *closed late* is the same client closing its end of the "
            "socket a moment after reading the answer, as a phone does a network round "
            "trip later. gunicorn's own `gthread` worker waits for that close in its event "
            "loop, two seconds at most, accepting nobody meanwhile (docs/deployment.md, "
            '"Serving"); `learnsurvey.web.serving` drains it in the poller instead.',
            "",
        ]
        for run in submissions:
            parts += [_run_heading(run), "", _table(submission_lines(run))]
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
        "the end; each run of submissions has a wave and access codes of its own and a "
        "server started for it (gunicorn with `learnsurvey.web.serving` unless said "
        "otherwise), on a free loopback port one notch lower in priority than the load "
        "generator, its workers warmed with page views first; the pupils' rate limits are "
        "raised by environment variables (one address sends everything).",
        "* Answered as expected: `201` for a new submission, `200 already_stored` for a "
        "resent one, per second of the measured window; an error is any other status, or "
        "no answer within 30 s.",
        "* Exactly once: every key the server acknowledged with `201` (warm-up included) is "
        "looked up in the database and must be there, and the wave's rows must equal its "
        "distinct keys; a submission stored but not answered within 30 s is counted apart "
        "(its page would send it again with the same key).",
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
