"""Django-free psychometrics: arrays and sufficient statistics in, numbers and tidy tables out.

One module per family: :mod:`.moments` (mergeable sufficient statistics), :mod:`.reliability`,
:mod:`.correlation`, :mod:`.factor`, :mod:`.effects`, :mod:`.multilevel` and
:mod:`.disclosure` (the one place small-group suppression is decided). Every function states
its formula, a reference, and the R results it was checked against (tests/golden/).
"""

from typing import TYPE_CHECKING

from learnsurvey._lazy import lazy_members

if TYPE_CHECKING:
    from .correlation import Polychoric, cov_to_corr, polychoric
    from .disclosure import (
        DEFAULT_THRESHOLD,
        DisclosureError,
        default_threshold,
        require_publishable,
        suppress,
        suppress_pairs,
    )
    from .effects import hedges_g
    from .factor import FactorSolution, factor_analysis, squared_multiple_correlations
    from .moments import CategoryTables, GroupMoments, PairwiseMoments
    from .multilevel import (
        RandomIntercept,
        icc1,
        icc1_anova,
        random_intercept_reml,
        shrunken_means,
    )
    from .reliability import (
        Alpha,
        Omega,
        cronbach_alpha,
        feldt_ci,
        item_rest_statistics,
        mcdonald_omega,
    )
    from .trend import minimal_detectable_change, weighted_trend

# Each name is imported from its module on first use: a process that needs only the
# disclosure thresholds (the web settings) or the moments does not load scipy.
_MODULES = {
    "Alpha": "reliability",
    "CategoryTables": "moments",
    "DEFAULT_THRESHOLD": "disclosure",
    "DisclosureError": "disclosure",
    "FactorSolution": "factor",
    "GroupMoments": "moments",
    "Omega": "reliability",
    "PairwiseMoments": "moments",
    "Polychoric": "correlation",
    "RandomIntercept": "multilevel",
    "cov_to_corr": "correlation",
    "cronbach_alpha": "reliability",
    "default_threshold": "disclosure",
    "factor_analysis": "factor",
    "feldt_ci": "reliability",
    "hedges_g": "effects",
    "icc1": "multilevel",
    "icc1_anova": "multilevel",
    "item_rest_statistics": "reliability",
    "mcdonald_omega": "reliability",
    "minimal_detectable_change": "trend",
    "polychoric": "correlation",
    "random_intercept_reml": "multilevel",
    "require_publishable": "disclosure",
    "shrunken_means": "multilevel",
    "squared_multiple_correlations": "factor",
    "suppress": "disclosure",
    "suppress_pairs": "disclosure",
    "weighted_trend": "trend",
}


__getattr__ = lazy_members(__name__, globals(), _MODULES)


__all__ = [
    "DEFAULT_THRESHOLD",
    "Alpha",
    "CategoryTables",
    "DisclosureError",
    "FactorSolution",
    "GroupMoments",
    "Omega",
    "PairwiseMoments",
    "Polychoric",
    "RandomIntercept",
    "cov_to_corr",
    "cronbach_alpha",
    "default_threshold",
    "factor_analysis",
    "feldt_ci",
    "hedges_g",
    "icc1",
    "icc1_anova",
    "item_rest_statistics",
    "mcdonald_omega",
    "minimal_detectable_change",
    "polychoric",
    "random_intercept_reml",
    "require_publishable",
    "shrunken_means",
    "squared_multiple_correlations",
    "suppress",
    "suppress_pairs",
    "weighted_trend",
]
