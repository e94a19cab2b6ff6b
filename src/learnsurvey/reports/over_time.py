"""The figures over time, presented: what the school, trust and global reports' "Over time"
sections share — each score's name, the verdicts in words, the tables of waves, changes and
trends, the line chart with its confidence bands, and the notes on seasons and versions.

Everything shown comes from :class:`~learnsurvey.analysis.figures.over_time.OverTimeFigures`
as the analysis built it: a change is called clearly up or down only when its verdict says
so, and a figure disclosure hid is a dash. Nothing is computed here. Django-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.figures.over_time import (
    ChangeVerdict,
    Comparability,
    OverTimeFigures,
    ScoreSeries,
    Trend,
    TrendVerdict,
    WaveChange,
)
from learnsurvey.instruments import Instrument

from . import format as fmt
from .charts import Chart, Table, wave_line_chart

__all__ = [
    "ScoreNames",
    "change_table",
    "change_verdict",
    "change_words",
    "effect",
    "latest_changes",
    "score_names",
    "season_caution",
    "series_chart",
    "series_table",
    "trend_table",
    "version_note",
]

Gettext = Callable[[str], str]
ScoreNames = Mapping[tuple[str, str], str]
"""A score's name by (kind, id): a notion may share its id with a dimension."""


class LinesSection(BaseModel):
    """What the school's and the trust's "Over time" sections share: a group's own scores
    over the waves, their change and trend, and the notes; when ``shown`` is False only
    ``note`` is said."""

    model_config = ConfigDict(frozen=True)

    shown: bool
    note: str = ""
    chart: Chart | None = None
    series_table: Table | None = None
    change_table: Table | None = None
    change_words: list[str] = []
    trend_table: Table | None = None
    season_caution: str | None = None
    version_note: str = ""


def score_names(inst: Instrument, _: Gettext) -> dict[tuple[str, str], str]:
    """Every score's name in tables: dimensions, notions (marked as such), the overall."""
    names: dict[tuple[str, str], str] = {("dimension", d.id): d.name for d in inst.dimensions}
    names |= {("notion", f.id): _("%(name)s (notion)") % {"name": f.name} for f in inst.factors}
    names[("overall", "overall")] = _("Overall score")
    return names


def _name(names: ScoreNames, kind: str, score: str) -> str:
    # A dimension a newer instrument version dropped is still named by its id.
    return names.get((kind, score), score.replace("_", " "))


def effect(value: object, low: object, high: object) -> str:
    """A signed figure with its 95% CI, "+0.20 (0.07 to 0.33)", or the dash."""
    if value is None:
        return fmt.HIDDEN
    return f"{fmt.signed(value)} ({fmt.ci(low, high)})"


def change_verdict(verdict: ChangeVerdict, who: str, _: Gettext) -> str:
    """The contract's verdict in words: "clearly" only when the CI of the difference
    excludes zero (the verdict says so); ``who`` is "the school", "the trust" ..."""
    if verdict == "clear_up":
        return _("Clearly up")
    if verdict == "clear_down":
        return _("Clearly down")
    if verdict == "within_detectable":
        return _("Within what %(who)s can detect") % {"who": who}
    return _("Not shown")


def trend_verdict(verdict: TrendVerdict, _: Gettext) -> str:
    if verdict == "clear_up":
        return _("Clearly rising")
    if verdict == "clear_down":
        return _("Clearly falling")
    if verdict == "no_clear_trend":
        return _("No clear trend")
    return _("Not shown")


def latest_changes(changes: Sequence[WaveChange], to_wave: str | None = None) -> list[WaveChange]:
    """The changes between the last two waves compared (those ending at ``to_wave`` when
    there are any), in the contract's order of scores."""
    if not changes:
        return []
    ends = [c.to_wave for c in changes]
    end = to_wave if to_wave in ends else ends[-1]
    start = next(c.from_wave for c in reversed(changes) if c.to_wave == end)
    return [c for c in changes if c.to_wave == end and c.from_wave == start]


