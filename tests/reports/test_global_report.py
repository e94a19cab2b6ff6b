"""The global report: it reproduces the Phase One tables from the data, shows the published
figures when given them, names only schools that opted in, and degrades to words when the
context or the data are missing."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from pdf_reading import Printed, printed

from learnsurvey.analysis import dashboard_payload
from learnsurvey.analysis.figures.global_ import GlobalFigures, build_global_figures
from learnsurvey.analysis.groups import school_table
from learnsurvey.analysis.inspection import rating_effects, top_decile
from learnsurvey.analysis.labels import group_label, school_label, school_numbers
from learnsurvey.analysis.statistics import NOT_GIVEN
from learnsurvey.analysis.tables import wave_tables
from learnsurvey.instruments import load_instrument
from learnsurvey.reports import ReportInputs, inputs_from_files, school_context
from learnsurvey.reports import format as fmt
from learnsurvey.reports.global_ import (
    GlobalReport,
    build_global_report,
    load_published,
    render_global_report,
)
from learnsurvey.stats.effects import hedges_g

SHARED = Path(__file__).parents[3] / "shared/phase-one-targets.yaml"
KS_CHART_TITLE = "Dimension means by key stage"


@pytest.fixture(scope="module")
def report(global_report: GlobalReport) -> GlobalReport:
    """``build_global_report(phase_one_inputs)`` (conftest: once per run)."""
    return global_report


@pytest.fixture(scope="module")
def tables(phase_one_inputs: ReportInputs) -> dict[str, pd.DataFrame]:
    return wave_tables(
        phase_one_inputs.current.stats,
        threshold=phase_one_inputs.threshold,
        context=phase_one_inputs.schools,
        rotation="promax",
    )


def _section(report: GlobalReport, section_id: str):  # type: ignore[no-untyped-def]
    return next(s for s in report.sections if s.id == section_id)


def _row(table_rows: list[list[str]], first: str) -> list[str]:
    return next(r for r in table_rows if r[0] == first)


def test_it_has_every_section_with_a_method_note(report: GlobalReport) -> None:
    ids = [s.id for s in report.sections]
    assert ids == [
        "sample",
        "reliability",
        "notions",
        "high",
        "key-stages",
        "gender",
        "top-bottom",
        "inspection",
        "focused",
    ]
    for section in report.sections:
        assert section.unavailable is None, section.id
        assert section.method, section.id
    assert report.notice is None
    assert not report.with_published


def test_it_shows_the_alpha_and_loadings_of_wave_tables(
    report: GlobalReport, tables: dict[str, pd.DataFrame]
) -> None:
    reliability = tables["reliability"].set_index("scale")
    row = _row(_section(report, "reliability").tables[0].rows, "Expectations")
    assert row[4] == fmt.number(reliability.loc["expectations", "alpha"])
    assert row[5] == fmt.ci(
        reliability.loc["expectations", "alpha_ci_low"],
        reliability.loc["expectations", "alpha_ci_high"],
    )
    pattern = tables["factor_pattern"].set_index("dimension")
    assert set(pattern["rotation"]) == {"promax"}
    matrix = _section(report, "notions").tables[0]
    row = _row(matrix.rows, "Teachers Help")
    teachers = matrix.columns.index("Teachers")
    expected = fmt.number(pattern.loc["teachers_help", "teachers"]).replace("-", "\u2212")
    assert row[teachers] == expected
    assert "promax" in " ".join(_section(report, "notions").method)


def test_it_shows_the_share_quite_or_very_high_of_each_dimension(
    report: GlobalReport, tables: dict[str, pd.DataFrame]
) -> None:
    chart = _section(report, "high").charts[0]
    dims = tables["dimension_summary"].set_index("dimension")
    row = _row(chart.table.rows, "Aiming High")
    assert row[4] == fmt.pct(dims.loc["aiming_high", "pct_quite_or_very_high"])


def test_it_charts_the_decline_across_key_stages(report: GlobalReport) -> None:
    section = _section(report, "key-stages")
    chart = section.charts[0]
    assert chart.title == KS_CHART_TITLE
    assert chart.table.columns[1:] == ["KS1", "KS2", "KS3", "KS4", "KS5"]
    changes = section.tables[0]
    assert changes.columns[-1] == "Primary → secondary"
    # The synthetic wave, like the published one, declines from primary to secondary.
    assert all(row[-1].startswith("\u2212") for row in changes.rows)


def test_it_compares_inspection_ratings_with_effect_sizes(report: GlobalReport) -> None:
    section = _section(report, "inspection")
    assert section.charts
    assert section.charts[0].id == "inspection-effects"
    assert any("Outstanding − Good" in c for c in section.charts[0].table.columns)
    assert "Eta squared" in section.tables[0].columns


def test_it_names_the_learning_focused_schools_only_as_pseudonyms(
    report: GlobalReport, phase_one_inputs: ReportInputs
) -> None:
    table = _section(report, "focused").tables[0]
    assert 1 <= len(table.rows) <= 10  # the top tenth of 87 schools, rounded up
    assert all(re.fullmatch(r"School \d+", row[0]) for row in table.rows)
    # The platform's numbers: with no participations, the schools in sorted order.
    numbers = school_numbers([], phase_one_inputs.current.responses["school"])
    assert {row[0] for row in table.rows} <= {f"School {k}" for k in numbers.values()}


def test_it_renders_for_the_web_file_and_print(report: GlobalReport) -> None:
    web = render_global_report(report, mode="web", vega_src="/static/vega.js")
    file = render_global_report(report, mode="file")
    assert 'src="assets/vega.js"' in file
    assert "/static/vega.js" in web
    for html in (web, file):
        assert '<h2 id="key-stages-heading">' in html
        assert 'scope="col"' in html
    printed = render_global_report(report, mode="pdf")
    assert "<script" not in printed


@pytest.mark.skipif(
    shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None,
    reason="needs poppler-utils",
)
@pytest.mark.slow
# WeasyPrint warns when the system lacks libharfbuzz-subset (a future requirement of its).
@pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")
def test_it_prints_a_many_page_pdf_with_the_key_stage_chart(
    printed_reports: dict[str, Printed], tmp_path: Path
) -> None:
    # The report printed once (conftest), as render_global_report(report, mode="pdf") through
    # html_to_pdf.
    pages, text = printed(printed_reports["global"][1], tmp_path / "global.pdf")
    assert pages >= 12
    assert KS_CHART_TITLE in text
    assert "How this was computed" in text


def test_it_reads_the_published_figures() -> None:
    if not SHARED.exists():
        pytest.skip("../shared is not beside this checkout")
    published = load_published(SHARED)
    assert published["responses"] == 29_940
    assert published["overall_alpha"] == 0.93
    assert published["pattern"]["teachers_help"] == {
        "teachers": 0.90,
        "learning": 0.08,
        "safety": -0.11,
    }
    assert published["reliability"]["learning"] == 0.64
    assert published["pct_high"]["errors_opportunities"] == 15
    assert published["top_bottom_g"]["school_fair"] == 2.02


def test_it_shows_the_published_figures_beside_ours(phase_one_inputs: ReportInputs) -> None:
    if not SHARED.exists():
        pytest.skip("../shared is not beside this checkout")
    report = build_global_report(phase_one_inputs, load_published(SHARED))
    assert report.with_published
    reliability = _section(report, "reliability").tables[0]
    assert reliability.columns[-1] == "Published alpha"
    row = _row(reliability.rows, "Learning")
    assert row[-1] == "0.64"
    # The synthetic wave is calibrated to the published figures: alpha within .03.
    assert abs(float(row[4]) - 0.64) <= 0.03
    assert _row(reliability.rows, "All items")[-1] == "0.93"
    matrix = _section(report, "notions").tables[0]
    assert _row(matrix.rows, "Teachers Help")[1].endswith("(0.90)")
    sample = _section(report, "sample").tables[0]
    assert _row(sample.rows, "Pupils who responded")[1:] == ["29,940", "29,940"]
    high = _section(report, "high").charts[0].table
    assert _row(high.rows, "Errors as Opportunities")[-1] == "15%"
    top_bottom = _section(report, "top-bottom").charts[0].table
    assert _row(top_bottom.rows, "School is Fair")[-1] == "2.02"
    assert _section(report, "key-stages").published
    assert any("0.1" in line for line in _section(report, "gender").published)
    html = render_global_report(report, mode="file")
    assert "Published alpha" in html
    assert "In the Phase One report" in html


def test_it_names_only_the_schools_that_opted_in(
    phase_one_inputs: ReportInputs, tables: dict[str, pd.DataFrame]
) -> None:
    top_bottom = tables["top_bottom"].set_index("dimension")
    chosen = {
        str(top_bottom.loc["teachers_help", "top_school"]),
        str(top_bottom.loc["teachers_help", "bottom_school"]),
    }
    schools = phase_one_inputs.schools.copy()
    schools["research_opt_in"] = schools["school"].isin(chosen)
    inputs = replace(phase_one_inputs, schools=schools)
    report = build_global_report(inputs)
    html = render_global_report(report, mode="file") + render_global_report(report, mode="pdf")
    names = dict(zip(schools["school"], schools["name"], strict=True))
    for school in chosen:
        assert names[school] in html
        html = html.replace(names[school], "")
    for school, name in names.items():
        if school not in chosen:
            assert name not in html, "a school that did not opt in is named"
            assert school not in html


def test_it_says_what_cannot_be_computed_without_a_context(
    phase_one_inputs: ReportInputs,
) -> None:
    bare = school_context(None, phase_one_inputs.current.item_schools)
    report = build_global_report(replace(phase_one_inputs, schools=bare))
    inspection = _section(report, "inspection")
    assert inspection.unavailable is not None
    assert "context" in inspection.unavailable
    assert _section(report, "reliability").unavailable is None
    sample = _section(report, "sample")
    assert [t.caption for t in sample.tables] == [
        "The sample at a glance",
        "Pupils by key stage",
        "Pupils by gender",
    ]
    assert "No school context gives the schools' phases." in sample.tables[0].notes
    assert any("No school context" in p for p in _section(report, "focused").lead)
    assert "no school context" in render_global_report(report, mode="pdf")


def test_it_reports_nothing_about_a_wave_below_the_threshold(
    phase_one_inputs: ReportInputs,
) -> None:
    report = build_global_report(replace(phase_one_inputs, threshold=40_000))
    assert report.notice is not None
    assert all(section.unavailable for section in report.sections)
    html = render_global_report(report, mode="pdf")
    assert "29,940" not in html
    assert "29940" not in html


def test_it_builds_from_a_small_file(phase_one_files: tuple[Path, Path], tmp_path: Path) -> None:
    responses, _ = phase_one_files
    small = tmp_path / "small.csv"
    pd.read_csv(responses, nrows=40).to_csv(small, index=False)
    inputs = inputs_from_files(small, load_instrument("learning-survey"), threshold=10)
    report = build_global_report(inputs)
    assert _section(report, "top-bottom").unavailable is not None
    html = render_global_report(report, mode="pdf")
    assert "The sample" in html


def test_it_says_so_when_the_factor_analysis_cannot_be_done(
    phase_one_files: tuple[Path, Path], tmp_path: Path
) -> None:
    responses, _ = phase_one_files
    flat = pd.read_csv(responses, nrows=40)
    items = load_instrument("learning-survey").item_ids
    flat[items] = 3  # every pupil gives the same answer: no correlations to analyse
    path = tmp_path / "flat.csv"
    flat.to_csv(path, index=False)
    inputs = inputs_from_files(path, load_instrument("learning-survey"), threshold=10)
    report = build_global_report(inputs)
    assert report.notice is not None
    assert "variation" in report.notice
    assert _section(report, "sample").unavailable is None
    assert all(s.unavailable for s in report.sections if s.id != "sample")
    assert "About this report" in render_global_report(report, mode="pdf")


def test_it_numbers_schools_as_the_platform_does() -> None:
    # Schools that joined, in the order they joined, then the others with responses, sorted.
    numbers = school_numbers(["c", "a"], ["b", "d", "a", "c", "b"])
    assert numbers == {"c": 1, "a": 2, "b": 3, "d": 4}
    assert school_label("b", numbers, {"b": "Beta"}) == "Beta"
    assert school_label("d", numbers, {"b": "Beta"}) == "School 4"
    assert school_label("x", numbers, {}) == "School ?"


def test_it_labels_groups_of_pupils_one_way() -> None:
    assert [group_label(g) for g in ("boy", "girl", "other", "prefer_not_to_say")] == [
        "Boys",
        "Girls",
        "Another gender",
        "Preferred not to say",
    ]
    assert group_label("KS2") == "KS2"
    assert group_label("non_binary") == "Non binary"
    assert group_label(NOT_GIVEN) == "Not given"


def test_it_gives_an_unnamed_school_the_same_number_in_the_report_and_on_the_platform(
    phase_one_inputs: ReportInputs, tables: dict[str, pd.DataFrame]
) -> None:
    joined = tuple(sorted(phase_one_inputs.schools["school"], reverse=True))
    inputs = replace(phase_one_inputs, joined=joined)
    report = build_global_report(inputs)
    top_bottom = tables["top_bottom"].set_index("dimension")
    top = str(top_bottom.loc["teachers_help", "top_school"])
    expected = f"School {joined.index(top) + 1}"
    row = _row(_section(report, "top-bottom").charts[0].table.rows, "Teachers Help")
    assert row[1].split("\n")[0] == expected


def test_it_compares_each_rating_with_good_by_school_means() -> None:
    inspection = pd.DataFrame(
        {
            "dimension": ["d"] * 4,
            "inspection_rating": ["outstanding", "good", "requires_improvement", "not_inspected"],
            "n_schools": [5, 12, 1, 30],
            "mean_of_school_means": [3.2, 3.4, 3.0, 3.3],
            "sd_of_school_means": [0.3, 0.25, float("nan"), 0.3],
        }
    )
    effects = rating_effects(inspection)
    # One school rated requires improvement, and not inspected, are not compared.
    assert effects["inspection_rating"].tolist() == ["outstanding"]
    expected = hedges_g(5, 3.2, 0.3, 12, 3.4, 0.25).iloc[0]
    assert effects["hedges_g"].iloc[0] == pytest.approx(expected["hedges_g"])
    assert effects["hedges_g"].iloc[0] < 0
    assert effects["ci_low"].iloc[0] == pytest.approx(expected["ci_low"])


def test_it_picks_the_top_tenth_of_schools_and_marks_the_clear_ones() -> None:
    schools = pd.DataFrame(
        {
            "school": [f"s{k:02d}" for k in range(21)],
            "n": 50,
            "mean": [float(k) for k in range(21)],
            "shrunken_mean": [float(k) for k in range(21)],
            "shrunken_ci_low": [k - 12.0 for k in range(20)] + [15.0],
            "shrunken_ci_high": [k + 1.0 for k in range(21)],
            "suppressed": [False] * 20 + [True],
        }
    )
    ranked = top_decile(schools)
    assert len(ranked) == 20  # the suppressed school is not ranked
    assert ranked.loc[ranked["top"], "school"].tolist() == ["s19", "s18"]
    assert ranked["median"].iloc[0] == 9.5
    assert ranked.loc[ranked["top"], "above_median"].tolist() == [False, False]
    with pytest.raises(ValueError, match="between 0 and 1"):
        top_decile(schools, share=1.5)


def test_it_puts_its_words_through_gettext(phase_one_inputs: ReportInputs) -> None:
    def marked(text: str) -> str:
        return f"«{text}»"

    report = build_global_report(phase_one_inputs, gettext=marked)
    assert report.title == "«The Learning Survey: global report»"
    assert _section(report, "reliability").heading == "«2. Reliability of the dimensions»"
    focused = _section(report, "focused").tables[0]
    assert focused.rows[0][0].startswith("«School ")
    assert all(paragraph.startswith("«") for s in report.sections for paragraph in s.method)
    html = render_global_report(report, mode="pdf", gettext=marked)
    assert "«How this was computed»" in html


def _pooled(part: pd.DataFrame) -> tuple[float, float, float]:
    """n, mean and SD of the union of groups from their n, mean and SD (the textbook formula,
    to check the pooling of moments against)."""
    n = part["n"].to_numpy(float)
    mean = part["mean"].to_numpy(float)
    sd = part["sd"].to_numpy(float)
    grand = float((n * mean).sum() / n.sum())
    ss = ((n - 1) * sd**2).sum() + (n * (mean - grand) ** 2).sum()
    return float(n.sum()), grand, float((ss / (n.sum() - 1)) ** 0.5)


def test_it_computes_the_key_stage_effects_from_the_sufficient_statistics(
    global_figures: GlobalFigures, tables: dict[str, pd.DataFrame]
) -> None:
    figures = global_figures  # build_global_figures(phase_one_inputs), once per run
    assert figures.key_stages is not None
    trend = tables["key_stage_trend"]
    part = trend[trend["dimension"] == "challenge"].set_index("key_stage")
    later, earlier = part.loc["KS3"], part.loc["KS2"]
    expected = hedges_g(
        later.n, later["mean"], later.sd, earlier.n, earlier["mean"], earlier.sd
    ).iloc[0]
    found = next(
        e
        for e in figures.key_stages.adjacent
        if (e.dimension, e.group_a, e.group_b) == ("challenge", "KS3", "KS2")
    )
    assert found.hedges_g == pytest.approx(expected["hedges_g"], rel=1e-9)
    assert found.ci_low == pytest.approx(expected["ci_low"], rel=1e-9)
    primary = _pooled(part.loc[["KS1", "KS2"]])
    secondary = _pooled(part.loc[["KS3", "KS4", "KS5"]])
    expected = hedges_g(*secondary, *primary).iloc[0]
    phase = next(e for e in figures.key_stages.phases if e.dimension == "challenge")
    assert (phase.group_a, phase.group_b) == ("secondary", "primary")
    assert phase.hedges_g == pytest.approx(expected["hedges_g"], rel=1e-9)
    assert phase.ci_high == pytest.approx(expected["ci_high"], rel=1e-9)


def test_it_pools_the_focused_schools_pupils_from_their_band_counts(
    phase_one_inputs: ReportInputs, global_figures: GlobalFigures
) -> None:
    focused = global_figures.focused  # of build_global_figures(phase_one_inputs)
    assert focused is not None
    overall = school_table(
        phase_one_inputs.current.stats,
        threshold=phase_one_inputs.threshold,
        kind="overall",
        label="score",
    )
    ranked = top_decile(overall)
    group = ranked[ranked["top"]]
    # The share of the group's pupils, each school weighted by its pupils.
    weighted = float((group["n"] * group["pct_quite_or_very_high"]).sum() / group["n"].sum())
    assert focused.pct_high == pytest.approx(weighted, rel=1e-9)
    assert [s.school for s in focused.schools] == list(group["school"])
    assert focused.context_withheld == ""
    assert len(focused.context) == 2


def test_it_gives_the_researchers_tables_of_the_dashboards(
    phase_one_inputs: ReportInputs, global_figures: GlobalFigures
) -> None:
    figures = global_figures  # build_global_figures(phase_one_inputs), once per run
    payload = dashboard_payload(phase_one_inputs.current, threshold=phase_one_inputs.threshold)
    assert figures.failure == payload["global_message"] == ""
    assert figures.tables == payload["global"]


def test_it_leaves_a_hidden_key_stage_out_of_every_comparison(
    phase_one_inputs: ReportInputs,
) -> None:
    # KS5 (2,006 pupils) falls below this threshold and KS4 is hidden with it (complementary).
    inputs = replace(phase_one_inputs, threshold=2_100)
    figures = build_global_figures(inputs)
    key_stages = figures.key_stages
    assert key_stages is not None
    assert key_stages.stages == ["KS1", "KS2", "KS3"]
    assert key_stages.secondary == ["KS3"]
    compared = {e.group_a for e in key_stages.adjacent} | {e.group_b for e in key_stages.adjacent}
    assert compared == {"KS1", "KS2", "KS3"}
    trend = wave_tables(inputs.current.stats, threshold=inputs.threshold)["key_stage_trend"]
    part = trend[trend["dimension"] == "learning"].set_index("key_stage")
    expected = hedges_g(*_pooled(part.loc[["KS3"]]), *_pooled(part.loc[["KS1", "KS2"]])).iloc[0]
    phase = next(e for e in key_stages.phases if e.dimension == "learning")
    assert phase.hedges_g == pytest.approx(expected["hedges_g"], rel=1e-9)
    report = build_global_report(inputs, figures=figures)
    changes = _section(report, "key-stages").tables[0]
    assert changes.columns[1:] == ["KS1 → KS2", "KS2 → KS3", "Primary → secondary"]
    # Only girls are left once the smaller genders and then boys are hidden.
    assert _section(report, "gender").unavailable is not None
