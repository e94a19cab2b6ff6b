"""The staff's and leaders' voice (Django-free): each group's view and the perception gaps
equal a hand calculation; small staff groups are hidden so that none can be recovered by
subtraction, within a school and across a trust's schools; gaps stand among the schools'."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from learnsurvey.analysis.dashboard import DashboardBuilder, DashboardStatistics
from learnsurvey.analysis.figures.school import build_school_figures
from learnsurvey.analysis.figures.staff import StaffVoice, StaffVoices, build_staff_voices
from learnsurvey.analysis.figures.trust import TrustFigures, build_trust_figures
from learnsurvey.analysis.figures.wave import _with_trust_voices, _with_voices
from learnsurvey.analysis.inputs import CONTEXT_COLUMNS, ReportInputs
from learnsurvey.instruments import Instrument, load_instrument
from learnsurvey.io.responses import Coded, ResponseChunk

PUPILS = load_instrument("learning-survey")
STAFF = load_instrument("staff-survey")
THRESHOLD = 10
STAFF_THRESHOLD = 5
DIM = "challenge"


@dataclass(frozen=True)
class Person:
    school: str
    value: int
    """Every dimension's score (1-5): each item answered so that it reads this value."""
    role: str = ""


def _codes(inst: Instrument, value: int) -> list[int]:
    top = inst.scale.max
    return [(top - value if item.reverse else value - inst.scale.min) for item in inst.items]


def _coded(values: list[str]) -> Coded:
    labels = sorted({v for v in values if v})
    return Coded(np.array([labels.index(v) if v else -1 for v in values], np.int32), labels)


def _statistics(inst: Instrument, people: list[Person], *, chunk: int = 7) -> DashboardStatistics:
    """Streams ``people`` in small chunks, as a file or the database would."""
    builder = DashboardBuilder(inst)
    for start in range(0, len(people), chunk):
        part = people[start : start + chunk]
        n = len(part)
        builder.add(
            ResponseChunk(
                first_row=2 + start,
                school=_coded([p.school for p in part]),
                key_stage=_coded(["KS2" if inst is PUPILS else ""] * n),
                gender=_coded([""] * n),
                wave=Coded(np.zeros(n, np.int32), ["w1"]),
                answers=np.array([_codes(inst, p.value) for p in part], dtype=np.int8),
                role=_coded([p.role for p in part]) if inst is STAFF else None,
            )
        )
    return builder.result()


def _people(
    rng: np.random.Generator, school: str, n: int, low: int, high: int, role: str = ""
) -> list[Person]:
    return [Person(school, int(v), role) for v in rng.integers(low, high + 1, size=n)]


# Staff by school: (teachers, leaders, teaching assistants, no role given).
STAFF_PLAN = {
    "A": (12, 6, 6, 0),  # every group large enough
    "B": (12, 3, 6, 0),  # three leaders: pooled; the rest (6 + 3) hides them
    "C": (12, 3, 0, 0),  # three leaders and no one else: the teachers must go too
    "D": (15, 6, 2, 0),  # two assistants alone would be all staff less the roles shown
    "E": (10, 5, 3, 2),
    "F": (0, 0, 0, 0),  # no staff survey answered
    "G": (5, 0, 2, 0),  # seven staff: shown here, hidden by the older (pupil-threshold) table
}
TRUSTS = {"A": "North", "B": "North", "C": "North", "G": "North"}


@dataclass(frozen=True)
class Wave:
    pupils: list[Person]
    staff: list[Person]
    inputs: ReportInputs
    voices: StaffVoices


def _staff_people(rng: np.random.Generator) -> list[Person]:
    people: list[Person] = []
    for school, (t, lead, ta, none) in STAFF_PLAN.items():
        people += _people(rng, school, t, 3, 5, "teacher")
        people += _people(rng, school, lead, 4, 5, "leader")
        people += _people(rng, school, ta, 2, 5, "teaching_assistant")
        people += _people(rng, school, none, 1, 5)
    return people


def _by_role(people: list[Person]) -> dict[str, DashboardStatistics]:
    roles = sorted({p.role for p in people if p.role})
    return {r: _statistics(STAFF, [p for p in people if p.role == r]) for r in roles}


@pytest.fixture(scope="module")
def trusts(wave: Wave) -> dict[str, TrustFigures]:
    return build_trust_figures(wave.inputs)


