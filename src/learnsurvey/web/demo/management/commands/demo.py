"""``manage.py demo``: a fresh demo site with three synthetic summer waves, then serve it.

What ``make demo`` runs. The SQLite database is deleted and recreated each time, so every run
shows the same data (seed 2021: the calibrated Phase One wave of 2021, then 2022 and 2023
with churn and planted changes, each with its staff survey), the same access codes and the
same accounts. The latest wave's results are computed before the site is served; beside the
web server runs the task queue's worker (``manage.py db_worker``), which computes the
earlier waves' results and builds the reports' web pages meanwhile, and every recompute
after it (with ``LEARNSURVEY_TASKS=immediate``, a background ``demo_compute`` instead).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from rich.console import Console
from rich.table import Table

from learnsurvey._progress import bar_progress
from learnsurvey.synth.targets import compare_with_targets
from learnsurvey.web.demo.accounts import DEMO_PASSWORD, DemoAccounts, create_demo_accounts
from learnsurvey.web.demo.series import (
    DEMO_WAVES,
    PHASE_ONE_RESPONSES,
    PHASE_ONE_SCHOOLS,
    PHASE_ONE_SEED,
    LoadedDemo,
    load_demo,
    plan_demo,
    publish_demo,
)
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import Wave

BACKGROUND_LOG = "demo-compute.log"
"""The background computation's output, in the data folder beside the database."""


class Command(BaseCommand):
    help = "Recreate the demo database with three synthetic waves and their staff, and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--responses", type=int, default=PHASE_ONE_RESPONSES)
        parser.add_argument("--schools", type=int, default=PHASE_ONE_SCHOOLS)
        parser.add_argument("--seed", type=int, default=PHASE_ONE_SEED)
        parser.add_argument(
            "--waves", type=int, default=DEMO_WAVES, help="summer waves from 2021, one a year"
        )
        parser.add_argument("--no-staff", action="store_true", help="leave out the staff surveys")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="for every demo account")
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", "8000")), help="[env PORT]"
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="load, print, compute the earlier waves here, and stop",
        )
        parser.add_argument(
            "--reset-database",
            action="store_true",
            help="allow wiping a non-SQLite DATABASE_URL (SQLite is always recreated)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["waves"] < 1:
            raise CommandError("--waves must be at least 1")
        console = Console(highlight=False)
        started = time.perf_counter()
        with console.status("Creating a fresh database"):
            recreate_database(reset_other=options["reset_database"])
        loaded = load_with_progress(console, options)
        with console.status("Creating the demo accounts"):
            accounts = create_demo_accounts(
                options["password"], prefer=focus_schools(loaded), among=set(loaded.latest.codes)
            )
        with console.status("Publishing the waves' responses"):
            publish_demo(loaded)
        with console.status("Computing the latest wave's results for the dashboards"):
            computed = compute_results(loaded.latest.wave)
        earlier = newest_first([w.wave for w in loaded.waves[:-1]])
        serving = not options["no_serve"]
        background = None
        if serving and settings.TASK_BACKEND == "database":
            # The queue's worker computes the earlier waves, then builds the report pages.
            queue_demo_work(loaded.latest.wave, earlier)
            background = start_worker()
        elif serving:
            background = compute_in_background(earlier)
        print_headline(console, loaded, computed)
        print_where_to_click(console, loaded, accounts, options["port"])
        console.print(f"Ready in {time.perf_counter() - started:.0f} s.")
        if background is not None:
            console.print(
                f"The earlier waves' results and the reports' pages are being computed in "
                f"the background (log: {background_log()}); a page not ready yet says so "
                "and shows them when they are."
            )
        if serving:
            serve(console, options["port"])
            return
        # Nobody is served: the earlier waves are computed here, and then it stops.
        if earlier:
            with console.status("Computing the earlier waves' results"):
                call_command("demo_compute", *(str(w.pk) for w in earlier), stdout=self.stdout)
        console.print(f"Every wave computed in {time.perf_counter() - started:.0f} s.")


def recreate_database(*, reset_other: bool) -> None:
    """Delete the SQLite file (and its WAL files) and migrate; flush any other database only
    when asked to, since it may hold real data."""
    db = settings.DATABASES["default"]
    sqlite = db["ENGINE"].endswith("sqlite3")
    if not sqlite and not reset_other:
        raise CommandError(
            "DATABASE_URL is not SQLite: the demo wipes the database it loads into; "
            "pass --reset-database if that is really what you want"
        )
    connections.close_all()
    if sqlite:
        path = Path(db["NAME"])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    if not sqlite:
        call_command("flush", verbosity=0, interactive=False)


def load_with_progress(console: Console, options: dict[str, Any]) -> LoadedDemo:
    plan = plan_demo(
        n_responses=options["responses"],
        n_schools=options["schools"],
        seed=options["seed"],
        n_waves=options["waves"],
        staff=not options["no_staff"],
    )
    with bar_progress(console) as progress:
        task = progress.add_task("Storing synthetic responses", total=plan.n_responses)
        return load_demo(plan, on_rows=lambda n: progress.advance(task, n))


def focus_schools(loaded: LoadedDemo) -> set[str]:
    """The schools the demo accounts may look at: in every wave, in a trust, with a planted
    improvement in the latest wave (so the Over time page shows a clear change) or, failing
    that, in any wave."""
    everywhere = set.intersection(*(set(w.codes) for w in loaded.waves))
    in_trust = set(School.objects.filter(trust__isnull=False).values_list("urn", flat=True))
    latest = loaded.changed_urns("up", wave=loaded.latest.label) & everywhere & in_trust
    return latest or loaded.changed_urns("up") & everywhere & in_trust


def compute_results(wave: Wave) -> bool:
    """Cache the wave's tables as the dashboards read them; False if that app is not there."""
    try:
        call_command("compute_results", "--wave", str(wave.pk), verbosity=0)
    except CommandError as exc:
        if "Unknown command" not in str(exc):
            raise
        return False
    return True


def background_log() -> Path:
    return Path(settings.DATA_DIR) / BACKGROUND_LOG


def newest_first(waves: list[Wave]) -> list[Wave]:
    return sorted(waves, key=lambda w: w.opens, reverse=True)


def compute_in_background(waves: list[Wave]) -> subprocess.Popen[bytes] | None:
    """Start ``manage.py demo_compute`` for ``waves`` (in that order) in a child process,
    which outlives this one's replacement by the web server and, in the same process group,
    stops with it on Ctrl+C; None when there is no wave to compute."""
    if not waves:
        return None
    ids = [str(w.pk) for w in waves]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    with background_log().open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "django", "demo_compute", *ids],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )


