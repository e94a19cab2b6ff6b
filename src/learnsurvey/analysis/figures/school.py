"""A school's figures for one wave: everything its dashboard, its API and its report show.

:class:`SchoolFigures` is the contract; :func:`build_school_figures` builds it for every
school of a wave at once, from :class:`~learnsurvey.analysis.inputs.ReportInputs`. Every
table has been through :mod:`learnsurvey.stats.disclosure` before it is put in a model:
a hidden figure is None, with ``suppressed`` set on its row. Figures carry ids (score,
dimension, item, band and group ids), never display names: the presenters look the names up
in the instrument, in the reader's language. Django-free.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field

from learnsurvey.analysis.benchmarks import BENCHMARK_COLUMNS
from learnsurvey.analysis.inputs import ReportInputs
from learnsurvey.analysis.standing import Standing, Verdict, band_of, level, standing, verdict
from learnsurvey.analysis.statistics import NOT_GIVEN
from learnsurvey.instruments import Instrument

from ._base import Figures, Number
from ._school_tables import Row, SchoolTables, school_tables
from .improvement import PrioritySuggestion, StrengthFigure
from .outcomes import SchoolOutcome
from .staff import StaffVoice

__all__ = [
    "BandShare",
    "ChangeFigure",
    "CountFigure",
    "EffectFigure",
    "GroupFigure",
    "Headline",
    "ItemFigure",
    "SchoolFigures",
    "ScoreFigure",
    "SimilarGroup",
    "Standing",
    "Verdict",
    "build_school_figures",
]


class BandShare(Figures):
    band: str
    """The instrument's band id."""
    pct: Number


class ScoreFigure(Figures):
    """A dimension, notion or the overall score of the school, against all schools of the
    wave (``benchmark_mean``, ``hedges_g``…) and against similar schools (``similar_*``)."""

    kind: Literal["dimension", "notion", "overall"]
    score: str
    """The dimension or factor id; ``overall`` for the overall score."""
    n: int | None
    mean: Number
    sd: Number
    ci_low: Number
    ci_high: Number
    pct_high: Number
    """% of pupils in the instrument's high bands ("quite or very high")."""
    bands: list[BandShare]
    band: str | None
    """The band the school's mean falls in: its absolute level."""
    benchmark_mean: Number
    hedges_g: Number
    g_ci_low: Number
    g_ci_high: Number
    similar_mean: Number = None
    similar_hedges_g: Number = None
    similar_g_ci_low: Number = None
    similar_g_ci_high: Number = None
    against_all: Verdict = "unknown"
    against_similar: Verdict = "unknown"
    standing: Standing = "unknown"
    """For a dimension: strength, priority (an area to work on) or neither; see
    :func:`learnsurvey.analysis.standing.standing`."""
    suppressed: bool


class CountFigure(Figures):
    """Responses of one key stage or gender of the school."""

    group: str
    n: int | None
    suppressed: bool


class GroupFigure(Figures):
    """A dimension's summary for one key stage or gender of the school."""

    group: str
    dimension: str
    n: int | None
    mean: Number
    sd: Number
    ci_low: Number
    ci_high: Number
    suppressed: bool


class EffectFigure(Figures):
    """Hedges' g of group A against group B of the school (positive: A scores higher)."""

    group_a: str
    group_b: str
    dimension: str
    n_a: int | None
    n_b: int | None
    mean_a: Number
    mean_b: Number
    hedges_g: Number
    ci_low: Number
    ci_high: Number
    suppressed: bool


class ItemFigure(Figures):
    """One of the statements with the highest or lowest mean (reverse-coded, 1 to 5)."""

    item: str
    dimension: str
    n: int
    mean: float


class ChangeFigure(Figures):
    """A score's change since the previous wave: current minus previous, Welch 95% CI."""

    kind: str
    score: str
    n_previous: int | None
    mean_previous: Number
    n_current: int | None
    mean_current: Number
    difference: Number
    ci_low: Number
    ci_high: Number
    hedges_g: Number
    g_ci_low: Number
    g_ci_high: Number
    clear: bool
    """True only when the CI of the difference excludes 0."""
    suppressed: bool