@pytest.fixture(scope="module")
def wave() -> Wave:
    rng = np.random.default_rng(10)
    pupils: list[Person] = []
    for k, school in enumerate(STAFF_PLAN):
        pupils += _people(rng, school, 24 + 3 * k, 1, 3 if school == "A" else 5)
    staff = _staff_people(rng)
    context = pd.DataFrame(
        [
            {"school": s, "name": f"Name {s}", "trust": TRUSTS.get(s), "phase": "primary"}
            for s in STAFF_PLAN
        ]
    ).reindex(columns=list(CONTEXT_COLUMNS))
    inputs = ReportInputs(
        wave="w1",
        current=_statistics(PUPILS, pupils),
        schools=context,
        threshold=THRESHOLD,
        staff=_statistics(STAFF, staff),
        staff_by_role=_by_role(staff),
    )
    return Wave(pupils, staff, inputs, build_staff_voices(inputs, staff_threshold=5))


def _values(people: Iterable[Person], school: str | None, role: str | None = None) -> np.ndarray:
    return np.array(
        [
            p.value
            for p in people
            if (school is None or p.school == school) and (role is None or p.role == role)
        ],
        dtype=float,
    )


def _dimension(voice: StaffVoice, dimension: str = DIM) -> dict[str, object]:
    views = next(d for d in voice.dimensions if d.dimension == dimension)
    return {
        **{g.group: g for g in views.groups},
        **{(g.group_a, g.group_b): g for g in views.gaps},
    }


def _hand_g(b: np.ndarray, a: np.ndarray) -> tuple[float, float, float]:
    """Hedges' g of b against a with its normal 95% interval (Hedges & Olkin 1985)."""
    nb, na = len(b), len(a)
    df = nb + na - 2
    pooled = np.sqrt(((nb - 1) * b.var(ddof=1) + (na - 1) * a.var(ddof=1)) / df)
    j = np.exp(special.gammaln(df / 2) - 0.5 * np.log(df / 2) - special.gammaln((df - 1) / 2))
    g = j * (b.mean() - a.mean()) / pooled
    se = np.sqrt(1 / nb + 1 / na + g**2 / (2 * (nb + na)))
    return g, g - 1.959963984540054 * se, g + 1.959963984540054 * se


# --- figures against a hand calculation -------------------------------------------------------


def test_it_matches_a_hand_calculation(wave: Wave) -> None:
    figures = _dimension(wave.voices.schools["A"])
    sides = {
        "pupils": _values(wave.pupils, "A"),
        "staff": _values(wave.staff, "A"),
        "teachers": _values(wave.staff, "A", "teacher"),
        "leaders": _values(wave.staff, "A", "leader"),
    }
    for group, values in sides.items():
        view = figures[group]
        assert not view.suppressed, group
        assert view.n == len(values)
        assert view.mean == pytest.approx(values.mean())
        assert view.sd == pytest.approx(values.std(ddof=1))
        low, high = stats.t.interval(0.95, len(values) - 1, values.mean(), stats.sem(values))
        assert (view.ci_low, view.ci_high) == pytest.approx((low, high))
    for a, b in (("pupils", "teachers"), ("pupils", "leaders"), ("teachers", "leaders")):
        gap = figures[(a, b)]
        assert not gap.suppressed
        assert gap.difference == pytest.approx(sides[b].mean() - sides[a].mean())
        welch = stats.ttest_ind(sides[b], sides[a], equal_var=False).confidence_interval(0.95)
        assert (gap.ci_low, gap.ci_high) == pytest.approx((welch.low, welch.high))
        g, g_low, g_high = _hand_g(sides[b], sides[a])
        assert (gap.hedges_g, gap.g_ci_low, gap.g_ci_high) == pytest.approx((g, g_low, g_high))


def test_it_calls_a_gap_large_only_when_g_is_half_and_clear(wave: Wave) -> None:
    seen = set()
    for voice in [*wave.voices.schools.values(), *wave.voices.trusts.values()]:
        for views in voice.dimensions:
            for gap in views.gaps:
                if gap.suppressed:
                    assert not gap.large
                    assert gap.hedges_g is None
                    continue
                assert gap.hedges_g is not None
                assert gap.g_ci_low is not None
                assert gap.g_ci_high is not None
                clear = gap.g_ci_low > 0 or gap.g_ci_high < 0
                assert gap.large == (abs(gap.hedges_g) >= 0.5 and clear)
                seen.add(gap.large)
    assert seen == {True, False}
    # School A's pupils answer 1-3 and its teachers 3-5: a large gap.
    assert _dimension(wave.voices.schools["A"])[("pupils", "teachers")].large


