"""Results of pure functions kept for the test session, looked up by their exact arguments.

The platform's tests rebuild the same wave again and again: every test starts from a fresh
database (rolled back after it), answers it the same way (:func:`personas.answer`, fixed
seeds) and opens a page, so the page builds the wave's figures from the same inputs as the
test before it (seconds each, most of a web test's time). The figures are a pure function of
those inputs, so the tests keep each result by the *pickled bytes* of the arguments: a result
is reused only when the arguments are the same value, byte for byte (a difference anywhere,
even one that would not change the figures, builds afresh). Each reuse hands out a fresh copy
(unpickled), so no test sees what another did to its result. Nothing is written to disk.

:func:`install` swaps the memo in for a function *where it is looked up*: in the modules of
``prefixes`` that imported it by name (``from x import f`` in the web code, say). Left out of
``prefixes``, the module that defines it keeps the function, so the tests of the function
itself still call it. A test that patches the same name (``monkeypatch.setattr``) replaces
the memo for its duration, as it would the function.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Memo", "install"]


class Memo:
    """``function`` with its results kept by the pickled arguments (see the module)."""

    def __init__(self, function: Callable[..., Any], *, copy: bool = True) -> None:
        self.function = function
        self.copy = copy
        """Hand out an unpickled copy on a reuse (False: the kept object, for immutables)."""
        self.kept: dict[bytes, Any] = {}
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self.__wrapped__ = function
        self.__name__ = getattr(function, "__name__", "memo")
        self.__doc__ = function.__doc__

    def _key(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes | None:
        try:
            blob = pickle.dumps((args, sorted(kwargs.items())), protocol=5)
        except Exception:  # an argument that does not pickle: never kept
            return None
        return hashlib.sha256(blob).digest()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = self._key(args, kwargs)
        if key is None:
            return self.function(*args, **kwargs)
        with self._lock:
            found = self.kept.get(key)
        if found is not None:
            self.hits += 1
            return pickle.loads(found) if self.copy else found
        self.misses += 1
        result = self.function(*args, **kwargs)  # an exception propagates, nothing is kept
        try:
            kept = pickle.dumps(result, protocol=5) if self.copy else result
        except Exception:
            return result
        with self._lock:
            self.kept[key] = kept
        return result


def install(
    memos: dict[tuple[str, str], Memo],
    defined_in: str,
    name: str,
    prefixes: tuple[str, ...],
    *,
    copy: bool = True,
) -> None:
    """Put the :class:`Memo` of ``defined_in.name`` (made on first use, kept in ``memos``) in
    place of the function in every loaded module of ``prefixes`` that holds the function
    itself; nothing while ``defined_in`` is not loaded."""
    module = sys.modules.get(defined_in)
    if module is None:
        return
    memo = memos.get((defined_in, name))
    if memo is None:
        function = getattr(module, name, None)
        if not callable(function) or isinstance(function, Memo):
            return
        memo = memos[(defined_in, name)] = Memo(function, copy=copy)
    for module_name, loaded in list(sys.modules.items()):
        held = getattr(loaded, name, None) if module_name.startswith(prefixes) else None
        if held is not None and held is memo.function:
            setattr(loaded, name, memo)