class SimilarGroup(Figures):
    """The school's similar schools: its family of schools with similar intakes
    (``method`` "family", :mod:`learnsurvey.analysis.families`), or, where the context is
    too thin for families, the schools of the same phase and FSM quartile (``method``
    "phase_fsm")."""

    group: str
    phase: str
    fsm_quartile: int | None = None
    """The FSM quartile (1 to 4) of the ``phase_fsm`` rule; None for a family."""
    n_schools: int | None
    """Other schools behind the benchmark; None when the benchmark is hidden."""
    method: Literal["family", "phase_fsm"] = "phase_fsm"
    n_family: int | None = None
    """The schools of the wave in the family (or group), the school included."""


class Headline(Figures):
    """Where the school stands, in ids and counts; the presenters put it in words."""

    overall_band: str | None
    overall_pct_high: Number
    overall_against_all: Verdict
    overall_against_similar: Verdict
    scores_compared_all: int
    """Scores (dimensions, notions, overall) with an all-schools comparison shown."""
    above_all: int
    below_all: int
    scores_compared_similar: int
    above_similar: int
    below_similar: int
    strengths: list[str]
    """Dimension ids, in the instrument's order (no ranking implied)."""
    priorities: list[str]
    """Dimension ids of the areas to work on, in the instrument's order."""


class SchoolFigures(Figures):
    """Everything shown about one school in one wave, cleared by disclosure.

    When ``publishable`` is False (fewer than the threshold of responses) only ``school``,
    ``wave``, ``threshold`` and ``publishable`` are set: nothing else may be shown."""

    school: str
    """The school's key in the responses (the URN on the platform)."""
    wave: str
    threshold: int
    publishable: bool
    n_responses: int | None = None
    phase: str | None = None
    similar: SimilarGroup | None = None
    """None when the school's phase or FSM share is not known."""
    scores: list[ScoreFigure] = Field(default_factory=list)
    """Dimensions in the instrument's order, then notions, then overall."""
    key_stage_counts: list[CountFigure] = Field(default_factory=list)
    gender_counts: list[CountFigure] = Field(default_factory=list)
    key_stages: list[GroupFigure] = Field(default_factory=list)
    key_stage_effects: list[EffectFigure] = Field(default_factory=list)
    genders: list[GroupFigure] = Field(default_factory=list)
    gender_effects: list[EffectFigure] = Field(default_factory=list)
    highest_items: list[ItemFigure] = Field(default_factory=list)
    lowest_items: list[ItemFigure] = Field(default_factory=list)
    previous_wave: str | None = None
    """The wave compared with; None when there is no previous wave."""
    change_present: bool = False
    """Whether the school responded in the previous wave."""
    change: list[ChangeFigure] = Field(default_factory=list)
    headline: Headline | None = None
    staff: StaffVoice | None = None
    """The staff survey beside the pupils' (None when the wave has no staff voice built);
    filled by :func:`~learnsurvey.analysis.figures.wave.build_wave_figures`."""
    suggested_priorities: list[PrioritySuggestion] = Field(default_factory=list)
    """Dimensions the analysis suggests as priorities, most reasons first
    (:mod:`learnsurvey.analysis.priorities`)."""
    strengths: list[StrengthFigure] = Field(default_factory=list)
    """Dimensions the school is strong in (:mod:`learnsurvey.analysis.partners`): what a
    partner suggestion for another school reads."""
    outcomes: list[SchoolOutcome] = Field(default_factory=list)
    """Where the school stands on each outcome measure; filled by
    :func:`~learnsurvey.analysis.figures.wave.build_wave_figures`."""

    def score(self, kind: str, score: str) -> ScoreFigure | None:
        """The figure of one score, or None when there is none."""
        return next((s for s in self.scores if s.kind == kind and s.score == score), None)


