"""The stack a web benchmark runs against: a database of its own and a WSGI server (gunicorn
as the platform is served, or granian) serving the app.

The runner process itself uses the same database through the ORM (to create the fixtures and
to count what was stored), so ``configure`` must run before Django is set up.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lsbench.progress import Steps
from rich.console import Console

REPO = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# Rate limits protect real schools; a load test from one address would trip them at once.
UNLIMITED = {
    "LEARNSURVEY_SUBMISSIONS_PER_CODE_PER_MINUTE": "10000000",
    "LEARNSURVEY_CODE_FAILURES_PER_NETWORK": "10000000",
}


@dataclass(frozen=True)
class Stack:
    database: str
    """``postgres`` or ``sqlite``."""
    database_url: str
    redis_url: str
    data_dir: Path

    @property
    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            **UNLIMITED,
            "DJANGO_SETTINGS_MODULE": "learnsurvey.web.settings",
            "DATABASE_URL": self.database_url,
            "LEARNSURVEY_DATA_DIR": str(self.data_dir),
            "DEBUG": "false",
        }
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        else:
            env.pop("REDIS_URL", None)
        return env


def configure(stack: Stack) -> None:
    """Point this process's Django at the stack (before ``django.setup()``)."""
    os.environ.update(stack.env)
    if not stack.redis_url:
        os.environ.pop("REDIS_URL", None)


def postgres_available(admin_url: str = POSTGRES_ADMIN_URL) -> bool:
    try:
        import psycopg

        with psycopg.connect(admin_url, connect_timeout=3):
            return True
    except Exception:
        return False


def create_postgres_database(name: str, admin_url: str = POSTGRES_ADMIN_URL) -> str:
    """A fresh, empty database ``name`` (dropped first if a failed run left it); its URL."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(name: str, admin_url: str = POSTGRES_ADMIN_URL) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def fresh_database_url(database: str, db_name: str, work: Path) -> str | None:
    """A fresh, empty database for one run: PostgreSQL database ``db_name`` (``database``
    ``postgres``) or a SQLite file in ``work``; None when PostgreSQL is not answering."""
    if database == "postgres":
        if not postgres_available():
            return None
        return create_postgres_database(db_name)
    return f"sqlite:///{work / 'learnsurvey.sqlite3'}"


@contextmanager
def migrated(stack: Stack, db_name: str, console: Console) -> Iterator[Steps]:
    """Django set up in this process on the stack's database, migrated, and the steps to
    report progress on; on the way out (also after a failure) the connections are closed,
    the PostgreSQL database ``db_name`` dropped and the stack's data folder removed."""
    try:
        configure(stack)
        import django

        django.setup()
        from django.core.management import call_command

        with Steps(console) as steps:
            with steps.spinner("Migrating a fresh database"):
                call_command("migrate", verbosity=0, interactive=False)
            yield steps
    finally:
        from django.db import connections

        connections.close_all()
        if stack.database == "postgres":
            drop_postgres_database(db_name)
        shutil.rmtree(stack.data_dir, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


SERVERS = ("learnsurvey", "gthread", "sync", "granian")


@dataclass(frozen=True)
class ServerConfig:
    worker_class: str = "learnsurvey"
    """``learnsurvey``: gunicorn as the platform is served (``-c python:learnsurvey.web.serving``,
    its own worker); ``gthread`` or ``sync``: the same settings with gunicorn's own worker
    of that name; ``granian``: granian's WSGI server (Rust HTTP handling, a thread pool)."""
    workers: int | None = None
    """None: the configuration's (``learnsurvey.web.serving.workers``; 2 for granian)."""
    threads: int | None = None
    nice: int = 5

    def sizes(self) -> tuple[int, int]:
        """Processes and threads per process."""
        if self.worker_class == "granian":
            return (self.workers or 2, self.threads or 6)
        from learnsurvey.web import serving

        return (self.workers or serving.workers, self.threads or serving.threads)

    def describe(self) -> str:
        workers, threads = self.sizes()
        if self.worker_class == "granian":
            return f"granian (WSGI), {workers} workers × {threads} threads"
        if self.worker_class == "learnsurvey":
            return f"gunicorn, {workers} learnsurvey.web.serving workers × {threads} threads"
        shown = f" × {threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn, {workers} {self.worker_class} workers{shown}"

    def argv(self, port: int) -> list[str]:
        if self.worker_class == "granian":
            return _granian_argv(self, port)
        workers, threads = self.sizes()
        argv = [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "python:learnsurvey.web.serving",
            "learnsurvey.web.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ]
        if self.worker_class != "learnsurvey":
            argv += ["--worker-class", self.worker_class]
        return argv


@contextmanager
def serve(stack: Stack, config: ServerConfig, log: Path) -> Iterator[tuple[str, int]]:
    """Serve the app on a free loopback port for the block; yields the base URL and the
    master's process id (its workers are its children)."""
    port = free_port()
    argv = config.argv(port)
    log.parent.mkdir(parents=True, exist_ok=True)
    (stack.data_dir / "static").mkdir(parents=True, exist_ok=True)  # whitenoise's STATIC_ROOT
    with log.open("w") as out:
        # The load generator shares the machine's two CPUs: the server runs one notch lower
        # so that the generator's clock is not starved by the process it times.
        proc = subprocess.Popen(
            ["nice", "-n", str(config.nice), *argv],
            env=stack.env,
            cwd=REPO,
            stdout=out,
            stderr=out,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, proc, log)
            yield base, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def warm(base: str, path: str, *, parallel: int = 16, rounds: int = 3) -> None:
    """GET ``path`` ``parallel`` at a time, ``rounds`` times, so that every worker has loaded
    the URLconf, the templates and a database connection per thread before it is timed (a
    worker's first request takes seconds)."""
    from concurrent.futures import ThreadPoolExecutor

    def get(_: int) -> None:
        with urllib.request.urlopen(base + path, timeout=60) as r:
            r.read()

    with ThreadPoolExecutor(parallel) as pool:
        for _ in range(rounds):
            list(pool.map(get, range(parallel)))


def _granian_argv(config: ServerConfig, port: int) -> list[str]:
    """Granian: a Rust HTTP server calling the same WSGI application from a thread pool."""
    workers, threads = config.sizes()
    return [
        str(Path(sys.executable).parent / "granian"),
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--backlog",
        "4096",
        "--no-access-log",
        "--log-level",
        "warning",
        "learnsurvey.web.wsgi:application",
    ]


def _wait_until_up(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}: see {log}")
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within 60 s: see {log}")
