"""Load synthetic waves over time, with their staff surveys, into the platform's database.

The generator is :func:`learnsurvey.synth.plan_waves`: its first wave is the calibrated
Phase One wave (seed 2021: 87 schools, 29,940 pupils), then one summer wave a year with
churn and planted changes. For each wave the loader creates the pupil wave (season summer),
the schools' participations and access codes, the responses (bulk-inserted), and a staff
wave beside it (instrument ``staff-survey``, ``pupil_wave`` set) with staff access codes and
the staff's answers, each with its role. The first wave is also written to a Parquet file
and analysed by the core library, so the headline "published Phase One figures reproduced"
is computed exactly as the CLI computes it.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from learnsurvey.analysis import AnalysisResult, analyse_file, read_context
from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.io import write_responses
from learnsurvey.synth import (
    PlantedChange,
    ResponseModel,
    StaffModel,
    SyntheticWave,
    SyntheticWaves,
    load_params,
    plan_waves,
    schools_frame,
)
from learnsurvey.synth import School as SynthSchool
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    AccessCode,
    Participation,
    Wave,
)
from learnsurvey.web.waves.publication import do_publish_wave

from .acting import load_acting
from .storing import Storer

__all__ = ["DemoPlan", "DemoWave", "LoadedDemo", "load_demo", "plan_demo", "publish_demo"]

INSTRUMENT = "learning-survey"
STAFF_INSTRUMENT = "staff-survey"
PHASE_ONE_RESPONSES = 29_940
PHASE_ONE_SCHOOLS = 87
PHASE_ONE_SEED = 2021
DEMO_WAVES = 3
RESEARCH_OPT_IN_EVERY = 8
"""Every eighth school opts in to being named in research tables: a few, as in real life."""
OPENS = (6, 5)
CLOSES = (7, 16)
"""Each summer wave runs from 5 June to 16 July of its year; the latest stays open for
another month from today, so the pupil and staff journeys work in the demo."""

Rows = Callable[[int], None]


@dataclass(frozen=True)
class DemoWave:
    """One pupil wave of the demo and the staff survey beside it."""

    wave: Wave
    staff_wave: Wave | None
    codes: dict[str, AccessCode]
    """One pupil access code per school of the wave, keyed by URN."""
    staff_codes: dict[str, AccessCode]
    """One staff access code per school of the wave, keyed by URN."""
    n_responses: int
    n_staff: int
    label: str = ""
    """The synthetic wave's label (``2021-summer``, ...)."""


@dataclass(frozen=True)
class LoadedDemo:
    waves: list[DemoWave]
    """Oldest first."""
    schools: list[School]
    """Every school that took part in any wave."""
    trusts: list[Trust]
    analysis: AnalysisResult
    """The core library's analysis of the first wave (promax, with school context)."""
    changes: tuple[PlantedChange, ...]
    """What the generator planted (school keys are the schools' names)."""

    @property
    def latest(self) -> DemoWave:
        return self.waves[-1]

    @property
    def first(self) -> DemoWave:
        return self.waves[0]

    def changed_urns(self, direction: str = "up", *, wave: str | None = None) -> set[str]:
        """The URNs of the schools with a planted change in that direction (in the wave
        with that synthetic label, e.g. ``2023-summer``, if given)."""
        return {
            c.urn
            for c in self.changes
            if c.direction == direction and (wave is None or c.wave == wave)
        }


@dataclass(frozen=True)
class DemoPlan:
    """What the demo will load: the synthetic series and, if staff answer, their model."""

    series: SyntheticWaves
    staff: StaffModel | None

    @property
    def n_responses(self) -> int:
        """The pupils' responses of every wave."""
        return sum(w.n_responses for w in self.series.waves)


def plan_demo(
    *,
    n_responses: int = PHASE_ONE_RESPONSES,
    n_schools: int = PHASE_ONE_SCHOOLS,
    seed: int = PHASE_ONE_SEED,
    n_waves: int = DEMO_WAVES,
    staff: bool = True,
) -> DemoPlan:
    """The series of ``n_waves`` waves whose first has ``n_responses`` pupils in
    ``n_schools`` schools (seed 2021 and the defaults: the calibrated Phase One wave)."""
    model = ResponseModel(load_instrument(INSTRUMENT), load_params("phase-one"))
    series = plan_waves(model, n_responses, n_schools, seed, n_waves)
    staff_model = StaffModel.default(model, load_instrument(STAFF_INSTRUMENT)) if staff else None
    return DemoPlan(series, staff_model)


def load_demo(plan: DemoPlan | None = None, *, on_rows: Rows | None = None) -> LoadedDemo:
    """Create the waves, their schools and staff surveys, and store every synthetic response
    (one transaction); ``on_rows`` is called with the number of pupils' responses stored."""
    plan = plan or plan_demo()
    series = plan.series
    with tempfile.TemporaryDirectory(prefix="learnsurvey-demo-") as tmp:
        data = Path(tmp) / "phase-one.parquet"
        with transaction.atomic():
            trusts, schools = _schools(series.all_schools)
            loader = _Loader(series, plan.staff, schools, on_rows)
            waves = [loader.load(w, data if w.index == 0 else None) for w in series.waves]
            load_acting(series, [w.wave for w in waves], schools)
        context = Path(tmp) / "phase-one.schools.csv"
        schools_frame(list(series.waves[0].schools)).to_csv(context, index=False)
        analysis = analyse_file(
            data,
            series.model.instrument,
            threshold=int(settings.MIN_GROUP_SIZE),
            context=read_context(context),
            rotation="promax",
        )
    return LoadedDemo(waves, list(schools.values()), trusts, analysis, series.changes)


