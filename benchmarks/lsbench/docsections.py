"""docs/benchmarks.md is written by several benchmark runs, each owning one section.

The core run (benchmarks/run.py) owns everything before the first section marker; every
other run owns the text from its own marker up to the next marker (or the end)."""

from __future__ import annotations

import re

__all__ = ["MARKER_PATTERN", "splice_section"]

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
