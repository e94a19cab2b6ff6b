"""Disclosure decides: no module but ``stats/disclosure.py`` compares a count with a threshold.

The issue's rule is that every size rule lives in :mod:`learnsurvey.stats.disclosure`; other
modules ask its predicates (``is_publishable``, ``publishable_mask``, ``enough_schools``) or
pass their tables through ``suppress``. This test reads every module of the package with
:mod:`ast` and fails on any ordering comparison (``<``, ``<=``, ``>``, ``>=``) with a name or
attribute that is a threshold or a minimum group size, listing each as ``file:line``.

What counts as such a name: one with the word ``threshold`` in it (``threshold``,
``ctx.threshold``, ``staff_threshold``, ``DEFAULT_THRESHOLD``; not ``thresholds``, the
polychoric and latent-variable cut points of the psychometrics), the constants the
disclosure module owns (:data:`MOVED`), and ``min_*`` names about groups, schools, staff or
pupils (``min_schools``, ``min_group_size``; not ``min_size``, a matrix's). A local alias
(``t = threshold``) is not followed: the test catches the habit, not every disguise.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "learnsurvey"
OWNERS = frozenset({PACKAGE / "stats" / "disclosure.py", PACKAGE / "stats" / "_thresholds.py"})
"""The disclosure module and its private part that reads the thresholds without numpy (so the
web settings can read them at start-up)."""

MOVED = frozenset(
    {
        "DEFAULT_STAFF_THRESHOLD",
        "DEFAULT_THRESHOLD",
        "MIN_GROUP_SCHOOLS",
        "MIN_GROUP_SIZE",
        "MIN_OTHER_SCHOOLS",
        "MIN_STAFF_GROUP_SIZE",
    }
)
"""Constants of the disclosure rules: comparing with them elsewhere is a rule elsewhere."""

_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_MIN_ABOUT = frozenset({"group", "groups", "school", "schools", "staff", "pupils"})


def _words(name: str) -> list[str]:
    """``minGroupSize`` / ``MIN_GROUP_SIZE`` / ``min_group_size`` → ``["min", "group", "size"]``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [w for w in spaced.lower().split("_") if w]


def is_threshold_name(name: str) -> bool:
    if name in MOVED:
        return True
    words = _words(name)
    if "threshold" in words:
        return True
    return "min" in words and bool(_MIN_ABOUT.intersection(words))


def _names(node: ast.AST) -> list[str]:
    """Every variable and attribute name in an expression (``ctx.threshold`` gives both)."""
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.append(sub.attr)
    return found


def threshold_comparisons(source: str, filename: str) -> list[tuple[int, str]]:
    """(line, code) of each ordering comparison with a threshold name in ``source``."""
    tree = ast.parse(source, filename=filename)
    hits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        if not any(isinstance(op, _ORDERING) for op in node.ops):
            continue
        if any(is_threshold_name(n) for n in _names(node)):
            hits.append((node.lineno, ast.get_source_segment(source, node) or ""))
    return sorted(hits)


def violations(root: Path = PACKAGE) -> list[str]:
    """``path:line: code`` for every comparison with a threshold outside the owner module."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path in OWNERS or "migrations" in path.parts:
            continue
        rel = path.relative_to(root.parents[1])
        for line, code in threshold_comparisons(path.read_text(encoding="utf-8"), str(path)):
            found.append(f"{rel}:{line}: {code}")
    return found


def test_it_finds_comparisons_with_a_threshold() -> None:
    source = (
        "def f(n, threshold, ctx, group, t):\n"
        "    a = n >= threshold\n"
        "    b = ctx.threshold > n\n"
        "    c = len(group) < MIN_GROUP_SCHOOLS\n"
        "    d = (total - own >= t) & (others >= MIN_OTHER_SCHOOLS)\n"
        "    e = n < 2 * staff_threshold\n"
        "    f = x >= min_schools\n"
        "    return a, b, c, d, e, f\n"
    )
    assert [line for line, _ in threshold_comparisons(source, "probe.py")] == [2, 3, 4, 5, 6, 7]


def test_it_ignores_what_is_not_a_size_rule() -> None:
    source = (
        "def f(latent, self, threshold, n, minimum):\n"
        "    a = latent > self.thresholds\n"  # polychoric cut points
        "    b = n == threshold\n"  # not an ordering
        "    c = n >= minimum\n"
        "    d = threshold\n"
        "    e = p < min_size\n"  # a matrix's size
        "    return a, b, c, d, e\n"
    )
    assert threshold_comparisons(source, "probe.py") == []


def test_it_leaves_every_threshold_comparison_to_the_disclosure_module() -> None:
    found = violations()
    if found:
        pytest.fail(
            "Only learnsurvey/stats/disclosure.py may compare a count with a threshold or a "
            "minimum group size; use is_publishable, publishable_mask, enough_schools or "
            "suppress instead:\n" + "\n".join(found),
            pytrace=False,
        )
