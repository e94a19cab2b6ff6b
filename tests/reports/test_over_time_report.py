"""The reports' "Over time" sections present the contract's figures over time: the school's
line chart with its table, the change between the last two waves worded by its verdict
(clearly up or down only when the verdict says so), the smallest detectable change, the
trend, the season caution and the note on instrument versions; the trust's schools side by
side with how many changed clearly; the global report's dimensions and key-stage decline
wave to wave. Hidden figures are dashes; with one wave the section is one line.

The figures over time are built by hand here (small, and independent of the builders);
the wave itself is a small synthetic one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from markupsafe import escape
from pdf_reading import printed

from learnsurvey.analysis.figures.global_ import GlobalFigures, build_global_figures
from learnsurvey.analysis.figures.over_time import (
    ChangeVerdict,
    ClearCount,
    Comparability,
    GlobalOverTime,
    KeyStageDecline,
    OverTimeFigures,
    SchoolChanges,
    SchoolOverTime,
    ScoreSeries,
    Trend,
    TrustOverTime,
    WaveChange,
    WaveInfo,
    WavePoint,
    build_over_time_figures,
)
from learnsurvey.analysis.timeline import timeline_from_files
from learnsurvey.cli_report import report as report_command
from learnsurvey.instruments import load_instrument
from learnsurvey.io import write_responses
from learnsurvey.reports import ReportInputs, inputs_from_files
from learnsurvey.reports.format import HIDDEN
from learnsurvey.reports.global_ import build_global_report, render_global_report
from learnsurvey.reports.school import SchoolReport, SchoolReports, render_school_report
from learnsurvey.reports.trust import TrustReport, TrustReports, render_trust_report
from learnsurvey.synth import ResponseModel, load_params, schools_frame

INSTRUMENT = load_instrument("learning-survey")
TRUST = "Test Learning Trust"
EARLIER = ("2019-summer", "2020-autumn")
SEASONS = {"2019-summer": "summer", "2020-autumn": "autumn"}
SCORES = (
    [("dimension", d) for d in INSTRUMENT.dimension_ids]
    + [("notion", f) for f in INSTRUMENT.factor_ids]
    + [("overall", "overall")]
)
VERDICTS: dict[str, ChangeVerdict] = {
    "expectations": "clear_up",
    "challenge": "clear_down",
    "aiming_high": "unknown",  # hidden: too few pupils in a wave
}
"""The latest change of the first school by dimension; every other score's change is
within what the school can detect, however large its difference."""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> ReportInputs:
    """A small synthetic wave: four schools of one trust."""
    folder = tmp_path_factory.mktemp("over-time")
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    responses = folder / "pupils.csv"
    write_responses(responses, model.tables(400, 4, 7), on_rows=None)
    context = folder / "schools.csv"
    schools_frame(model.schools(400, 4, 7)).assign(trust=TRUST).to_csv(context, index=False)
    return inputs_from_files(responses, INSTRUMENT, threshold=10, context=context)


@pytest.fixture(scope="module")
def keys(inputs: ReportInputs) -> list[str]:
    return sorted(str(s) for s in inputs.current.item_schools)


def _point(wave: str, mean: float | None, n: int | None = 60) -> WavePoint:
    hidden = mean is None and n is None
    return WavePoint(
        wave=wave,
        n=n,
        mean=mean,
        se=None if mean is None else 0.05,
        ci_low=None if mean is None else mean - 0.1,
        ci_high=None if mean is None else mean + 0.1,
        suppressed=hidden,
    )


def _missed(wave: str) -> WavePoint:
    """A wave the group did not take part in: no figures, and nothing hidden."""
    return WavePoint(
        wave=wave, n=None, mean=None, se=None, ci_low=None, ci_high=None, suppressed=False
    )


def _series(waves: list[str], all_waves: list[str], base: float) -> list[ScoreSeries]:
    """A series per score; the wave a group missed has n None; aiming high is hidden in
    the middle wave."""
    out = []
    for k, (kind, score) in enumerate(SCORES):
        points = []
        for j, wave in enumerate(all_waves):
            if wave not in waves:
                points.append(_missed(wave))
            elif score == "aiming_high" and j == 1:
                points.append(_point(wave, None, n=None))
            else:
                points.append(_point(wave, round(base + 0.01 * k + 0.1 * j, 3)))
        out.append(ScoreSeries(kind=kind, score=score, points=points))
    return out


def _change(kind: str, score: str, first: str, last: str, verdict: ChangeVerdict) -> WaveChange:
    hidden = verdict == "unknown"
    diff = {"clear_up": 0.31, "clear_down": -0.27}.get(verdict, 0.35)
    low, high = {"clear_up": (0.12, 0.5), "clear_down": (-0.44, -0.1)}.get(verdict, (-0.05, 0.75))
    return WaveChange(
        kind=kind,
        score=score,
        from_wave=first,
        to_wave=last,
        n_from=None if hidden else 50,
        mean_from=None if hidden else 3.4,
        n_to=None if hidden else 55,
        mean_to=None if hidden else 3.4 + diff,
        difference=None if hidden else diff,
        ci_low=None if hidden else low,
        ci_high=None if hidden else high,
        hedges_g=None if hidden else diff / 0.8,
        g_ci_low=None if hidden else low / 0.8,
        g_ci_high=None if hidden else high / 0.8,
        mdc=None if hidden else 0.238,
        verdict=verdict,
        seasons_differ=SEASONS.get(first) != SEASONS.get(last, "summer"),
        suppressed=hidden,
    )


def _changes(first: str, last: str, verdicts: dict[str, ChangeVerdict]) -> list[WaveChange]:
    return [
        _change(kind, score, first, last, verdicts.get(score, "within_detectable"))
        for kind, score in SCORES
    ]


def _figures(inputs: ReportInputs, keys: list[str], *, same_version: bool) -> OverTimeFigures:
    """Three waves: the first school in all three, the second in the first and last, the
    third in the last only; the trust's own figures hidden in the middle wave."""
    waves = [*EARLIER, inputs.wave]
    first, second, third = keys[0], keys[1], keys[2]
    school_a = SchoolOverTime(
        school=first,
        waves=waves,
        series=_series(waves, waves, 3.3),
        changes=_changes(waves[0], waves[1], {}) + _changes(waves[1], waves[2], VERDICTS),
        trends=[
            Trend(kind="dimension", score="expectations", n_waves=3, slope=0.16,
                  ci_low=0.05, ci_high=0.27, verdict="clear_up", suppressed=False),
            Trend(kind="dimension", score="challenge", n_waves=3, slope=0.04,
                  ci_low=-0.08, ci_high=0.16, verdict="no_clear_trend", suppressed=False),
        ],
    )  # fmt: skip
    two = [waves[0], waves[2]]
    school_b = SchoolOverTime(
        school=second,
        waves=two,
        series=_series(two, waves, 3.6),
        changes=_changes(two[0], two[1], {"expectations": "clear_down"}),
    )
    school_c = SchoolOverTime(school=third, waves=[waves[2]], series=_series([waves[2]], waves, 3))
    trust = TrustOverTime(
        trust=TRUST,
        series=_series(waves, waves, 3.4),
        changes=_changes(waves[1], waves[2], {"learning": "clear_up"}),
        schools=[
            SchoolChanges(
                school=k,
                from_wave=o.changes[-1].from_wave if o.changes else None,
                to_wave=o.changes[-1].to_wave if o.changes else None,
                changes=[c for c in o.changes if c.to_wave == waves[2]],
            )
            for k, o in [(first, school_a), (second, school_b), (third, school_c)]
        ],
        clear_counts=[
            ClearCount(kind="overall", score="overall", from_wave=waves[1], to_wave=waves[2],
                       n_schools=2, n_up=1, n_down=0, n_within=1),
            ClearCount(kind="dimension", score="expectations", from_wave=waves[1],
                       to_wave=waves[2], n_schools=2, n_up=1, n_down=1, n_within=0),
        ],
    )  # fmt: skip
    decline = [
        KeyStageDecline(
            wave=w,
            dimension=d,
            n_primary=900,
            n_secondary=800,
            hedges_g=-0.2 - 0.05 * j,
            ci_low=-0.3 - 0.05 * j,
            ci_high=-0.1 - 0.05 * j,
            suppressed=False,
        )
        for j, w in enumerate(waves)
        for d in INSTRUMENT.dimension_ids
    ]
    versions = ["1.0.0"] if same_version else ["1.0.0", "1.1.0"]
    dims = INSTRUMENT.dimension_ids if same_version else INSTRUMENT.dimension_ids[:-1]
    return OverTimeFigures(
        instrument=INSTRUMENT.id,
        threshold=10,
        waves=[
            WaveInfo(wave=w, season=SEASONS.get(w, "summer"), opens=None,
                     instrument_version=versions[min(k, len(versions) - 1)])
            for k, w in enumerate(waves)
        ],
        comparability=Comparability(
            versions=versions,
            same_version=same_version,
            dimensions=list(dims),
            dropped_dimensions=[] if same_version else [INSTRUMENT.dimension_ids[-1]],
            items=list(INSTRUMENT.item_ids),
            dropped_items=[],
        ),
        season_caution=True,
        schools={first: school_a, second: school_b, third: school_c},
        trusts={TRUST: trust},
        global_=GlobalOverTime(
            series=_series(waves, waves, 3.5),
            changes=_changes(waves[1], waves[2], {"challenge": "clear_down"}),
            key_stage_decline=decline,
        ),
    )  # fmt: skip