def queue_demo_work(latest: Wave, earlier: list[Wave]) -> None:
    """Queue the worker's first jobs: the latest wave's report pages (its figures are
    computed already), then each earlier wave's figures, newest first (each builds its own
    report pages when done)."""
    from learnsurvey.web.dashboards.tasks import request_recompute
    from learnsurvey.web.reports.pages import request_report_pages

    request_report_pages(latest)
    for wave in earlier:
        request_recompute(wave.pk)


def start_worker() -> subprocess.Popen[bytes]:
    """Start the task queue's worker (``manage.py db_worker``) in a child process, which
    outlives this one's replacement by the web server and, in the same process group, stops
    with it on Ctrl+C."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    with background_log().open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "django", "db_worker", "--interval", "1", "--verbosity", "1"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )


def print_headline(console: Console, loaded: LoadedDemo, computed: bool) -> None:
    report = compare_with_targets(loaded.analysis.tables)
    n_trusts = len(loaded.trusts)
    standalone = sum(1 for s in loaded.schools if s.trust_id is None)
    latest = loaded.latest.wave
    console.rule("[bold]learnsurvey demo[/]")
    waves = ", ".join(
        f"{w.wave.name} ({w.n_responses:,} pupils, {w.n_staff:,} staff)" for w in loaded.waves
    )
    console.print(
        f"{len(loaded.waves)} synthetic waves from {len(loaded.schools)} schools "
        f"({n_trusts} trusts, {standalone} standalone schools): {waves}. "
        f"[bold]{latest.name}[/] is open until {latest.closes:%-d %B %Y}."
    )
    up, down = len(loaded.changed_urns("up")), len(loaded.changed_urns("down"))
    console.print(
        f"Planted changes: {up} schools improve clearly and {down} decline "
        '(docs/synthetic-data.md, "Waves over time").'
    )
    console.print(
        f"Published Phase One figures reproduced by the 2021 wave within tolerance: [bold]"
        f"{int(report['ok'].sum())} of {len(report)}[/] "
        "(`learnsurvey demo` prints them all; docs/synthetic-data.md lists the checks)."
    )
    if not computed:
        console.print("[yellow]The dashboards app has no compute_results command yet.[/]")


def print_where_to_click(
    console: Console, loaded: LoadedDemo, accounts: DemoAccounts, port: int
) -> None:
    root = f"http://127.0.0.1:{port}"
    latest = loaded.latest
    urn = accounts.school.urn
    code = latest.codes[urn]
    password = accounts.accounts[0].password
    table = Table(
        title=f"Sign in at {root}/accounts/login/ (every password: {password})",
        title_justify="left",
    )
    for column in ("Username", "Role", "Sees"):
        table.add_column(column, no_wrap=column == "Username")
    for account in accounts.accounts:
        table.add_row(account.user.username, account.user.get_role_display(), account.scope)
    console.print(table)
    wave, trust = latest.wave.pk, accounts.trust.pk
    pages = {
        "School dashboard": dashboard_path(latest.wave, urn) + "  (pupils, staff and leaders)",
        "Over time": over_time_path("school", wave_id=wave, urn=urn),
        "Trust dashboard": f"/dashboards/waves/{wave}/trusts/{trust}/#staff  (as trust-leader)",
        "Trust over time": over_time_path("trust", wave_id=wave, trust_id=trust),
        "School report": report_path(latest.wave, urn) + "  (web, and the PDF)",
        "Pupil survey": f"{pupil_path(code.code)}  (access code {code.display})",
    }
    staff_code = latest.staff_codes.get(urn)
    if staff_code is not None:
        pages["Staff survey"] = f"{pupil_path(staff_code.code)}  (access code {staff_code.display})"
    pages["Admin"] = "/admin/  (as admin)"
    width = max(len(k) for k in pages) + 2
    for label, path in pages.items():
        shown = f"{root}{path}" if path is not None else "(this page is not built yet)"
        console.print(f"{label + ':':<{width}}{shown}")


def dashboard_path(wave: Wave, urn: str) -> str:
    return f"/dashboards/waves/{wave.pk}/schools/{urn}/"


def report_path(wave: Wave, urn: str) -> str:
    return f"/reports/waves/{wave.pk}/schools/{urn}/"


OVER_TIME_NAMES = {
    "school": ("dashboards:school_over_time", "dashboards:over_time"),
    "trust": ("dashboards:trust_over_time",),
}
"""The URL names the Over time pages may have (the first that resolves is printed)."""


def over_time_path(kind: str, **kwargs: int | str) -> str | None:
    """The Over time page of a school or trust: the first of :data:`OVER_TIME_NAMES` that
    reverses with the wave and the school or trust, or with the school or trust alone."""
    alone = {k: v for k, v in kwargs.items() if k != "wave_id"}
    for name in OVER_TIME_NAMES[kind]:
        for given in (kwargs, alone):
            path = _reverse(name, given)
            if path is not None:
                return path
    return None


def _reverse(name: str, kwargs: Mapping[str, int | str]) -> str | None:
    try:
        return reverse(name, kwargs=dict(kwargs))
    except NoReverseMatch:
        return None


def pupil_path(code: str) -> str:
    """The pupil's link with the code in it, if the pupil app has one; else its start page."""
    path = f"/s/{code}/"
    try:
        resolve(path)
    except Resolver404:
        return "/"
    return path


def serve(console: Console, port: int) -> None:
    """Replace this process with gunicorn, configured as a deployment is
    (``learnsurvey.web.serving``: its workers, threads, keep-alive and no access log);
    static files come from whitenoise."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    argv = [
        gunicorn,
        "-c",
        "python:learnsurvey.web.serving",
        "learnsurvey.web.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    # Static files come from the apps through whitenoise's finders; an empty STATIC_ROOT
    # only spares the "no directory" warning (there is nothing to collect for a demo).
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    console.print(f"Serving on http://127.0.0.1:{port} (Ctrl+C stops it).")
    sys.stdout.flush()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnsurvey.web.settings")
    os.execv(gunicorn, argv)
