"""Benchmark the school reports: every Phase One school's report (HTML + A4 PDF) of the
synthetic wave (29,940 pupils, 87 schools, seed 2021) through ``write_school_reports`` with
every core. Targets: all 87 PDFs in at most 45 s; building one school's report (before
HTML and PDF) in at most 1.5 s on average.

    make bench-reports                       # = .venv/bin/python benchmarks/reports/run.py
    .venv/bin/python benchmarks/reports/run.py --schools 6 --no-doc     # a quick smoke run

A full run (all schools) rewrites the reports section of docs/benchmarks.md. Wall time is
the median of 3 runs when one run takes under a minute, else of 1 run. Targets are
reported (met / not met), never asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPORTS_DIR = Path(__file__).resolve().parent
BENCH_DIR = REPORTS_DIR.parent
REPO = BENCH_DIR.parent
sys.path[:0] = [str(BENCH_DIR)]

from lsbench.docsections import splice_section  # noqa: E402
from lsbench.machine import git_revision, load_average, machine_facts, package_versions  # noqa: E402

from learnsurvey.instruments import load_instrument  # noqa: E402
from learnsurvey.io import write_responses  # noqa: E402
from learnsurvey.reports import ReportInputs, inputs_from_files  # noqa: E402
from learnsurvey.reports.runner import write_school_reports  # noqa: E402
from learnsurvey.reports.school import SchoolReports  # noqa: E402
from learnsurvey.synth import ResponseModel, load_params, schools_frame  # noqa: E402

MARKER = "<!-- report benchmarks: written by benchmarks/reports/run.py -->"
DOC = REPO / "docs" / "benchmarks.md"
PUPILS = 29_940
SCHOOLS = 87
SEED = 2021
TARGET_SECONDS = 45.0
BUILD_TARGET_SECONDS = 1.5
"""Mean seconds to build one school's report (tables, suppression, charts), one process."""
REPEAT_UNDER_SECONDS = 60.0
COMMAND = ".venv/bin/python benchmarks/reports/run.py"
PROFILED = 5


@dataclass
class Run:
    wall: float
    cpu_children: float
    """User + system CPU seconds of the worker processes during the run."""
    load_before: str
    load_after: str


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_inputs(folder: Path) -> tuple[ReportInputs, float]:
    """The Phase One wave as files, read back as report inputs; (inputs, read seconds)."""
    responses, context = folder / "phase-one.csv", folder / "phase-one.schools.csv"
    model = ResponseModel(load_instrument("learning-survey"), load_params("phase-one"))
    write_responses(responses, model.tables(PUPILS, SCHOOLS, SEED), on_rows=None)
    schools_frame(model.schools(PUPILS, SCHOOLS, SEED)).to_csv(context, index=False)
    started = time.perf_counter()
    inputs = inputs_from_files(
        responses, load_instrument("learning-survey"), threshold=10, context=context
    )
    return inputs, time.perf_counter() - started


def one_run(inputs: ReportInputs, keys: list[str], workers: int, out: Path) -> Run:
    before_load, before_cpu = load_average(), _children_cpu()
    started = time.perf_counter()
    files = write_school_reports(inputs, out, keys, workers=workers)
    wall = time.perf_counter() - started
    if len(files) != len(keys):
        raise RuntimeError(f"{len(files)} reports written, {len(keys)} asked for")
    return Run(wall, _children_cpu() - before_cpu, before_load, load_average())


PHASES = (
    ("build", "Building the report (tables, suppression, charts)"),
    ("svg", "… of which drawing the charts' SVG (vl-convert)"),
    ("html", "Rendering the HTML twice (file and print) with Jinja2"),
    ("layout", "WeasyPrint: parsing and laying out the pages"),
    ("write", "WeasyPrint: drawing and writing the tagged PDF (fonts subset)"),
)


