"""The trust at a glance: the trust's pupils against the other schools' on the overall
score and each notion, in words (``trust.html.j2`` words each row by its direction)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from learnsurvey.analysis.figures.trust import TrustFigures, TrustScore

from .. import format as fmt

__all__ = ["ScoreRow", "headline"]

DIRECTIONS = {"above": "above", "below": "below", "within": "level", "unknown": "hidden"}
"""The contract's word for where g's interval lies → the template's."""


class ScoreRow(BaseModel):
    """One score of the trust against the wave, formatted, for the headline."""

    model_config = ConfigDict(frozen=True)

    score: str
    kind: str
    name: str
    mean: str
    ci: str
    all_mean: str
    rest_mean: str
    g: str
    g_ci: str
    direction: str
    """"above", "below" or "level" (the g interval includes zero), or "hidden"."""
    size: str

    @classmethod
    def from_score(cls, score: TrustScore, labels: dict[str, str]) -> ScoreRow:
        return cls(
            score=score.score,
            kind=score.kind,
            name=labels[score.score],
            mean=fmt.number(score.mean),
            ci=fmt.ci(score.ci_low, score.ci_high),
            all_mean=fmt.number(score.all_mean),
            rest_mean=fmt.number(score.rest_mean),
            g=fmt.signed(score.hedges_g),
            g_ci=fmt.ci(score.g_ci_low, score.g_ci_high),
            direction=DIRECTIONS[score.direction],
            size=score.size or "",
        )


def headline(figures: TrustFigures, labels: dict[str, str]) -> list[ScoreRow]:
    """The notions, then the overall score, or nothing when the trust's pupils are hidden."""
    if not figures.publishable:
        return []
    return [
        ScoreRow.from_score(s, labels)
        for kind in ("notion", "overall")
        for s in figures.against_rest
        if s.kind == kind
    ]
