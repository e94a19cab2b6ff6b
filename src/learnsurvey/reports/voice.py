"""The staff's voice beside the pupils', presented: what the school and trust reports'
"Staff and pupils" sections share — each group's name, the table of each group's view,
the perception gaps with their intervals and standing, the large gaps in words, the
dumbbell chart and the notes on pooled leaders and hidden staff figures.

Everything comes from :class:`~learnsurvey.analysis.figures.staff.StaffVoice` as the
analysis built it: a gap is called large only when the contract's ``large`` says so, and
disclosure's hidden figures are dashes. Nothing is computed here. Django-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from learnsurvey.analysis.figures.staff import GroupView, PerceptionGap, StaffGroup, StaffVoice
from learnsurvey.instruments import Instrument

from . import format as fmt
from .charts import Chart, Table, group_dumbbell_chart
from .over_time import effect

__all__ = [
    "GROUP_ORDER",
    "counts_words",
    "gaps_table",
    "group_name",
    "groups_table",
    "large_gap_words",
    "staff_notes",
    "voice_chart",
]

Gettext = Callable[[str], str]
GROUP_ORDER: tuple[StaffGroup, ...] = ("pupils", "staff", "teachers", "leaders")


def group_name(group: StaffGroup, _: Gettext) -> str:
    names = {
        "pupils": _("Pupils"),
        "staff": _("All staff"),
        "teachers": _("Teachers"),
        "leaders": _("Leaders"),
    }
    return names[group]


def _dimension_names(inst: Instrument) -> dict[str, str]:
    return {d.id: d.name for d in inst.dimensions}


def _shown(view: GroupView) -> bool:
    return not view.suppressed and view.mean is not None


def groups_table(voice: StaffVoice, inst: Instrument, _: Gettext, *, caption: str) -> Table:
    """A row per dimension and group: who answered, their mean and its 95% CI."""
    names = _dimension_names(inst)
    rows = [
        [
            names.get(d.dimension, d.dimension),
            group_name(v.group, _),
            fmt.count(None if v.suppressed else v.n),
            fmt.number(None if v.suppressed else v.mean),
            fmt.HIDDEN if v.suppressed else fmt.ci(v.ci_low, v.ci_high),
        ]
        for d in voice.dimensions
        for v in d.groups
    ]
    return Table(
        caption=caption,
        columns=[_("Dimension"), _("Group"), _("Answered"), _("Mean"), _("95% CI")],
        rows=rows,
        numeric=[False, False, True, True, True],
    )


def gap_label(gap: PerceptionGap, _: Gettext) -> str:
    """The comparison, e.g. "Teachers − pupils"."""
    return _("%(b)s − %(a)s") % {
        "b": group_name(gap.group_b, _),
        "a": group_name(gap.group_a, _).lower(),
    }


def _standing(gap: PerceptionGap, _: Gettext) -> str:
    if gap.suppressed or gap.percentile is None or not gap.n_schools:
        return fmt.HIDDEN
    return _("Above %(pct)s of %(k)s other schools") % {
        "pct": fmt.pct(gap.percentile),
        "k": gap.n_schools,
    }


def _reading(gap: PerceptionGap, _: Gettext) -> str:
    if gap.suppressed or gap.hedges_g is None:
        return fmt.HIDDEN
    return _("Large gap") if gap.large else _("Not large")


def gaps_table(voice: StaffVoice, inst: Instrument, _: Gettext, *, caption: str) -> Table:
    """A row per dimension and comparison: the gap (b − a) with Welch's 95% CI, Hedges' g
    with its CI, whether it is large, and — where the analysis set it against other
    schools — where it stands among them."""
    names = _dimension_names(inst)
    gaps = [g for d in voice.dimensions for g in d.gaps]
    standing = any(g.percentile is not None for g in gaps)
    rows = []
    for g in gaps:
        hidden = g.suppressed
        row = [
            names.get(g.dimension, g.dimension),
            gap_label(g, _),
            fmt.HIDDEN if hidden else effect(g.difference, g.ci_low, g.ci_high),
            fmt.HIDDEN if hidden else effect(g.hedges_g, g.g_ci_low, g.g_ci_high),
            _reading(g, _),
        ]
        if standing:
            row.append(_standing(g, _))
        rows.append(row)
    columns = [_("Dimension"), _("Comparison"), _("Gap (95% CI)"), _("g (95% CI)"), _("Reading")]
    numeric = [False, False, True, True, False]
    notes = [
        _(
            "A gap is the second group's mean minus the first's, with Welch's 95% confidence "
            "interval; positive when the second group sees the dimension more favourably. "
            "A gap is large when Hedges' g is at least 0.5 either way and its 95% interval "
            "excludes zero."
        )
    ]
    if standing:
        columns.append(_("Among other schools"))
        numeric.append(False)
        notes.append(
            _(
                "Among other schools: the share of the other schools whose gap is smaller "
                "than this school's, every school's gap first shrunk towards the mean gap "
                "of all schools (empirical Bayes), so that a school with few staff cannot "
                "look extreme by chance."
            )
        )
    return Table(caption=caption, columns=columns, rows=rows, numeric=numeric, notes=notes)


def large_gap_words(voice: StaffVoice, inst: Instrument, _: Gettext) -> list[str]:
    """Each large gap in a sentence, in the instrument's order."""
    names = _dimension_names(inst)
    words = []
    for d in voice.dimensions:
        for g in d.gaps:
            if g.suppressed or not g.large or g.difference is None:
                continue
            values = {
                "b": group_name(g.group_b, _),
                "a": group_name(g.group_a, _).lower(),
                "dim": names.get(g.dimension, g.dimension),
                "g": fmt.signed(g.hedges_g),
                "ci": fmt.ci(g.g_ci_low, g.g_ci_high),
            }
            if g.difference > 0:
                text = _(
                    "%(b)s rate %(dim)s clearly higher than %(a)s do: a large gap "
                    "(g = %(g)s, 95%% CI %(ci)s)."
                )
            else:
                text = _(
                    "%(b)s rate %(dim)s clearly lower than %(a)s do: a large gap "
                    "(g = %(g)s, 95%% CI %(ci)s)."
                )
            words.append(text % values)
    return words