# --- disclosure -----------------------------------------------------------------------------


def test_it_pools_fewer_than_five_leaders(wave: Wave) -> None:
    for school in ("B", "C"):
        voice = wave.voices.schools[school]
        assert voice.leaders_pooled
        assert voice.n_leaders is None
        assert voice.n_staff == sum(STAFF_PLAN[school])
        for views in voice.dimensions:
            leaders = next(g for g in views.groups if g.group == "leaders")
            assert leaders.suppressed
            assert leaders.n is None
            assert leaders.mean is None
            hidden = {"leaders"} | ({"teachers"} if school == "C" else set())
            for gap in views.gaps:
                assert gap.suppressed == bool(hidden & {gap.group_a, gap.group_b})
    a = wave.voices.schools["A"]
    assert not a.leaders_pooled
    assert (a.n_teachers, a.n_leaders) == (12, 6)


def test_it_hides_the_teachers_where_they_would_give_the_leaders_away(wave: Wave) -> None:
    c = wave.voices.schools["C"]  # 12 teachers + 3 leaders: 15 staff shown
    assert c.n_staff == 15
    assert c.n_teachers is None
    assert all(_dimension(c, v.dimension)["teachers"].suppressed for v in c.dimensions)
    b = wave.voices.schools["B"]  # the rest (6 assistants) hides the 3 leaders
    assert b.n_teachers == 12
    d = wave.voices.schools["D"]  # 2 assistants alone: the leaders hide them
    assert d.leaders_pooled
    assert d.n_teachers == 15


def _shown_n(voice: StaffVoice, dimension: str, group: str) -> int | None:
    view = _dimension(voice, dimension)[group]
    return None if view.suppressed else view.n


def _older(trust: TrustFigures) -> dict[tuple[str, str], int]:
    """The staff counts the older staff table (``TrustFigures.staff``) shows, by (unit,
    dimension): the trust's under its name, each school's under its key."""
    assert trust.staff is not None
    out = {(trust.trust, g.dimension): g.staff_n for g in trust.staff.trust}
    for school in trust.staff.schools:
        out |= {(school.urn, g.dimension): g.staff_n for g in school.gaps}
    return {k: n for k, n in out.items() if n is not None}


