"""The personalised school report: a school's scores for one wave against all schools and
similar schools, its key stage and gender breakdowns, its highest and lowest items, its
change since the previous wave, and guidance for staff discussion.

:class:`SchoolReports` does the wave-level work once — scores, breakdowns, items,
benchmarks and changes for every school, already suppressed — so :meth:`SchoolReports.build`
only slices those tables and draws four or five small charts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from learnsurvey.analysis.benchmarks import (
    MIN_OTHER_SCHOOLS,
    similar_benchmarks,
    similar_schools,
    wave_change,
)
from learnsurvey.analysis.dashboard import (
    item_extremes,
    response_counts,
    school_breakdowns,
    school_scores,
)
from learnsurvey.stats.disclosure import suppress

from . import format as fmt
from .charts import Chart, Table
from .guidance import load_guidance
from .header import ReportHeader
from .inputs import ReportInputs
from .render import Mode, render_html
from .school_parts import Parts, ScoreLine, build_parts

__all__ = ["SchoolReport", "SchoolReports", "ScoreLine", "render_school_report"]


class SchoolReport(ReportHeader):
    """Everything the school report shows, suppressed and ready for the template."""

    school: str
    """The school's key in the responses."""
    instrument: str
    phase: str | None
    similar_label: str | None
    """The similar-schools group in words, or None when the school has no phase or FSM."""
    responses: int
    previous_wave: str | None
    overall: ScoreLine
    notions: list[ScoreLine]
    dimensions: list[ScoreLine]
    strengths: list[ScoreLine]
    priorities: list[ScoreLine]
    scores_table: Table
    benchmark_table: Table
    benchmark_chart: Chart
    band_chart: Chart | None
    key_stage_table: Table | None
    key_stage_pairs: list[Table]
    gender_table: Table | None
    gender_pairs: list[Table]
    group_chart: Chart | None
    items_high: Table | None
    items_low: Table | None
    change_table: Table | None
    change_chart: Chart | None
    change_present: bool
    """Whether the school responded in the previous wave (when there is one)."""
    hidden: int
    """Figures in this report not shown to protect small groups (dashes and omitted rows)."""

    @property
    def charts(self) -> list[Chart]:
        found = [self.benchmark_chart, self.band_chart, self.group_chart, self.change_chart]
        return [c for c in found if c is not None]


