"""``manage.py demo``: a fresh demo site with the synthetic Phase One wave, then serve it.

What ``make demo`` runs. The SQLite database is deleted and recreated each time, so every run
shows the same data (seed 2021), the same access codes and the same accounts.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.urls import Resolver404, resolve
from rich.console import Console
from rich.table import Table

from learnsurvey._progress import bar_progress
from learnsurvey.synth.targets import compare_with_targets
from learnsurvey.web.demo.accounts import DEMO_PASSWORD, DemoAccounts, create_demo_accounts
from learnsurvey.web.demo.phase_one import (
    PHASE_ONE_RESPONSES,
    PHASE_ONE_SCHOOLS,
    PHASE_ONE_SEED,
    LoadedWave,
    load_phase_one,
)


class Command(BaseCommand):
    help = "Recreate the demo database with the synthetic Phase One wave and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--responses", type=int, default=PHASE_ONE_RESPONSES)
        parser.add_argument("--schools", type=int, default=PHASE_ONE_SCHOOLS)
        parser.add_argument("--seed", type=int, default=PHASE_ONE_SEED)
        parser.add_argument("--password", default=DEMO_PASSWORD, help="for every demo account")
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", "8000")), help="[env PORT]"
        )
        parser.add_argument("--no-serve", action="store_true", help="load, print, and stop")
        parser.add_argument(
            "--reset-database",
            action="store_true",
            help="allow wiping a non-SQLite DATABASE_URL (SQLite is always recreated)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(highlight=False)
        started = time.perf_counter()
        with console.status("Creating a fresh database"):
            recreate_database(reset_other=options["reset_database"])
        loaded = load_with_progress(console, options)
        with console.status("Creating the demo accounts"):
            accounts = create_demo_accounts(options["password"])
        with console.status("Computing the wave's results for the dashboards"):
            computed = compute_results(loaded)
        print_headline(console, loaded, computed)
        print_where_to_click(console, loaded, accounts, options["port"])
        console.print(f"Ready in {time.perf_counter() - started:.0f} s.")
        if not options["no_serve"]:
            serve(console, options["port"])


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


def load_with_progress(console: Console, options: dict[str, Any]) -> LoadedWave:
    with bar_progress(console) as progress:
        task = progress.add_task("Storing synthetic responses", total=options["responses"])
        return load_phase_one(
            n_responses=options["responses"],
            n_schools=options["schools"],
            seed=options["seed"],
            on_rows=lambda n: progress.advance(task, n),
        )


def compute_results(loaded: LoadedWave) -> bool:
    """Cache the wave's tables as the dashboards read them; False if that app is not there."""
    try:
        call_command("compute_results", "--wave", str(loaded.wave.pk), verbosity=0)
    except CommandError as exc:
        if "Unknown command" not in str(exc):
            raise
        return False
    return True


def print_headline(console: Console, loaded: LoadedWave, computed: bool) -> None:
    report = compare_with_targets(loaded.analysis.tables)
    n_trusts = len(loaded.trusts)
    standalone = sum(1 for s in loaded.schools if s.trust_id is None)
    console.rule("[bold]learnsurvey demo[/]")
    console.print(
        f"{loaded.n_responses:,} synthetic responses from {len(loaded.schools)} schools "
        f"({n_trusts} trusts, {standalone} standalone schools) in the wave "
        f"[bold]{loaded.wave.name}[/], open until {loaded.wave.closes:%-d %B %Y}."
    )
    console.print(
        f"Published Phase One figures reproduced within tolerance: [bold]"
        f"{int(report['ok'].sum())} of {len(report)}[/] "
        "(`learnsurvey demo` prints them all; docs/synthetic-data.md lists the checks)."
    )
    if not computed:
        console.print("[yellow]The dashboards app has no compute_results command yet.[/]")


def print_where_to_click(
    console: Console, loaded: LoadedWave, accounts: DemoAccounts, port: int
) -> None:
    root = f"http://127.0.0.1:{port}"
    code = loaded.codes[accounts.school.urn]
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
    console.print(f"School dashboard: {root}{dashboard_path(loaded, accounts)}")
    console.print(f"School report:    {root}{report_path(loaded, accounts)}  (web, and the PDF)")
    console.print(f"Pupil survey:     {root}{pupil_path(code.code)}  (access code {code.display})")
    console.print(f"Admin:            {root}/admin/  (as admin)")


def dashboard_path(loaded: LoadedWave, accounts: DemoAccounts) -> str:
    return f"/dashboards/waves/{loaded.wave.pk}/schools/{accounts.school.urn}/"


def report_path(loaded: LoadedWave, accounts: DemoAccounts) -> str:
    return f"/reports/waves/{loaded.wave.pk}/schools/{accounts.school.urn}/"


def pupil_path(code: str) -> str:
    """The pupil's link with the code in it, if the pupil app has one; else its start page."""
    path = f"/s/{code}/"
    try:
        resolve(path)
    except Resolver404:
        return "/"
    return path


def serve(console: Console, port: int) -> None:
    """Replace this process with gunicorn (static files come from whitenoise)."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    argv = [
        gunicorn,
        "learnsurvey.web.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        # No access log (gunicorn's default): it would record pupils' IP addresses.
        "--log-level",
        "warning",
    ]
    # Static files come from the apps through whitenoise's finders; an empty STATIC_ROOT
    # only spares the "no directory" warning (there is nothing to collect for a demo).
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    console.print(f"Serving on http://127.0.0.1:{port} (Ctrl+C stops it).")
    sys.stdout.flush()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnsurvey.web.settings")
    os.execv(gunicorn, argv)
