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

from learnsurvey.web.accounts.models import Role, User
from learnsurvey.web.demo.accounts import create_demo_accounts
from learnsurvey.web.demo.management.commands.demo import compute_results
from learnsurvey.web.demo.phase_one import LoadedWave, answer_strings, load_phase_one
from learnsurvey.web.schools.models import School, Trust
from learnsurvey.web.waves.actions import decode_answers
from learnsurvey.web.waves.models import AccessCode, Participation, Response, WaveResult

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def loaded(db: None) -> LoadedWave:
    return load_phase_one(n_responses=400, n_schools=6, seed=2021)


def test_it_stores_the_synthetic_wave(loaded: LoadedWave) -> None:
    wave = loaded.wave
    assert wave.is_open()
    assert loaded.n_responses == Response.objects.filter(wave=wave).count() == 400
    assert School.objects.count() == Participation.objects.filter(wave=wave).count() == 6
    assert AccessCode.objects.filter(wave=wave, active=True).count() == 6
    assert Trust.objects.exists()
    assert School.objects.filter(research_opt_in=True).exists()
    assert not School.objects.filter(fsm_pct__isnull=True).exists()
    instrument = wave.instrument()
    for response in Response.objects.all()[:50]:
        answers = decode_answers(instrument, response.answers)
        assert list(answers) == list(instrument.item_ids)
        assert response.key_stage in instrument.demographics.key_stages
        assert response.gender in instrument.demographics.genders
    assert Response.objects.values("idempotency_key").distinct().count() == 400
    # The core analysis saw the same responses the database holds.
    assert loaded.analysis.statistics.n_rows == 400


def test_it_loads_the_same_data_for_the_same_seed(db: None) -> None:
    first = load_phase_one(n_responses=120, n_schools=3, seed=7)
    answers = list(Response.objects.order_by("pk").values_list("answers", flat=True))
    codes = sorted(first.codes[urn].code for urn in first.codes)
    Response.objects.all().delete()
    AccessCode.objects.all().delete()
    Participation.objects.all().delete()
    first.wave.delete()
    School.objects.all().delete()
    Trust.objects.all().delete()
    second = load_phase_one(n_responses=120, n_schools=3, seed=7)
    assert list(Response.objects.order_by("pk").values_list("answers", flat=True)) == answers
    assert sorted(second.codes[urn].code for urn in second.codes) == codes


def test_it_creates_an_account_for_every_role(loaded: LoadedWave) -> None:
    accounts = create_demo_accounts("a demo password")
    by_role = {a.user.role: a.user for a in accounts.accounts}
    assert set(by_role) == set(Role.values)
    assert by_role[Role.PLATFORM_ADMIN].is_superuser
    assert by_role[Role.TRUST_LEADER].trust == accounts.trust
    assert accounts.school.trust == accounts.trust
    assert by_role[Role.SCHOOL_LEADER].school == by_role[Role.TEACHER].school == accounts.school
    assert accounts.school.responses.exists()
    assert all(u.check_password("a demo password") for u in User.objects.all())


def test_it_computes_the_wave_result(loaded: LoadedWave) -> None:
    if "compute_results" not in get_commands():
        pytest.fail("the dashboards app has no compute_results command")
    assert compute_results(loaded)
    result = WaveResult.objects.get(wave=loaded.wave)
    assert result.n_responses == 400


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


def test_it_runs_the_demo_command_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    for _ in range(2):  # the second run recreates the database rather than adding to it
        done = _demo(tmp_path, "--responses", "300", "--schools", "5")
        assert done.returncode == 0, done.stderr
    assert "Published Phase One figures reproduced" in done.stdout
    assert "school-leader" in done.stdout
    assert "/dashboards/waves/1/schools/" in done.stdout
    with closing(sqlite3.connect(tmp_path / "var" / "learnsurvey.sqlite3")) as db:
        assert db.execute("select count(*) from waves_response").fetchone() == (300,)
        assert db.execute("select count(*) from waves_wave").fetchone() == (1,)
        assert db.execute("select count(*) from accounts_user").fetchone() == (5,)


def test_it_refuses_to_wipe_another_database(tmp_path: Path) -> None:
    done = _demo(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:9/absent")
    assert done.returncode != 0
    assert "--reset-database" in done.stderr


def test_the_command_is_registered() -> None:
    assert get_commands()["demo"] == "learnsurvey.web.demo"
