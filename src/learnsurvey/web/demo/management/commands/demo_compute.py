"""``manage.py demo_compute ID [ID ...]``: compute the results of the given waves, in order.

What ``manage.py demo`` starts in the background for the earlier waves once the latest
wave's results are ready, so the demo serves without waiting for them (a page of a wave not
computed yet computes it itself, as after any new responses).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from learnsurvey.web.dashboards.compute import compute_wave_result, is_stale, stored_result
from learnsurvey.web.waves.models import Wave


class Command(BaseCommand):
    help = "Compute the dashboards' results of the given waves, one after another."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("waves", nargs="+", type=int, help="wave ids, in this order")

    def handle(self, *args: Any, **options: Any) -> None:
        for pk in options["waves"]:
            wave = Wave.objects.filter(pk=pk).first()
            if wave is None:
                self.stderr.write(f"no wave with id {pk}")
                continue
            existing = stored_result(wave)
            if existing is not None and not is_stale(existing):
                continue  # a page asked for it first
            started = time.perf_counter()
            result = compute_wave_result(wave)
            self.stdout.write(
                f"{wave.name} (wave {pk}): {result.n_responses} responses, "
                f"{time.perf_counter() - started:.1f} s"
            )
