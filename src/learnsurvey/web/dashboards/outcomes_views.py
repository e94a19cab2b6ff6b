"""The "Learning beside outcomes" page of the whole database (researchers and platform
admins): for each outcome measure, the correlation of every score with it across schools
(with its 95% CI), the binned scatter of one chosen score beside its table, the Phase One
comparison by inspection rating, and the caveats. A school's own standing on each measure
is a block of its dashboard (:mod:`.templatetags.outcome_blocks`).

No statistics here: the figures are the stored, cleared ones (:mod:`.outcomes_payloads`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from learnsurvey.analysis.figures.global_ import InspectionFigures
from learnsurvey.instruments import Instrument
from learnsurvey.web.accounts.access import require_global
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import Wave

from .named import Names
from .outcome_chart import binned_scatter
from .outcomes_payloads import GlobalOutcomes, NamedCorrelation, global_outcomes

__all__ = ["global_outcomes_page"]

DEFAULT_SCORE = "overall:overall"


def _scores(correlations: Sequence[NamedCorrelation]) -> list[tuple[str, str]]:
    """The scores with a correlation, in the figures' order, as (``kind:score``, name)."""
    found: dict[str, str] = {}
    for c in correlations:
        found.setdefault(f"{c.kind}:{c.score}", c.name)
    return list(found.items())


def reading(c: NamedCorrelation) -> str:
    """How a shown correlation reads: its interval wholly above or below zero, or neither."""
    if c.suppressed or c.ci_low is None or c.ci_high is None:
        return "hidden"
    if c.ci_low > 0:
        return "positive"
    if c.ci_high < 0:
        return "negative"
    return "unclear"


def _measures(d: GlobalOutcomes, chosen: str, instrument: Instrument) -> list[dict[str, Any]]:
    """One section per measure: its correlations and the chosen score's binned scatter."""
    kind, _, score = chosen.partition(":")
    sections = []
    for m in d.measures:
        bins = [b for b in d.bins if b.measure == m.measure and (b.kind, b.score) == (kind, score)]
        sections.append(
            {
                "m": m,
                "correlations": [(c, reading(c)) for c in d.correlations if c.measure == m.measure],
                "bins": sorted(bins, key=lambda b: b.bin),
                "chart": binned_scatter(bins, instrument),
            }
        )
    return sections


def _inspection(figures: InspectionFigures | None, names: Names) -> dict[str, Any] | None:
    """The mean of school means by rating, one row per dimension, with its ANOVA."""
    if figures is None:
        return None
    means = {(m.dimension, m.rating): m.mean_of_school_means for m in figures.means}
    anova = {a.dimension: a for a in figures.anova}
    dimensions = list(dict.fromkeys(m.dimension for m in figures.means))
    return {
        "ratings": [(r, figures.n_schools.get(r)) for r in figures.ratings],
        "rows": [
            {
                "name": names.dimension_or_id(d),
                "means": [means.get((d, r)) for r in figures.ratings],
                "anova": anova.get(d),
            }
            for d in dimensions
        ],
    }


@login_required
def global_outcomes_page(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Learning beside outcomes over every school of the wave (researchers, platform admins)."""
    require_global(request)
    wave = get_object_or_404(Wave, pk=wave_id)
    d = global_outcomes(wave)
    instrument = wave.instrument()
    scores = _scores(d.correlations)
    chosen = request.GET.get("score", DEFAULT_SCORE)
    if chosen not in dict(scores):
        chosen = scores[0][0] if scores else DEFAULT_SCORE
    context: dict[str, Any] = {
        "wave": wave,
        "d": d,
        "scores": scores,
        "chosen": chosen,
        "chosen_name": dict(scores).get(chosen, ""),
        "measures": _measures(d, chosen, instrument),
        "inspection": _inspection(d.inspection, Names(instrument)),
        "rating_names": {str(v): str(label) for v, label in School.Rating.choices},
    }
    return render(request, "dashboards/outcomes_global.html", context)
