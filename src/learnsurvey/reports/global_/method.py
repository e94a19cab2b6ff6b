"""What the report says about its method as a whole: why the wave's tables cannot be
computed (said once at the top), and the references several sections cite."""

from __future__ import annotations

from learnsurvey.analysis.dashboard import NOT_COMPUTABLE, TOO_FEW
from learnsurvey.analysis.labels import Gettext

__all__ = ["FISHER", "HEDGES", "HUNDEPOOL", "RAUDENBUSH", "failure_words", "notice"]

HEDGES = (
    "Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and "
    "related estimators. Journal of Educational Statistics, 6, 107–128."
)
RAUDENBUSH = (
    "Raudenbush, S. W. & Bryk, A. S. (2002). Hierarchical Linear Models (2nd ed.). Sage, "
    "ch. 3 (empirical Bayes estimates)."
)
HUNDEPOOL = "Hundepool, A. et al. (2012). Statistical Disclosure Control. Wiley, ch. 4."
FISHER = (
    "Fisher, R. A. (1925). Statistical Methods for Research Workers. Oliver & Boyd "
    "(analysis of variance)."
)


def notice(failure: str, _: Gettext) -> str | None:
    """Why the wave-level tables cannot be computed, said once at the top (None: they can)."""
    reasons = {
        TOO_FEW: _(
            "The wave has too few pupils for its figures to be shown without describing a "
            "small group."
        ),
        NOT_COMPUTABLE: _(
            "The wave has too few pupils, or too little variation in their answers, for the "
            "reliability and factor analyses behind most tables of this report."
        ),
    }
    return reasons.get(failure)


def failure_words(failure: str, _: Gettext) -> str:
    """What a section that cannot be computed says ("" when it can)."""
    if not failure:
        return ""
    return _("This cannot be computed for this wave: see \u201cAbout this report\u201d.")
