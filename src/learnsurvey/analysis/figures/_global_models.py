"""The models of the global figures (see :mod:`.global_`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ..labels import Gettext, school_label
from ._base import Figures, Number

__all__ = [
    "CountRow",
    "Effect",
    "FocusedFigures",
    "FocusedSchool",
    "GenderFigures",
    "GlobalFigures",
    "GroupContext",
    "GroupMean",
    "InspectionFigures",
    "KeyStageFigures",
    "LoadingRow",
    "PatternFigures",
    "ProfileRow",
    "RatingAnova",
    "RatingMean",
    "ReliabilityFigure",
    "SampleFigures",
    "SchoolScore",
    "ScoreSummary",
    "TopBottom",
]

Failure = Literal["", "too_few_responses", "not_computable"]


class CountRow(Figures):
    """Pupils of one phase, key stage or gender (``group``; ``NOT_GIVEN`` when not given),
    suppressed as a partition of the wave's total."""

    group: str
    n: int | None
    schools: int | None = None
    """Schools of the phase (phases only)."""
    pct: Number
    suppressed: bool


class SampleFigures(Figures):
    """Who answered: shown only when the wave has at least the threshold of pupils."""

    n_responses: int
    n_schools: int
    n_trusts: int | None
    """None when no school context gives the schools' trusts."""
    n_items: int
    phases: list[CountRow]
    """Empty when no school context gives the schools' phases."""
    key_stages: list[CountRow]
    genders: list[CountRow]


class ReliabilityFigure(Figures):
    scale: str
    """A dimension id, or ``overall`` for all items."""
    n_items: int
    n: int
    alpha: Number
    alpha_ci_low: Number
    alpha_ci_high: Number
    omega_total: Number


class LoadingRow(Figures):
    dimension: str
    factor: str
    """The notion the instrument assigns the dimension to."""
    primary_factor: str
    """The notion it loads on most."""
    loadings: dict[str, Number]
    communality: Number


class PatternFigures(Figures):
    """The pattern matrix of the dimensions on the notions (minres, promax as published)."""

    rotation: str
    rows: list[LoadingRow]
    """In the instrument's order of notions, then by the loading on the own notion."""
    correlations: dict[str, dict[str, Number]]


class ScoreSummary(Figures):
    """All pupils' summary of a dimension, a notion or the overall score."""

    kind: Literal["dimension", "notion", "overall"]
    score: str
    n: int | None
    mean: Number
    sd: Number
    ci_low: Number
    ci_high: Number
    pct_high: Number
    suppressed: bool


class GroupMean(Figures):
    """A dimension's summary for the pupils of one key stage or gender."""

    group: str
    dimension: str
    n: int | None
    mean: Number
    sd: Number
    ci_low: Number
    ci_high: Number
    suppressed: bool


class Effect(Figures):
    """Hedges' g of ``group_a`` against ``group_b`` on a dimension (positive: A higher)."""

    dimension: str
    group_a: str
    group_b: str
    hedges_g: Number
    ci_low: Number
    ci_high: Number
    suppressed: bool = False


class KeyStageFigures(Figures):
    stages: list[str]
    """The key stages shown on some dimension, in the instrument's order."""
    primary: list[str]
    secondary: list[str]
    means: list[GroupMean]
    adjacent: list[Effect]
    """Each key stage (``group_a``) against the one before it (``group_b``)."""
    phases: list[Effect]
    """``secondary`` against ``primary``, their shown key stages pooled; empty unless both."""
    n_lower: int
    """Dimensions on which the last key stage's mean is below the first's."""


class GenderFigures(Figures):
    genders: list[str]
    """The genders shown on some dimension, in the instrument's order."""
    means: list[GroupMean]
    effects: list[Effect]


class SchoolScore(Figures):
    school: str
    mean: Number
    ci_low: Number
    ci_high: Number
    shrunken_ci_low: Number
    shrunken_ci_high: Number