class SchoolReports:
    """The school reports of one wave: wave-level tables computed once, reports built per
    school on demand."""

    def __init__(
        self, inputs: ReportInputs, *, gettext: Callable[[str], str] | None = None
    ) -> None:
        self.inputs = inputs
        self._ = gettext or (lambda s: s)
        data = inputs.current
        stats = data.stats
        inst = inputs.instrument
        t = inputs.threshold
        demo = inst.demographics
        self.guidance = load_guidance(inst)
        self.benchmark, scores = school_scores(stats, threshold=t)
        ks, ks_pairs = school_breakdowns(
            stats, "key_stage", threshold=t, order=list(demo.key_stages)
        )
        gender, gender_pairs = school_breakdowns(
            stats, "gender", threshold=t, order=list(demo.genders)
        )
        ks_counts = response_counts(data, "key_stage", threshold=t, order=list(demo.key_stages))
        gender_counts = response_counts(data, "gender", threshold=t, order=list(demo.genders))
        items = item_extremes(data, threshold=t)
        in_wave = inputs.schools[inputs.schools["school"].isin(data.item_schools)]
        self.similar = similar_schools(in_wave)
        groups = dict(zip(self.similar["school"], self.similar["group"], strict=True))
        similar = similar_benchmarks(stats, groups, threshold=t)
        change = None
        if inputs.previous is not None:
            change = wave_change(stats, inputs.previous.stats, threshold=t)
        totals = data.responses.groupby("school", sort=True)["n"].sum().reset_index()
        self.totals = suppress(totals, threshold=t, within=["school"], keep=["school"])
        self._tables: dict[str, dict[str, pd.DataFrame]] = {
            "scores": _by_school(scores),
            "similar": _by_school(similar),
            "key_stage": _by_school(ks),
            "key_stage_pairs": _by_school(ks_pairs),
            "key_stage_counts": _by_school(ks_counts),
            "gender": _by_school(gender),
            "gender_pairs": _by_school(gender_pairs),
            "gender_counts": _by_school(gender_counts),
            "items": _by_school(items),
            "change": _by_school(change) if change is not None else {},
        }
        self._all_ok = self._all_schools_disclosable(scores)
        self._previous_schools = (
            set(inputs.previous.item_schools) if inputs.previous is not None else set()
        )

    def _all_schools_disclosable(self, scores: pd.DataFrame) -> dict[str, set[tuple[str, str]]]:
        """Per school, the (kind, score) pairs whose all-schools benchmark may be shown.

        The same rule as for similar schools (see
        :func:`~learnsurvey.analysis.benchmarks.similar_benchmarks`): a school knows its own
        figures, so the benchmark must leave at least ``threshold`` pupils in at least
        three other schools, or the school could work out the others' result."""
        t = self.inputs.threshold
        bench = self.benchmark[["kind", "score", "n"]].rename(columns={"n": "total"})
        table = scores[["school", "kind", "score", "n"]].merge(bench, on=["kind", "score"])
        own = pd.to_numeric(table["n"], errors="coerce").fillna(0).to_numpy(dtype=float)
        total = pd.to_numeric(table["total"], errors="coerce").to_numpy(dtype=float)
        others = int((self.totals["n"].fillna(0) > 0).sum()) - 1
        with np.errstate(invalid="ignore"):
            ok = (total - own >= t) & (others >= MIN_OTHER_SCHOOLS)
        out: dict[str, set[tuple[str, str]]] = {}
        for school, kind, score in table.loc[ok, ["school", "kind", "score"]].itertuples(
            index=False
        ):
            out.setdefault(str(school), set()).add((str(kind), str(score)))
        return out

    @property
    def schools(self) -> list[str]:
        """The keys of the schools with a report (at least ``threshold`` responses)."""
        shown = self.totals[~self.totals["suppressed"].astype(bool)]
        return sorted(str(s) for s in shown["school"])

    def build(self, school: str) -> SchoolReport:
        """The report of ``school`` (its key in the responses).

        Raises ValueError for a school with no responses in the wave, or with too few to
        report on (the message does not say how many)."""
        inputs = self.inputs
        _ = self._
        known = self.totals[self.totals["school"] == school]
        if not len(known):
            raise ValueError(f"no responses from school {school!r} in wave {inputs.wave!r}")
        row = known.iloc[0]
        if bool(row["suppressed"]):
            raise ValueError(
                f"school {school!r} has too few responses for a report: a report needs at "
                f"least {inputs.threshold} pupils"
            )
        context = inputs.schools[inputs.schools["school"] == school]
        phase = _text(context["phase"].iloc[0]) if len(context) else None
        similar = self.similar[self.similar["school"] == school]
        group = _text(similar["group"].iloc[0]) if len(similar) else None
        tables = {k: v.get(school, _EMPTY) for k, v in self._tables.items()}
        parts: Parts = build_parts(
            inputs,
            self.guidance,
            tables,
            all_ok=self._all_ok.get(school, set()),
            phase=phase,
            has_similar=group is not None,
            gettext=_,
        )
        inst = inputs.instrument
        return SchoolReport(
            title=inputs.school_name(school),
            subtitle=_("What pupils say about learning in their classes"),
            kicker=_("%(survey)s · school report") % {"survey": inst.name},
            wave=inputs.wave,
            generated=fmt.long_date(),
            threshold=inputs.threshold,
            school=school,
            instrument=inst.name,
            phase=phase,
            similar_label=(
                _similar_label(similar, tables["similar"], _) if group is not None else None
            ),
            responses=int(row["n"]),
            previous_wave=inputs.previous_wave if inputs.previous is not None else None,
            change_present=school in self._previous_schools,
            **parts.fields(),
        )


_EMPTY = pd.DataFrame()


def _by_school(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(k): v for k, v in table.groupby("school", sort=False)}


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return str(value)


def _similar_label(similar: pd.DataFrame, rows: pd.DataFrame, _: Callable[[str], str]) -> str:
    """The group in words, with the number of other schools when the benchmark is shown (a
    count of schools, at least three, never of pupils)."""
    row = similar.iloc[0]
    phase = str(row["phase"]).replace("_", "-")
    label = _("%(phase)s schools in free-school-meals quartile %(q)s of 4") % {
        "phase": phase,
        "q": int(row["fsm_quartile"]),
    }
    overall = rows[rows["kind"] == "overall"] if len(rows) else rows
    if len(overall) and not bool(overall["suppressed"].iloc[0]):
        others = int(overall["n_schools"].iloc[0])
        return label + " " + _("(%(k)s other schools)") % {"k": others}
    return label + " " + _("(too few other schools to show a benchmark)")


def render_school_report(report: SchoolReport, *, mode: Mode, **kwargs: Any) -> str:
    """The report as HTML for ``mode`` (see :func:`learnsurvey.reports.render.render_html`)."""
    return render_html("school.html.j2", mode=mode, report=report, **kwargs)
