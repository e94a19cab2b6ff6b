"""What the web benchmarks need in the database: an open wave with schools and access codes for
the pupils, and a wave of synthetic responses (COPY on PostgreSQL) behind a school dashboard.

Needs Django set up (see webstack.configure).
"""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.synth import ResponseModel, load_params
from learnsurvey.web.accounts.models import Role, User
from learnsurvey.web.demo.phase_one import answer_strings
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import AccessCode, Participation, Response, Wave

INSTRUMENT = "learning-survey"
COPY_COLUMNS = (
    "wave_id",
    "school_id",
    "key_stage",
    "year_group",
    "gender",
    "language",
    "answers",
    "submitted_hour",
    "idempotency_key",
    "source",
)


def instrument() -> Instrument:
    return load_instrument(INSTRUMENT)


def open_wave(name: str) -> Wave:
    inst = instrument()
    today = timezone.localdate()
    return Wave.objects.create(
        name=name,
        instrument_id=inst.id,
        instrument_version=inst.version,
        opens=today - timedelta(days=7),
        closes=today + timedelta(days=30),
        places=100_000,
    )


def submission_codes(n_schools: int, run: int = 0) -> tuple[Wave, list[str]]:
    """An open wave, ``n_schools`` all-through schools and one access code each (``run``
    numbers the waves of one benchmark, each with schools of its own)."""
    wave = open_wave(f"Submission benchmark {run}")
    schools = School.objects.bulk_create(
        School(
            urn=f"L{run:02d}{k:05d}", name=f"Load School {run}.{k}", phase=School.Phase.ALL_THROUGH
        )
        for k in range(n_schools)
    )
    Participation.objects.bulk_create(Participation(wave=wave, school=s) for s in schools)
    codes = AccessCode.objects.bulk_create(AccessCode(wave=wave, school=s) for s in schools)
    return wave, [c.code for c in codes]


def count_stored(wave: Wave, keys: list[str]) -> tuple[int, int, int]:
    """Rows of the wave, distinct keys among them, and how many of ``keys`` are stored."""
    rows = Response.objects.filter(wave=wave)
    found = 0
    for start in range(0, len(keys), 5_000):
        batch = [uuid.UUID(k) for k in keys[start : start + 5_000]]
        found += rows.filter(idempotency_key__in=batch).count()
    distinct = rows.values("idempotency_key").distinct().count()
    return rows.count(), distinct, found


@dataclass(frozen=True)
class DashboardWave:
    wave: Wave
    school: School
    n_responses: int
    n_schools: int
    load_s: float


def load_responses(
    n_responses: int,
    n_schools: int,
    seed: int,
    on_rows: Callable[[int], None] | None = None,
) -> DashboardWave:
    """Synthetic responses (the Phase One generator) for a new wave, COPY'd into PostgreSQL
    (bulk_create elsewhere); the school shown is the median-sized one."""
    import time

    started = time.perf_counter()
    inst = instrument()
    model = ResponseModel(inst, load_params("phase-one"))
    planned = model.schools(n_responses, n_schools, seed)
    wave = open_wave("Dashboard benchmark")
    schools = School.objects.bulk_create(
        School(urn=f"D{p.urn}-{k}", name=p.school, phase=p.phase) for k, p in enumerate(planned)
    )
    Participation.objects.bulk_create(Participation(wave=wave, school=s) for s in schools)
    ids = {p.school: s.pk for p, s in zip(planned, schools, strict=True)}
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    rng = random.Random(seed)
    items = list(inst.item_ids)
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        for table in model.tables(n_responses, n_schools, seed):
            frame = pd.DataFrame(
                {
                    "wave_id": wave.pk,
                    "school_id": pd.Series(table.column("school").to_pylist()).map(ids),
                    "key_stage": table.column("key_stage").to_pylist(),
                    "year_group": None,
                    "gender": table.column("gender").to_pylist(),
                    "language": "en-GB",
                    "answers": answer_strings(table, items),
                    "submitted_hour": hour.isoformat(),
                    "idempotency_key": [
                        str(uuid.UUID(int=rng.getrandbits(128), version=4))
                        for _ in range(table.num_rows)
                    ],
                    "source": Response.Source.IMPORT.value,
                }
            )
            if postgres:
                _copy(frame)
            else:
                _bulk_create(frame, wave, hour)
            if on_rows is not None:
                on_rows(table.num_rows)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE waves_response")
    sizes = np.array([p.size for p in planned])
    middle = int(np.argsort(sizes)[len(sizes) // 2])
    return DashboardWave(
        wave, schools[middle], n_responses, n_schools, time.perf_counter() - started
    )


def _copy(frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False, na_rep="")
    sql = f"COPY waves_response ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.write(buffer.getvalue())


def _bulk_create(frame: pd.DataFrame, wave: Wave, hour: object) -> None:
    Response.objects.bulk_create(
        (
            Response(
                wave=wave,
                school_id=int(row.school_id),
                key_stage=row.key_stage,
                gender=row.gender,
                answers=row.answers,
                submitted_hour=hour,
                idempotency_key=row.idempotency_key,
                source=Response.Source.IMPORT,
            )
            for row in frame.itertuples()
        ),
        batch_size=5_000,
    )


def leader_session(school: School) -> str:
    """A signed-in school leader's session id (stored in the database, as a browser's is)."""
    user = User.objects.create_user(
        f"leader-{school.pk}", role=Role.SCHOOL_LEADER, school=school, password=None
    )
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value