def build_school_figures(inputs: ReportInputs) -> dict[str, SchoolFigures]:
    """The figures of every school with responses in the wave of ``inputs``, by key.

    The wave-level work (scores, benchmarks, breakdowns, items, change) is done once for
    all schools; each school's figures are its slices of those cleared tables."""
    tables = school_tables(inputs)
    previous = set(inputs.previous.item_schools) if inputs.previous is not None else set()
    phases = _phases(inputs)
    out: dict[str, SchoolFigures] = {}
    for row in tables.totals:
        school = str(row["school"])
        base: dict[str, Any] = {
            "school": school,
            "wave": inputs.wave,
            "threshold": inputs.threshold,
            "publishable": not row["suppressed"],
        }
        if not base["publishable"]:
            out[school] = SchoolFigures(**base)
            continue
        base |= {
            "n_responses": row["n"],
            "previous_wave": inputs.previous_wave if inputs.previous is not None else None,
            "change_present": school in previous,
            "phase": phases.get(school),
        }
        out[school] = _school(school, base, tables, inputs.instrument)
    return out


def _phases(inputs: ReportInputs) -> dict[str, str]:
    """Each school's phase, where the context gives one."""
    known = inputs.schools[inputs.schools["phase"].notna()]
    return {str(k): str(v) for k, v in zip(known["school"], known["phase"], strict=True)}


def _school(
    school: str, base: dict[str, Any], tables: SchoolTables, inst: Instrument
) -> SchoolFigures:
    demo = inst.demographics
    similar = _similar_group(tables.similar.get(school), tables.rows("similar", school))
    scores = _scores(
        tables.rows("scores", school),
        tables.rows("all_schools", school),
        tables.rows("similar", school),
        inst,
    )
    items = tables.rows("items", school)
    change = [ChangeFigure(**_pick(r, ChangeFigure)) for r in tables.rows("change", school)]
    return SchoolFigures(
        **base,
        similar=similar,
        scores=scores,
        key_stage_counts=[
            CountFigure(group=r["key_stage"], **_pick(r, CountFigure))
            for r in tables.rows("key_stage_counts", school)
        ],
        gender_counts=[
            CountFigure(group=r["gender"], **_pick(r, CountFigure))
            for r in tables.rows("gender_counts", school)
        ],
        key_stages=_groups(tables.rows("key_stages", school), "key_stage", demo.key_stages, inst),
        key_stage_effects=_effects(tables.rows("key_stage_effects", school), inst),
        genders=_groups(tables.rows("genders", school), "gender", demo.genders, inst),
        gender_effects=_effects(tables.rows("gender_effects", school), inst),
        highest_items=[_item(r, inst) for r in items if r["position"] == "highest"],
        lowest_items=[_item(r, inst) for r in items if r["position"] == "lowest"],
        change=change,
        headline=_headline(scores),
        **_acting(scores, change, tables.rows("shrunken", school)),
    )


def _acting(
    scores: list[ScoreFigure], change: list[ChangeFigure], shrunken: list[Row]
) -> dict[str, Any]:
    """The suggested priorities and the strengths, read from the school's cleared figures."""
    # Imported here: both modules read this module's models.
    from learnsurvey.analysis.partners import school_strengths
    from learnsurvey.analysis.priorities import suggest_priorities

    return {
        "suggested_priorities": suggest_priorities(scores, change),
        "strengths": school_strengths(scores, change, shrunken),
    }


def _pick(row: Row, model: type[Figures]) -> dict[str, Any]:
    """The fields of ``model`` that ``row`` has."""
    return {k: row[k] for k in model.model_fields if k in row}


