"""The trust report: every trust of the Phase One wave builds and renders; the PDF has real
pages naming the schools; top and bottom schools only where the intervals allow; staff gaps
hidden for small staff groups; schools hidden for size show the dash; the trust's total is
shown only where no hidden school follows from it; the trust against the rest of the wave
equals grouping the pupils directly."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pdf_reading import Printed, printed

from learnsurvey.analysis.groups import by_school_attribute, group_summary, school_table
from learnsurvey.analysis.trusts import trust_top_bottom
from learnsurvey.instruments import load_instrument
from learnsurvey.reports import ReportInputs, inputs_from_files
from learnsurvey.reports.format import HIDDEN, count, number, signed
from learnsurvey.reports.trust import TrustReport, TrustReports, render_trust_report
from learnsurvey.stats.effects import hedges_g

STAFF = load_instrument("staff-survey")
STAFF_SIZES = (25, 3, 14, 0, 40, 9, 12, 30)
"""Staff per school of the chosen trust, in name order (cycled): some below the pupil
threshold, one below the staff threshold."""
SMALL_SCHOOL = "Tiny Test School"
SMALL_TWO = "Small Test School"
"""Six pupils, in the same trust as SMALL_SCHOOL: the two hidden schools together have
eleven pupils, so the trust's total gives neither away."""
LONE_SMALL = "Lone Small School"
"""Four pupils, the only small school of the second trust: its total would give them away."""
TINY_TRUST = "Tiny Trust"
"""A trust whose only school has fewer pupils than the threshold."""
SOLO_TRUST = "Solo Trust"
"""A trust of one school."""


@pytest.fixture(scope="module")
def reports(trust_reports: TrustReports) -> TrustReports:
    """The Phase One wave's trust reports (conftest: once per run)."""
    return trust_reports


@pytest.fixture(scope="module")
def trust(reports: TrustReports) -> str:
    return reports.trusts[0]


@pytest.fixture(scope="module")
def with_staff(
    phase_one_files: tuple[Path, Path],
    phase_one_inputs: ReportInputs,
    trust: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ReportInputs, dict[str, int]]:
    """The Phase One wave plus a staff survey for ``trust``'s schools, and a school of
    five pupils added to the trust. Returns the inputs and the staff per school."""
    responses, context = phase_one_files
    folder = tmp_path_factory.mktemp("trust-staff")
    pupils = pd.read_csv(responses)
    wave = str(pupils["wave"].iloc[0])
    tiny = pupils.head(5).assign(school=SMALL_SCHOOL)
    small = pupils.iloc[5:11].assign(school=SMALL_TWO)
    lone = pupils.iloc[11:15].assign(school=LONE_SMALL)
    tinier = pupils.tail(4).assign(school="Tiny Two")
    pupils_path = folder / "pupils.csv"
    extra_pupils = [pupils, tiny, small, lone, tinier]
    pd.concat(extra_pupils, ignore_index=True).to_csv(pupils_path, index=False)
    schools = pd.read_csv(context)
    solo = schools.index[schools["trust"].isna()][0]
    schools.loc[solo, "trust"] = SOLO_TRUST
    second = sorted({str(t) for t in schools["trust"].dropna()} - {trust, SOLO_TRUST})[0]
    extra = pd.concat(
        [
            schools.head(1).assign(school=SMALL_SCHOOL, trust=trust),
            schools.head(1).assign(school=SMALL_TWO, trust=trust),
            schools.head(1).assign(school=LONE_SMALL, trust=second),
            schools.head(1).assign(school="Tiny Two", trust=TINY_TRUST),
        ]
    )
    context_path = folder / "schools.csv"
    pd.concat([schools, extra], ignore_index=True).to_csv(context_path, index=False)
    keys = phase_one_inputs.trust_schools(trust)
    sizes = {s: STAFF_SIZES[k % len(STAFF_SIZES)] for k, s in enumerate(keys)}
    # Enough staff, too few pupils: the pupils' side hides the gap.
    sizes[SMALL_SCHOOL] = 12
    rng = np.random.default_rng(3)
    rows = [
        {
            "school": school,
            "key_stage": "",
            "gender": "",
            "wave": wave,
            **{item.id: int(rng.integers(2, 6)) for item in STAFF.items},
        }
        for school, n in sizes.items()
        for _ in range(n)
    ]
    staff_path = folder / "staff.csv"
    pd.DataFrame(rows).to_csv(staff_path, index=False)
    inputs = inputs_from_files(
        pupils_path,
        load_instrument("learning-survey"),
        threshold=10,
        context=context_path,
        staff=staff_path,
        staff_instrument=STAFF,
    )
    return inputs, sizes


