"""What the staff sections of the school and trust pages lay out: the dumbbell chart (pupils,
all staff, teachers and leaders on one line per dimension), the large gaps, and the trust's
schools side by side.

Pure presentation over the stored staff voice (already cleared by disclosure: a hidden group
has no dot, a hidden gap no figure); a gap is called large only when the figures say so.
"""

from __future__ import annotations

from typing import Any

from learnsurvey.analysis.figures.staff import StaffGroup
from learnsurvey.instruments import Instrument

from .charts import dumbbell
from .named import Names
from .payloads import GroupView, PerceptionGap, SchoolDashboard, StaffVoice

__all__ = ["GROUPS", "schools_side_by_side", "voice_context"]

GROUPS: tuple[StaffGroup, ...] = ("pupils", "staff", "teachers", "leaders")
"""The groups in the order of the chart's key (each keeps its shape when another is hidden)."""


def _shown(view: GroupView | None) -> bool:
    return view is not None and not view.suppressed and view.mean is not None


def voice_context(voice: StaffVoice | None, instrument: Instrument) -> dict[str, Any]:
    """The rows of the dumbbell chart and its table, the groups in its key, the large gaps,
    and whether staff answered but every staff figure is hidden."""
    if voice is None:
        return {"voice": None}
    present: set[str] = set()
    rows = []
    for d in voice.dimensions:
        by = {v.group: v for v in d.groups}
        means = [by[g].mean if _shown(by.get(g)) else None for g in GROUPS]
        present.update(g for g, m in zip(GROUPS, means, strict=True) if m is not None)
        rows.append(
            {
                "d": d,
                "bar": dumbbell(means, instrument),
                "shown": [(by[g].label, by[g]) for g in GROUPS if _shown(by.get(g))],
            }
        )
    staff_shown = bool(present - {"pupils"})
    return {
        "voice": voice,
        "rows": rows,
        "key": [(k, Names.staff_group(g)) for k, g in enumerate(GROUPS) if g in present],
        "large": [g for d in voice.dimensions for g in d.gaps if g.large and not g.suppressed],
        "staff_hidden": voice.staff_answered and not staff_shown,
        "gaps": [g for d in voice.dimensions for g in d.gaps],
    }


def schools_side_by_side(
    schools: list[SchoolDashboard], instrument: Instrument
) -> list[dict[str, Any]]:
    """Each comparison (e.g. all staff − pupils) as a table of the schools (rows) by
    dimension (columns), for the trust page; only schools whose staff answered."""
    names = Names(instrument)
    answered = [s for s in schools if s.staff is not None and s.staff.staff_answered]
    pairs: list[tuple[str, str]] = []
    labels: dict[tuple[str, str], str] = {}
    for s in answered:
        assert s.staff is not None
        for d in s.staff.dimensions:
            for g in d.gaps:
                found: tuple[str, str] = (g.group_a, g.group_b)
                if found not in labels:
                    pairs.append(found)
                    labels[found] = f"{g.label_b} − {g.label_a.lower()}"
    dims = instrument.dimension_ids
    tables = []
    for pair in pairs:
        rows = []
        for s in answered:
            assert s.staff is not None
            by: dict[str, PerceptionGap] = {
                g.dimension: g
                for d in s.staff.dimensions
                for g in d.gaps
                if (g.group_a, g.group_b) == pair
            }
            rows.append({"school": s, "cells": [by.get(dim) for dim in dims]})
        tables.append(
            {"label": labels[pair], "columns": [names.dimension(d) for d in dims], "rows": rows}
        )
    return tables
