"""`make demo` at small scale: the loader, the accounts and the command (never served here)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pyarrow as pa
import pytest
from django.core.management import get_commands

from learnsurvey.analysis.year_groups import PRIMARY, SECONDARY
from learnsurvey.web.accounts.models import Role, User
from learnsurvey.web.demo.accounts import create_demo_accounts
from learnsurvey.web.demo.management.commands.demo import focus_schools
from learnsurvey.web.demo.phase_one import LoadedWave, answer_strings, load_phase_one
from learnsurvey.web.demo.series import LoadedDemo, load_demo, plan_demo
from learnsurvey.web.improvement.models import Priority
from learnsurvey.web.pupil.survey import year_groups
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.actions import decode_answers
from learnsurvey.web.waves.models import (
    YEAR_GROUPS,
    AccessCode,
    Participation,
    Response,
    Wave,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(db: None) -> LoadedDemo:
    # 100 pupils a school: enough for a change of at most 0.6 SD to be clear, so some are
    # planted (docs/synthetic-data.md).
    return load_demo(plan_demo(n_responses=600, n_schools=6, seed=2021))


def test_it_stores_three_summer_waves_each_with_its_staff_survey(demo: LoadedDemo) -> None:
    assert [w.wave.opens.year for w in demo.waves] == [2021, 2022, 2023]
    assert all(w.wave.season == Wave.Season.SUMMER for w in demo.waves)
    assert demo.latest.wave.is_open()
    assert not demo.first.wave.is_open()
    for loaded in demo.waves:
        wave, staff = loaded.wave, loaded.staff_wave
        assert staff is not None
        assert (staff.instrument_id, staff.pupil_wave, staff.season) == (
            "staff-survey",
            wave,
            wave.season,
        )
        schools = set(Participation.objects.filter(wave=wave).values_list("school__urn", flat=True))
        assert schools == set(loaded.codes) == set(loaded.staff_codes)
        assert AccessCode.objects.filter(wave=staff, active=True).count() == len(schools)
        assert Response.objects.filter(wave=wave).count() == loaded.n_responses
        assert not Response.objects.filter(wave=wave).exclude(role="").exists()
        roles = set(Response.objects.filter(wave=staff).values_list("role", flat=True))
        assert roles == set(staff.instrument().demographics.role_ids)
        assert not Response.objects.filter(wave=staff).exclude(key_stage="", gender="").exists()
        assert loaded.n_staff == Response.objects.filter(wave=staff).count() >= 15 * len(schools)
    assert demo.first.n_responses == 600
    # A few schools leave and join: more schools in all than in any one wave.
    assert School.objects.count() == len(demo.schools) > 6
    assert demo.changes
    assert Response.objects.values("idempotency_key").distinct().count() == (
        Response.objects.count()
    )
    codes = AccessCode.objects.values_list("code", flat=True)
    assert len(set(codes)) == len(codes)
    # The core analysis saw the same responses as the first wave in the database.
    assert demo.analysis.statistics.n_rows == 600


def test_it_stores_answers_the_platform_reads(demo: LoadedDemo) -> None:
    for loaded in (demo.first, demo.latest):
        assert loaded.staff_wave is not None
        for wave in (loaded.wave, loaded.staff_wave):
            instrument = wave.instrument()
            for response in Response.objects.filter(wave=wave)[:30]:
                answers = decode_answers(instrument, response.answers)
                assert list(answers) == list(instrument.item_ids)
                assert response.submitted_hour.date() >= wave.opens
                assert response.source == Response.Source.IMPORT
    pupil = Response.objects.filter(wave=demo.first.wave).first()
    assert pupil is not None
    instrument = demo.first.wave.instrument()
    assert pupil.key_stage in instrument.demographics.key_stages
    assert pupil.gender in instrument.demographics.genders


def test_it_stores_only_year_groups_the_survey_would_take(demo: LoadedDemo) -> None:
    # The survey offers and accepts only the years of the school's phase (the same rule
    # the generator follows); every synthetic pupil of every wave is one it would take.
    assert (School.Phase.PRIMARY, School.Phase.SECONDARY) == (PRIMARY, SECONDARY)
    assert {School.Phase.PRIMARY, School.Phase.SECONDARY} <= {s.phase for s in demo.schools}
    for loaded in demo.waves:
        instrument = loaded.wave.instrument()
        offered = {phase: dict(year_groups(instrument, phase)) for phase in School.Phase.values}
        pupils = Response.objects.filter(wave=loaded.wave)
        rows = list(pupils.values_list("school__phase", "year_group", "key_stage"))
        assert len(rows) == loaded.n_responses
        wrong = [r for r in rows if r[1] not in offered[r[0]] or r[2] != YEAR_GROUPS[r[1]]]
        assert not wrong, wrong[:5]
        assert loaded.staff_wave is not None
        staff = Response.objects.filter(wave=loaded.staff_wave)
        assert not staff.filter(year_group__isnull=False).exists()


def test_it_gives_clearwater_infant_and_junior_school_no_key_stage_3_or_4_pupil(
    db: None,
) -> None:
    # The tester's primary school, in the full Phase One wave as `make demo` loads it.
    load_phase_one()
    clearwater = School.objects.get(name="Clearwater Infant and Junior School")
    assert clearwater.phase == School.Phase.PRIMARY
    pupils = Response.objects.filter(school=clearwater)
    assert pupils.count() > 100
    assert set(pupils.values_list("key_stage", flat=True)) == {"KS1", "KS2"}
    assert set(pupils.values_list("year_group", flat=True)) == set(range(1, 7))


def test_it_loads_the_phase_one_wave_alone(db: None) -> None:
    loaded = load_phase_one(n_responses=200, n_schools=4, seed=2021)
    assert isinstance(loaded, LoadedWave)
    assert loaded.wave.is_open()
    assert Wave.objects.count() == 1
    assert loaded.n_responses == Response.objects.count() == 200
    assert len(loaded.codes) == School.objects.count() == 4
    assert Trust.objects.exists()
    assert not School.objects.filter(fsm_pct__isnull=True).exists()


def test_it_loads_the_same_data_for_the_same_seed(db: None) -> None:
    def load() -> tuple[list[str], list[str]]:
        first = load_demo(plan_demo(n_responses=120, n_schools=3, seed=7, n_waves=2))
        answers = list(Response.objects.order_by("pk").values_list("answers", flat=True))
        return answers, sorted(c.code for w in first.waves for c in w.codes.values())

    answers, codes = load()
    Response.objects.all().delete()
    AccessCode.objects.all().delete()
    Participation.objects.all().delete()
    Priority.objects.all().delete()  # they protect their baseline waves
    Wave.objects.all().delete()
    School.objects.all().delete()
    Trust.objects.all().delete()
    assert load() == (answers, codes)


def test_it_creates_an_account_for_every_role(demo: LoadedDemo) -> None:
    prefer = focus_schools(demo)
    accounts = create_demo_accounts("a demo password", prefer=prefer)
    by_role = {a.user.role: a.user for a in accounts.accounts}
    assert set(by_role) == set(Role.values)
    assert by_role[Role.PLATFORM_ADMIN].is_superuser
    assert by_role[Role.TRUST_LEADER].trust == accounts.trust
    assert accounts.school.trust == accounts.trust
    assert by_role[Role.SCHOOL_LEADER].school == by_role[Role.TEACHER].school == accounts.school
    assert accounts.school.responses.exists()
    if School.objects.filter(urn__in=prefer, trust__isnull=False).exists():
        assert accounts.school.urn in prefer  # a school whose change the pages show
    assert all(u.check_password("a demo password") for u in User.objects.all())


def test_it_prefers_a_school_that_improved_in_every_wave(demo: LoadedDemo) -> None:
    for urn in focus_schools(demo):
        assert all(urn in w.codes for w in demo.waves)
        assert urn in demo.changed_urns("up")


def test_it_encodes_answers_one_character_per_item() -> None:
    table = pa.table({"a": pa.array([1, None], pa.int8()), "b": pa.array([5, 3], pa.int8())})
    assert answer_strings(table, ["a", "b"]) == ["15", "-3"]


def _demo(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    # The data folder does not exist yet, as in a fresh clone (var/ is not in git).
    environ |= {"LEARNSURVEY_DATA_DIR": str(tmp_path / "var"), "COLUMNS": "120", **env}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "demo", "--no-serve", *args],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _count(db: sqlite3.Connection, sql: str) -> int:
    return int(db.execute(sql).fetchone()[0])


def test_it_runs_the_demo_command_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    # Two waves (the default is three) keep it short: the latest is computed before "Ready",
    # the earlier one after it (served, in a background process; here, in the command).
    done = _demo(tmp_path, "--responses", "300", "--schools", "5", "--waves", "2")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Published Phase One figures reproduced" in out
    assert "school-leader" in out
    assert "Planted changes:" in out
    # The latest wave (the third: each pupil wave is followed by its staff survey).
    assert "/dashboards/waves/3/schools/" in out
    assert "Staff survey:" in out
    assert "Every wave computed" in out
    database = tmp_path / "var" / "learnsurvey.sqlite3"
    with closing(sqlite3.connect(database)) as db:
        assert _count(db, "select count(*) from waves_wave") == 4
        assert _count(db, "select count(*) from waves_wave where pupil_wave_id is not null") == 2
        assert _count(db, "select count(*) from waves_waveresult") == 2  # the pupil waves
        assert _count(db, "select count(*) from accounts_user") == 5
    assert "(wave 1)" in out
    # A second run recreates the database rather than adding to it.
    again = _demo(tmp_path, "--responses", "300", "--schools", "5", "--waves", "1", "--no-staff")
    assert again.returncode == 0, again.stderr
    with closing(sqlite3.connect(database)) as db:
        assert _count(db, "select count(*) from waves_response") == 300
        assert _count(db, "select count(*) from waves_wave") == 1
        assert _count(db, "select count(*) from accounts_user") == 5


def test_it_refuses_to_wipe_another_database(tmp_path: Path) -> None:
    done = _demo(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:9/absent")
    assert done.returncode != 0
    assert "--reset-database" in done.stderr


def test_the_command_is_registered() -> None:
    assert get_commands()["demo"] == "learnsurvey.web.demo"
    assert get_commands()["demo_compute"] == "learnsurvey.web.demo"
