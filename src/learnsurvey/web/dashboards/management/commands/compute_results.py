"""``manage.py compute_results [--wave ID]``: compute the dashboards' results of waves now."""

from __future__ import annotations

import time
from functools import partial
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from learnsurvey._progress import bar_progress
from learnsurvey.web.dashboards.compute import compute_wave_result
from learnsurvey.web.waves.models import Response, Wave


class Command(BaseCommand):
    help = "Compute the dashboards' results of every wave (or one) from the stored responses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wave", type=int, help="the id of one wave (default: every wave)")

    def handle(self, *args: Any, **options: Any) -> None:
        waves = Wave.objects.order_by("pk")
        if options["wave"] is not None:
            waves = waves.filter(pk=options["wave"])
            if not waves.exists():
                raise CommandError(f"no wave with id {options['wave']}")
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        with bar_progress(console) as progress:
            for wave in waves:
                total = Response.objects.filter(wave=wave).count()
                bar = progress.add_task(wave.name, total=total)
                started = time.perf_counter()
                result = compute_wave_result(wave, progress=partial(progress.advance, bar))
                progress.remove_task(bar)
                console.print(
                    f"{wave.name} (wave {wave.pk}): {result.n_responses} responses, "
                    f"{time.perf_counter() - started:.1f} s"
                )