def profile_schools(inputs: ReportInputs, keys: list[str]) -> dict[str, float]:
    """Median seconds per phase of one school's report, in this process (after the timed
    runs: drawing a chart here would make forking unsafe)."""
    import weasyprint

    from learnsurvey.reports import charts
    from learnsurvey.reports.school import render_school_report

    prepared = SchoolReports(inputs)
    drawing = charts._svg
    spent = [0.0]

    def timed_svg(spec: dict[str, object]) -> str:
        t = time.perf_counter()
        svg = drawing(spec)
        spent[0] += time.perf_counter() - t
        return svg

    charts._svg = timed_svg
    weasyprint.HTML(string="<p>.</p>").write_pdf()  # as the workers start warm
    phases: dict[str, list[float]] = {name: [] for name, _ in PHASES}
    try:
        for key in keys:
            spent[0] = 0.0
            t0 = time.perf_counter()
            report = prepared.build(key)
            t1 = time.perf_counter()
            render_school_report(report, mode="file")
            html = render_school_report(report, mode="pdf")
            t2 = time.perf_counter()
            document = weasyprint.HTML(string=html).render(pdf_variant="pdf/ua-1", pdf_tags=True)
            t3 = time.perf_counter()
            document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
            t4 = time.perf_counter()
            for name, value in zip(
                ("build", "svg", "html", "layout", "write"),
                (t1 - t0, spent[0], t2 - t1, t3 - t2, t4 - t3),
                strict=True,
            ):
                phases[name].append(value)
    finally:
        charts._svg = drawing
    return {name: statistics.median(values) for name, values in phases.items()}


def time_builds(inputs: ReportInputs, keys: list[str]) -> list[float]:
    """Seconds to build each school's report in this process (the bound a unit test used to
    assert; after the timed runs, as :func:`profile_schools`)."""
    prepared = SchoolReports(inputs)
    seconds = []
    for key in keys:
        started = time.perf_counter()
        prepared.build(key)
        seconds.append(time.perf_counter() - started)
    return seconds


def _peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def section(
    runs: list[Run],
    n_schools: int,
    workers: int,
    read_s: float,
    prepare_s: float,
    pages: int | None,
    started: datetime,
    command: str,
    phases: dict[str, float],
    builds: list[float],
) -> str:
    walls = [r.wall for r in runs]
    median = statistics.median(walls)
    cpu = statistics.median(r.cpu_children for r in runs)
    met = "✅ met" if median <= TARGET_SECONDS else "❌ not met"
    build_mean = statistics.fmean(builds)
    build_met = "✅ met" if build_mean <= BUILD_TARGET_SECONDS else "❌ not met"
    facts = machine_facts()
    facts.update(package_versions("weasyprint", "vl-convert-python", "altair", "Jinja2"))
    facts["learnsurvey revision"] = git_revision(REPO)
    lines = [
        MARKER,
        "",
        "# School reports (HTML and PDF)",
        "",
        f"_Written by `{command}` on {started:%Y-%m-%d %H:%M} UTC "
        "(`make bench-reports` runs it; `make bench` runs it after the core and the web)._",
        "",
        "```sh",
        "make bench-reports",
        f"{COMMAND}                 # all 87 schools, every core",
        f"{COMMAND} --schools 6 --no-doc   # a quick smoke run",
        "```",
        "",
        f"Every school's report of the synthetic Phase One wave ({PUPILS:,} pupils, "
        f"{SCHOOLS} schools, seed {SEED}) written as a standalone HTML file and an A4 PDF "
        "(WeasyPrint, tagged PDF/UA-1) by `learnsurvey.reports.runner.write_school_reports`: "
        "the wave-level work done once, then one forked worker process per core building, "
        "drawing (vl-convert) and printing one school at a time.",
        "",
        "| Measure | Result | Target | Met |",
        "|---|---|---|---|",
        f"| {n_schools} school reports, wall time "
        f"({'median of ' + str(len(runs)) + ' runs' if len(runs) > 1 else '1 run'}) | "
        f"{median:.1f} s | ≤ {TARGET_SECONDS:.0f} s | {met} |",
        f"| Building one school's report, mean of {len(builds)} (one process; slowest "
        f"{max(builds):.2f} s) | {build_mean:.2f} s | ≤ {BUILD_TARGET_SECONDS:g} s | "
        f"{build_met} |",
        f"| Runs | {', '.join(f'{w:.1f} s' for w in walls)} | — | — |",
        f"| Wall time ÷ schools | {median / n_schools:.2f} s ({workers} workers) | — | — |",
        f"| CPU time per school (workers' user + system) | {cpu / n_schools:.2f} s | — | — |",
        f"| Pages per school PDF (mean) | "
        f"{'—' if pages is None else f'{pages / n_schools:.1f}'} | — | — |",
        f"| Reading the responses file (once) | {read_s:.1f} s | — | — |",
        f"| Wave-level work, `SchoolReports(inputs)` (once per run, in the wall time) | "
        f"{prepare_s:.1f} s | — | — |",
        f"| Peak RSS, parent / largest worker | {_peak_rss_mib(resource.RUSAGE_SELF):.0f} MiB / "
        f"{_peak_rss_mib(resource.RUSAGE_CHILDREN):.0f} MiB | — | — |",
        "| Load average (1 / 5 / 15 min) before → after each run | "
        + "; ".join(f"{r.load_before} → {r.load_after}" for r in runs)
        + " | — | — |",
        "",
        "The machine's cores may be shared with other work: a load average above the number "
        "of cores means the run had less than every core, and its times are an upper bound.",
        "",
        "## Where a school's time goes",
        "",
        f"One process, median of {PROFILED} schools (the workers do the same, one school at "
        "a time):",
        "",
        "| Phase | Seconds per school | Share |",
        "|---|---|---|",
        *[
            f"| {label} | {phases[name]:.2f} | "
            f"{phases[name] / max(sum(v for k, v in phases.items() if k != 'svg'), 1e-9):.0%} |"
            for name, label in PHASES
        ],
        "",
        "## Reports machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in facts.items()],
    ]
    return "\n".join(lines) + "\n"


