"""Background work of the dashboards: recomputing a wave's results when responses arrive."""

from __future__ import annotations

from django.tasks import task

from learnsurvey.web.waves.models import Wave

from .compute import compute_wave_result, is_stale, stored_result


@task
def recompute_wave_result(wave_id: int) -> int:
    """Recompute the wave's results unless another run already caught up; returns the
    number of responses the stored result covers."""
    wave = Wave.objects.get(pk=wave_id)
    existing = stored_result(wave)
    if existing is not None and not is_stale(existing):
        return existing.n_responses
    return compute_wave_result(wave).n_responses
