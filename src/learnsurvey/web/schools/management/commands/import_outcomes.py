"""``manage.py import_outcomes FILE``: schools' context by year, or their outcome measures,
from a CSV (docs/outcomes-import.md), all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from learnsurvey.web.schools.imports import do_import_outcomes
from learnsurvey.web.waves.management.csv_file import import_csv_file


class Command(BaseCommand):
    help = (
        "Import schools' context by year (urn, year, fsm_pct...) or outcome measures (urn, "
        "year, measure, unit, value) from a CSV; nothing is written if a row is bad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        result = import_csv_file(path, do_import_outcomes)
        what = "outcome value(s)" if result.kind == "outcomes" else "school year(s) of context"
        line = (
            f"{path}: {result.created} {what} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
        if result.kind == "context":
            line += f"; {result.schools_updated} school(s) given a new current context"
        self.stdout.write(line)
