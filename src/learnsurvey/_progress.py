"""Progress bars for long work (rich), silent for small jobs and when output is not a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:  # imported when a bar is shown: most commands never show one
    from rich.progress import Progress

SHOW_FROM_ROWS = 200_000


@contextmanager
def row_progress(
    console: Console, description: str, total: int | None
) -> Iterator[Callable[[int], None]]:
    """Yield a callback that advances a bar by a number of rows."""
    if total is None or total < SHOW_FROM_ROWS:
        yield lambda n: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def bar_progress(console: Console) -> Progress:
    """A transient bar with a count and elapsed time (for the web's management commands)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
