"""docs/benchmarks.md is written by several benchmark runs, each owning one section.

The core run (benchmarks/run.py) owns everything before the first section marker; every
other run owns the text from its own marker up to the next marker (or the end)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

__all__ = ["MARKER_PATTERN", "splice_section", "write_section"]

MARKER_PATTERN = re.compile(r"<!-- [a-z]+ benchmarks: written by [^ ]+ -->")


def splice_section(doc: str, marker: str, section: str) -> str:
    """``doc`` with the section starting at ``marker`` replaced by ``section`` (which starts
    with the marker); appended at the end when the section is new."""
    if not section.startswith(marker):
        raise ValueError("a section starts with its own marker")
    body = section.rstrip("\n") + "\n"
    if marker not in doc:
        return doc.rstrip("\n") + "\n\n" + body
    head, rest = doc.split(marker, 1)
    following = MARKER_PATTERN.search(rest)
    tail = rest[following.start() :] if following else ""
    return head + body + ("\n" + tail if tail else "")


def write_section(
    section: str,
    *,
    marker: str,
    name: str,
    started: datetime,
    results_dir: Path,
    doc: Path,
    full: bool,
    say: Callable[[str], None],
) -> None:
    """Keep a run's ``section`` as ``results_dir/<name>-benchmarks-<when>.md``; a full run
    also replaces its section (from ``marker``) of ``doc``, a partial one leaves ``doc``
    alone. ``say`` tells the user what was written."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stamped = results_dir / f"{name}-benchmarks-{started:%Y%m%d-%H%M%S}.md"
    stamped.write_text(section)
    say(f"Report written to {stamped}")
    if full:
        old = doc.read_text() if doc.exists() else ""
        doc.write_text(splice_section(old, marker, section))
        say(f"Full run: the {name} section of {doc} rewritten.")
    else:
        say(f"Partial run: {doc} left as it was.")