def publish_demo(loaded: LoadedDemo) -> None:
    """Publish every wave's responses now (each wave's first publication takes them all).

    Computing a wave publishes it, and the figures over time of a later wave are stale once
    an earlier wave has a newer publication: published up front, the latest wave's figures
    stay current while the earlier waves are computed in the background."""
    for demo_wave in loaded.waves:
        for wave in (demo_wave.wave, demo_wave.staff_wave):
            if wave is not None:
                do_publish_wave(wave)


def _schools(planned: list[SynthSchool]) -> tuple[list[Trust], dict[str, School]]:
    """Every school of the series (and its trust), keyed by its synthetic name."""
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
            country="" if p.region == "International" else "England",
            fsm_pct=p.fsm_pct,
            eal_pct=p.eal_pct,
            send_pct=p.send_pct,
            pupils=p.pupils,
            inspection_rating=p.inspection_rating,
            research_opt_in=k % RESEARCH_OPT_IN_EVERY == 0,
        )
        for k, p in enumerate(planned)
    )
    return list(trusts.values()), {p.school: s for p, s in zip(planned, schools, strict=True)}


class _Loader:
    """Creates each wave of the series with its codes, responses and staff survey."""

    def __init__(
        self,
        series: SyntheticWaves,
        staff: StaffModel | None,
        schools: dict[str, School],
        on_rows: Rows | None,
    ) -> None:
        self.series, self.staff, self.schools = series, staff, schools
        self.seed = series.seed
        self.on_rows = on_rows
        # Seeded, so the same demo prints the same codes every time (a demo database only).
        self.code_rng = random.Random(self.seed)
        self.used_codes: set[str] = set()
        self.latest = series.waves[-1].index

    def load(self, planned: SyntheticWave, first_file: Path | None) -> DemoWave:
        """Create ``planned`` (and its staff survey); its responses are also written to
        ``first_file`` when given."""
        opens, closes = self._dates(planned)
        here = [self.schools[s.school] for s in planned.schools]
        pupils = self.series.model.instrument
        wave = _create_wave(
            f"Summer {planned.year} (synthetic demo)", pupils, planned, opens, closes
        )
        Participation.objects.bulk_create(Participation(wave=wave, school=s) for s in here)
        codes = self._codes(wave, here, "Whole school")
        stored = self._storer(wave, pupils, planned, "pupils", self.on_rows)
        tables = stored.tee(self.series.tables(planned))
        if first_file is not None:
            write_responses(first_file, tables)
        else:
            for _ in tables:
                pass
        if self.staff is None:
            return DemoWave(wave, None, codes, {}, stored.rows, 0, planned.label)
        staff_wave = _create_wave(
            f"Staff survey, summer {planned.year} (synthetic demo)",
            self.staff.instrument,
            planned,
            opens,
            closes,
            pupil_wave=wave,
        )
        staff_codes = self._codes(staff_wave, here, "Staff")
        staff_stored = self._storer(staff_wave, self.staff.instrument, planned, "staff", None)
        staff_stored.store(self.staff.wave_table(self.series, planned))
        return DemoWave(
            wave, staff_wave, codes, staff_codes, stored.rows, staff_stored.rows, planned.label
        )

    def _dates(self, planned: SyntheticWave) -> tuple[date, date]:
        opens = date(planned.year, *OPENS)
        closes = date(planned.year, *CLOSES)
        if planned.index == self.latest:
            closes = max(closes, timezone.localdate() + timedelta(days=30))
        return opens, closes

    def _storer(
        self,
        wave: Wave,
        instrument: Instrument,
        planned: SyntheticWave,
        kind: str,
        on_rows: Rows | None,
    ) -> Storer:
        # Answers arrive in the wave's first week (the hour is all a response keeps).
        hour = timezone.make_aware(datetime.combine(wave.opens + timedelta(days=2), time(10)))
        return Storer(
            wave,
            instrument,
            self.schools,
            keys=random.Random(f"{self.seed}-{planned.label}-{kind}"),
            hour=hour,
            on_rows=on_rows,
        )

    def _codes(self, wave: Wave, schools: list[School], label: str) -> dict[str, AccessCode]:
        codes = AccessCode.objects.bulk_create(
            AccessCode(wave=wave, school=school, code=self._new_code(), label=label)
            for school in schools
        )
        return {c.school.urn: c for c in codes}

    def _new_code(self) -> str:
        while True:
            code = "".join(self.code_rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code


def _create_wave(
    name: str,
    instrument: Instrument,
    planned: SyntheticWave,
    opens: date,
    closes: date,
    *,
    pupil_wave: Wave | None = None,
) -> Wave:
    return Wave.objects.create(
        name=name,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        opens=opens,
        closes=closes,
        season=planned.season,
        pupil_wave=pupil_wave,
    )
