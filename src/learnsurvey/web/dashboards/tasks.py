"""Background work of the dashboards: recomputing a wave's results when responses arrive."""

from __future__ import annotations

from django.tasks import task

from learnsurvey.web.waves.models import Wave, WaveResult


@task
def recompute_wave_result(wave_id: int) -> int:
    """Recompute the wave's results unless another run already caught up; returns the
    number of responses the stored result covers."""
    from .results import compute_wave_result, is_stale

    wave = Wave.objects.get(pk=wave_id)
    existing = WaveResult.objects.filter(wave=wave).defer("payload").first()
    if existing is not None and not is_stale(existing):
        return existing.n_responses
    return compute_wave_result(wave).n_responses
