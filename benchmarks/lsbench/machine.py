"""Facts about the machine and software a benchmark ran on."""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["git_revision", "load_average", "machine_facts", "run_facts"]

PYTHON_PACKAGES = ("learnsurvey", "numpy", "scipy", "pandas", "pyarrow", "pingouin")


def machine_facts() -> dict[str, str]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    facts = {
        "CPU": _cpu_model(),
        "CPUs (nproc)": str(affinity or os.cpu_count()),
        "RAM": _memory(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
    }
    facts.update(package_versions(*PYTHON_PACKAGES))
    return facts


def package_versions(*names: str) -> dict[str, str]:
    """The installed version of each Python package, or "not installed"."""
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def git_revision(repo: Path) -> str:
    try:
        rev = _git(repo, "rev-parse", "--short", "HEAD")
        dirty = _git(repo, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{rev}{' (with uncommitted changes)' if dirty else ''}"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def run_facts(
    script: str,
    argv: Sequence[str] | None,
    *,
    started: datetime,
    load_before: str,
    packages: Sequence[str],
    repo: Path,
) -> dict[str, Any]:
    """What every benchmark section says about its run, as keyword arguments of its
    ``render_section``: the command (``script`` with ``argv``, or this process's own
    arguments), start, minutes until now, the machine with the versions of ``packages`` and
    the load average before and now, and the revision of ``repo``."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    return {
        "command": shlex.join([".venv/bin/python", script, *arguments]),
        "started": started,
        "minutes": (datetime.now(UTC) - started).total_seconds() / 60,
        "machine": {
            **machine_facts(),
            **package_versions(*packages),
            "Load average before / after (1, 5, 15 min)": f"{load_before}; {load_average()}",
        },
        "revision": git_revision(repo),
    }
