"""``manage.py import_schools FILE``: create or update schools from a CSV, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from learnsurvey.web.waves.imports import ImportRejected, do_import_schools


class Command(BaseCommand):
    help = "Import schools from a CSV (docs/data-format.md); nothing is written if a row is bad."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        try:
            result = do_import_schools(text)
        except ImportRejected as rejected:
            raise CommandError(f"{path}: {rejected}") from None
        self.stdout.write(
            f"{path}: {result.created} school(s) created, {result.updated} updated, "
            f"{result.trusts_created} new trust(s)"
        )
