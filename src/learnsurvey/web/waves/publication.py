"""Publishing a wave's responses in safe batches (disclosure rule 9).

A wave's figures are computed from its *published* responses only. Without this, a page
read before and after one pupil submits would give away that pupil's answers (n·mean after
minus n·mean before) and, through the key stage and gender counts, the pupil's key stage
and gender. :func:`do_publish_wave` moves pending responses into a new
:class:`~learnsurvey.web.waves.models.Publication` in the batches
:func:`learnsurvey.stats.disclosure.publication_plan` judges safe; the rest wait for a later
publication, when more have arrived. The figures' readers call it before they read (see
``learnsurvey.web.reports.sources``), so a page changes only when a batch has formed.
"""

from __future__ import annotations

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet

from learnsurvey.stats.disclosure import default_staff_threshold, publication_plan
from learnsurvey.web.schools.models import School

from .models import Publication, Response, Wave

__all__ = ["do_publish_wave", "pending_responses", "published_responses", "wave_threshold"]

_CELL = ["school", "key_stage", "gender"]


def published_responses(wave: Wave) -> QuerySet[Response]:
    """The responses of ``wave`` its figures count."""
    return Response.objects.filter(wave=wave, publication__isnull=False)


def pending_responses(wave: Wave) -> QuerySet[Response]:
    """The responses of ``wave`` stored but not yet published."""
    return Response.objects.filter(wave=wave, publication__isnull=True)


def wave_threshold(wave: Wave) -> int:
    """The threshold a wave's figures keep: the staff threshold for a staff survey (a wave
    that accompanies a pupil wave), the pupil threshold otherwise."""
    if wave.pupil_wave_id is not None:
        return default_staff_threshold()
    return int(settings.MIN_GROUP_SIZE)


def _counts(rows: QuerySet[Response]) -> pd.DataFrame:
    table = rows.values_list("school_id", "key_stage", "gender").annotate(n=Count("id"))
    return pd.DataFrame(list(table.order_by()), columns=[*_CELL, "n"])


@transaction.atomic
def do_publish_wave(
    wave: Wave, *, up_to: int | None = None, threshold: int | None = None
) -> Publication | None:
    """Publish the pending responses of ``wave`` (those with an id up to ``up_to``, all by
    default) that form a safe batch; returns the new publication, or None when none did.

    The wave's row is locked first, so two publications of one wave never interleave (on
    PostgreSQL; SQLite writes one transaction at a time anyway)."""
    Wave.objects.select_for_update().filter(pk=wave.pk).first()
    pending = pending_responses(wave)
    if up_to is not None:
        pending = pending.filter(id__lte=up_to)
    waiting = _counts(pending)
    if waiting.empty:
        return None
    threshold = wave_threshold(wave) if threshold is None else threshold
    schools = [int(s) for s in waiting["school"].unique()]
    published = _counts(published_responses(wave))
    schools += [int(s) for s in published["school"].unique()]
    trusts: dict[object, object] = {}
    trusts.update(School.objects.filter(pk__in=schools).values_list("pk", "trust_id"))
    plan = publication_plan(published, waiting, threshold=threshold, trusts=trusts)
    chosen = plan[plan["publish"]]
    if chosen.empty:
        return None
    last = Publication.objects.filter(wave=wave).aggregate(m=Max("number"))["m"] or 0
    publication = Publication.objects.create(
        wave=wave, number=last + 1, n_responses=int(chosen["n"].sum())
    )
    _assign(pending, plan, publication)
    return publication


def _assign(pending: QuerySet[Response], plan: pd.DataFrame, publication: Publication) -> None:
    """Mark the chosen cells' pending responses as published: one UPDATE when everything
    joins, else one per school (whole school) or per chosen cell."""
    if plan["publish"].all():
        pending.update(publication=publication)
        return
    for school, part in plan.groupby("school", sort=False):
        if not part["publish"].any():
            continue
        mine = pending.filter(school_id=int(str(school)))
        if part["publish"].all():
            mine.update(publication=publication)
            continue
        cells = Q()
        for row in part[part["publish"]].itertuples(index=False):
            cells |= Q(key_stage=row.key_stage, gender=row.gender)
        mine.filter(cells).update(publication=publication)
