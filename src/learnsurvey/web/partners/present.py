"""Partner suggestions as the pages and the API show them: the stored figures of the school's
latest computed wave (the strengths in each school's
:class:`~learnsurvey.analysis.figures.school.SchoolFigures`) and the schools' context go to
:func:`learnsurvey.analysis.partners.suggest_partners`, which chooses; this module only reads
what it needs and puts each suggestion in one line of words. Only schools open to partner
requests are passed to it as candidates, and only those are named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from learnsurvey.analysis.figures.improvement import PartnerSuggestion, StrengthFigure
from learnsurvey.analysis.inputs import CONTEXT_COLUMNS, school_context
from learnsurvey.analysis.partners import suggest_partners
from learnsurvey.web.dashboards.models import SchoolResult
from learnsurvey.web.dashboards.named import Names
from learnsurvey.web.dashboards.results import current_result
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.models import STAFF_INSTRUMENT_ID, Wave, WaveResult

from .actions import open_school_urns

__all__ = [
    "SUGGESTIONS",
    "Partner",
    "explain",
    "latest_computed_wave",
    "partner_suggestions",
]

SUGGESTIONS = 5
"""At most this many schools are suggested for one dimension."""


@dataclass(frozen=True)
class Partner:
    """A suggested school as a page shows it: named (it opted in to be found)."""

    school: School
    suggestion: PartnerSuggestion
    line: str


def latest_computed_wave(school: School) -> tuple[Wave, WaveResult] | None:
    """The latest pupil wave the school takes part in whose figures are stored, with them."""
    waves = (
        Wave.objects.filter(participations__school=school, result__isnull=False)
        .exclude(instrument_id=STAFF_INSTRUMENT_ID)
        .order_by("-opens", "-pk")
    )
    for wave in waves:
        result = current_result(wave)
        if result is not None:
            return wave, result
    return None


def _context(wave: Wave, urns: set[str]) -> pd.DataFrame:
    """The context of the schools ``urns`` of the wave (the school and its candidates: the
    distances are standardised over them; none of it is shown but the suggested schools')."""
    schools = list(School.objects.filter(participations__wave=wave, urn__in=sorted(urns)))
    rows = [
        {
            "school": s.urn,
            "name": s.name,
            "phase": s.phase or None,
            "fsm_pct": s.fsm_pct,
            "eal_pct": s.eal_pct,
            "send_pct": s.send_pct,
            "pupils": s.pupils,
            "region": s.region or None,
        }
        for s in schools
    ]
    table = pd.DataFrame(rows, columns=list(CONTEXT_COLUMNS))
    return school_context(table, [s.urn for s in schools])


def _strengths(result: WaveResult, urns: set[str]) -> dict[str, list[StrengthFigure]]:
    """The stored strengths of the schools ``urns`` (only their published figures)."""
    rows = SchoolResult.objects.filter(result=result, urn__in=sorted(urns)).values_list(
        "urn", "payload__publishable", "payload__strengths"
    )
    return {
        urn: [StrengthFigure.model_validate(s) for s in strengths or []]
        for urn, publishable, strengths in rows
        if publishable
    }


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{floatformat(value, 0)}%"


def _similar_words(own: School, partner: PartnerSuggestion) -> str:
    """ "primary, 420 pupils, FSM 31% against 28%": the suggested school's context against
    the reader's school's, the features it is closest on."""
    ctx = partner.context
    parts = [ctx.phase.replace("_", "-") if ctx.phase else _("phase not known")]
    if ctx.pupils is not None:
        parts.append(_("%(n)s pupils") % {"n": ctx.pupils})
    if ctx.fsm_pct is not None:
        parts.append(
            _("FSM %(theirs)s against %(ours)s")
            % {"theirs": _pct(ctx.fsm_pct), "ours": _pct(own.fsm_pct)}
        )
    others = (
        ("eal_pct", _("EAL"), ctx.eal_pct, own.eal_pct),
        ("send_pct", _("SEND"), ctx.send_pct, own.send_pct),
    )
    for feature, label, theirs, ours in others:
        if feature in partner.closest[:3] and theirs is not None:
            parts.append(
                _("%(label)s %(theirs)s against %(ours)s")
                % {"label": label, "theirs": _pct(theirs), "ours": _pct(ours)}
            )
    if ctx.region and ctx.region == own.region:
        parts.append(_("also in %(region)s") % {"region": ctx.region})
    return ", ".join(parts)


def _strong_words(strength: StrengthFigure, name: str) -> str:
    """ "School is Fair 3.6 against 3.0, clearly above" (and the clear improvement, if any)."""
    words = []
    if strength.clearly_above:
        words.append(
            _("%(name)s %(mean)s against %(benchmark)s, clearly above")
            % {
                "name": name,
                "mean": floatformat(strength.shrunken_mean, 1),
                "benchmark": floatformat(strength.benchmark_mean, 1),
            }
        )
    if strength.clearly_improved and strength.change is not None:
        improved = _("clearly improved by %(change)s since the last wave") % {
            "change": floatformat(strength.change, 2)
        }
        words.append(improved if words else f"{name} {improved}")
    return "; ".join(words) if words else name


def explain(own: School, partner: PartnerSuggestion, names: Names) -> str:
    """The one line that says why a school is suggested."""
    name = names.dimension_or_id(partner.dimension)
    return _("Similar: %(similar)s; strong: %(strong)s") % {
        "similar": _similar_words(own, partner),
        "strong": _strong_words(partner.strength, name),
    }


def partner_suggestions(
    school: School, dimension: str, wave: Wave, result: WaveResult
) -> list[Partner]:
    """Up to :data:`SUGGESTIONS` schools open to partners, strong in ``dimension`` and similar
    to ``school`` in context, from the stored figures of ``result`` (``wave``'s)."""
    candidates = open_school_urns() - {school.urn}
    if not candidates:
        return []
    strengths: Mapping[str, Sequence[StrengthFigure]] = _strengths(result, candidates)
    found = suggest_partners(
        school.urn,
        dimension,
        _context(wave, candidates | {school.urn}),
        strengths,
        open_to_partners=candidates,
        limit=SUGGESTIONS,
    )
    # Named only if open now (the analysis never suggests another, but the page checks too).
    schools = {s.urn: s for s in School.objects.filter(urn__in=[p.school for p in found])}
    names = Names(wave.instrument())
    return [
        Partner(school=schools[p.school], suggestion=p, line=explain(school, p, names))
        for p in found
        if p.school in candidates and p.school in schools
    ]
