"""The global report's "Learning beside outcomes" section: school-level correlations of each
score with each outcome measure (Pearson's r with its Fisher-z 95% CI), a binned scatter of
the overall score against each measure, and the caveats — schools, not pupils; correlation,
not cause; which year. Everything from
:class:`~learnsurvey.analysis.figures.outcomes.OutcomeFigures` as the analysis built it."""

from __future__ import annotations

from typing import Any

from learnsurvey.analysis.figures.outcomes import OutcomeCorrelation, OutcomeFigures

from .. import format as fmt
from ..charts import Chart, Table, binned_scatter_chart
from .context import GlobalContext
from .section import Section

__all__ = ["SECTION_ID", "outcomes_section"]

SECTION_ID = "outcomes"
FISHER_1921 = (
    "Fisher, R. A. (1921). On the “probable error” of a coefficient of correlation deduced "
    "from a small sample. Metron, 1, 3–32."
)
ROBINSON_1950 = (
    "Robinson, W. S. (1950). Ecological correlations and the behavior of individuals. "
    "American Sociological Review, 15(3), 351–357."
)


def _r_cell(c: OutcomeCorrelation | None) -> str:
    if c is None or c.suppressed or c.r is None:
        return fmt.HIDDEN
    return f"{fmt.signed(c.r)}\n{fmt.ci(c.ci_low, c.ci_high)}"


def _clear(c: OutcomeCorrelation) -> bool:
    low, high = c.ci_low, c.ci_high
    return not c.suppressed and low is not None and high is not None and (low > 0 or high < 0)


def _score_order(ctx: GlobalContext) -> list[tuple[str, str, str]]:
    """(kind, id, name): the overall score, the notions, then the dimensions."""
    _ = ctx.gettext
    out = [("overall", "overall", _("Overall score"))]
    out += [("notion", f.id, _("%(name)s (notion)") % {"name": f.name}) for f in ctx.inst.factors]
    out += [("dimension", d.id, d.name) for d in ctx.inst.dimensions]
    return out


def _measure_name(measure: str, unit: str) -> str:
    return f"{measure} ({unit})" if unit else measure


def _table(ctx: GlobalContext, fig: OutcomeFigures) -> Table:
    _ = ctx.gettext
    by = {(c.kind, c.score, c.measure): c for c in fig.correlations}
    rows = [
        [name, *[_r_cell(by.get((kind, score, m.measure))) for m in fig.measures]]
        for kind, score, name in _score_order(ctx)
        if any((kind, score, m.measure) in by for m in fig.measures)
    ]
    headings = [
        _("%(measure)s, %(year)s\n(%(k)s schools)")
        % {"measure": _measure_name(m.measure, m.unit), "year": m.year, "k": m.n_schools}
        for m in fig.measures
    ]
    return Table(
        caption=_("Correlation of school means with each outcome measure: Pearson's r (95% CI)"),
        columns=[_("Score"), *headings],
        rows=rows,
        numeric=[False] + [True] * len(fig.measures),
        notes=[
            _(
                "Each cell gives r and, below it, its 95% confidence interval. A positive r "
                "means schools whose pupils score higher tend to have higher values of the "
                "measure. A dash: fewer than five schools have both figures."
            )
        ],
    )


def _chart(ctx: GlobalContext, fig: OutcomeFigures) -> Chart | None:
    _ = ctx.gettext
    names = {m.measure: _measure_name(m.measure, m.unit) for m in fig.measures}
    rows: list[dict[str, Any]] = [
        {
            "panel": names[b.measure],
            "x": b.measure_mean,
            "x_low": b.measure_low,
            "x_high": b.measure_high,
            "mean": b.mean,
            "low": b.ci_low,
            "high": b.ci_high,
            "n": b.n_schools,
        }
        for b in fig.bins
        if b.kind == "overall" and not b.suppressed and b.measure in names
    ]
    if not rows:
        return None
    table = Table(
        caption=_("The bins of the chart: schools grouped by the measure"),
        columns=[
            _("Measure"),
            _("Range of the measure"),
            _("Mean of the measure"),
            _("Schools"),
            _("Mean of school means (95% CI)"),
        ],
        rows=[
            [
                str(r["panel"]),
                f"{fmt.number(r['x_low'])} – {fmt.number(r['x_high'])}",
                fmt.number(r["x"]),
                fmt.count(r["n"]),
                f"{fmt.number(r['mean'])} ({fmt.ci(r['low'], r['high'])})",
            ]
            for r in rows
        ],
        numeric=[False, True, True, True, True],
    )
    values = [float(r[k]) for r in rows for k in ("low", "high", "mean") if r[k] is not None]
    scale = ctx.inst.scale
    low = max(float(scale.min), min(values) - 0.1)
    high = min(float(scale.max), max(values) + 0.1)
    return binned_scatter_chart(
        "outcomes-binned",
        _("The overall score beside each outcome measure: schools in bins of the measure"),
        _(
            "Binned scatter, one panel per outcome measure. The schools are grouped by the "
            "measure into bins of at least five schools; each point is a bin, at the mean "
            "of its schools' values of the measure (across) and the mean of their overall "
            "scores (up), with a vertical line for the 95%% confidence interval of that mean "
            "and a light horizontal line for the bin's range of the measure. No single "
            "school is drawn."
        ),
        rows,
        table,
        panels=[
            names[m.measure] for m in fig.measures if names[m.measure] in {r["panel"] for r in rows}
        ],
        y_title=_("Mean of school means (overall)"),
        y_domain=(low, high),
    )