@pytest.fixture(scope="module")
def over_time(inputs: ReportInputs, keys: list[str]) -> OverTimeFigures:
    return _figures(inputs, keys, same_version=True)


@pytest.fixture(scope="module")
def schools(inputs: ReportInputs, over_time: OverTimeFigures) -> SchoolReports:
    return SchoolReports(inputs, over_time=over_time)


@pytest.fixture(scope="module")
def plain(inputs: ReportInputs, schools: SchoolReports) -> SchoolReports:
    """The same wave's school reports without figures over time."""
    return SchoolReports(inputs, figures=schools.figures)


@pytest.fixture(scope="module")
def global_figures(inputs: ReportInputs) -> GlobalFigures:
    return build_global_figures(inputs)


@pytest.fixture(scope="module")
def report(schools: SchoolReports, keys: list[str]) -> SchoolReport:
    return schools.build(keys[0])


@pytest.fixture(scope="module")
def html(report: SchoolReport) -> str:
    return render_school_report(report, mode="web", vega_src="/vega.js")


def _row(rows: list[list[str]], first: str) -> list[str]:
    return next(r for r in rows if r[0] == first)


def _name(dimension: str) -> str:
    return INSTRUMENT.dimension(dimension).name


# --- the school report --------------------------------------------------------------------