def _similar_group(group: Row | None, rows: list[Row]) -> SimilarGroup | None:
    if group is None:
        return None
    overall = next((r for r in rows if r["kind"] == "overall"), None)
    shown = overall is not None and not overall["suppressed"]
    quartile, size = group.get("fsm_quartile"), group.get("n_family")
    return SimilarGroup(
        group=str(group["group"]),
        phase=str(group["phase"]),
        fsm_quartile=int(quartile) if quartile is not None else None,
        n_schools=int(overall["n_schools"]) if shown and overall is not None else None,
        method=group.get("method") or "phase_fsm",
        n_family=int(size) if size is not None else None,
    )


_SIMILAR = {
    "mean": "similar_mean",
    "hedges_g": "similar_hedges_g",
    "g_ci_low": "similar_g_ci_low",
    "g_ci_high": "similar_g_ci_high",
}


def _scores(
    rows: list[Row], every: list[Row], similar: list[Row], inst: Instrument
) -> list[ScoreFigure]:
    like = {(r["kind"], r["score"]): r for r in similar if not r["suppressed"]}
    alls = {(r["kind"], r["score"]): r for r in every}
    out = []
    for row in rows:
        key = (row["kind"], row["score"])
        # The benchmark's own disclosure decides its columns (the school's row may be shown
        # while the benchmark beside it is not).
        r = row | {c: alls[key][c] for c in BENCHMARK_COLUMNS}
        sim = like.get(key, {})
        values = {new: sim.get(old) for old, new in _SIMILAR.items()}
        band = band_of(r["mean"], inst)
        against = [verdict(r["g_ci_low"], r["g_ci_high"])]
        against.append(verdict(values["similar_g_ci_low"], values["similar_g_ci_high"]))
        out.append(
            ScoreFigure(
                **_pick(r, ScoreFigure),
                **values,
                pct_high=r["pct_quite_or_very_high"],
                bands=[BandShare(band=b.id, pct=r.get(f"pct_{b.id}")) for b in inst.bands],
                band=band,
                against_all=against[0],
                against_similar=against[1],
                standing=standing(against, level(band, inst))
                if r["kind"] == "dimension"
                else "unknown",
            )
        )
    return out


def _groups(
    rows: list[Row], grouping: str, order: Sequence[str], inst: Instrument
) -> list[GroupFigure]:
    rank = {g: k for k, g in enumerate([*order, NOT_GIVEN])}
    dims = {d: k for k, d in enumerate(inst.dimension_ids)}
    rows = sorted(rows, key=lambda r: (rank.get(r[grouping], 99), dims.get(r["dimension"], 99)))
    return [GroupFigure(group=r[grouping], **_pick(r, GroupFigure)) for r in rows]


def _effects(rows: list[Row], inst: Instrument) -> list[EffectFigure]:
    dims = {d: k for k, d in enumerate(inst.dimension_ids)}
    rows = sorted(rows, key=lambda r: (r["group_a"], r["group_b"], dims.get(r["dimension"], 99)))
    return [EffectFigure(**_pick(r, EffectFigure)) for r in rows]


def _item(row: Row, inst: Instrument) -> ItemFigure:
    dimension = next(i.dimension for i in inst.items if i.id == row["item"])
    return ItemFigure(
        item=row["item"], dimension=dimension, n=int(row["n"]), mean=float(row["mean"])
    )


def _headline(scores: list[ScoreFigure]) -> Headline:
    overall = next(s for s in scores if s.kind == "overall")
    dims = [s for s in scores if s.kind == "dimension"]
    alls = [s.against_all for s in scores]
    likes = [s.against_similar for s in scores]
    return Headline(
        overall_band=overall.band,
        overall_pct_high=overall.pct_high,
        overall_against_all=overall.against_all,
        overall_against_similar=overall.against_similar,
        scores_compared_all=sum(v != "unknown" for v in alls),
        above_all=alls.count("above"),
        below_all=alls.count("below"),
        scores_compared_similar=sum(v != "unknown" for v in likes),
        above_similar=likes.count("above"),
        below_similar=likes.count("below"),
        strengths=[s.score for s in dims if s.standing == "strength"],
        priorities=[s.score for s in dims if s.standing == "priority"],
    )
