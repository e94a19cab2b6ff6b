"""``manage.py import_responses --wave ID FILE``: add responses collected elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from learnsurvey.web.waves.imports import ImportRejected, do_import_responses
from learnsurvey.web.waves.models import Wave


class Command(BaseCommand):
    help = (
        "Import a response file (CSV, XLSX or Parquet) into a wave; nothing is written if any "
        "row is bad, and importing the same file twice adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wave", type=int, required=True, help="the wave's id")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        wave = Wave.objects.filter(pk=options["wave"]).first()
        if wave is None:
            raise CommandError(f"no wave with id {options['wave']}")
        try:
            result = do_import_responses(wave, path)
        except ImportRejected as rejected:
            raise CommandError(f"{path}: {rejected}") from None
        if result.already_imported:
            self.stdout.write(f"{path}: already imported into {wave.name}; nothing was added")
        else:
            self.stdout.write(f"{path}: {result.created} response(s) imported into {wave.name}")