class TopBottom(Figures):
    """The top and the bottom school of a dimension by shrunken mean, their pupils compared."""

    dimension: str
    top: SchoolScore
    bottom: SchoolScore
    hedges_g: Number
    ci_low: Number
    ci_high: Number
    gap_pct_points: Number
    """Top minus bottom school's % of pupils in the high bands."""
    separated: bool
    """Whether the two shrunken means' 95% intervals do not overlap."""


class RatingMean(Figures):
    dimension: str
    rating: str
    n_schools: int
    mean_of_school_means: Number


class RatingAnova(Figures):
    dimension: str
    anova_f: Number
    anova_p: Number
    eta_squared: Number


class InspectionFigures(Figures):
    ratings: list[str]
    n_schools: dict[str, int]
    rated: list[str]
    """The ratings that are inspection judgements (not "not inspected")."""
    n_rated_schools: int
    reference: str
    means: list[RatingMean]
    anova: list[RatingAnova]
    effects: list[Effect]
    """Each rating (``group_a``) against ``reference`` (``group_b``), by school means."""


class FocusedSchool(Figures):
    school: str
    rank: int
    shrunken_mean: Number
    ci_low: Number
    ci_high: Number
    above_median: bool


class GroupContext(Figures):
    """A group of schools' context in aggregate (shown only for groups disclosure allows)."""

    n_schools: int
    phases: dict[str, int]
    mean_fsm_pct: Number
    ratings: dict[str, int]


class ProfileRow(Figures):
    """A dimension's school means: the learning-focused schools against the rest."""

    dimension: str
    mean: Number
    ci_low: Number
    ci_high: Number
    mean_rest: Number
    ci_low_rest: Number
    ci_high_rest: Number
    hedges_g: Number
    g_ci_low: Number
    g_ci_high: Number


class FocusedFigures(Figures):
    """The top tenth of schools on the overall score (the learning-focused) and the rest."""

    share: float
    min_schools: int
    """The fewest schools a group must have for its context to be described."""
    n_ranked: int
    median: Number
    schools: list[FocusedSchool]
    n_rest: int
    pct_high: Number
    pct_high_rest: Number
    ratio: Number
    profile: list[ProfileRow]
    context: list[GroupContext]
    """The focused schools' and the rest's context; empty when it is withheld."""
    context_withheld: Literal["", "no_context", "too_few_schools"]


class GlobalFigures(Figures):
    """Everything the global views of a wave show: the researchers' tables and the global
    report's figures, each through :mod:`learnsurvey.stats.disclosure`. Schools appear by
    key; views name them with :meth:`school_label`."""

    wave: str
    threshold: int
    failure: Failure
    """Why the wave tables cannot be computed ("" when they can)."""
    has_context: bool
    """Whether a school context with inspection ratings was given."""
    school_numbers: dict[str, int]
    named_schools: dict[str, str]
    """The schools that opted in to being named in research: key → name."""
    tables: dict[str, list[dict[str, Any]]] | None = None
    """The researchers' wave tables (oblimin rotation), JSON-ready rows."""
    sample: SampleFigures | None = None
    reliability: list[ReliabilityFigure] = Field(default_factory=list)
    pattern: PatternFigures | None = None
    """None when the instrument has too few dimensions for a factor analysis."""
    scores: list[ScoreSummary] = Field(default_factory=list)
    key_stages: KeyStageFigures | None = None
    genders: GenderFigures | None = None
    top_bottom: list[TopBottom] = Field(default_factory=list)
    inspection: InspectionFigures | None = None
    focused: FocusedFigures | None = None
    """None when too few schools have enough pupils to pick out the top tenth."""

    def school_label(self, school: str, gettext: Gettext | None = None) -> str:
        """The school's name if it opted in, else "School N"."""
        if gettext is None:
            return school_label(school, self.school_numbers, self.named_schools)
        return school_label(school, self.school_numbers, self.named_schools, gettext)
