"""Read ahead in a background thread, so parsing overlaps with the work on earlier chunks.

pyarrow's readers release the GIL while they parse, so on two or more cores the next chunk
is being read while the statistics of the last one are computed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Reader[T]:
    """The background side: reads ``source`` into a bounded queue until told to stop."""

    def __init__(self, source: Iterator[T], depth: int) -> None:
        self.source = source
        self.items: queue.Queue[object] = queue.Queue(maxsize=depth)
        self.stop = threading.Event()

    def put(self, item: object) -> bool:
        while not self.stop.is_set():
            try:
                self.items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run(self) -> None:
        try:
            for item in self.source:
                if not self.put(item):
                    return
            self.put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self.put(exc)
        finally:
            close = getattr(self.source, "close", None)
            if close is not None:
                close()


def prefetch[T](source: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield the items of ``source``, producing up to ``depth`` of them ahead in a thread.

    An exception in ``source`` is raised here, in the consumer, at the point it occurred.
    Stopping early (``close()`` or an exception in the consumer) stops the reader too.
    """
    reader = _Reader(source, depth)
    thread = threading.Thread(target=reader.run, name="learnsurvey-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = reader.items.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        reader.stop.set()
        thread.join()