def _pages(folder: Path) -> int | None:
    """PDF pages written (poppler's pdfinfo; None without it)."""
    import re
    import subprocess

    total = 0
    for pdf in folder.glob("school-*.pdf"):
        try:
            info = subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
        total += int(found.group(1)) if found else 0
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=SCHOOLS, help="first N schools only")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=None, help="force this many runs")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    command = shlex.join([".venv/bin/python", "benchmarks/reports/run.py", *(argv or sys.argv[1:])])
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        folder = Path(tmp)
        print(f"Generating the Phase One wave ({PUPILS:,} pupils, {SCHOOLS} schools) ...")
        inputs, read_s = make_inputs(folder)
        t = time.perf_counter()
        keys = SchoolReports(inputs).schools[: args.schools]
        prepare_s = time.perf_counter() - t
        runs: list[Run] = []
        wanted = args.runs
        while True:
            out = folder / f"run-{len(runs) + 1}"
            print(f"Run {len(runs) + 1}: {len(keys)} school reports, {args.workers} workers ...")
            runs.append(one_run(inputs, keys, args.workers, out))
            print(f"  {runs[-1].wall:.1f} s (load {runs[-1].load_after})")
            if wanted is None:
                wanted = 3 if runs[0].wall < REPEAT_UNDER_SECONDS else 1
            if len(runs) >= wanted:
                break
        pages = _pages(folder / "run-1")
        print(f"Profiling {PROFILED} schools in one process ...")
        phases = profile_schools(inputs, keys[:PROFILED])
        print(f"Building {len(keys)} school reports one by one in one process ...")
        builds = time_builds(inputs, keys)
    text = section(
        runs, len(keys), args.workers, read_s, prepare_s, pages, started, command, phases, builds
    )
    print(text)
    if args.no_doc or args.schools < SCHOOLS:
        print("(docs/benchmarks.md left as it was: not a full run)")
    else:
        DOC.write_text(splice_section(DOC.read_text(encoding="utf-8"), MARKER, text), "utf-8")
        print(f"Wrote the reports section of {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
