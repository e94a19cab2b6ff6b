"""Writing reports to disk: Phase One schools' reports as HTML and an A4 PDF with real
pages (a sample spanning the wave: every eighth school and the smallest; every school's
report is built and rendered in test_school_report.py, and `make bench-reports` prints them
all), a trust and the wave; and, on a small wave of six schools (what the worker processes
do holds on any wave), a failing school reported by name without losing the others and the
spawned workers.

Nothing here is timed (a unit test times nothing): benchmarks/reports/run.py measures the
all-schools run (`make bench-reports`).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from learnsurvey.reports import ReportInputs
from learnsurvey.reports.charts import vega_bundle
from learnsurvey.reports.global_ import GlobalReport
from learnsurvey.reports.runner import (
    ReportErrors,
    ReportFiles,
    _fork_is_safe,
    report_stems,
    slugify,
    write_global_report,
    write_school_reports,
    write_trust_report,
)
from learnsurvey.reports.school import SchoolReport, SchoolReports
from learnsurvey.reports.trust import TrustReports

PHASE_ONE_SCHOOLS = 87
MIN_PAGES = 3
# Share of non-white pixels on a page with real content: a cover is mostly white space by
# design (about 2% at 30 dpi), a blank page with only its number about 0.1%.
MIN_INK = 0.01


def pdf_pages(path: Path) -> tuple[int, str]:
    """(page count, page size line) from poppler's pdfinfo."""
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+(.*)$", info, re.MULTILINE).group(1)  # type: ignore[union-attr]
    return pages, size


def ink(pdf: Path, page: int, folder: Path) -> float:
    """Share of non-white pixels on ``page`` rasterised at 30 dpi."""
    stem = folder / f"{pdf.stem}-{page}"
    paths = [str(pdf), str(stem)]
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", str(page), "-l", str(page), "-singlefile", *paths],
        check=True,
        timeout=60,
    )
    with Image.open(stem.with_suffix(".png")) as image:
        grey = np.asarray(image.convert("L"))
    return float(np.mean(grey < 250))


def sample_schools(inputs: ReportInputs) -> list[str]:
    """Every eighth school in key order and the school with the fewest pupils (the most
    hidden figures), in key order."""
    keys = sorted(inputs.schools["school"])
    pupils = inputs.current.responses["school"].astype(str).value_counts()
    smallest = str(pupils[pupils.index.isin(keys)].idxmin())
    return sorted({*keys[::8], smallest})


@pytest.fixture(scope="module")
def all_schools(
    phase_one_inputs: ReportInputs,
    school_reports: SchoolReports,
    school_reports_built: dict[str, SchoolReport],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, list[ReportFiles], list[str]]:
    out = tmp_path_factory.mktemp("school-reports")
    finished: list[str] = []
    sample = sample_schools(phase_one_inputs)
    # Every chart of these reports has been checked against the Vega-Lite schema in this
    # process (school_reports_built: the same inputs, so the same charts); the workers need
    # not check them again.
    assert sorted(school_reports_built) == school_reports.schools
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEARNSURVEY_VALIDATE_CHARTS", "0")
        files = write_school_reports(
            phase_one_inputs, out, sample, progress=finished.append, prepared=school_reports
        )
    return out, files, finished


@pytest.mark.slow
def test_it_writes_the_sampled_schools_reports(
    all_schools: tuple[Path, list[ReportFiles], list[str]], phase_one_inputs: ReportInputs
) -> None:
    out, files, finished = all_schools
    assert len(phase_one_inputs.schools) == PHASE_ONE_SCHOOLS
    keys = sample_schools(phase_one_inputs)
    assert len(keys) >= PHASE_ONE_SCHOOLS // 8
    assert [f.key for f in files] == keys
    assert sorted(finished) == keys  # the progress callback heard of each school once
    assert len({f.pdf.name for f in files}) == len(files)
    assert (out / "assets" / "vega.js").is_file()
    for f in files:
        assert f.pdf.parent == out
        assert f.html.name == f"{f.pdf.stem}.html"
        assert f.pdf.name.startswith("school-")
        html = f.html.read_text(encoding="utf-8")
        assert f.name in html.replace("&#39;", "'").replace("&amp;", "&")
        assert 'src="assets/vega.js"' in html
        assert f.pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_every_sampled_school_pdf_has_at_least_three_a4_pages(
    all_schools: tuple[Path, list[ReportFiles], list[str]],
) -> None:
    _, files, _ = all_schools
    for f in files:
        pages, size = pdf_pages(f.pdf)
        assert pages >= MIN_PAGES, f.name
        assert "(A4)" in size, f.name