def change_table(
    changes: Sequence[WaveChange], names: ScoreNames, who: str, _: Gettext
) -> Table | None:
    """One row per score of the change from one wave to the next: both means, the
    difference and Hedges' g with their 95% CIs, the smallest change the two samples could
    detect and the verdict in words (None when there is no change)."""
    if not changes:
        return None
    first, last = changes[0].from_wave, changes[0].to_wave
    rows = []
    for c in changes:
        hidden = c.suppressed or c.mean_from is None or c.mean_to is None
        means = f"{fmt.number(c.mean_from)} → {fmt.number(c.mean_to)}"
        rows.append(
            [
                _name(names, c.kind, c.score),
                fmt.HIDDEN if hidden else means,
                fmt.HIDDEN if c.suppressed else effect(c.difference, c.ci_low, c.ci_high),
                fmt.HIDDEN if c.suppressed else effect(c.hedges_g, c.g_ci_low, c.g_ci_high),
                fmt.number(None if c.suppressed else c.mdc),
                change_verdict("unknown" if c.suppressed else c.verdict, who, _),
            ]
        )
    return Table(
        caption=_("Change from %(first)s to %(last)s") % {"first": first, "last": last},
        columns=[
            _("Score"),
            _("Mean %(first)s → %(last)s") % {"first": first, "last": last},
            _("Difference (95% CI)"),
            _("g (95% CI)"),
            _("Smallest detectable change"),
            _("Reading"),
        ],
        rows=rows,
        numeric=[False, True, True, True, True, False],
        notes=[
            _(
                "Difference: %(last)s minus %(first)s, with Welch's 95%% confidence interval. "
                "The smallest detectable change is the smallest difference these two waves' "
                "numbers of pupils and spreads could show (two-sided 5%% test, 80%% power)."
            )
            % {"first": first, "last": last}
        ],
    )


def change_words(
    changes: Sequence[WaveChange], names: ScoreNames, who: str, _: Gettext
) -> list[str]:
    """The change in a sentence or two: which scores went clearly up or down, and that the
    others moved within what ``who`` can detect."""
    if not changes:
        return []
    first, last = changes[0].from_wave, changes[0].to_wave
    shown = [c for c in changes if not c.suppressed and c.verdict != "unknown"]
    up = [_name(names, c.kind, c.score) for c in shown if c.verdict == "clear_up"]
    down = [_name(names, c.kind, c.score) for c in shown if c.verdict == "clear_down"]
    words = []
    if up:
        words.append(
            _("From %(first)s to %(last)s, these scores went clearly up: %(scores)s.")
            % {"first": first, "last": last, "scores": ", ".join(up)}
        )
    if down:
        words.append(
            _("From %(first)s to %(last)s, these scores went clearly down: %(scores)s.")
            % {"first": first, "last": last, "scores": ", ".join(down)}
        )
    if not up and not down and shown:
        words.append(
            _(
                "From %(first)s to %(last)s, no score changed clearly: every change shown is "
                "within what %(who)s can detect."
            )
            % {"first": first, "last": last, "who": who}
        )
    elif len(up) + len(down) < len(shown):
        words.append(
            _("The other changes shown are within what %(who)s can detect.") % {"who": who}
        )
    if len(shown) < len(changes):
        words.append(_("Some changes are not shown, to protect small groups."))
    return words


def series_table(
    series: Sequence[ScoreSeries], names: ScoreNames, _: Gettext, *, caption: str
) -> Table | None:
    """A row per score and wave the group took part in: pupils, mean and its 95% CI (None
    with no series)."""
    rows = [
        [
            _name(names, s.kind, s.score),
            p.wave,
            fmt.count(None if p.suppressed else p.n),
            fmt.number(None if p.suppressed else p.mean),
            fmt.HIDDEN if p.suppressed else fmt.ci(p.ci_low, p.ci_high),
        ]
        for s in series
        for p in s.points
        if p.suppressed or p.n is not None  # not the waves the group missed
    ]
    if not rows:
        return None
    return Table(
        caption=caption,
        columns=[_("Score"), _("Wave"), _("Pupils"), _("Mean"), _("95% CI")],
        rows=rows,
        numeric=[False, False, True, True, True],
    )


