"""Whole-process wall time, CPU time and peak memory of a command.

The command runs as a child process; ``os.wait4`` returns that child's own resource usage, so
``ru_maxrss`` is its peak resident set (including any children it waited for) — unlike
``getrusage(RUSAGE_CHILDREN)``, which keeps the largest of all children ever reaped.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measurement", "Run", "measure", "run_measured"]

LONG_RUN_S = 60.0
"""A run longer than this is not repeated (10M rows, R at 1M rows)."""


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    """User + system CPU seconds of the process (all its threads)."""
    max_rss_bytes: int
    exit_code: int
    timed_out: bool

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


@dataclass(frozen=True)
class Measurement:
    command: tuple[str, ...]
    runs: tuple[Run, ...]
    timeout_s: float
    log: Path

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.ok for r in self.runs)

    @property
    def timed_out(self) -> bool:
        return any(r.timed_out for r in self.runs)

    @property
    def wall_s(self) -> float:
        """Median wall time of the runs (the figure judged against a target)."""
        return statistics.median(r.wall_s for r in self.runs)

    @property
    def best_wall_s(self) -> float:
        return min(r.wall_s for r in self.runs)

    @property
    def cpu_s(self) -> float:
        return statistics.median(r.cpu_s for r in self.runs)

    @property
    def max_rss_bytes(self) -> int:
        return max(r.max_rss_bytes for r in self.runs)

    def failure(self) -> str | None:
        """Why the command did not succeed (``None`` when it did)."""
        if self.ok:
            return None
        if self.timed_out:
            return f"did not finish in {self.timeout_s:.0f} s"
        last = self.runs[-1]
        tail = _tail(self.log)
        return f"exit code {last.exit_code}" + (f": {tail}" if tail else "")


def run_measured(command: Sequence[str], *, timeout_s: float, log: Path) -> Run:
    """Run ``command`` once (stdout discarded, stderr to ``log``) and measure it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(command), stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )
        waited: list[tuple[int, resource.struct_rusage, float]] = []

        def reap() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            waited.append((status, usage, time.perf_counter()))

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        waiter.join(timeout_s)
        timed_out = waiter.is_alive()
        if timed_out:
            with contextlib.suppress(ProcessLookupError):  # it may have ended just now
                os.killpg(proc.pid, signal.SIGKILL)  # the child's own process group only
            waiter.join()
    status, usage, ended = waited[0]
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Run(
        wall_s=ended - started,
        cpu_s=usage.ru_utime + usage.ru_stime,
        max_rss_bytes=usage.ru_maxrss * 1024,  # Linux reports kilobytes
        exit_code=proc.returncode,
        timed_out=timed_out,
    )


def measure(
    command: Sequence[str],
    *,
    repeats: int,
    timeout_s: float,
    log: Path,
    long_run_s: float = LONG_RUN_S,
) -> Measurement:
    """Run ``command`` up to ``repeats`` times; stop after a failure or a long run."""
    runs: list[Run] = []
    for _ in range(max(1, repeats)):
        run = run_measured(command, timeout_s=timeout_s, log=log)
        runs.append(run)
        if not run.ok or run.wall_s > long_run_s:
            break
    return Measurement(tuple(command), tuple(runs), timeout_s, log)


def _tail(log: Path, limit: int = 300) -> str:
    try:
        text = log.read_text(errors="replace").strip()
    except OSError:
        return ""
    lines = [line for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-3:])[-limit:]