def _lead(ctx: GlobalContext, fig: OutcomeFigures) -> list[str]:
    _ = ctx.gettext
    said = [
        _("%(measure)s: %(year)s, %(k)s schools of the wave with enough pupils.")
        % {"measure": _measure_name(m.measure, m.unit), "year": m.year, "k": m.n_schools}
        for m in fig.measures
    ]
    overall = [c for c in fig.correlations if c.kind == "overall" and _clear(c)]
    for c in overall:
        direction = _("higher") if (c.r or 0) > 0 else _("lower")
        said.append(
            _(
                "Schools whose pupils score higher overall tend to have %(direction)s %(measure)s "
                "(r = %(r)s, 95%% CI %(ci)s, %(k)s schools)."
            )
            % {
                "direction": direction,
                "measure": c.measure,
                "r": fmt.signed(c.r),
                "ci": fmt.ci(c.ci_low, c.ci_high),
                "k": c.n_schools,
            }
        )
    shown = [c for c in fig.correlations if c.kind == "overall" and not c.suppressed]
    if shown and not overall:
        said.append(
            _(
                "No measure is clearly correlated with the overall score: every interval "
                "includes zero."
            )
        )
    return said


def _caveats(ctx: GlobalContext, fig: OutcomeFigures) -> list[str]:
    _ = ctx.gettext
    years = ", ".join(f"{m.measure} {m.year}" for m in fig.measures)
    return [
        _(
            "Schools, not pupils: each school counts once, by its mean score and its value of "
            "the measure. A correlation between schools says nothing about whether the pupils "
            "who feel better about learning are the ones who attain more (the ecological "
            "fallacy; Robinson, 1950)."
        ),
        _(
            "Correlation, not cause: schools differ in their intakes (disadvantage, phase, "
            "size, region), and these shape both what pupils say and the outcome measures. "
            "Primary and secondary schools are pooled for attendance and suspensions, which "
            "differ by phase as the scores do. Nothing here shows that raising one would "
            "raise the other."
        ),
        _(
            "Which year: each measure is taken in the latest year imported (%(years)s); it "
            "may not be the year of the survey wave."
        )
        % {"years": years},
    ]


def outcomes_section(
    ctx: GlobalContext, figures: OutcomeFigures | None, *, number: int = 11
) -> Section | None:
    """The section (``number`` in the report's order), or None when the wave has no outcome
    measures: then nothing is said."""
    if figures is None or not figures.measures:
        return None
    _ = ctx.gettext
    heading = _("%(n)s. Learning beside outcomes") % {"n": number}
    if not ctx.computed:
        return Section(id=SECTION_ID, heading=heading, unavailable=ctx.failure)
    chart = _chart(ctx, figures)
    return Section(
        id=SECTION_ID,
        heading=heading,
        lead=_lead(ctx, figures) + _caveats(ctx, figures),
        charts=[chart] if chart is not None else [],
        tables=[_table(ctx, figures)],
        method=[
            _(
                "Pearson's r across the schools of the wave whose mean on the score is shown, "
                "each school once. Its 95%% confidence interval is tanh(artanh r ± 1.96 / √(k − "
                "3)) for k schools (Fisher's z), and p is from the t test with k − 2 degrees of "
                "freedom; a correlation is shown only when at least five schools have both "
                "figures. For the chart the schools are sorted by the measure and cut into up "
                "to ten equal groups of at least five schools; each group's mean of school "
                "means has a t-based 95%% interval. No school's own point is shown: a school's "
                "exact score beside its published outcomes would say which school it is."
            ),
            _("The names of the measures and their units are as imported: %(names)s.")
            % {"names": "; ".join(_measure_name(m.measure, m.unit) for m in figures.measures)},
        ],
        references=[FISHER_1921, ROBINSON_1950],
    )
