"""Simulated pupils for the submission benchmark (run by benchmarks/web/run.py, headless).

Each simulated pupil submits a full answer set with a fresh key every ``LS_PACING`` seconds
(constant pacing, so 1,500 pupils offer 500 submissions/s at 3 s); a share ``LS_RETRY_SHARE``
of its turns instead resends an already-acknowledged submission with the same key, as a
browser does when an acknowledgement is lost, and must get 200 ``already_stored``.

Every request is recorded (start time, latency, status, kind) and written to ``LS_OUT`` when
the test stops, with the acknowledged keys, so the runner can check exactly-once storage.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant_pacing, events, task

CONFIG = json.loads(Path(os.environ["LS_CONFIG"]).read_text())
CODES: list[str] = CONFIG["codes"]
ITEMS: list[str] = CONFIG["items"]
GENDERS: list[str] = CONFIG["genders"]
YEAR_GROUPS: list[int] = CONFIG["year_groups"]
LOW, HIGH = CONFIG["scale"]
RETRY_SHARE = float(CONFIG["retry_share"])

RECORDS: list[tuple[float, float, int, str]] = []
ACKED: list[str] = []


def _body(key: str) -> dict[str, Any]:
    return {
        "key": key,
        "year_group": random.choice(YEAR_GROUPS),
        "gender": random.choice(GENDERS),
        "language": "en-GB",
        "answers": {item: random.randint(LOW, HIGH) for item in ITEMS},
    }


class Pupil(FastHttpUser):
    wait_time = constant_pacing(float(CONFIG["pacing"]))

    def on_start(self) -> None:
        self.code = random.choice(CODES)
        self.done: list[dict[str, Any]] = []

    @task
    def submit(self) -> None:
        if self.done and random.random() < RETRY_SHARE:
            self._send(random.choice(self.done), "retry", expect=200)
            return
        body = _body(str(uuid.uuid4()))
        if self._send(body, "new", expect=201):
            self.done.append(body)
            ACKED.append(body["key"])

    def _send(self, body: dict[str, Any], kind: str, *, expect: int) -> bool:
        started = time.time()
        with self.client.post(
            f"/s/{self.code}/responses", json=body, name=kind, catch_response=True
        ) as response:
            elapsed_ms = (time.time() - started) * 1000
            status = response.status_code or 0
            RECORDS.append((started, elapsed_ms, status, kind))
            if status == expect:
                response.success()
                return True
            response.failure(f"{kind}: expected {expect}, got {status}")
            return False


@events.test_stop.add_listener
def _write(**_: Any) -> None:
    Path(os.environ["LS_OUT"]).write_text(json.dumps({"records": RECORDS, "acked": ACKED}))
