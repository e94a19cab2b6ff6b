"""The trust report's "Over time" section: each school's latest change side by side, how
many schools changed clearly up or down on each score, and the trust's own scores over
the waves with their change — from the trust's
:class:`~learnsurvey.analysis.figures.over_time.TrustOverTime`."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from learnsurvey.analysis.figures.over_time import (
    ClearCount,
    OverTimeFigures,
    SchoolChanges,
    WaveChange,
)
from learnsurvey.instruments import Instrument

from .. import format as fmt
from .. import over_time as ot
from ..charts import Table

__all__ = ["TrustOverTimeSection", "trust_over_time_section"]

WHO = "the trust"


def _same(text: str) -> str:
    return text


class TrustOverTimeSection(ot.LinesSection):
    """What the section shows; when ``shown`` is False only ``note`` is said. ``chart`` is
    the trust's own dimensions over the waves (None where rule 7 hides them)."""

    schools_table: Table | None = None
    """Each school's latest change on the overall score and each dimension."""
    counts_table: Table | None = None
    counts_words: list[str] = Field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        found = [
            self.schools_table,
            self.counts_table,
            self.series_table,
            self.change_table,
            self.trend_table,
        ]
        return [t for t in found if t is not None]


def _cell(change: WaveChange | None) -> str:
    """A school's change on one score: the difference, and "up" or "down" when clear."""
    if change is None or change.suppressed or change.difference is None:
        return fmt.HIDDEN
    marks = {"clear_up": " up", "clear_down": " down"}
    return fmt.signed(change.difference) + marks.get(change.verdict, "")


def _schools_table(
    schools: list[SchoolChanges],
    inst: Instrument,
    names: ot.ScoreNames,
    school_name: Callable[[str], str],
) -> Table | None:
    if not schools:
        return None
    scores = [("overall", "overall"), *[("dimension", d) for d in inst.dimension_ids]]
    rows = []
    for s in schools:
        by: dict[tuple[str, str], WaveChange] = {(c.kind, c.score): c for c in s.changes}
        waves = f"{s.from_wave} → {s.to_wave}" if s.from_wave and s.to_wave else fmt.HIDDEN
        rows.append([school_name(s.school), waves, *[_cell(by.get(k)) for k in scores]])
    return Table(
        caption="Each school's latest change in the mean",
        columns=["School", "Waves", *[names[k] for k in scores]],
        rows=rows,
        numeric=[False, False, *[True] * len(scores)],
        notes=[
            "Each cell is the school's mean in its latest wave minus its mean in the wave "
            "before. “up” or “down” marks a clear change: its 95% confidence interval "
            "excludes zero. A change without a mark is within what that school can detect; "
            "a dash is a change not shown (too few pupils in a wave, or the school took "
            "part in one wave only)."
        ],
    )


def _counts(counts: list[ClearCount], names: ot.ScoreNames) -> tuple[Table | None, list[str]]:
    if not counts:
        return None, []
    table = Table(
        caption="How many schools changed clearly",
        columns=["Score", "Waves", "Schools compared", "Clearly up", "Clearly down", "Neither"],
        rows=[
            [
                names.get((c.kind, c.score), c.score),
                f"{c.from_wave} → {c.to_wave}",
                str(c.n_schools),
                str(c.n_up),
                str(c.n_down),
                str(c.n_within),
            ]
            for c in counts
        ],
        numeric=[False, False, True, True, True, True],
        notes=[
            "Neither: the change is within what the school can detect (its 95% confidence "
            "interval includes zero)."
        ],
    )
    overall = next((c for c in counts if c.kind == "overall"), None)
    words = []
    if overall is not None:
        words.append(
            f"From {overall.from_wave} to {overall.to_wave}, on the overall score, "
            f"{overall.n_up} of the {overall.n_schools} schools compared went clearly up "
            f"and {overall.n_down} clearly down; the other {overall.n_within} changed "
            "within what each school can detect."
        )
    return table, words


def trust_over_time_section(
    figures: OverTimeFigures | None,
    trust: str,
    inst: Instrument,
    school_name: Callable[[str], str],
) -> TrustOverTimeSection:
    """The section for ``trust`` (its name); ``school_name`` names a school by its key."""
    if figures is None or len(figures.waves) < 2:
        return TrustOverTimeSection(
            shown=False,
            note="There is only one wave of results, so nothing can be shown over time yet.",
        )
    mine = figures.trusts.get(trust)
    if mine is None or not (mine.schools or mine.series):
        return TrustOverTimeSection(
            shown=False,
            note="No school of the trust has results in two waves, so nothing can be shown "
            "over time.",
        )
    names = ot.score_names(inst, _same)
    counts_table, counts_words = _counts(mine.clear_counts, names)
    table = ot.series_table(
        mine.series, names, _same, caption="The trust's pupils in each wave: mean and 95% CI"
    )
    waves = [w.wave for w in figures.waves]
    changes = ot.latest_changes(mine.changes)
    chart = None
    if table is not None:
        chart = ot.series_chart(
            "trust-over-time",
            mine.series,
            names,
            table,
            waves=waves,
            label=trust,
            scale=(float(inst.scale.min), float(inst.scale.max)),
            _=_same,
        )
    every_change = changes + [c for s in mine.schools for c in s.changes]
    return TrustOverTimeSection(
        shown=True,
        schools_table=_schools_table(mine.schools, inst, names, school_name),
        counts_table=counts_table,
        counts_words=counts_words,
        chart=chart,
        series_table=table,
        change_table=ot.change_table(changes, names, WHO, _same),
        change_words=ot.change_words(changes, names, WHO, _same),
        trend_table=ot.trend_table(mine.trends, names, _same),
        season_caution=ot.season_caution(figures, every_change, _same),
        version_note=ot.version_note(figures.comparability, names, _same),
    )
