"""Background work of the dashboards: recomputing a wave's results when responses arrive.

The pages never wait for it (:func:`request_recompute`): they show the figures last computed
and when, and a worker (``manage.py db_worker``) brings them up to date. A wave has at most
one recompute waiting or running: the mark that says so lives in the cache every process
shares, and expires on its own if a worker dies mid-task.
"""

from __future__ import annotations

from django.core.cache import caches
from django.tasks import task

from learnsurvey.web.waves.models import Wave

from .compute import compute_wave_result, is_stale, stored_result

__all__ = ["is_recomputing", "recompute_wave_result", "request_recompute"]

PENDING_SECONDS = 30 * 60
"""How long a wave counts as being recomputed without its task finishing: longer than the
biggest wave's pass, short enough that a worker killed mid-task does not stop the next."""


def _pending_key(wave_id: int) -> str:
    return f"learnsurvey:recompute:{wave_id}"


def request_recompute(wave_id: int) -> bool:
    """Queue a recompute of the wave unless one is already waiting or running; whether this
    call queued it."""
    if not caches["shared"].add(_pending_key(wave_id), 1, timeout=PENDING_SECONDS):
        return False
    try:
        recompute_wave_result.enqueue(wave_id)
    except BaseException:
        caches["shared"].delete(_pending_key(wave_id))
        raise
    return True


def is_recomputing(wave_id: int) -> bool:
    """Whether a recompute of the wave is waiting or running."""
    return caches["shared"].get(_pending_key(wave_id)) is not None


@task
def recompute_wave_result(wave_id: int) -> int:
    """Recompute the wave's results unless another run already caught up; returns the
    number of responses the stored result covers."""
    try:
        wave = Wave.objects.get(pk=wave_id)
        existing = stored_result(wave)
        if existing is not None and not is_stale(existing):
            return existing.n_responses
        result = compute_wave_result(wave)
    finally:
        caches["shared"].delete(_pending_key(wave_id))
    from learnsurvey.web.reports.pages import request_report_pages
    from learnsurvey.web.reports.tasks import request_housekeeping

    request_report_pages(wave)
    request_housekeeping()
    return result.n_responses