def _known(wave: Wave, older: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    """Every staff count a reader sees, by (unit, group), from any figure: the voices'
    counts, any dimension's views, the older staff table. Every member of staff of the test
    wave answers every item, so a dimension's count is the group's count."""
    known: dict[tuple[str, str], int] = {}
    for voice in [*wave.voices.schools.values(), *wave.voices.trusts.values()]:
        counts = {"staff": voice.n_staff, "teachers": voice.n_teachers}
        counts["leaders"] = voice.n_leaders
        known |= {(voice.key, g): n for g, n in counts.items() if n is not None}
        for views in voice.dimensions:
            for group in ("staff", "teachers", "leaders"):
                n = _shown_n(voice, views.dimension, group)
                if n is not None:
                    assert known.setdefault((voice.key, group), n) == n
    for (unit, _), n in older.items():
        assert known.setdefault((unit, "staff"), n) == n
    return known


def _remainders(
    wave: Wave, older: dict[tuple[str, str], int], members: Iterable[str] = TRUSTS
) -> list[tuple[str, int]]:
    """Every total a reader sees less its parts they see: a school's staff less its
    teachers and leaders, a trust's group (North, of ``members``) less its schools' (from
    any figure at all)."""
    known = _known(wave, older)
    members = list(members)
    out = []
    for school in wave.voices.schools:
        if (school, "staff") in known:
            parts = sum(known.get((school, g), 0) for g in ("teachers", "leaders"))
            out.append((school, known[(school, "staff")] - parts))
    for group in ("staff", "teachers", "leaders"):
        if ("North", group) in known:
            parts = sum(known.get((s, group), 0) for s in members)
            out.append((f"North {group}", known[("North", group)] - parts))
    if ("North", "staff") in known:
        parts = sum(known.get(("North", g), 0) for g in ("teachers", "leaders"))
        out.append(("North", known[("North", "staff")] - parts))
    return out


def test_it_lets_no_hidden_staff_group_be_recovered_by_subtraction(
    wave: Wave, trusts: dict[str, TrustFigures]
) -> None:
    older = _older(trusts["North"])
    assert ("G", DIM) not in older
    assert wave.voices.schools["G"].n_staff == 7
    remainders = _remainders(wave, older)
    assert len(remainders) >= 8
    assert not [(what, r) for what, r in remainders if 0 < r < STAFF_THRESHOLD]


@pytest.mark.parametrize("seed", [11])
def test_it_lets_nothing_be_recovered_in_random_small_trusts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pupils: list[Person] = []
    staff: list[Person] = []
    for k in range(5):
        school = f"S{k}"
        pupils += _people(rng, school, int(rng.integers(5, 30)), 1, 5)
        roles = ("teacher", "leader", "teaching_assistant", "")
        for role, n in zip(roles, rng.integers(0, 9, 4), strict=True):
            staff += _people(rng, school, int(n) * int(rng.integers(0, 2)), 1, 5, role)
    members = ["S0", "S1", "S2", "S3"]
    context = pd.DataFrame(
        [
            {"school": f"S{k}", "name": f"S{k}", "trust": "North" if k < 4 else None}
            for k in range(5)
        ]
    ).reindex(columns=list(CONTEXT_COLUMNS))
    inputs = ReportInputs(
        wave="w1",
        current=_statistics(PUPILS, pupils),
        schools=context,
        threshold=THRESHOLD,
        staff=_statistics(STAFF, staff),
        staff_by_role=_by_role(staff),
    )
    trusts = build_trust_figures(inputs)
    voices = build_staff_voices(inputs, staff_threshold=STAFF_THRESHOLD, trusts=trusts)
    remainders = _remainders(Wave(pupils, staff, inputs, voices), _older(trusts["North"]), members)
    assert not [(what, r) for what, r in remainders if 0 < r < STAFF_THRESHOLD]


def test_it_clears_a_trust_as_the_partition_of_its_schools(wave: Wave) -> None:
    trust = wave.voices.trusts["North"]
    everyone = _values(wave.staff, None)
    mine = np.array([p.value for p in wave.staff if p.school in TRUSTS], dtype=float)
    assert trust.n_staff == len(mine) < len(everyone)
    staff = _dimension(trust)["staff"]
    assert staff.n == len(mine)
    assert staff.mean == pytest.approx(mine.mean())
    leaders = [p.value for p in wave.staff if p.school in TRUSTS and p.role == "leader"]
    # 6 + 3 + 3 leaders: shown for the trust, where two schools' hidden leaders hold 6.
    assert trust.n_leaders == len(leaders) == 12
    assert not trust.leaders_pooled
    pupils = [p.value for p in wave.pupils if p.school in TRUSTS]
    assert _dimension(trust)["pupils"].n == len(pupils)
    gap = _dimension(trust)[("pupils", "staff")]
    assert gap.shrunken is None
    assert gap.percentile is None
    # C's teachers are hidden, so the trust's teachers (36) would be C's 12 plus what the
    # schools show: hidden too, unless another school's teachers are hidden with C's.
    shown = [wave.voices.schools[s].n_teachers for s in TRUSTS]
    if trust.n_teachers is not None:
        assert sum(n is None for n in shown) >= 2


def test_it_shows_pupils_where_the_school_figures_do(wave: Wave) -> None:
    figures = build_school_figures(wave.inputs)
    for school, voice in wave.voices.schools.items():
        if school in TRUSTS or not voice.staff_answered:
            continue
        for views in voice.dimensions:
            pupils = next(g for g in views.groups if g.group == "pupils")
            score = figures[school].score("dimension", views.dimension)
            assert score is not None
            assert pupils.suppressed == score.suppressed
            assert pupils.n == score.n


# --- standing among the schools -------------------------------------------------------------


def test_it_shrinks_each_gap_towards_the_mean_and_ranks_it(wave: Wave) -> None:
    voices = {k: v for k, v in wave.voices.schools.items() if v.staff_answered}
    gaps = {k: _dimension(v)[("pupils", "staff")] for k, v in voices.items()}
    shown = {k: g for k, g in gaps.items() if not g.suppressed}
    assert len(shown) == 6
    # The closed form (DerSimonian & Laird 1986) from the answers themselves.
    y, v = [], []
    for school in shown:
        staff, pupils = _values(wave.staff, school), _values(wave.pupils, school)
        y.append(staff.mean() - pupils.mean())
        v.append(staff.var(ddof=1) / len(staff) + pupils.var(ddof=1) / len(pupils))
    y_, v_ = np.array(y), np.array(v)
    w = 1 / v_
    q = float((w * (y_ - (w * y_).sum() / w.sum()) ** 2).sum())
    tau2 = max(0.0, (q - (len(y_) - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    mu = float((y_ / (v_ + tau2)).sum() / (1 / (v_ + tau2)).sum())
    want = mu + tau2 / (tau2 + v_) * (y_ - mu)
    got = np.array([g.shrunken for g in shown.values()], dtype=float)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert tau2 > 0
    assert np.all(np.abs(got - mu) <= np.abs(y_ - mu))
    for g in shown.values():
        assert g.n_schools == len(shown) - 1
    ranks = sorted(float(g.percentile) for g in shown.values() if g.percentile is not None)
    assert ranks == [0, 20, 40, 60, 80, 100]


def test_it_says_when_a_school_has_no_staff_answers(wave: Wave) -> None:
    voice = wave.voices.schools["F"]
    assert not voice.staff_answered
    assert voice.dimensions == []
    assert voice.n_staff is None
    assert voice.staff_threshold == STAFF_THRESHOLD


def test_it_builds_nothing_but_empty_voices_without_a_staff_survey(wave: Wave) -> None:
    inputs = ReportInputs(
        wave="w1",
        current=wave.inputs.current,
        schools=wave.inputs.schools,
        threshold=THRESHOLD,
    )
    voices = build_staff_voices(inputs)
    assert set(voices.schools) == set(STAFF_PLAN)
    assert set(voices.trusts) == {"North"}
    assert not any(v.staff_answered for v in voices.schools.values())


def test_it_copies_each_voice_into_the_school_and_trust_figures(
    wave: Wave, trusts: dict[str, TrustFigures]
) -> None:
    schools = _with_voices(build_school_figures(wave.inputs), wave.voices)
    assert schools["A"].staff == wave.voices.schools["A"]
    assert schools["A"].model_copy(update={"staff": None}) == build_school_figures(wave.inputs)["A"]
    copied = _with_trust_voices(trusts, wave.voices)
    assert copied["North"].staff_voice == wave.voices.trusts["North"]
    assert copied["North"].staff == trusts["North"].staff  # the older table stays as it is


def test_it_hides_the_pupils_the_trust_figures_hide(
    wave: Wave, trusts: dict[str, TrustFigures]
) -> None:
    given = build_staff_voices(wave.inputs, staff_threshold=STAFF_THRESHOLD, trusts=trusts)
    assert given == wave.voices
    north = trusts["North"]
    for row in north.schools:
        voice = wave.voices.schools[row.urn]
        for cell in row.cells:
            if any(v.dimension == cell.dimension for v in voice.dimensions):
                assert _dimension(voice, cell.dimension)["pupils"].suppressed == cell.suppressed


def test_it_hides_a_school_whose_pupils_are_too_few(wave: Wave) -> None:
    rng = np.random.default_rng(11)
    pupils = [*wave.pupils, *_people(rng, "H", 5, 1, 5)]
    staff = [*wave.staff, *_people(rng, "H", 12, 3, 5, "teacher")]
    context = pd.concat(
        [wave.inputs.schools, pd.DataFrame([{"school": "H", "name": "Name H"}])],
        ignore_index=True,
    ).reindex(columns=list(CONTEXT_COLUMNS))
    inputs = ReportInputs(
        wave="w1",
        current=_statistics(PUPILS, pupils),
        schools=context,
        threshold=THRESHOLD,
        staff=_statistics(STAFF, staff),
        staff_by_role=_by_role(staff),
    )
    voice = build_staff_voices(inputs, staff_threshold=STAFF_THRESHOLD).schools["H"]
    for views in voice.dimensions:
        pupils_view = next(g for g in views.groups if g.group == "pupils")
        assert pupils_view.suppressed
        assert pupils_view.n is None
        assert all(gap.suppressed for gap in views.gaps if "pupils" in (gap.group_a, gap.group_b))
