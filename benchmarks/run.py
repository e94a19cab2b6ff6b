"""Benchmark `learnsurvey analyse`: whole-process wall time and peak memory at 30k, 1M and 10M
rows, side by side with R (psych + lme4) and pingouin when they are present.

    make bench                                   # = .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --quick   # 30k rows only
    .venv/bin/python benchmarks/run.py --sizes 30k,1m --no-r

A full run (all sizes, R not switched off) rewrites docs/benchmarks.md; every run writes its
report to benchmarks/results/. Targets are reported (met / not met), never asserted.
See docs/benchmarks.md, section "What is measured".
"""

from __future__ import annotations

import argparse
import gc
import shlex
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from lsbench.alpha import load_answers, pingouin_available, time_alphas  # noqa: E402
from lsbench.crosscheck import compare_with_r  # noqa: E402
from lsbench.data import (  # noqa: E402
    DEFAULT_SIZES,
    INSTRUMENT,
    Dataset,
    Size,
    ensure_dataset,
    parse_sizes,
)
from lsbench.machine import git_revision, load_average, machine_facts  # noqa: E402
from lsbench.measure import Measurement, measure  # noqa: E402
from lsbench.polychoric import PolychoricTiming, time_polychoric  # noqa: E402
from lsbench.progress import Steps  # noqa: E402
from lsbench.report import (  # noqa: E402
    ALPHA_HEADER,
    CHECK_HEADER,
    POLYCHORIC_HEADER,
    RESULT_HEADER,
    SPEEDUP_HEADER,
    BenchRun,
    ProgramResult,
    SizeResult,
    alpha_rows,
    check_rows,
    polychoric_line,
    polychoric_rows,
    render_markdown,
    results_rows,
    speedup_rows,
    target_lines,
)
from lsbench.rref import RStatus, r_command, r_status, read_r_result, write_spec  # noqa: E402

from learnsurvey.instruments import Instrument, load_instrument  # noqa: E402

