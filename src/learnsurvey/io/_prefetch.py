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


def prefetch[T](source: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield the items of ``source``, producing up to ``depth`` of them ahead in a thread.

    An exception in ``source`` is raised here, in the consumer, at the point it occurred.
    Stopping early (``close()`` or an exception in the consumer) stops the reader too.
    """
    items: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=produce, name="learnsurvey-prefetch", daemon=True)
    reader.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        reader.join()
