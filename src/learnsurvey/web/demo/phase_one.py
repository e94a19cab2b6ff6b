"""Load the calibrated synthetic Phase One wave into the platform's database.

The same generator as ``learnsurvey demo`` (seed 2021: 87 schools, 29,940 pupils) feeds two
things at once: the database (trusts, schools, one open wave, participations, access codes and
the responses, bulk-inserted) and a Parquet file the core analysis reads, so the headline
"published Phase One figures reproduced" is computed exactly as the CLI computes it.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from learnsurvey.analysis import AnalysisResult, analyse_file, read_context
from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.io import write_responses
from learnsurvey.synth import ResponseModel, load_params, schools_frame
from learnsurvey.synth import School as SynthSchool
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.actions import MISSING
from learnsurvey.web.waves.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    AccessCode,
    Participation,
    Response,
    Wave,
)

INSTRUMENT = "learning-survey"
PHASE_ONE_RESPONSES = 29_940
PHASE_ONE_SCHOOLS = 87
PHASE_ONE_SEED = 2021
BATCH_ROWS = 5_000
RESEARCH_OPT_IN_EVERY = 8
"""Every eighth school opts in to being named in research tables: a few, as in real life."""


@dataclass(frozen=True)
class LoadedWave:
    wave: Wave
    schools: list[School]
    trusts: list[Trust]
    codes: dict[str, AccessCode]
    """One access code per school, keyed by URN."""
    n_responses: int
    analysis: AnalysisResult
    """The core library's analysis of the same responses (promax, with school context)."""


def load_phase_one(
    *,
    n_responses: int = PHASE_ONE_RESPONSES,
    n_schools: int = PHASE_ONE_SCHOOLS,
    seed: int = PHASE_ONE_SEED,
    on_rows: Callable[[int], None] | None = None,
) -> LoadedWave:
    """Create the wave and its schools and store every synthetic response (one transaction)."""
    instrument = load_instrument(INSTRUMENT)
    model = ResponseModel(instrument, load_params("phase-one"))
    planned = model.schools(n_responses, n_schools, seed)
    with tempfile.TemporaryDirectory(prefix="learnsurvey-demo-") as tmp:
        data = Path(tmp) / "phase-one.parquet"
        context = Path(tmp) / "phase-one.schools.csv"
        with transaction.atomic():
            wave = _open_wave(instrument)
            trusts, schools = _schools(planned)
            Participation.objects.bulk_create(Participation(wave=wave, school=s) for s in schools)
            codes = _access_codes(wave, schools, seed)
            by_name = {p.school: schools[k] for k, p in enumerate(planned)}
            stored = _Storer(wave, instrument, by_name, seed, on_rows)
            write_responses(data, stored.tee(model.tables(n_responses, n_schools, seed)))
        schools_frame(planned).to_csv(context, index=False)
        analysis = analyse_file(
            data,
            instrument,
            threshold=int(settings.MIN_GROUP_SIZE),
            context=read_context(context),
            rotation="promax",
        )
    return LoadedWave(wave, schools, trusts, codes, stored.rows, analysis)


def _open_wave(instrument: Instrument) -> Wave:
    today = timezone.localdate()
    # Open a fortnight ago and for another month, so the pupil journey works today.
    return Wave.objects.create(
        name="Phase One (synthetic demo)",
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        opens=today - timedelta(days=14),
        closes=today + timedelta(days=30),
        places=500,
    )


def _schools(planned: list[SynthSchool]) -> tuple[list[Trust], list[School]]:
    trusts = {
        name: Trust.objects.create(name=name)
        for name in sorted({p.trust for p in planned if p.trust})
    }
    schools = School.objects.bulk_create(
        School(
            urn=p.urn,
            name=p.school,
            trust=trusts.get(p.trust),
            phase=p.phase,
            region=p.region,
            country="England" if p.region == "England" else "",
            fsm_pct=p.fsm_pct,
            eal_pct=p.eal_pct,
            send_pct=p.send_pct,
            inspection_rating=p.inspection_rating,
            research_opt_in=k % RESEARCH_OPT_IN_EVERY == 0,
        )
        for k, p in enumerate(planned)
    )
    return list(trusts.values()), schools


def _access_codes(wave: Wave, schools: list[School], seed: int) -> dict[str, AccessCode]:
    # Seeded, so the same demo prints the same codes every time (a demo database only).
    rng = random.Random(seed)
    codes = AccessCode.objects.bulk_create(
        AccessCode(
            wave=wave,
            school=school,
            code="".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
            label="Whole school",
        )
        for school in schools
    )
    return {c.school.urn: c for c in codes}


class _Storer:
    """Passes synthetic tables through unchanged while bulk-inserting them as responses."""

    def __init__(
        self,
        wave: Wave,
        instrument: Instrument,
        schools: dict[str, School],
        seed: int,
        on_rows: Callable[[int], None] | None,
    ) -> None:
        self.wave = wave
        self.items = list(instrument.item_ids)
        self.schools = schools
        self.rng = random.Random(seed)
        self.on_rows = on_rows or (lambda n: None)
        self.hour = timezone.now().replace(minute=0, second=0, microsecond=0)
        self.rows = 0

    def tee(self, tables: Iterator[pa.Table]) -> Iterator[pa.Table]:
        for table in tables:
            for start in range(0, table.num_rows, BATCH_ROWS):
                self._store(table.slice(start, BATCH_ROWS))
            yield table

    def _store(self, table: pa.Table) -> None:
        answers = answer_strings(table, self.items)
        schools = [self.schools[name] for name in table.column("school").to_pylist()]
        key_stages = table.column("key_stage").to_pylist()
        genders = table.column("gender").to_pylist()
        Response.objects.bulk_create(
            (
                Response(
                    wave=self.wave,
                    school=schools[i],
                    key_stage=key_stages[i] or "",
                    gender=genders[i] or "",
                    answers=answers[i],
                    submitted_hour=self.hour,
                    idempotency_key=uuid.UUID(int=self.rng.getrandbits(128), version=4),
                    source=Response.Source.IMPORT,
                )
                for i in range(table.num_rows)
            ),
            batch_size=BATCH_ROWS,
        )
        self.rows += table.num_rows
        self.on_rows(table.num_rows)


def answer_strings(table: pa.Table, items: list[str]) -> list[str]:
    """Each row's answers as stored in ``Response.answers``: one character per item in
    instrument order, the scale value or ``-`` (vectorised: 30,000 rows in milliseconds)."""
    values = np.column_stack(
        [table.column(item).to_numpy(zero_copy_only=False) for item in items]
    )  # missing answers arrive as NaN
    values = np.where(pd.isna(values), -1, values).astype(np.int16)
    chars = np.where(values < 0, ord(MISSING), values + ord("0")).astype(np.uint8)
    width = len(items)
    raw = chars.tobytes()
    return [raw[i * width : (i + 1) * width].decode("ascii") for i in range(len(chars))]
