"""gunicorn as the platform is served (``-c python:learnsurvey.web.serving``): one client that
is slow with its socket never holds up another pupil.

Each test runs the real gunicorn with the platform's configuration and worker, serving a
one-line WSGI application (the worker is under test, not Django), one process with two
threads so that gunicorn's own worker would be stuck for seconds (five for idle connections,
two per client closing late) where this one answers at once. The deadlines below are under
those seconds, not speed targets: the figures are in docs/benchmarks.md.

Personas: Priya, a pupil on a phone; Chrome, which opens connections before it needs them;
urllib, a one-shot client that asks for ``Connection: close`` and keeps its socket a while
after the answer.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from learnsurvey.web import serving

APP = """
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
"""

REQUEST = b"GET / HTTP/1.1\r\nHost: pupils\r\n\r\n"
CLOSING_REQUEST = b"GET / HTTP/1.1\r\nHost: pupils\r\nConnection: close\r\n\r\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    (tmp_path / "tiny.py").write_text(APP)
    port = _free_port()
    argv = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c",
        "python:learnsurvey.web.serving",
        "--pythonpath",
        str(tmp_path),
        "tiny:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "2",
    ]
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(argv, stdout=log, stderr=log)
    try:
        _wait_for(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _wait_for(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "gunicorn exited"
        try:
            assert _ask(port, timeout=5).startswith(b"HTTP/1.1 200")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not answer")


def _read_answer(sock: socket.socket) -> bytes:
    """One response (this app's: headers and a two-byte body)."""
    data = b""
    while not data.endswith(b"\r\n\r\nok"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _ask(port: int, *, timeout: float, request: bytes = REQUEST) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        return _read_answer(sock)


def test_it_answers_priya_while_chrome_holds_idle_connections(server: int) -> None:
    # Chrome's preconnects: connections that send nothing (yet). gunicorn's own worker gives
    # each to a thread that waits five seconds for a request; here they wait in the poller.
    idle = [socket.create_connection(("127.0.0.1", server)) for _ in range(4)]
    try:
        time.sleep(0.2)  # the worker has accepted them
        answer = _ask(server, timeout=4)
        assert answer.startswith(b"HTTP/1.1 200 OK")
        assert answer.endswith(b"\r\n\r\nok")
    finally:
        for sock in idle:
            sock.close()


def test_it_answers_each_urllib_client_while_the_last_is_slow_to_close(server: int) -> None:
    # One-shot clients one after another, each keeping its socket after reading its answer.
    # gunicorn's own worker waits two seconds for each to close, in its event loop, before
    # it accepts the next: the second would not be answered within the deadline.
    lingering: list[socket.socket] = []
    try:
        for _ in range(4):
            sock = socket.create_connection(("127.0.0.1", server), timeout=1.5)
            lingering.append(sock)
            sock.sendall(CLOSING_REQUEST)
            assert _read_answer(sock).endswith(b"\r\n\r\nok")
        # They got the whole answer and then the end of the stream: the server half-closed
        # its side as gunicorn does; it only stopped waiting for them in the loop.
        for sock in lingering:
            assert sock.recv(4096) == b""
    finally:
        for sock in lingering:
            sock.close()


def test_it_keeps_priyas_browser_connection_alive(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        for _ in range(3):  # one connection for the page, its styles and the submission
            sock.sendall(REQUEST)
            answer = _read_answer(sock)
            assert answer.startswith(b"HTTP/1.1 200 OK")
            assert b"Connection: close" not in answer


def test_it_serves_on_loopback_with_no_access_log() -> None:
    # An access log would record pupils' addresses; the proxy in front says where to listen.
    assert serving.bind == ["127.0.0.1:8000"]
    assert serving.accesslog is None
    assert serving.worker_class == "learnsurvey.web.serving.ThreadWorker"