@pytest.mark.slow
def test_school_pdf_pages_have_real_content(
    all_schools: tuple[Path, list[ReportFiles], list[str]], tmp_path: Path
) -> None:
    _, files, _ = all_schools
    for f in (files[0], files[len(files) // 2], files[-1]):
        pages, _ = pdf_pages(f.pdf)
        for page in (1, (pages + 1) // 2):
            assert ink(f.pdf, page, tmp_path) > MIN_INK, (f.name, page)


@pytest.mark.slow
def test_it_reports_a_failing_school_by_name_and_writes_the_others(
    small_inputs: ReportInputs, tmp_path: Path
) -> None:
    keys = sorted(small_inputs.schools["school"])[:3]
    names = {k: small_inputs.school_name(k) for k in keys}
    stems = report_stems("school", names)
    # A folder where one school's HTML file should go: that school's write fails.
    (tmp_path / f"{stems[keys[1]]}.html").mkdir()
    with pytest.raises(ReportErrors) as caught:
        write_school_reports(small_inputs, tmp_path, keys, workers=2)
    errors = caught.value
    assert list(errors.failures) == [names[keys[1]]]
    assert names[keys[1]] in str(errors)
    assert str(errors).startswith("1 of 3 school reports failed")
    assert [f.key for f in errors.written] == [keys[0], keys[2]]
    assert all(f.pdf.is_file() for f in errors.written)


def test_it_refuses_an_unknown_school_before_any_work(
    small_inputs: ReportInputs, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="no responses from school 'Nowhere High'"):
        write_school_reports(small_inputs, tmp_path / "out", ["Nowhere High"])
    assert not list((tmp_path / "out").glob("*.pdf"))


@pytest.mark.slow
def test_it_spawns_workers_once_chart_drawing_has_started(
    small_inputs: ReportInputs, tmp_path: Path
) -> None:
    """vl-convert's threads make forking unsafe: then the workers are spawned, prepare the
    reports themselves, and still write every requested school."""
    vega_bundle()  # starts vl-convert's runtime in this process
    assert not _fork_is_safe()
    prepared = SchoolReports(small_inputs)
    keys = prepared.schools[:2]
    files = write_school_reports(small_inputs, tmp_path, keys, workers=2, prepared=prepared)
    assert [f.key for f in files] == keys
    assert all(f.pdf.read_bytes().startswith(b"%PDF") for f in files)


@pytest.mark.slow
def test_it_writes_a_trust_report(
    phase_one_inputs: ReportInputs, trust_reports: TrustReports, tmp_path: Path
) -> None:
    trust = trust_reports.trusts[0]
    files = write_trust_report(phase_one_inputs, trust, tmp_path, prepared=trust_reports)
    assert files.pdf == tmp_path / f"trust-{slugify(trust)}.pdf"
    assert trust in files.html.read_text(encoding="utf-8")
    pages, size = pdf_pages(files.pdf)
    assert pages >= 1
    assert "(A4)" in size
    assert ink(files.pdf, 1, tmp_path) > MIN_INK
    with pytest.raises(ValueError, match="no trust"):
        write_trust_report(phase_one_inputs, "No Such Trust", tmp_path)


@pytest.mark.slow
def test_it_writes_the_global_report(
    phase_one_inputs: ReportInputs, global_report: GlobalReport, tmp_path: Path
) -> None:
    files = write_global_report(phase_one_inputs, tmp_path, prepared=global_report)
    assert files.pdf.name == f"global-{slugify(phase_one_inputs.wave)}.pdf"
    pages, size = pdf_pages(files.pdf)
    assert pages >= MIN_PAGES
    assert "(A4)" in size
    for page in (1, (pages + 1) // 2):
        assert ink(files.pdf, page, tmp_path) > MIN_INK


def test_file_stems_are_slugs_and_unique() -> None:
    assert slugify("St Mary's C of E Primary (Año 2)") == "st-mary-s-c-of-e-primary-ano-2"
    assert slugify("!!!") == "report"
    stems = report_stems("school", {"100001": "Oak School", "100002": "Oak School", "3": "Elm"})
    assert stems == {
        "100001": "school-oak-school-100001",
        "100002": "school-oak-school-100002",
        "3": "school-elm",
    }
    clash = report_stems("school", {"a b": "X", "a-b": "X"})
    assert len(set(clash.values())) == 2