class _Tables(HTMLParser):
    """Each table's caption and the text of its cells, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        if tag in {"caption", "td", "th"}:
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._text is None or tag not in {"caption", "td", "th"}:
            return
        text = " ".join("".join(self._text).split())
        self._text = None
        rows = self.tables[-1][1]
        if tag == "caption":
            self.tables[-1] = (text, rows)
        elif rows:
            rows[-1].append(text)


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return dict(parser.tables)


def test_every_trust_builds_and_renders(
    reports: TrustReports,
    trust_reports_built: dict[str, TrustReport],
    phase_one_inputs: ReportInputs,
) -> None:
    context = phase_one_inputs.schools
    expected = sorted({str(t) for t in context["trust"].dropna()})
    assert reports.trusts == expected
    assert list(trust_reports_built) == reports.trusts
    for trust in reports.trusts:
        report = trust_reports_built[trust]  # reports.build(trust), once per run
        html = render_trust_report(report, mode="file")
        assert report.title == trust
        assert report.kicker == "The Learning Survey · trust report"
        assert report.publishable
        assert "No staff survey was taken in this wave" in html
        for key in phase_one_inputs.trust_schools(trust):
            assert phase_one_inputs.school_name(key) in html
        assert html.count('<figure class="chart"') >= 3
        assert "assets/vega.js" in html


def test_unknown_trust_is_refused(reports: TrustReports) -> None:
    with pytest.raises(ValueError, match="no trust"):
        reports.build("No Such Trust")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
# WeasyPrint warns on import when the system's HarfBuzz lacks the subset library.
@pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")
def test_pdf_has_pages_naming_every_school(
    trust_reports_built: dict[str, TrustReport],
    printed_reports: dict[str, Printed],
    trust: str,
    tmp_path: Path,
) -> None:
    report = trust_reports_built[trust]
    pdf = tmp_path / "trust.pdf"
    # The first trust's report printed once (conftest), as render_trust_report(report,
    # mode="pdf") through html_to_pdf.
    pages, text = printed(printed_reports["trust"][1], pdf)
    assert pages >= 6
    flat = " ".join(text.split())
    assert trust in flat
    for name in report.schools:
        assert name in flat
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", "3", "-l", "3", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    assert list(tmp_path.glob("p*.png"))


def test_top_and_bottom_only_where_the_intervals_allow(
    reports: TrustReports, trust_reports_built: dict[str, TrustReport]
) -> None:
    named = unnamed = 0
    dims = reports.inputs.instrument.dimension_ids
    for trust in reports.trusts:
        report = trust_reports_built[trust]
        schools = reports.figures(trust).schools
        for k, (item, dim) in enumerate(zip(report.top_bottom, dims, strict=True)):
            shown = [(r, r.cells[k]) for r in schools if not r.cells[k].suppressed]
            assert all(c.dimension == dim for _, c in shown)
            lowest = min(shown, key=lambda rc: rc[1].shrunken_mean or 0)
            highest = max(shown, key=lambda rc: rc[1].shrunken_mean or 0)
            apart = (highest[1].ci_low or 0) > (lowest[1].ci_high or 0)
            assert item.apart == apart
            if apart:
                named += 1
                assert item.top == highest[0].school_name
                assert item.bottom == lowest[0].school_name
            else:
                unnamed += 1
                assert item.top is None
                assert item.bottom is None
    assert named > 0  # the Phase One schools differ enough for some to be told apart


def test_overlapping_intervals_name_no_school() -> None:
    dim = load_instrument("learning-survey").dimension_ids[0]
    frame = pd.DataFrame(
        {
            "school": ["a", "b", "c"],
            "score": dim,
            "suppressed": False,
            "shrunken_mean": [3.0, 3.2, 3.1],
            "shrunken_ci_low": [2.8, 3.05, 2.9],
            "shrunken_ci_high": [3.2, 3.35, 3.3],
        }
    )
    first = trust_top_bottom(frame, [dim]).iloc[0]
    assert not first["apart"]
    assert first["top_school"] is None
    apart = frame.assign(shrunken_ci_low=[2.8, 3.21, 2.9])
    second = trust_top_bottom(apart, [dim]).iloc[0]
    assert second["apart"]
    assert (second["top_school"], second["bottom_school"]) == ("b", "a")


def test_it_shows_each_dimension_not_a_notion_of_the_same_id(
    reports: TrustReports, trust: str, phase_one_inputs: ReportInputs
) -> None:
    """The notion "learning" shares its id with the dimension "learning": the grid's
    Learning column is the dimension's shrunken mean (it once showed the notion's)."""
    inst = phase_one_inputs.instrument
    shared = {f.id for f in inst.factors} & set(inst.dimension_ids)
    assert shared
    wave = school_table(phase_one_inputs.current.stats, threshold=10)
    report = reports.build(trust)
    assert report.heatmap is not None
    grid = report.heatmap.table
    names = {d.id: d.name for d in inst.dimensions}
    keys = {phase_one_inputs.school_name(s): s for s in phase_one_inputs.trust_schools(trust)}
    for dim in shared:
        column = grid.columns.index(names[dim])
        for row in grid.rows:
            ours = wave[(wave["school"] == keys[row[0]]) & (wave["dimension"] == dim)]
            assert row[column] == number(ours["shrunken_mean"].iloc[0])


def _staff_report(with_staff: tuple[ReportInputs, dict[str, int]], trust: str) -> TrustReport:
    inputs, _ = with_staff
    return TrustReports(inputs).build(trust)


def test_staff_gaps_hide_small_staff_groups(
    with_staff: tuple[ReportInputs, dict[str, int]], trust: str
) -> None:
    inputs, sizes = with_staff
    report = _staff_report(with_staff, trust)
    html = render_trust_report(report, mode="file")
    assert report.staff is not None
    assert report.staff.chart is not None
    tables = _tables(html)
    threshold = inputs.threshold
    # Rule 8: the staff voice shows staff groups of at least the staff threshold.
    staff_threshold = report.staff_voice.threshold if report.staff_voice else threshold
    small = [s for s, n in sizes.items() if 0 < n < staff_threshold]
    assert small
    mentioned = html.split("Staff figures are not shown for")[1].split("</p>")[0]
    assert SMALL_SCHOOL in mentioned
    for key in small:
        name = inputs.school_name(key)
        assert f"{name}: staff and pupils" not in tables
        assert name in mentioned
    shown = [t for t in report.staff.school_tables if t.rows]
    assert shown
    assert all(
        row[3] == HIDDEN or int(row[3].replace(",", "")) >= threshold
        for t in shown
        for row in t.rows
    )
    for caption, rows in tables.items():
        if "staff" not in caption.lower():
            continue
        staff_column = rows[0].index("Staff")
        for row in rows[1:]:
            cell = row[staff_column].replace(",", "")
            assert cell == HIDDEN or int(cell) >= staff_threshold, caption
    for key in (s for s, n in sizes.items() if n == 0):
        assert inputs.school_name(key) in html.split("No staff answered in:")[1]


def test_a_small_school_shows_the_dash_and_hides_a_complement(
    with_staff: tuple[ReportInputs, dict[str, int]], trust: str
) -> None:
    report = _staff_report(with_staff, trust)
    assert SMALL_SCHOOL in report.schools
    grid = report.heatmap.table if report.heatmap else None
    assert grid is not None
    row = next(r for r in grid.rows if r[0] == SMALL_SCHOOL)
    assert row[1:] == [HIDDEN] * (len(row) - 1)
    # The trust's schools partition the trust's total: a second school is hidden with it.
    assert report.n_schools_hidden >= 2
    html = render_trust_report(report, mode="file")
    grid_rows = _tables(html)[grid.caption]
    shown = next(r for r in grid_rows if r[0] == SMALL_SCHOOL)
    assert set(shown[1:]) == {HIDDEN}
    assert "A dash marks a figure that is not shown" in html


def test_a_trust_too_small_to_show_still_renders(
    with_staff: tuple[ReportInputs, dict[str, int]],
) -> None:
    inputs, _ = with_staff
    reports = TrustReports(inputs)
    assert TINY_TRUST in reports.trusts
    report = reports.build(TINY_TRUST)
    assert not report.publishable
    assert report.n_pupils == HIDDEN
    assert report.headline == []
    html = render_trust_report(report, mode="web")
    assert "fewer than 10 pupils with responses" in html
    tables = _tables(html)
    for rows in tables.values():
        for row in rows[1:]:
            assert not any(re.fullmatch(r"[0-9]", cell) for cell in row), row
    assert report.heatmap is not None
    for row in tables[report.heatmap.table.caption][1:]:
        assert set(row[1:]) == {HIDDEN}
    for row in tables[report.benchmark.caption][1:]:
        assert row[1] == HIDDEN
    pdf_html = render_trust_report(report, mode="pdf")
    assert "<script" not in pdf_html


def test_a_trust_of_one_school_renders(with_staff: tuple[ReportInputs, dict[str, int]]) -> None:
    inputs, _ = with_staff
    report = TrustReports(inputs).build(SOLO_TRUST)
    assert report.n_schools == 1
    assert all(not t.apart and t.top is None for t in report.top_bottom)
    html = render_trust_report(report, mode="file")
    assert "Too few schools shown to compare" in html


def test_the_trust_is_compared_with_the_other_schools(
    reports: TrustReports, trust: str, phase_one_inputs: ReportInputs
) -> None:
    """The rest of the wave is the other schools' pupils grouped directly: the report's
    figures equal a summary of every pupil outside the trust."""
    keys = set(phase_one_inputs.trust_schools(trust))
    side: dict[str, str | None] = {
        s: "trust" if s in keys else "rest" for s in phase_one_inputs.current.item_schools
    }
    stats = by_school_attribute(phase_one_inputs.current.stats, "side", side)
    direct = group_summary(stats, ["side"])
    report = reports.build(trust)
    labels = {d.id: d.name for d in phase_one_inputs.instrument.dimensions}
    rows = {r[0]: r for r in report.benchmark.rows}
    for dim, name in labels.items():
        rest = direct[(direct["side"] == "rest") & (direct["dimension"] == dim)].iloc[0]
        ours = direct[(direct["side"] == "trust") & (direct["dimension"] == dim)].iloc[0]
        g = hedges_g(ours["n"], ours["mean"], ours["sd"], rest["n"], rest["mean"], rest["sd"])
        assert rows[name][5] == f"{rest['mean']:.2f}"
        assert rows[name][6] == signed(g["hedges_g"].iloc[0])


def test_a_total_beside_a_single_small_school_is_not_shown(
    with_staff: tuple[ReportInputs, dict[str, int]],
) -> None:
    """The trust's total minus its other schools' own counts would be the small school's
    pupils, and its mean theirs: the trust's own figures are withheld, and the report says
    how many pupils the schools shown have instead."""
    inputs, _ = with_staff
    reports = TrustReports(inputs)
    second = next(t for t in reports.trusts if LONE_SMALL in inputs.trust_schools(t))
    figures = reports.figures(second)
    assert figures.n_pupils is None
    assert not figures.publishable
    assert figures.hidden_because == "recoverable"
    shown = [r.overall.n for r in figures.schools if r.overall.n is not None]
    assert figures.n_pupils_shown == sum(shown)
    assert all(s.n is None and s.mean is None and s.rest_mean is None for s in figures.against_rest)
    assert all(s.all_mean is not None for s in figures.against_rest)
    everyone = group_summary(inputs.current.stats, ["school"], kind="overall", label="score")
    mine = everyone[everyone["school"].isin(inputs.trust_schools(second))]
    report = reports.build(second)
    html = render_trust_report(report, mode="file")
    assert count(mine["n"].sum()) not in html
    assert f"<strong>{count(sum(shown))}</strong> pupils in the schools shown" in html
    assert "would let a smaller group" in html
    assert report.headline == []


def test_two_small_schools_leave_the_total_shown(
    with_staff: tuple[ReportInputs, dict[str, int]], trust: str
) -> None:
    """Eleven pupils in two hidden schools: neither follows from the total."""
    inputs, _ = with_staff
    figures = TrustReports(inputs).figures(trust)
    assert figures.publishable
    hidden = [r for r in figures.schools if r.overall.suppressed]
    assert {SMALL_SCHOOL, SMALL_TWO} <= {r.school_name for r in hidden}
    everyone = group_summary(inputs.current.stats, ["school"], kind="overall", label="score")
    mine = everyone[everyone["school"].isin(inputs.trust_schools(trust))]
    assert figures.n_pupils == int(mine["n"].sum())
