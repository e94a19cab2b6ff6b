"""Progress display (rich) for the benchmark's long steps: generating data and timed runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["Steps"]


class Steps:
    """One live progress display; each step is a bar (rows) or a spinner (a timed run)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )

    def __enter__(self) -> Steps:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    @contextmanager
    def rows(self, description: str, total: int) -> Iterator[Callable[[int], None]]:
        """A bar over ``total`` rows; yields the callback that advances it."""
        task = self._progress.add_task(description, total=total)
        try:
            yield lambda n: self._progress.advance(task, n)
        finally:
            self._progress.remove_task(task)

    @contextmanager
    def spinner(self, description: str) -> Iterator[None]:
        """A step of unknown length (its elapsed time shows)."""
        task = self._progress.add_task(description, total=None)
        try:
            yield
        finally:
            self._progress.remove_task(task)

    def note(self, message: str) -> None:
        """A line that stays above the live display."""
        self._progress.console.print(message, highlight=False)
