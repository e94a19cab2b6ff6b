"""The published Phase One figures, read from a targets file so the report shows them beside
the wave's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["load_published"]


def load_published(path: Path | str) -> dict[str, Any]:
    """The published figures of a targets file (the format of ``phase-one-targets.yaml``),
    normalised to the mapping :func:`~learnsurvey.reports.global_.build_global_report` reads.

    Keys: ``responses``, ``schools``, ``items``, ``overall_alpha``, ``rated_schools``,
    ``learning_focused_share``, ``gender_effect_sizes`` (two bounds); per dimension id,
    ``reliability``, ``pattern`` (factor id → loading), ``pct_high`` (a percentage) and
    ``top_bottom_g``; ``gap_points`` (``smallest``/``largest``: dimension and points); and
    the findings in words ``phase_split``, ``window``, ``key_stage_trend``, ``gender_order``,
    ``gender_note``, ``inspection_finding``, ``lowest_school_rating``,
    ``highest_school_rating``, ``strong_culture_vs_weak``. Missing parts are left out.
    """
    raw = _read(Path(path))
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


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the published figures: {exc}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: the published figures must be a mapping")
    return raw
