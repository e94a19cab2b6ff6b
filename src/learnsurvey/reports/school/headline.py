"""The school report's headline: where the school stands in absolute terms and against
both benchmarks, and its strengths and areas to work on, in words a head teacher reads
correctly. The judgements are made in :mod:`learnsurvey.analysis.standing`; this module
only words them."""

from __future__ import annotations

from learnsurvey.analysis.figures.school import Headline
from learnsurvey.analysis.standing import Verdict

from .. import format as fmt
from .lines import ScoreLine
from .tables import Gettext

__all__ = ["against", "headline_sentences", "reason"]


def against(verdict: Verdict, which: str, _: Gettext) -> str:
    """A verdict in words: "clearly above all schools", "not clearly different from similar
    schools"; empty when no comparison is shown. ``which`` is ``all`` or ``similar``."""
    words = {
        ("above", "all"): _("clearly above all schools"),
        ("below", "all"): _("clearly below all schools"),
        ("within", "all"): _("not clearly different from all schools"),
        ("above", "similar"): _("clearly above similar schools"),
        ("below", "similar"): _("clearly below similar schools"),
        ("within", "similar"): _("not clearly different from similar schools"),
    }
    return words.get((verdict, which), "")


def _g(g: float | None, low: float | None, high: float | None, _: Gettext) -> str:
    return _("g %(g)s, 95%% CI %(ci)s") % {"g": fmt.signed(g), "ci": fmt.ci(low, high)}


def _level(line: ScoreLine, _: Gettext) -> str:
    words = {"mean": fmt.number(line.mean), "band": line.band.lower()}
    if line.high_pct is None:
        # The share is hidden (it would stand for a few pupils): the band still says it.
        return _("mean %(mean)s, %(band)s band") % words
    return _("mean %(mean)s, %(band)s band, %(pct)s of pupils quite or very high") % (
        words | {"pct": fmt.pct(line.high_pct)}
    )


def reason(line: ScoreLine, has_similar: bool, _: Gettext) -> str:
    """Why a dimension is listed: its level, then each clear comparison with its g (a
    comparison that is not clear says nothing either way, so it is left out here)."""
    parts = [_level(line, _)]
    compared = [("all", line.verdict, line.all_g, line.all_g_low, line.all_g_high)]
    if has_similar:
        compared.append(
            (
                "similar",
                line.similar_verdict,
                line.similar_g,
                line.similar_g_low,
                line.similar_g_high,
            )
        )
    for which, verdict, g, low, high in compared:
        words = against(verdict, which, _) if verdict in {"above", "below"} else ""
        if words:
            parts.append(f"{words} ({_g(g, low, high, _)})")
    return "; ".join(parts)


def _counts(head: Headline, has_similar: bool, _: Gettext) -> str:
    text = _(
        "Of its %(k)s scores (dimensions, notions and overall): clearly above all schools "
        "%(a)s, clearly below %(b)s"
    ) % {"k": head.scores_compared_all, "a": head.above_all, "b": head.below_all}
    if has_similar and head.scores_compared_similar:
        text += _("; clearly above similar schools %(a)s, clearly below %(b)s") % {
            "a": head.above_similar,
            "b": head.below_similar,
        }
    return text + "."


def headline_sentences(
    head: Headline, overall: ScoreLine, has_similar: bool, _: Gettext
) -> list[str]:
    """The headline in a few sentences: absolute level first, then the benchmarks."""
    out = []
    if overall.mean is not None:
        words = {"mean": fmt.number(overall.mean), "band": overall.band.lower()}
        if overall.high_pct is None:
            # The share is hidden (it would stand for a few pupils): the band still says it.
            text = _("The school's overall mean, %(mean)s, is in the %(band)s band.") % words
        else:
            text = _(
                "Overall, %(pct)s of pupils are quite or very high; the school's overall "
                "mean, %(mean)s, is in the %(band)s band."
            ) % (words | {"pct": fmt.pct(overall.high_pct)})
        out.append(text)
    compared = [against(head.overall_against_all, "all", _)]
    if has_similar:
        compared.append(against(head.overall_against_similar, "similar", _))
    shown = [c for c in compared if c]
    if shown:
        out.append(_("The overall score is %(words)s.") % {"words": _(" and ").join(shown)})
    if head.scores_compared_all:
        out.append(_counts(head, has_similar, _))
    return out