def series_chart(
    chart_id: str,
    series: Sequence[ScoreSeries],
    names: ScoreNames,
    table: Table,
    *,
    waves: Sequence[str],
    label: str,
    scale: tuple[float, float],
    _: Gettext,
) -> Chart | None:
    """The dimensions' means over ``waves``, a panel each with its 95% band; ``label``
    names the line (the school, the trust, all pupils). None when nothing is shown."""
    dims = [s for s in series if s.kind == "dimension"]
    rows: list[dict[str, Any]] = [
        {
            "panel": _name(names, s.kind, s.score),
            "series": label,
            "wave": p.wave,
            "mean": None if p.suppressed else p.mean,
            "low": None if p.suppressed else p.ci_low,
            "high": None if p.suppressed else p.ci_high,
        }
        for s in dims
        for p in s.points
    ]
    values = [float(r[k]) for r in rows for k in ("low", "high") if r[k] is not None]
    if not values:
        return None
    panels = [_name(names, s.kind, s.score) for s in dims]
    return wave_line_chart(
        chart_id,
        _("Each dimension's mean over the waves, with 95%% confidence bands: %(who)s")
        % {"who": label},
        _(
            "Small panels, one per dimension, each with a line of the mean in every wave "
            "from %(first)s to %(last)s and a shaded band for its 95%% confidence interval. "
            "A gap in a line is a wave whose figure is not shown. The table gives every "
            "figure."
        )
        % {"first": waves[0], "last": waves[-1]},
        rows,
        table,
        panels=panels,
        waves=waves,
        series=[label],
        y_title=_("Mean"),
        y_domain=_domain(values, scale),
    )


def _domain(values: list[float], scale: tuple[float, float]) -> tuple[float, float]:
    """The axis range: the figures with a margin, rounded to halves, within the scale."""
    low = max(scale[0], float(np.floor(min(values) * 2 - 0.5) / 2))
    high = min(scale[1], float(np.ceil(max(values) * 2 + 0.5) / 2))
    return low, high


def trend_table(trends: Sequence[Trend], names: ScoreNames, _: Gettext) -> Table | None:
    """The weighted trend of each score over three or more waves (None when there is none)."""
    if not trends:
        return None
    rows = [
        [
            _name(names, t.kind, t.score),
            str(t.n_waves),
            fmt.HIDDEN if t.suppressed else effect(t.slope, t.ci_low, t.ci_high),
            trend_verdict("unknown" if t.suppressed else t.verdict, _),
        ]
        for t in trends
    ]
    return Table(
        caption=_("Trend over the waves: change in the mean per wave"),
        columns=[_("Score"), _("Waves"), _("Change per wave (95% CI)"), _("Reading")],
        rows=rows,
        numeric=[False, True, True, False],
        notes=[
            _(
                "A weighted straight line through the waves' means, each weighted by its "
                "precision (1 / SE²); clearly rising or falling when its 95% confidence "
                "interval excludes zero."
            )
        ],
    )


def season_caution(
    figures: OverTimeFigures, changes: Sequence[WaveChange], _: Gettext
) -> str | None:
    """The caution to show when the waves compared are of different seasons."""
    if not figures.season_caution and not any(c.seasons_differ for c in changes):
        return None
    seasons = {w.wave: w.season for w in figures.waves}
    waves = [w.wave for w in figures.waves]
    if changes:
        waves = [changes[0].from_wave, changes[0].to_wave]
    named = {"autumn": _("autumn"), "spring": _("spring"), "summer": _("summer")}
    listed = ", ".join(
        f"{w} ({named[s]})" if (s := seasons.get(w)) is not None else w for w in waves
    )
    return _(
        "Caution: the waves compared were taken in different seasons (%(waves)s). "
        "School-climate ratings shift over the school year, so part of a change between "
        "seasons may be the season's rather than the school's."
    ) % {"waves": listed}


def version_note(comparability: Comparability, names: ScoreNames, _: Gettext) -> str:
    """Which instrument versions the waves used, and what is compared when they differ."""
    if comparability.same_version:
        version = comparability.versions[0] if comparability.versions else ""
        return _("Every wave used the same version of the survey (%(version)s).") % {
            "version": version
        }
    note = _(
        "The waves used different versions of the survey (%(versions)s): only the "
        "%(dims)s dimensions and %(items)s statements every version shares are compared."
    ) % {
        "versions": ", ".join(comparability.versions),
        "dims": len(comparability.dimensions),
        "items": len(comparability.items),
    }
    dropped = [_name(names, "dimension", d) for d in comparability.dropped_dimensions]
    dropped += [_name(names, "notion", f) for f in comparability.dropped_notions]
    if not comparability.overall:
        dropped.append(_name(names, "overall", "overall"))
    if dropped:
        note += " " + _("Not compared: %(scores)s.") % {"scores": ", ".join(dropped)}
    return note