def test_it_words_each_change_by_its_verdict(report: SchoolReport) -> None:
    section = report.over_time
    assert section.shown
    table = section.change_table
    assert table is not None
    assert table.columns[1] == f"Mean {EARLIER[1]} → {report.wave}"
    up = _row(table.rows, _name("expectations"))
    assert up[1:3] == ["3.40 → 3.71", "+0.31 (0.12 to 0.50)"]
    assert up[4] == "0.24"  # the smallest detectable change
    assert up[5] == "Clearly up"
    assert _row(table.rows, _name("challenge"))[5] == "Clearly down"
    # A large difference whose interval includes zero is not called a change.
    within = _row(table.rows, _name("learning"))
    assert within[2].startswith("+0.35")
    assert within[5] == "Within what the school can detect"
    assert not any("Clearly" in r[5] for r in table.rows if r[0] not in {
        _name("expectations"), _name("challenge")})  # fmt: skip
    words = " ".join(section.change_words)
    assert "clearly up: Expectations." in words
    assert "clearly down: Challenge." in words
    assert "within what the school can detect" in words


def test_it_shows_hidden_figures_as_hidden(report: SchoolReport) -> None:
    section = report.over_time
    assert section.change_table is not None
    hidden = _row(section.change_table.rows, _name("aiming_high"))
    assert hidden[1:5] == [HIDDEN] * 4
    assert hidden[5] == "Not shown"
    assert "Some changes are not shown" in " ".join(section.change_words)
    assert section.series_table is not None
    rows = [r for r in section.series_table.rows if r[0] == _name("aiming_high")]
    assert [r[1] for r in rows] == [*EARLIER, report.wave]
    assert rows[1][2:] == [HIDDEN] * 3
    assert rows[0][2:] == ["60", "3.32", "3.22 to 3.42"]


def test_it_counts_the_hidden_figures_of_the_section(
    plain: SchoolReports, report: SchoolReport, keys: list[str]
) -> None:
    # The middle wave of aiming high (3 figures) and its latest change (4).
    assert report.hidden == plain.build(keys[0]).hidden + 3 + 4


def test_it_gives_the_trend_the_season_caution_and_the_versions(
    report: SchoolReport, schools: SchoolReports, inputs: ReportInputs, keys: list[str]
) -> None:
    section = report.over_time
    assert section.trend_table is not None
    assert _row(section.trend_table.rows, _name("expectations"))[2:] == [
        "+0.16 (0.05 to 0.27)",
        "Clearly rising",
    ]
    assert _row(section.trend_table.rows, _name("challenge"))[3] == "No clear trend"
    assert section.season_caution is not None
    assert "2020-autumn (autumn)" in section.season_caution
    assert "(summer)" in section.season_caution
    assert "same version of the survey (1.0.0)" in section.version_note
    changed = SchoolReports(
        inputs, figures=schools.figures, over_time=_figures(inputs, keys, same_version=False)
    )
    note = changed.build(keys[0]).over_time.version_note
    assert "different versions of the survey (1.0.0, 1.1.0)" in note
    assert f"Not compared: {INSTRUMENT.dimensions[-1].name}." in note


