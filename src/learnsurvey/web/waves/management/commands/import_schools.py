"""``manage.py import_schools FILE``: create or update schools from a CSV, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from learnsurvey.web.waves.imports import do_import_schools
from learnsurvey.web.waves.management.csv_file import import_csv_file


class Command(BaseCommand):
    help = "Import schools from a CSV (docs/data-format.md); nothing is written if a row is bad."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        result = import_csv_file(path, do_import_schools)
        self.stdout.write(
            f"{path}: {result.created} school(s) created, {result.updated} updated, "
            f"{result.trusts_created} new trust(s)"
        )
