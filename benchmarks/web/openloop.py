"""An open-loop load generator for pupils' submissions (run by benchmarks/web/run.py).

    python benchmarks/web/openloop.py CONFIG.json OUT.json

Submission ``i`` is due at ``start + i / rate`` whatever happened to the earlier ones (open
loop: a slow server meets the same offered load, it is not given a rest), and its latency
is measured from the moment it was due, so time the generator itself lost counts against
the server, never for it (no coordinated omission). How late the generator started each
request is recorded too: a starved generator shows there.

Two ways of connecting (``connections`` in the configuration):

* ``keepalive`` — a browser's or an HTTP client's pool: HTTP/1.1 keep-alive connections,
  an idle one reused, a new one opened when none is idle; idle ones are closed by the
  client after ``idle_seconds`` (below the server's keep-alive), and a request on a reused
  connection that the server had just closed is sent again once on a new connection, as
  browsers do (counted).
* ``oneshot`` — a new TCP connection for every submission, ``Connection: close``, as one
  phone submission or Python's urllib does; the client closes its end ``close_delay_ms``
  after reading the answer (0: at once; a phone on a slow network takes a round trip).

A share ``retry_share`` of submissions resends an already acknowledged one with its key and
must be answered 200 ``already_stored``. The first ``warmup_seconds`` are sent but left out
of the records. Everything runs in one thread of one process (asyncio); the bodies are made
before the clock starts.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT_S = 30.0
MAX_IN_FLIGHT = 5000
"""More submissions than this waiting at once: the rest are counted as not sent (status 0)."""


@dataclass
class Config:
    host: str
    port: int
    codes: list[str]
    items: list[str]
    genders: list[str]
    year_groups: list[int]
    scale: tuple[int, int]
    rate: float
    run_seconds: float
    warmup_seconds: float
    connections: str = "keepalive"
    retry_share: float = 0.02
    idle_seconds: float = 2.0
    close_delay_ms: float = 0.0
    seed: int = 2021

    @classmethod
    def read(cls, path: Path) -> Config:
        data = json.loads(path.read_text())
        data["scale"] = tuple(data["scale"])
        return cls(**data)


@dataclass
class Results:
    records: list[tuple[float, float, int, str]] = field(default_factory=list)
    """(due, epoch seconds; latency from due, ms; HTTP status or 0; "new" or "retry")."""
    lateness_ms: list[float] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)
    """Every key answered 201, warm-up included."""
    errors: dict[str, int] = field(default_factory=dict)
    stale_retries: int = 0
    connections_opened: int = 0
    not_sent: int = 0


class Pool:
    """Idle keep-alive connections, most recently used first (as browsers reuse them)."""

    def __init__(self, config: Config, results: Results) -> None:
        self.config = config
        self.results = results
        self.idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self.results.connections_opened += 1
        return await asyncio.open_connection(self.config.host, self.config.port)

    def take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        now = time.monotonic()
        while self.idle:
            since, reader, writer = self.idle.pop()
            if now - since < self.config.idle_seconds and not reader.at_eof():
                return reader, writer
            writer.close()
        return None

    def give_back(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.idle.append((time.monotonic(), reader, writer))


def request_bytes(config: Config, code: str, body: bytes, *, close: bool) -> bytes:
    head = (
        f"POST /s/{code}/responses HTTP/1.1\r\n"
        f"Host: {config.host}:{config.port}\r\n"
        "Content-Type: application/json\r\n"
        "Accept: application/json\r\n"
        "Accept-Language: en-GB,en;q=0.9\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status of one response, read to its end, and whether the server keeps the
    connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    keep = lines[0].startswith("HTTP/1.1")
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection":
            keep = value.strip().lower() != "close"
    if length:
        await reader.readexactly(length)
    return status, keep


async def send_keepalive(pool: Pool, data: bytes) -> int:
    reused = pool.take()
    if reused is not None:
        reader, writer = reused
        try:
            writer.write(data)
            status, keep = await read_response(reader)
        except (ConnectionError, asyncio.IncompleteReadError):
            # The server closed this idle connection as the request went out; nothing was
            # answered, so a browser sends it again on a new connection (the key makes that
            # safe).
            writer.close()
            pool.results.stale_retries += 1
        else:
            if keep:
                pool.give_back(reader, writer)
            else:
                writer.close()
            return status
    reader, writer = await pool.open()
    writer.write(data)
    status, keep = await read_response(reader)
    if keep:
        pool.give_back(reader, writer)
    else:
        writer.close()
    return status


async def send_oneshot(config: Config, results: Results, data: bytes) -> int:
    results.connections_opened += 1
    reader, writer = await asyncio.open_connection(config.host, config.port)
    try:
        writer.write(data)
        status, _keep = await read_response(reader)
    except BaseException:
        writer.close()
        raise
    if config.close_delay_ms > 0:
        # The answer is in; the client's end is closed a moment later (off the clock).
        asyncio.get_running_loop().call_later(config.close_delay_ms / 1000, writer.close)
    else:
        writer.close()
    return status


def make_body(config: Config, rng: random.Random, key: str) -> bytes:
    low, high = config.scale
    return json.dumps(
        {
            "key": key,
            "year_group": rng.choice(config.year_groups),
            "gender": rng.choice(config.genders),
            "language": "en-GB",
            "answers": {item: rng.randint(low, high) for item in config.items},
        }
    ).encode()


class Generator:
    """The schedule, the submissions in flight and what came back."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.results = Results()
        self.pool = Pool(config, self.results)
        total = int(config.rate * (config.warmup_seconds + config.run_seconds))
        self.planned = [
            (code, key, make_body(config, self.rng, key))
            for code, key in (
                (self.rng.choice(config.codes), str(uuid.uuid4()))  # never another run's keys
                for _ in range(total)
            )
        ]
        self.done: list[tuple[str, bytes]] = []  # acknowledged (code, body), for retries
        self.in_flight: set[asyncio.Task[None]] = set()
        self.loop = asyncio.get_running_loop()
        self.start = self.loop.time() + 0.2
        self.start_epoch = time.time() + 0.2
        self.measured_from = self.start + config.warmup_seconds

    def record(self, due: float, latency_ms: float, status: int, kind: str) -> None:
        if due >= self.measured_from:
            epoch = self.start_epoch + (due - self.start)
            self.results.records.append((epoch, latency_ms, status, kind))

    async def send(self, data: bytes) -> int:
        try:
            async with asyncio.timeout(TIMEOUT_S):
                if self.config.connections == "oneshot":
                    return await send_oneshot(self.config, self.results, data)
                return await send_keepalive(self.pool, data)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            name = type(exc).__name__
            self.results.errors[name] = self.results.errors.get(name, 0) + 1
            return 0

    async def one(self, i: int, due: float) -> None:
        late_ms = (self.loop.time() - due) * 1000
        code, key, body = self.planned[i]
        kind, expect = "new", 201
        if self.done and self.rng.random() < self.config.retry_share:
            code, body = self.rng.choice(self.done)
            kind, expect = "retry", 200
        close = self.config.connections == "oneshot"
        status = await self.send(request_bytes(self.config, code, body, close=close))
        if status == expect == 201:
            self.done.append((code, body))
            self.results.acked.append(key)  # the warm-up's too: every stored row is counted
        self.record(due, (self.loop.time() - due) * 1000, status, kind)
        if due >= self.measured_from:
            self.results.lateness_ms.append(late_ms)

    async def run(self) -> Results:
        for i in range(len(self.planned)):
            due = self.start + i / self.config.rate
            delay = due - self.loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if len(self.in_flight) >= MAX_IN_FLIGHT:
                self.results.not_sent += 1
                self.record(due, TIMEOUT_S * 1000, 0, "new")
                continue
            task = asyncio.create_task(self.one(i, due))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
        if self.in_flight:
            await asyncio.wait(self.in_flight)
        for _since, _reader, writer in self.pool.idle:
            writer.close()
        await asyncio.sleep(self.config.close_delay_ms / 1000 + 0.05)
        return self.results


async def run(config: Config) -> Results:
    return await Generator(config).run()


def main(argv: list[str]) -> int:
    config = Config.read(Path(argv[1]))
    results = asyncio.run(run(config))
    Path(argv[2]).write_text(
        json.dumps(
            {
                "records": results.records,
                "lateness_ms": results.lateness_ms,
                "acked": results.acked,
                "errors": results.errors,
                "stale_retries": results.stale_retries,
                "connections_opened": results.connections_opened,
                "not_sent": results.not_sent,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
