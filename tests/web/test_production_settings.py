"""Production settings (LEARNSURVEY_PRODUCTION=1): no start without a real SECRET_KEY or with
DEBUG on; with one, Django's deployment checks are clean (HTTPS, HSTS, Secure cookies)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process: not a deployment's.
        if k
        not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not k.startswith("SECURE_")
    }
    full = clean | {"LEARNSURVEY_DATA_DIR": str(tmp_path), "LEARNSURVEY_PRODUCTION": "1"} | env
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    done = _check(tmp_path)
    assert done.returncode != 0
    assert "set SECRET_KEY to a random value of at least 50 characters" in done.stderr


def test_it_refuses_a_short_or_development_key_and_debug(tmp_path: Path) -> None:
    assert "SECRET_KEY" in _check(tmp_path, SECRET_KEY="short").stderr
    development = "insecure-development-key-change-me-" + "x" * 40
    assert "SECRET_KEY" in _check(tmp_path, SECRET_KEY=development).stderr
    debug = _check(tmp_path, SECRET_KEY=secrets.token_urlsafe(64), DEBUG="1")
    assert "DEBUG must be off" in debug.stderr


def test_the_deployment_checks_are_clean_with_a_real_key(tmp_path: Path) -> None:
    done = _check(tmp_path, SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="survey.example")
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout
