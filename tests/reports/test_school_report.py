"""The personalised school report: every school of the Phase One wave builds and renders,
the PDF has real pages, strengths follow the intervals, and small groups stay hidden."""

from __future__ import annotations

import itertools
import re
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from pdf_reading import Printed, printed
from PIL import Image, ImageStat

from learnsurvey.instruments import load_instrument
from learnsurvey.instruments._schema import Dimension
from learnsurvey.reports import ReportInputs, inputs_from_files
from learnsurvey.reports.format import HIDDEN
from learnsurvey.reports.guidance import load_guidance
from learnsurvey.reports.school import SchoolReport, SchoolReports, render_school_report
from learnsurvey.reports.school.tables import FittedTable

INSTRUMENT = load_instrument("learning-survey")
PHASE_ONE_SCHOOLS = 87


@pytest.fixture(scope="module")
def reports(school_reports: SchoolReports) -> SchoolReports:
    """The Phase One wave's prepared school reports (conftest: once per run)."""
    return school_reports


@pytest.fixture(scope="module")
def built(school_reports_built: dict[str, SchoolReport]) -> dict[str, SchoolReport]:
    """Every school's report, built once per run for the tests that read them all."""
    return school_reports_built


@pytest.fixture(scope="module")
def responses(phase_one_files: tuple[Path, Path]) -> pd.DataFrame:
    return pd.read_csv(phase_one_files[0], dtype=str, keep_default_na=False)


class _Tables(HTMLParser):
    """The tables of a page as {caption: [[cell, ...], ...]} (header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._caption, self._rows = "", []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._rows.append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in {"td", "th"} and self._cell is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table" and self._caption is not None:
            self.tables[self._caption.strip()] = self._rows
            self._caption = None

    def handle_data(self, data: str) -> None:
        if self._in_caption and self._caption is not None:
            self._caption += data
        elif self._cell is not None:
            self._cell.append(data)


def _collisions(pdf: Path) -> list[tuple[int, str, str]]:
    """Words printed on one line of the PDF that touch or overlap: two table cells in
    each other's way (words of one cell are always a space apart)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    word = re.compile(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    found = []
    for page, body in enumerate(out.split("<page ")[1:], start=1):
        lines: dict[int, list[tuple[float, float, str]]] = {}
        for x0, x1, y1, text in word.findall(body):
            lines.setdefault(round(float(y1)), []).append((float(x0), float(x1), text))
        for words in lines.values():
            words.sort()
            for (_, end, a), (start, _, b) in itertools.pairwise(words):
                if start < end + 0.8:
                    found.append((page, a, b))
    return found


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def test_every_school_builds_and_renders(built: dict[str, SchoolReport]) -> None:
    assert len(built) == PHASE_ONE_SCHOOLS
    for report in built.values():
        html = render_school_report(report, mode="file")
        assert report.title in html
        assert 'src="assets/vega.js"' in html


def test_it_renders_each_time_in_the_words_of_the_gettext_it_is_given(
    built: dict[str, SchoolReport],
) -> None:
    # The templates are compiled once per pair of translation functions and kept: the one
    # kept for a reader's language must never answer for another's.
    report = next(iter(built.values()))

    def marked(text: str) -> str:
        return f"«{text}»"

    first = render_school_report(report, mode="pdf", gettext=marked)
    plain = render_school_report(report, mode="pdf")
    again = render_school_report(report, mode="pdf", gettext=marked)
    assert "«At a glance»" in first
    assert "«At a glance»" not in plain
    assert ">At a glance<" in plain
    assert again == first


def test_the_html_headings_go_down_one_level_at_a_time(reports: SchoolReports) -> None:
    html = render_school_report(reports.build(reports.schools[0]), mode="web")
    levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


@pytest.mark.slow
def test_the_pdf_has_real_pages_with_every_dimension(
    built: dict[str, SchoolReport], printed_reports: dict[str, Printed], tmp_path: Path
) -> None:
    report = built[min(built)]
    path = tmp_path / "school.pdf"
    # The first school's report printed once (conftest), as render_school_report(report,
    # mode="pdf") through html_to_pdf.
    pages, text = printed(printed_reports["school"][1], path)
    assert pages > 3
    flat = " ".join(text.split())
    assert report.title in flat
    for dimension in INSTRUMENT.dimensions:
        assert dimension.name in flat
    # No figure runs into the next column ("−0.20 (−0.27 to −0.13)Clearly above").
    assert _collisions(path) == []
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    for image in images:
        grey = Image.open(image).convert("L")
        # Something is printed on every page: not a blank sheet.
        assert ImageStat.Stat(grey).extrema[0][0] < 160


HIGH = {b.name for b in INSTRUMENT.bands if b.id in INSTRUMENT.high_bands}
LOW = {b.name for b in INSTRUMENT.bands[: len(INSTRUMENT.high_bands)]}


def test_it_lists_strengths_that_are_high_and_clearly_above_a_benchmark(
    built: dict[str, SchoolReport],
) -> None:
    order = INSTRUMENT.dimension_ids
    for report in built.values():
        for line in report.strengths:
            assert line.band in HIGH
            assert "above" in (line.verdict, line.similar_verdict)
            assert "below" not in (line.verdict, line.similar_verdict)
            if line.verdict == "above":
                assert line.all_g_low is not None
                assert line.all_g_low > 0
            else:
                assert line.similar_g_low is not None
                assert line.similar_g_low > 0
        # Instrument order: no ranking implied.
        for group in (report.strengths, report.priorities):
            ids = [x.id for x in group]
            assert ids == sorted(ids, key=order.index)


def test_it_lists_as_areas_to_work_on_every_dimension_clearly_below_a_benchmark_or_low(
    built: dict[str, SchoolReport],
) -> None:
    for report in built.values():
        priorities = {x.id for x in report.priorities}
        for line in report.dimensions:
            below_all = line.all_g_high is not None and line.all_g_high < 0
            below_similar = line.similar_g_high is not None and line.similar_g_high < 0
            expected = below_all or below_similar or line.band in LOW
            assert (line.id in priorities) == expected, (report.title, line.id)
        assert not priorities & {x.id for x in report.strengths}


def test_it_does_not_call_a_dimension_above_similar_schools_a_strength_when_its_pupils_score_medium(
    built: dict[str, SchoolReport],
) -> None:
    """Issue 9 item 10: above both benchmarks, but only a fifth of pupils quite or very
    high, is not a strength."""
    found = 0
    for report in built.values():
        for line in report.dimensions:
            if line.band not in HIGH and "above" in (line.verdict, line.similar_verdict):
                assert line.id not in {x.id for x in report.strengths}
                found += 1
    assert found


def test_the_headline_says_where_the_school_stands_in_absolute_terms(
    built: dict[str, SchoolReport],
) -> None:
    for report in built.values():
        first = report.headline[0]
        assert f"{report.overall.band.lower()} band" in first
        # The share is given unless it is hidden (it would stand for a few pupils).
        assert ("quite or very high" in first) == (report.overall.high_pct is not None)
    report = next(iter(built.values()))
    html = render_school_report(report, mode="file")
    assert report.headline[0].replace("'", "&#39;") in html
    for line in report.strengths + report.priorities:
        assert report.reasons[line.id] in html.replace("&#39;", "'")


def test_it_gives_the_figures_of_the_benchmark_table_room_in_print() -> None:
    figure = "\u22120.20 (\u22120.27 to \u22120.13)"
    table = FittedTable(
        caption="t",
        columns=["Score", "g (95% CI)", "Reading"],
        rows=[["Errors as Opportunities", figure, "Clearly above all schools; clearly below"]],
        numeric=[False, True, False],
    )
    widths = table.widths
    # The figure does not wrap: it gets more room than the text columns, which do.
    assert widths[1] > widths[2]
    assert widths[1] > widths[0]
    assert sum(widths) == pytest.approx(100, abs=0.5)


def test_it_says_so_when_no_dimension_is_clearly_different(
    built: dict[str, SchoolReport],
) -> None:
    report = next(iter(built.values()))
    quiet = report.model_copy(update={"strengths": [], "priorities": []})
    html = render_school_report(quiet, mode="file")
    assert "No dimension is a clear strength or a clear area to work on" in html


def test_it_hides_small_key_stages_in_the_rendered_tables(
    phase_one_inputs: ReportInputs, responses: pd.DataFrame
) -> None:
    threshold = 40
    counts = responses.groupby(["school", "key_stage"]).size()
    small = counts[(counts > 0) & (counts < threshold)]
    totals = responses.groupby("school").size()
    candidates = [
        (str(row.school), str(row.key_stage), int(row.n))
        for row in small.reset_index(name="n").itertuples()
        if totals[row.school] >= threshold
    ]
    assert candidates, "the wave should have a school with a small key stage"
    reports = SchoolReports(replace(phase_one_inputs, threshold=threshold))
    checked = 0
    for school, key_stage, n in candidates[:5]:
        html = render_school_report(reports.build(school), mode="file")
        table = _tables(html)["Mean of each dimension by key stage"]
        header = table[0]
        column = header.index(key_stage)
        pupils = next(row for row in table if row[0] == "Pupils who responded")
        assert pupils[column] == HIDDEN
        assert str(n) not in pupils[1:]
        for row in table[1:]:
            assert row[column] == HIDDEN
        # No count below the threshold anywhere in the pupils row.
        for cell in pupils[1:]:
            assert cell == HIDDEN or int(cell.replace(",", "")) >= threshold
        assert "no figure in this report describes fewer than 40 pupils" in html.lower()
        checked += 1
    assert checked


def test_it_refuses_a_school_with_too_few_responses_without_saying_how_many(
    phase_one_inputs: ReportInputs, responses: pd.DataFrame
) -> None:
    totals = responses.groupby("school").size()
    school = str(totals.idxmin())
    threshold = int(totals.min()) + 1
    reports = SchoolReports(replace(phase_one_inputs, threshold=threshold))
    assert school not in reports.schools
    with pytest.raises(ValueError, match="too few responses") as error:
        reports.build(school)
    assert str(int(totals.min())) not in str(error.value).replace(str(threshold), "")
    with pytest.raises(ValueError, match="no responses"):
        reports.build("No Such School")


def test_similar_schools_need_three_other_schools(
    reports: SchoolReports, built: dict[str, SchoolReport]
) -> None:
    groups = {k: f.similar.group for k, f in reports.figures.items() if f.similar is not None}
    sizes = pd.Series(groups).value_counts()
    small_groups = set(sizes[sizes < 4].index)  # 3 or fewer schools: 2 or fewer others
    big_groups = set(sizes[sizes >= 4].index)
    assert small_groups
    assert big_groups
    for school, group in groups.items():
        if school not in built:
            continue
        report = built[school]
        assert report.similar_label is not None
        shown = [x.similar_mean for x in [*report.dimensions, *report.notions, report.overall]]
        if group in small_groups:
            assert all(m is None for m in shown)
        else:
            assert all(m is not None for m in shown)


def test_a_school_without_phase_has_no_similar_schools(phase_one_inputs: ReportInputs) -> None:
    schools = phase_one_inputs.schools.copy()
    school = str(schools["school"].iloc[0])
    schools.loc[0, "phase"] = None
    report = SchoolReports(replace(phase_one_inputs, schools=schools)).build(school)
    assert report.similar_label is None
    assert all(x.similar_mean is None for x in report.dimensions)
    html = render_school_report(report, mode="file")
    assert "There is no similar-schools benchmark for this school" in html
    assert (
        "Similar schools"
        not in _tables(html)["This school against all schools and similar schools"][0]
    )


def test_the_first_wave_says_there_is_no_change(built: dict[str, SchoolReport]) -> None:
    report = next(iter(built.values()))
    assert report.previous_wave is None
    assert report.change_table is None
    html = render_school_report(report, mode="file")
    assert "there is no change to report" in html


def test_it_reports_change_since_the_previous_wave(
    phase_one_files: tuple[Path, Path], responses: pd.DataFrame, tmp_path: Path
) -> None:
    previous = responses.sample(frac=0.6, random_state=7).copy()
    previous["wave"] = "2020-summer"
    path = tmp_path / "two-waves.csv"
    pd.concat([previous, responses], ignore_index=True).to_csv(path, index=False)
    inputs = inputs_from_files(
        path, INSTRUMENT, threshold=10, wave="2021-summer", context=phase_one_files[1]
    )
    assert inputs.previous_wave == "2020-summer"
    reports = SchoolReports(inputs)
    report = reports.build(reports.schools[0])
    assert report.previous_wave == "2020-summer"
    assert report.change_present
    assert report.change_table is not None
    assert report.change_chart is not None
    html = render_school_report(report, mode="file")
    table = _tables(html)["Change since 2020-summer"]
    assert table[0][1:3] == ["2020-summer", "2021-summer"]
    names = [x.label for x in [*report.dimensions, *report.notions, report.overall]]
    assert [row[0] for row in table[1:]] == names
    for row in table[1:]:
        if row[-1] == HIDDEN:
            continue
        low, high = (
            float(v.replace("\u2212", "-"))
            for v in re.search(r"\((.+) to (.+)\)", row[3]).groups()  # type: ignore[union-attr]
        )
        assert (row[-1] == "Clear change") == (low > 0 or high < 0)


def test_every_dimension_and_notion_has_guidance() -> None:
    for instrument in (INSTRUMENT, load_instrument("staff-survey")):
        guidance = load_guidance(instrument)
        for dimension in instrument.dimensions:
            entry = guidance.dimensions[dimension.id]
            assert entry.meaning
            assert 3 <= len(entry.questions) <= 4
        for factor in instrument.factors:
            entry = guidance.notions[factor.id]
            assert entry.meaning
            assert 3 <= len(entry.questions) <= 4


def test_missing_guidance_names_the_file_and_the_ids() -> None:
    extra = Dimension(id="resilience", name="Resilience", factor="learning")
    instrument = INSTRUMENT.model_copy(update={"dimensions": (*INSTRUMENT.dimensions, extra)})
    with pytest.raises(ValueError, match=r"guidance/learning-survey\.yaml.*resilience"):
        load_guidance(instrument)