def counts_words(voice: StaffVoice, _: Gettext) -> str:
    """How many staff, teachers and leaders answered, as far as disclosure shows it."""
    if voice.n_staff is None:
        return _("Too few staff answered for their number to be shown.")
    words = _("%(n)s staff answered.") % {"n": fmt.count(voice.n_staff)}
    parts = []
    if voice.n_teachers is not None:
        parts.append(_("%(n)s teachers") % {"n": fmt.count(voice.n_teachers)})
    if voice.n_leaders is not None:
        parts.append(_("%(n)s leaders") % {"n": fmt.count(voice.n_leaders)})
    if parts:
        words += " " + _("Among them: %(groups)s.") % {"groups": _(" and ").join(parts)}
    return words


def staff_notes(voice: StaffVoice, _: Gettext, *, who: str) -> list[str]:
    """Plain notes: leaders pooled into all staff, staff figures hidden. ``who`` is "the
    school" or "the trust"."""
    notes = []
    if voice.leaders_pooled:
        notes.append(
            _(
                "Fewer than %(n)s leaders answered, so leaders are not shown apart: their "
                "answers are counted in all staff only."
            )
            % {"n": voice.staff_threshold}
        )
    staff_views = [v for d in voice.dimensions for v in d.groups if v.group != "pupils"]
    if voice.n_staff is None or (staff_views and not any(_shown(v) for v in staff_views)):
        notes.append(
            _(
                "The staff's figures for %(who)s are hidden: fewer than %(n)s staff answered, "
                "or showing them would let a smaller group be worked out."
            )
            % {"who": who, "n": voice.staff_threshold}
        )
    return notes


def _domain(values: list[float], inst: Instrument) -> tuple[float, float]:
    low = max(float(inst.scale.min), float(np.floor(min(values) * 5 - 0.5) / 5))
    high = min(float(inst.scale.max), float(np.ceil(max(values) * 5 + 0.5) / 5))
    return low, high


def voice_chart(
    chart_id: str,
    voice: StaffVoice,
    inst: Instrument,
    table: Table,
    _: Gettext,
    *,
    title: str,
) -> Chart | None:
    """The dumbbell chart of the groups shown (None when no staff group is shown)."""
    names = _dimension_names(inst)
    rows: list[Mapping[str, object]] = [
        {
            "dimension": names.get(d.dimension, d.dimension),
            "group": group_name(v.group, _),
            "mean": v.mean,
            "low": v.ci_low,
            "high": v.ci_high,
        }
        for d in voice.dimensions
        for v in d.groups
        if _shown(v)
    ]
    drawn = {v.group for d in voice.dimensions for v in d.groups if _shown(v)}
    if not drawn - {"pupils"}:
        return None
    groups = [g for g in GROUP_ORDER if g in drawn]
    values = [
        float(x)
        for d in voice.dimensions
        for v in d.groups
        if _shown(v)
        for x in (v.mean, v.ci_low, v.ci_high)
        if x is not None
    ]
    return group_dumbbell_chart(
        chart_id,
        title,
        _(
            "For each dimension, one marker per group on a common line: %(groups)s, each "
            "with its own shape and colour and a thin line for its 95%% confidence interval. "
            "The grey bar runs from the lowest group's mean to the highest's: its length is "
            "the widest gap. The tables give every figure."
        )
        % {"groups": ", ".join(group_name(g, _).lower() for g in groups)},
        rows,
        table,
        dimensions=[names.get(d.dimension, d.dimension) for d in voice.dimensions],
        groups=[group_name(g, _) for g in groups],
        x_title=_("Mean score"),
        x_domain=_domain(values, inst),
    )
