"""How gunicorn serves the platform: its settings, and a threaded worker that never lets one
client's socket hold up the others.

Every server command line uses this module as its configuration (``make demo``, the
deployment, the benchmarks, the fault test)::

    gunicorn -c python:learnsurvey.web.serving learnsurvey.web.wsgi:application --bind ...

Options on the command line override the values here. Why these values, with the
measurements behind them: docs/deployment.md ("Serving") and docs/benchmarks.md.

The worker is gunicorn's ``gthread`` worker (an event loop in the main thread that accepts
connections and hands each request to a thread pool) with two changes, both about clients
that are slow with their socket, which is what one-shot phone submissions are:

* **Closing never waits in the event loop.** After a response that ends the connection
  (the client asked with ``Connection: close``, as Python's urllib and many one-shot
  clients do), gunicorn half-closes the socket and then reads from it until the client has
  closed too or two seconds have passed, so that unread bytes do not turn the close into a
  reset that could cut off the response (RFC 9112, 9.6). It does that wait in the event
  loop: while one client is slow to close, the worker accepts nobody and hands out no
  request. A client that keeps its socket a moment after reading the answer (a phone on a
  slow network, or a program that drops the response object later) stalled every other
  pupil of that worker for up to two seconds: p99 2–4 s with four such clients, requests of
  6 ms. Here the same half-close and drain happen in the event loop's poller instead.
* **A silent new connection waits in the poller, not in a thread.** gunicorn hands a
  fresh connection to a thread at once, which waits up to five seconds for the request's
  first bytes. Browsers open connections before they need them (preconnects, a second
  socket "just in case"); a handful of those, idle, took every thread of every worker and
  the next pupil waited five seconds. Here a connection goes to a thread at once only when
  its request came with it (as a one-shot client's does), else when the request arrives.

The worker builds on gunicorn's internals of the 27 series (pinned in pyproject.toml);
``tests/web/test_serving.py`` runs it for real.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import socket
import time
from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import Any

from gunicorn.workers import gthread  # type: ignore[import-untyped]

# -- gunicorn's settings (names as in gunicorn's documentation) ------------------------------

bind = ["127.0.0.1:8000"]
"""Loopback by default (gunicorn would bind every interface when ``PORT`` is set); the
reverse proxy in front, or ``--bind``, says otherwise."""

worker_class = "learnsurvey.web.serving.ThreadWorker"


def _cpus() -> int:
    """The CPUs this process may run on (a container's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


workers = int(os.environ.get("WEB_CONCURRENCY", "0")) or _cpus() + 1
"""One process more than there are CPUs (three on the reference machine's two): a process
runs Python on one CPU at a time, and while all of one process's threads wait for
PostgreSQL's commit the extra process keeps that CPU busy. Measured on two CPUs at 300
submissions/s, three processes kept p99 within a few hundred milliseconds where two
(× 4 threads) and four (× 2) queued for seconds (docs/deployment.md)."""

threads = 3
"""Threads per process: a submission spends most of its few milliseconds waiting for the
database's commit, so three fill those waits; more only queue for the same CPU."""

keepalive = 5
"""Seconds an idle browser connection is kept: long enough for a page's styles, scripts and
fonts and the next click, short enough that idle phones hold nothing for long."""

backlog = 2048
"""Connections the kernel completes and queues before the workers accept them (capped by
``net.core.somaxconn``): four seconds of pupils at 500 a second."""

accesslog = None
"""No access log: it would record pupils' IP addresses."""

loglevel = "warning"


# -- the worker --------------------------------------------------------------------------------

LINGER_SECONDS = 2.0
"""How long a closing connection is drained at most (gunicorn's own bound)."""

LINGER_MAX_BYTES = 65_536
"""How much a closing client may still send before the socket is simply closed."""


@dataclass
class _Closing:
    """A half-closed connection drained by the poller until the client closes too."""

    sock: socket.socket
    deadline: float
    drained: int = 0
    done: bool = False


def _has_bytes(sock: socket.socket) -> bool:
    """Has the client sent anything yet? (Without reading it, and without waiting.)"""
    try:
        return bool(sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:  # reset already: a thread finds out and closes it
        return True


class ThreadWorker(gthread.ThreadWorker):  # type: ignore[misc]
    """gunicorn's ``gthread`` worker whose event loop never waits on one client's socket
    (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closing: deque[_Closing] = deque()

    def accept(self, listener: socket.socket) -> None:
        """Accept a connection: to a thread when its request is here already, else to the
        poller until it arrives (gunicorn's "pending" connections, closed after
        ``keepalive`` seconds of silence)."""
        try:
            client_sock, client_addr = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = gthread.TConn(self.cfg, client_sock, client_addr, listener.getsockname())
        if self.cfg.is_ssl or _has_bytes(client_sock):
            # A one-shot client sends its request with the connection; the TLS handshake is
            # a client's first bytes too, and gunicorn's own path handles it.
            conn.data_ready = not self.cfg.is_ssl
            self.enqueue_req(conn)
            return
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(
            client_sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )

    def finish_request(self, conn: Any, fs: Any) -> None:
        """As gunicorn's, but a connection the response ended is closed without waiting."""
        ends = fs.cancelled() or (fs.exception() is None and not fs.result())
        if not ends or self.cfg.is_ssl:
            super().finish_request(conn, fs)
            return
        self.nr_conns -= 1
        self.close_later(conn.sock)

    def close_later(self, sock: socket.socket) -> None:
        """Half-close ``sock`` (the client reads the whole response, then end of file) and
        let the poller drain it until the client closes its end or the linger is over."""
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
            closing = _Closing(sock, time.monotonic() + LINGER_SECONDS)
            self.poller.register(sock, selectors.EVENT_READ, partial(self._drain, closing))
        except (OSError, ValueError):  # already reset or closed by the client
            sock.close()
            return
        self.closing.append(closing)

    def _drain(self, closing: _Closing, _fileobj: object) -> None:
        try:
            data = closing.sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        closing.drained += len(data)
        if not data or closing.drained > LINGER_MAX_BYTES:
            self._close(closing)

    def _close(self, closing: _Closing) -> None:
        if closing.done:
            return
        closing.done = True
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(closing.sock)
        closing.sock.close()

    def murder_pending(self) -> None:
        """gunicorn's timeouts of idle new connections, then the lingers that are over."""
        super().murder_pending()
        now = time.monotonic()
        while self.closing and (self.closing[0].done or self.closing[0].deadline <= now):
            self._close(self.closing.popleft())
