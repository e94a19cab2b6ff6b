"""Nothing acknowledged is lost, and pupils never see a 500: the real app server on
PostgreSQL under a bounded load of pupils' submissions (each client retries with the same key
until it is acknowledged, as the survey page does), the server SIGKILLed mid-load and started
again, and PostgreSQL restarted once. Then every acknowledged submission is stored exactly
once, no request was answered 500, and the app recovered by itself; the recovery times are
printed.

Loopback only, about 20 seconds. It needs PostgreSQL on 127.0.0.1:5432 (user postgres);
restarting it needs ``pg_ctlcluster`` and root, as in `.ci/run` (without them only the kill
is tried).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

psycopg = pytest.importorskip("psycopg")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "learnsurvey_faults"
CLIENTS = 6
PHASE_SECONDS = 3.0
GIVE_UP_SECONDS = 90.0
"""A client that has not had its submission acknowledged by then fails the test."""


def _postgres_up() -> bool:
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _can_restart_postgres() -> bool:
    return shutil.which("pg_ctlcluster") is not None and os.geteuid() == 0


def _restart_postgres() -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    env: dict[str, str]
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "python:learnsurvey.web.serving",  # as the platform is served
            "learnsurvey.web.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ]
        with self.log.open("a") as out:
            # A session of its own: SIGKILL reaches the master and its workers at once.
            self.proc = subprocess.Popen(
                argv, env=self.env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True
            )

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


@dataclass
class Load:
    """Pupils submitting one after another; each retries its own key until acknowledged."""

    port: int
    code: str
    answers: dict[str, int]
    acknowledged: list[str] = field(default_factory=list)
    statuses: Counter[int | str] = field(default_factory=Counter)
    successes: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _post(self, body: bytes) -> int | str:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(
                "POST",
                f"/s/{self.code}/responses",
                body=body,
                headers={"Content-Type": "application/json"},
            )
            return connection.getresponse().status
        except (OSError, http.client.HTTPException) as exc:
            return type(exc).__name__  # refused, reset or cut off: the pupil's page retries
        finally:
            connection.close()

    def pupil(self) -> None:
        while not self.stop.is_set():
            key = str(uuid.uuid4())
            body = json.dumps({"key": key, "language": "en", "answers": self.answers}).encode()
            deadline = time.monotonic() + GIVE_UP_SECONDS
            while True:
                status = self._post(body)
                with self.lock:
                    self.statuses[status] += 1
                if status in (200, 201):
                    with self.lock:
                        self.acknowledged.append(key)
                        self.successes.append(time.monotonic())
                    break
                if time.monotonic() > deadline:
                    with self.lock:
                        self.failures.append(f"{key}: last answer {status}")
                    return
                time.sleep(0.05)

    def first_success_after(self, moment: float) -> float | None:
        with self.lock:
            later = [t for t in self.successes if t > moment]
        return min(later) - moment if later else None


def _setup_database(env: dict[str, str]) -> tuple[str, dict[str, int]]:
    """Migrate the fresh database and create the personas; the Aspen code and answers."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    script = (
        "import django, json; django.setup()\n"
        "from personas import make_world\n"
        "w = make_world()\n"
        "print(json.dumps({'code': w.aspen_code.code,"
        " 'items': [i.id for i in w.wave.instrument().items]}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env | {"PYTHONPATH": str(ROOT / "tests")},
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["code"], dict.fromkeys(found["items"], 4)


@pytest.fixture
def database() -> Iterator[str]:
    if not _postgres_up():
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    yield f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    if _postgres_up():
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def _wait_for(load: Load, since: float, limit: float = 60.0) -> float:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        took = load.first_success_after(since)
        if took is not None:
            return took
        time.sleep(0.05)
    raise AssertionError(f"no submission was acknowledged within {limit:.0f} s")


def test_it_loses_nothing_acknowledged_when_the_server_or_the_database_restarts(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH"}
    } | {
        "DATABASE_URL": database,
        "LEARNSURVEY_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "learnsurvey.web.settings",
        "LEARNSURVEY_SUBMISSIONS_PER_CODE_PER_MINUTE": "10000000",
    }
    code, answers = _setup_database(env)
    server = Server(env, _free_port(), tmp_path / "server.log")
    load = Load(server.port, code, answers)
    server.start()
    pupils = [threading.Thread(target=load.pupil, daemon=True) for _ in range(CLIENTS)]
    try:
        started = time.monotonic()
        for p in pupils:
            p.start()
        first = _wait_for(load, started)
        time.sleep(PHASE_SECONDS)

        killed = time.monotonic()
        server.kill()
        server.start()
        after_kill = _wait_for(load, killed)
        time.sleep(PHASE_SECONDS)

        after_restart = restart_took = None
        if _can_restart_postgres():
            restarted = time.monotonic()
            _restart_postgres()
            back = time.monotonic()
            restart_took = back - restarted
            after_restart = _wait_for(load, back)
            time.sleep(PHASE_SECONDS)
    finally:
        load.stop.set()
        for p in pupils:
            p.join(timeout=GIVE_UP_SECONDS + 15)
        server.stop()

    assert load.failures == []
    with psycopg.connect(database) as conn:
        stored = [str(k) for (k,) in conn.execute("SELECT idempotency_key FROM waves_response")]
    counts = Counter(stored)
    assert len(load.acknowledged) == len(set(load.acknowledged))
    lost = set(load.acknowledged) - set(counts)
    assert not lost, f"{len(lost)} acknowledged submissions are not stored"
    assert max(counts.values()) == 1
    assert load.statuses[500] == 0, load.statuses  # a 503 asks to retry; a 500 never happens
    with capsys.disabled():
        restart = (
            f"; PostgreSQL restarted in {restart_took:.2f} s, first answer "
            f"{after_restart:.2f} s after it was back"
            if after_restart is not None and restart_took is not None
            else "; PostgreSQL was not restarted (needs pg_ctlcluster and root)"
        )
        print(
            f"\n  faults: {len(load.acknowledged)} acknowledged, 0 lost, 0 duplicated; "
            f"answers {dict(sorted(load.statuses.items(), key=str))}; first answer after "
            f"start {first:.2f} s; after SIGKILL and restart {after_kill:.2f} s{restart}"
        )