COMPARE_MAX_ROWS = 1_000_000
"""R and pingouin run at sizes up to this (30k and 1M by default)."""
OURS_TIMEOUT_S = 1800.0
DOC = REPO / "docs" / "benchmarks.md"
WEB_MARKER = "<!-- web benchmarks: written by benchmarks/web/run.py -->"
"""Where the web section starts (the same string as benchmarks/web/webreport.MARKER)."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        default=",".join(DEFAULT_SIZES),
        help="comma-separated sizes such as 30k,1m,10m (default: %(default)s)",
    )
    parser.add_argument("--quick", action="store_true", help="30k rows only")
    parser.add_argument("--no-r", action="store_true", help="do not run the R reference")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--r-timeout", type=float, default=1200.0, help="seconds per R run")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data")
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    parser.add_argument("--doc", type=Path, default=DOC, help="page a full run rewrites")
    args = parser.parse_args(argv)
    args.size_list = parse_sizes("30k" if args.quick else args.sizes)
    return args


def learnsurvey_command(data: Path, out_dir: Path) -> list[str]:
    script = Path(sys.executable).with_name("learnsurvey")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "learnsurvey"]
    return [*program, "analyse", str(data), "--instrument", INSTRUMENT, "--out", str(out_dir)]


def format_name(path: Path) -> str:
    return "Parquet" if path.suffix == ".parquet" else "CSV"


def measure_ours(
    dataset: Dataset, args: argparse.Namespace, steps: Steps
) -> dict[str, ProgramResult]:
    """``learnsurvey analyse`` on each file of the data set; keyed by input format."""
    out: dict[str, ProgramResult] = {}
    for path in (dataset.parquet, dataset.csv):
        if path is None:
            continue
        fmt = format_name(path)
        tables = args.data_dir / "out" / f"{dataset.size.rows}-{fmt.lower()}"
        log = args.results_dir / "logs" / f"analyse-{dataset.size.rows}-{fmt.lower()}.log"
        with steps.spinner(f"learnsurvey analyse: {dataset.size.rows:,} rows, {fmt}"):
            m = measure(
                learnsurvey_command(path, tables),
                repeats=args.repeats,
                timeout_s=OURS_TIMEOUT_S,
                log=log,
            )
        steps.note(_summary(f"learnsurvey analyse {dataset.size.rows:,} rows {fmt}", m))
        out[fmt] = ProgramResult("learnsurvey analyse", fmt, m)
    return out


def _summary(what: str, m: Measurement) -> str:
    if not m.ok:
        return f"  {what}: [red]{m.failure()}[/]"
    return (
        f"  {what}: {m.wall_s:.2f} s median of {len(m.runs)} "
        f"(CPU {m.cpu_s:.1f} s), peak {m.max_rss_bytes / 1e6:,.0f} MB"
    )


def run_r(
    result: SizeResult,
    status: RStatus,
    instrument: Instrument,
    args: argparse.Namespace,
    steps: Steps,
) -> None:
    """Time the R reference on the same file and cross-check its results with ours."""
    dataset = result.dataset
    data = dataset.parquet if status.reader == "arrow" else dataset.csv
    if data is None:
        result.r_note = "R: no CSV at this size"
        return
    rows = dataset.size.rows
    spec = write_spec(instrument, args.data_dir / "instrument-spec.json")
    out = args.results_dir / f"r-{rows}.json"
    out.unlink(missing_ok=True)
    with steps.spinner(
        f"R psych + lme4: {rows:,} rows, {format_name(data)} (≤ {args.r_timeout:.0f} s)"
    ):
        m = measure(
            r_command(status, data, spec, out),
            repeats=args.repeats,
            timeout_s=args.r_timeout,
            log=args.results_dir / "logs" / f"r-{rows}.log",
        )
    steps.note(_summary(f"R psych + lme4 {rows:,} rows", m))
    result.r = ProgramResult("R psych + lme4", format_name(data), m)
    if not m.ok or not out.is_file():
        return
    r = read_r_result(out)
    result.r_seconds = {k: float(v) for k, v in r["seconds"].items() if k != "total"}
    ours = result.ours_on(format_name(data)) or result.ours[0]
    if ours.measurement.ok:
        tables = args.data_dir / "out" / f"{rows}-{ours.input.lower()}"
        result.checks = compare_with_r(tables, r)


def run_pingouin(result: SizeResult, instrument: Instrument, repeats: int, steps: Steps) -> None:
    if not pingouin_available():
        result.alpha_note = "pingouin not installed"
        return
    rows = result.size.rows
    with steps.spinner(f"pingouin vs learnsurvey alpha: {rows:,} rows, in memory"):
        answers = load_answers(result.dataset.parquet, instrument)
        result.alpha = time_alphas(answers, instrument, repeats=repeats)
        del answers
        gc.collect()
    a = result.alpha
    steps.note(
        f"  alpha ×10 in memory, {rows:,} rows: pingouin {a.pingouin_s:.2f} s, "
        f"learnsurvey {a.ours_s:.2f} s (max |Δ| {a.max_abs_diff:.1e})"
    )


def bench_size(
    size: Size,
    args: argparse.Namespace,
    status: RStatus,
    instrument: Instrument,
    steps: Steps,
) -> SizeResult:
    steps.note(f"[bold]{size.rows:,} rows[/] ({size.schools:,} schools)")
    dataset = ensure_dataset(size, args.seed, args.data_dir, steps)
    if dataset.generated_s:
        steps.note(f"  data generated in {dataset.generated_s:.1f} s")
    result = SizeResult(size, dataset)
    result.ours = list(measure_ours(dataset, args, steps).values())
    if size.rows > COMPARE_MAX_ROWS:
        return result
    if args.no_r:
        result.r_note = "R: switched off (--no-r)"
    elif not status.available:
        result.r_note = f"R: {status.reason}"
    else:
        run_r(result, status, instrument, args, steps)
    run_pingouin(result, instrument, args.repeats, steps)
    return result


def run_polychoric(repeats: int, steps: Steps) -> PolychoricTiming:
    with steps.spinner("polychoric correlations of 36 items, in memory"):
        timing = time_polychoric(repeats=repeats)
    steps.note(
        f"  polychoric 36 × 36, 3,000 pupils: {timing.seconds:.3f} s median "
        f"(max |ρ − λλ′| {timing.max_abs_error:.3f})"
    )
    return timing


def print_tables(console: Console, run: BenchRun) -> None:
    sections = [
        ("learnsurvey analyse (whole process)", RESULT_HEADER, results_rows(run.results)),
        ("Against R (psych + lme4)", SPEEDUP_HEADER, speedup_rows(run.results)),
        ("Against pingouin (alpha only, in memory)", ALPHA_HEADER, alpha_rows(run.results)),
        ("Polychoric correlations (in memory)", POLYCHORIC_HEADER, polychoric_rows(run.polychoric)),
        ("Agreement with R", CHECK_HEADER, check_rows(run.results)),
    ]
    for title, header, rows in sections:
        if not rows:
            continue
        table = Table(*header, title=title, title_justify="left")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    for line in [*target_lines(run.results), *polychoric_line(run.polychoric)]:
        console.print(f"• {line}", highlight=False)


def write_reports(console: Console, run: BenchRun, args: argparse.Namespace) -> None:
    text = render_markdown(run)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamped = args.results_dir / f"benchmarks-{run.started:%Y%m%d-%H%M%S}.md"
    stamped.write_text(text)
    console.print(f"Report written to {stamped}")
    if run.full:
        args.doc.parent.mkdir(parents=True, exist_ok=True)
        args.doc.write_text(text + web_section(args.doc))
        console.print(f"Full run: {args.doc} rewritten.")
    else:
        console.print(f"Partial run: {args.doc} left as it was.")


def web_section(doc: Path) -> str:
    """The web platform's section of the page (benchmarks/web/run.py writes it), kept as it
    is when the core figures are rewritten."""
    from lsbench.docsections import MARKER_PATTERN

    old = doc.read_text() if doc.exists() else ""
    first = MARKER_PATTERN.search(old)
    return "" if first is None else "\n" + old[first.start() :]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(stderr=True)
    started = datetime.now(UTC)
    load_before = load_average()
    instrument = load_instrument(INSTRUMENT)
    with Steps(console) as steps:
        status = RStatus(False, "switched off (--no-r)")
        if not args.no_r:
            with steps.spinner("Looking for Rscript and its packages"):
                status = r_status()
            steps.note(
                f"R: {status.version} ({status.reader})"
                if status.available
                else f"R: {status.reason}"
            )
        results = [bench_size(s, args, status, instrument, steps) for s in args.size_list]
        polychoric = run_polychoric(args.repeats, steps)
    argv_text = sys.argv[1:] if argv is None else list(argv)
    run = BenchRun(
        command=shlex.join([".venv/bin/python", "benchmarks/run.py", *argv_text]),
        started=started,
        finished=datetime.now(UTC),
        sizes=args.size_list,
        repeats=args.repeats,
        r_timeout_s=args.r_timeout,
        r=status,
        r_disabled=args.no_r,
        machine=machine_facts(),
        load_before=load_before,
        load_after=load_average(),
        revision=git_revision(REPO),
        results=results,
        polychoric=polychoric,
    )
    print_tables(Console() if sys.stdout.isatty() else Console(width=200), run)
    write_reports(console, run, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
