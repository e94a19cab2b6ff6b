"""Errors about input files, each naming the row and the column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file. ``row`` is as a spreadsheet shows it (header = 1)."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where) or 'file'}: {self.message}"


class ResponseDataError(ValueError):
    """An input file was rejected; nothing was written. Lists up to ``MAX_PROBLEMS`` problems."""

    MAX_PROBLEMS = 20

    def __init__(self, path: Path | str, problems: list[Problem], *, more: bool = False) -> None:
        self.path = Path(path)
        self.problems = problems
        self.more = more
        super().__init__(rejection_message(problems, more=more, what=f"{self.path}: "))


def rejection_message(problems: list[Problem], *, more: bool, what: str = "") -> str:
    """The text of a rejected file: one line per problem, and whether there were more."""
    lines = [f"{what}rejected, nothing was written ({len(problems)} problem(s) shown)"]
    lines += [f"  {p}" for p in problems]
    if more:
        lines.append("  ... and more; fix these and try again")
    return "\n".join(lines)