def test_it_draws_the_line_chart_with_a_text_alternative_and_the_table(
    report: SchoolReport, html: str
) -> None:
    chart = report.over_time.chart
    assert chart is not None
    assert chart.id == "over-time-chart"
    assert "95% confidence" in chart.alt
    assert chart.spec["description"] == chart.alt
    assert chart in report.charts
    # One panel per dimension, a band, a line and points; the hidden wave is a gap.
    assert chart.spec["facet"]["field"] == "panel"
    marks = [layer["mark"]["type"] for layer in chart.spec["spec"]["layer"]]
    assert {"area", "line", "point"} <= set(marks)
    values = next(iter(chart.spec["datasets"].values()))
    hidden = [v for v in values if v["panel"] == _name("aiming_high") and v["wave"] == EARLIER[1]]
    assert hidden == [hidden[0]]
    assert hidden[0]["mean"] is None
    assert 'id="over-time-chart"' in html
    assert 'aria-describedby="over-time-chart-alt"' in html
    assert escape(chart.alt) in html
    assert '<script type="application/json" id="over-time-chart-spec">' in html
    assert "<caption>Each score in each wave: pupils, mean and 95% CI</caption>" in html
    assert f"<caption>Change from {EARLIER[1]} to {report.wave}</caption>" in html
    assert 'class="caution"' in html
    # The over-time section replaces the single change since the previous wave.
    assert 'id="over-time"' in html
    assert 'id="change"' not in html


def test_it_says_so_in_one_line_with_one_wave(
    plain: SchoolReports, schools: SchoolReports, keys: list[str]
) -> None:
    single = plain.build(keys[0])
    assert not single.over_time.shown
    assert "only one wave" in single.over_time.note
    html = render_school_report(single, mode="web")
    assert single.over_time.note in html
    assert 'id="over-time"' not in html
    one = schools.build(keys[2])  # the school took part in the last wave only
    assert not one.over_time.shown
    assert "one wave only" in one.over_time.note
    missed = schools.build(keys[1])  # in the first and last waves, not the middle one
    assert missed.over_time.shown
    assert missed.over_time.missed == [EARLIER[1]]
    assert missed.over_time.trend_table is None
    assert missed.over_time.change_table is not None
    assert missed.over_time.change_table.columns[1].startswith(f"Mean {EARLIER[0]} →")


# --- the trust report ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def trust_report(inputs: ReportInputs, over_time: OverTimeFigures) -> TrustReport:
    return TrustReports(inputs, over_time=over_time).build(TRUST)


def test_the_trust_sets_its_schools_side_by_side(
    trust_report: TrustReport, inputs: ReportInputs, keys: list[str]
) -> None:
    section = trust_report.over_time
    assert section.shown
    table = section.schools_table
    assert table is not None
    assert table.columns[2] == "Overall score"
    first = _row(table.rows, inputs.school_name(keys[0]))
    column = table.columns.index(_name("expectations"))
    assert first[column] == "+0.31 up"
    assert first[table.columns.index(_name("challenge"))] == "−0.27 down"
    assert first[table.columns.index(_name("learning"))] == "+0.35"  # within: no mark
    assert first[table.columns.index(_name("aiming_high"))] == HIDDEN
    assert _row(table.rows, inputs.school_name(keys[1]))[column] == "−0.27 down"
    assert _row(table.rows, inputs.school_name(keys[2]))[1:] == [HIDDEN] * (len(table.columns) - 1)
    assert section.counts_table is not None
    assert _row(section.counts_table.rows, "Overall score")[2:] == ["2", "1", "0", "1"]
    assert "1 of the 2 schools compared went clearly up" in section.counts_words[0]


def test_the_trust_shows_its_own_change(trust_report: TrustReport) -> None:
    section = trust_report.over_time
    assert section.change_table is not None
    assert _row(section.change_table.rows, _name("learning"))[5] == "Clearly up"
    assert _row(section.change_table.rows, _name("expectations"))[5] == (
        "Within what the trust can detect"
    )
    assert section.chart is not None
    assert section.chart.id == "trust-over-time"
    assert section.season_caution is not None
    html = render_trust_report(trust_report, mode="web")
    assert 'id="over-time"' in html
    assert escape(section.chart.alt) in html
    assert "Each school&#39;s latest change in the mean" in html


