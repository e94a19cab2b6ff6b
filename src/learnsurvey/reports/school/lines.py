"""One line per score of the school (dimensions, notions, overall): the figures of
:class:`~learnsurvey.analysis.figures.school.ScoreFigure` with the names and guidance a
reader needs. Nothing is computed here."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.figures.school import SchoolFigures, ScoreFigure
from learnsurvey.analysis.standing import Standing, Verdict
from learnsurvey.instruments import Instrument

from ..guidance import Guidance
from .tables import Gettext

__all__ = ["ScoreLine", "score_lines"]


class ScoreLine(BaseModel):
    """One dimension, notion or the overall score of a school; None where not shown."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    name: str
    label: str
    """The name in tables and charts: notions are marked, as one may share a dimension's name."""
    notion: str = ""
    """For a dimension, the name of its notion."""
    description: str = ""
    n: int | None = None
    mean: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    high_pct: float | None = None
    bands: list[float | None] = []
    band: str = ""
    """The name of the band the mean falls in (its absolute level); empty when hidden."""
    all_mean: float | None = None
    all_g: float | None = None
    all_g_low: float | None = None
    all_g_high: float | None = None
    similar_mean: float | None = None
    similar_g: float | None = None
    similar_g_low: float | None = None
    similar_g_high: float | None = None
    verdict: Verdict = "unknown"
    """Against all schools: ``above``/``below`` when the 95% CI of g excludes 0."""
    similar_verdict: Verdict = "unknown"
    standing: Standing = "unknown"
    meaning: str = ""
    questions: list[str] = []


def _figures(x: ScoreFigure, inst: Instrument) -> dict[str, object]:
    bands = {b.id: b.name for b in inst.bands}
    return {
        "n": x.n,
        "mean": x.mean,
        "ci_low": x.ci_low,
        "ci_high": x.ci_high,
        "high_pct": x.pct_high,
        "bands": [b.pct for b in x.bands] if not x.suppressed else [],
        "band": bands.get(x.band or "", ""),
        "all_mean": x.benchmark_mean,
        "all_g": x.hedges_g,
        "all_g_low": x.g_ci_low,
        "all_g_high": x.g_ci_high,
        "similar_mean": x.similar_mean,
        "similar_g": x.similar_hedges_g,
        "similar_g_low": x.similar_g_ci_low,
        "similar_g_high": x.similar_g_ci_high,
        "verdict": x.against_all,
        "similar_verdict": x.against_similar,
        "standing": x.standing,
    }


def _words(kind: str, sid: str, inst: Instrument, _: Gettext) -> dict[str, str]:
    if kind == "dimension":
        d = inst.dimension(sid)
        notion = next((f.name for f in inst.factors if f.id == d.factor), "")
        return {"name": d.name, "label": d.name, "notion": notion, "description": d.description}
    if kind == "notion":
        f = next(f for f in inst.factors if f.id == sid)
        label = _("%(name)s (notion)") % {"name": f.name}
        return {"name": f.name, "label": label, "description": f.description}
    return {"name": _("Overall score"), "label": _("Overall score")}


def score_lines(
    figures: SchoolFigures, inst: Instrument, guidance: Guidance, _: Gettext
) -> list[ScoreLine]:
    """The school's lines: dimensions in the instrument's order, notions, then overall."""
    lines = []
    for x in figures.scores:
        guides = {"dimension": guidance.dimensions, "notion": guidance.notions}
        guide = guides.get(x.kind, {}).get(x.score)
        lines.append(
            ScoreLine(
                id=x.score,
                kind=x.kind,
                **_words(x.kind, x.score, inst, _),
                **_figures(x, inst),
                meaning=guide.meaning if guide else "",
                questions=list(guide.questions) if guide else [],
            )
        )
    return lines
