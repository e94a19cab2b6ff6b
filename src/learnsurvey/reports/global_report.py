"""The global report: the Phase One report's tables and figures, reproduced from a wave.

Nine sections — the sample, reliability, the pattern matrix of the three notions, the share
of pupils quite or very high, the key stages, gender, the top and bottom school, inspection
ratings and the learning-focused schools — each with its method note. Every figure comes
from :func:`~learnsurvey.analysis.tables.wave_tables` (promax rotation, as published) and
the disclosure rules; schools are named only when they opted in to being named in research.

Given the published figures (:func:`load_published`), the tables show them beside ours.
Django-free.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from learnsurvey.analysis.tables import wave_tables
from learnsurvey.stats.disclosure import DisclosureError

from . import format as fmt
from .global_common import Gettext, GlobalContext, Namer, Section
from .global_focused import focused_section
from .global_psychometrics import notions_section, reliability_section
from .global_pupils import gender_section, high_section, key_stage_section
from .global_sample import sample_section
from .global_schools import inspection_section, top_bottom_section
from .header import ReportHeader
from .inputs import ReportInputs
from .render import Mode, render_html

__all__ = [
    "GlobalReport",
    "Section",
    "build_global_report",
    "load_published",
    "render_global_report",
]

# Why the wave tables cannot be computed (kept as codes; the words are chosen at build
# time so they can be translated).
TOO_FEW = "too_few"
NOT_COMPUTABLE = "not_computable"

SECTIONS: tuple[Callable[[GlobalContext], Section], ...] = (
    sample_section,
    reliability_section,
    notions_section,
    high_section,
    key_stage_section,
    gender_section,
    top_bottom_section,
    inspection_section,
    focused_section,
)


class GlobalReport(ReportHeader):
    """The global report of one wave, every figure formatted and suppressed."""

    sections: list[Section]
    with_published: bool = False
    """Whether the tables show the published Phase One figures beside ours."""
    notice: str | None = None
    """Said once at the top when the wave-level tables cannot be computed."""


def load_published(path: Path | str) -> dict[str, Any]:
    """The published figures of a targets file (the format of ``phase-one-targets.yaml``),
    normalised to the mapping :func:`build_global_report` reads.

    Keys: ``responses``, ``schools``, ``items``, ``overall_alpha``, ``rated_schools``,
    ``learning_focused_share``, ``gender_effect_sizes`` (two bounds); per dimension id,
    ``reliability``, ``pattern`` (factor id → loading), ``pct_high`` (a percentage) and
    ``top_bottom_g``; ``gap_points`` (``smallest``/``largest``: dimension and points); and
    the findings in words ``phase_split``, ``window``, ``key_stage_trend``, ``gender_order``,
    ``gender_note``, ``inspection_finding``, ``lowest_school_rating``,
    ``highest_school_rating``, ``strong_culture_vs_weak``. Missing parts are left out.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the published figures: {exc}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: the published figures must be a mapping")
    sample = raw.get("sample") or {}
    pattern = raw.get("pattern_matrix") or {}
    schools = raw.get("schools") or {}
    gender = raw.get("gender") or {}
    inspection = schools.get("inspection") or {}
    out: dict[str, Any] = {
        "responses": sample.get("responses"),
        "schools": sample.get("schools_and_groups"),
        "items": sample.get("items"),
        "overall_alpha": sample.get("overall_alpha"),
        "phase_split": sample.get("phase_split"),
        "window": sample.get("window"),
        "rated_schools": inspection.get("rated_schools"),
        "inspection_finding": inspection.get("finding"),
        "lowest_school_rating": inspection.get("lowest_school_rating"),
        "highest_school_rating": inspection.get("highest_school_rating"),
        "learning_focused_share": schools.get("learning_focused_share"),
        "strong_culture_vs_weak": schools.get("strong_culture_vs_weak"),
        "key_stage_trend": raw.get("key_stage_trend"),
        "gender_order": gender.get("order"),
        "gender_note": gender.get("note"),
        "gender_effect_sizes": gender.get("effect_sizes"),
        "gap_points": raw.get("top_vs_bottom_school_gap_points"),
        "reliability": {d: v.get("reliability") for d, v in pattern.items()},
        "pattern": {
            d: {f: x for f, x in v.items() if f != "reliability"} for d, v in pattern.items()
        },
        "pct_high": dict(raw.get("percent_quite_or_very_high") or {}),
        "top_bottom_g": dict(raw.get("top_vs_bottom_school_effect_size") or {}),
    }
    return {k: v for k, v in out.items() if v is not None and v != {}}


def _tables(inputs: ReportInputs, has_context: bool) -> tuple[dict[str, pd.DataFrame] | None, str]:
    try:
        tables = wave_tables(
            inputs.current.stats,
            threshold=inputs.threshold,
            context=inputs.schools if has_context else None,
            rotation="promax",
        )
    except DisclosureError:
        # Its message names a count below the threshold: keep only the reason.
        return None, TOO_FEW
    except (ValueError, np.linalg.LinAlgError):
        # Too little or too uniform data for the factor analysis: say so rather than fail.
        return None, NOT_COMPUTABLE
    return tables, ""


def build_global_report(
    inputs: ReportInputs,
    published: dict[str, Any] | None = None,
    *,
    title: str | None = None,
    today: date | None = None,
    gettext: Gettext | None = None,
) -> GlobalReport:
    """The global report of ``inputs``' wave.

    ``published``, e.g. ``load_published("phase-one-targets.yaml")``, adds the published
    Phase One figures beside ours. Sections that need the school context (inspection
    ratings) say so when it is absent; when the wave is too small for the wave tables, every
    section but the sample says it cannot be computed. ``gettext`` translates the report's
    words (British English by default).
    """
    _ = gettext or (lambda s: s)
    reasons = {
        TOO_FEW: _(
            "The wave has too few pupils for its figures to be shown without describing a "
            "small group."
        ),
        NOT_COMPUTABLE: _(
            "The wave has too few pupils, or too little variation in their answers, for the "
            "reliability and factor analyses behind most tables of this report."
        ),
    }
    has_context = bool(inputs.schools["inspection_rating"].notna().any())
    tables, failure = _tables(inputs, has_context)
    ctx = GlobalContext(
        inputs=inputs,
        tables=tables,
        failure=_("This cannot be computed for this wave: see \u201cAbout this report\u201d.")
        if failure
        else "",
        published=published,
        namer=Namer(inputs.schools, _),
        has_context=has_context,
        gettext=_,
    )
    sections = [build(ctx) for build in SECTIONS]
    return GlobalReport(
        title=title or _("The Learning Survey: global report"),
        subtitle=_("%(instrument)s: what pupils say about their learning, across all schools")
        % {"instrument": inputs.instrument.name},
        kicker=_("Global report"),
        wave=inputs.wave or "–",
        generated=fmt.long_date(today),
        threshold=inputs.threshold,
        sections=sections,
        with_published=published is not None,
        notice=reasons.get(failure),
    )


def render_global_report(report: GlobalReport, *, mode: Mode, **kwargs: Any) -> str:
    """The report as HTML for ``mode`` (``web``, ``file`` or ``pdf``); ``kwargs`` pass
    ``gettext``, ``ngettext``, ``lang`` and ``vega_src`` through to the renderer."""
    return render_html("global.html.j2", mode=mode, report=report, **kwargs)