def test_the_trust_and_global_reports_say_so_with_one_wave(
    inputs: ReportInputs, global_figures: GlobalFigures
) -> None:
    trust = TrustReports(inputs).build(TRUST)
    assert not trust.over_time.shown
    assert trust.over_time.note in render_trust_report(trust, mode="web")
    report = build_global_report(inputs, figures=global_figures)
    assert report.over_time is not None
    assert report.over_time.unavailable is not None
    assert [s.id for s in report.sections].count("over-time") == 0


# --- the global report --------------------------------------------------------------------


def test_the_global_report_shows_each_dimension_and_the_key_stage_decline(
    inputs: ReportInputs, over_time: OverTimeFigures, global_figures: GlobalFigures
) -> None:
    report = build_global_report(inputs, figures=global_figures, over_time=over_time)
    section = report.over_time
    assert section is not None
    assert section.unavailable is None
    assert [c.id for c in section.charts] == ["over-time-scores", "over-time-key-stages"]
    captions = [t.caption for t in section.tables]
    assert "Every pupil in each wave" in captions
    change = next(t for t in section.tables if t.caption.startswith("Change from"))
    assert _row(change.rows, _name("challenge"))[5] == "Clearly down"
    assert _row(change.rows, _name("learning"))[5] == "Within what the survey can detect"
    decline = section.tables[-1]
    assert decline.columns == ["Dimension", *EARLIER, inputs.wave]
    assert _row(decline.rows, _name("expectations"))[1] == "−0.20\n−0.30 to −0.10"
    assert any("clearly down: Challenge" in p for p in section.lead)
    html = render_global_report(report, mode="web")
    assert 'href="#over-time"' in html
    assert escape(section.charts[1].alt) in html


# --- from a file of two waves, through the builders and the command -------------------------


@pytest.fixture(scope="module")
def two_waves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two waves of the same schools: the second with expectations one point higher for
    every pupil (capped at the top of the scale), so that change is clear."""
    folder = tmp_path_factory.mktemp("two-waves")
    model = ResponseModel(INSTRUMENT, load_params("phase-one"))
    first = folder / "first.csv"
    write_responses(first, model.tables(300, 3, 5), on_rows=None)
    pupils = pd.read_csv(first)
    later = pupils.assign(wave="2022-summer")
    items = [i.id for i in INSTRUMENT.items_of("expectations") if not i.reverse]
    later[items] = (later[items] + 1).clip(upper=5)
    both = folder / "two-waves.csv"
    pd.concat([pupils.assign(wave="2021-summer"), later]).to_csv(both, index=False)
    context = folder / "schools.csv"
    schools_frame(model.schools(300, 3, 5)).to_csv(context, index=False)
    return both, context


def test_it_words_the_builders_verdicts_from_a_file_of_two_waves(
    two_waves: tuple[Path, Path], tmp_path: Path
) -> None:
    responses, context = two_waves
    school = str(pd.read_csv(responses)["school"].iloc[0])
    result = CliRunner().invoke(
        report_command,
        ["--responses", str(responses), "--context", str(context), "--wave", "2022-summer",
         "--school", school, "--out", str(tmp_path)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    timeline = timeline_from_files(responses, INSTRUMENT, threshold=10, context=context)
    figures = build_over_time_figures(timeline)
    changes = figures.schools[school].changes
    expectations = next(c for c in changes if c.score == "expectations")
    assert expectations.verdict == "clear_up"
    html = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    assert 'id="over-time"' in html
    assert 'id="over-time-chart"' in html
    words = {"clear_up": "Clearly up", "clear_down": "Clearly down"}
    table = html.split("<caption>Change from 2021-summer to 2022-summer</caption>")[1]
    table = table.split("</table>")[0]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td[^>]*>[^<]*</td>)+)</tr>', table)
    readings = {name: re.findall(r">([^<]*)</td>", cells)[-1] for name, cells in rows}
    names = {("dimension", d.id): d.name for d in INSTRUMENT.dimensions}
    for change in changes:
        name = names.get((change.kind, change.score))
        if name is not None:
            expected = words.get(change.verdict, "Within what the school can detect")
            assert readings[name] == expected, name
    pages, text = printed(next(tmp_path.glob("*.pdf")).read_bytes(), tmp_path / "read.pdf")
    assert pages > 1
    flat = re.sub(r"\s+", " ", text)
    assert "Over time" in flat
    assert "these scores went clearly up: Expectations" in flat
