"""The `learnsurvey` command line: a thin layer over the library."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape

from learnsurvey import __version__
from learnsurvey._progress import row_progress

if TYPE_CHECKING:  # the analysis stack is imported only by the commands that need it
    from learnsurvey.analysis.psychometrics import Rotation

PROGRESS_FROM_BYTES = 8 << 20
console = Console()
err_console = Console(stderr=True)

# Commands import the analysis stack (pandas, scipy, pyarrow) and the instruments (pydantic)
# when they run, so that `learnsurvey --help` answers at once. Every error they raise on bad
# input is a ValueError (InstrumentError, ResponseDataError, DisclosureError ...) and is shown
# without a traceback.


@click.group()
@click.version_option(__version__, prog_name="learnsurvey")
def main() -> None:
    """Hear what pupils say about their learning: analyse The Learning Survey."""


def _one_blas_thread() -> None:
    """One OpenBLAS thread for the rest of this process, unless the user set their number.

    A small file's matrices are small (items × items, the schools' cells): OpenBLAS's threads
    only spin beside them, and on a busy machine that took a second of CPU from a 30,000-row
    analysis of under two. The tables are those the tests check (they run one thread; the
    number of threads moves only the last bits of a float). OpenBLAS reads the setting when
    numpy first loads, so this comes before the analysis is imported.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _fail(exc: Exception) -> None:
    # The message may quote the user's own text (a cell, a column name): never markup.
    err_console.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False)
    sys.exit(2)


@main.command()
@click.argument("responses", type=click.Path(path_type=Path))
@click.option(
    "--instrument",
    "instrument_ref",
    default="learning-survey",
    show_default=True,
    help="A built-in instrument id or the path of an instrument YAML file.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the result tables.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--context",
    "context_path",
    type=click.Path(path_type=Path),
    help="School context CSV (phase, inspection rating ...): adds inspection.csv.",
)
@click.option(
    "--min-group-size",
    type=int,
    default=None,
    help="Suppress figures about fewer pupils than this [default: 10, or "
    "LEARNSURVEY_MIN_GROUP_SIZE].",
)
@click.option(
    "--rotation",
    type=click.Choice(["oblimin", "promax"]),
    default="oblimin",
    show_default=True,
    help="Rotation of the factor analysis of the dimension scores (promax reproduces "
    "the Phase One report's table).",
)
@click.option(
    "--compare/--no-compare",
    default=None,
    help="Show the published Phase One figures beside ours [default: for the "
    "built-in Learning Survey].",
)
def analyse(
    responses: Path,
    instrument_ref: str,
    out_dir: Path,
    fmt: str,
    context_path: Path | None,
    min_group_size: int | None,
    rotation: Rotation,
    compare: bool | None,
) -> None:
    """Analyse a file of responses (CSV, XLSX or Parquet) and write the result tables."""
    # Only a large file gets a progress bar, so only a large file is counted first.
    large = responses.is_file() and responses.stat().st_size >= PROGRESS_FROM_BYTES
    if not large:
        _one_blas_thread()
    from learnsurvey._summary import print_summary
    from learnsurvey.analysis import analyse_file, read_context
    from learnsurvey.instruments import load_instrument
    from learnsurvey.io import count_rows, write_tables
    from learnsurvey.stats.disclosure import check_threshold, default_threshold

    started = time.perf_counter()
    try:
        threshold = (
            default_threshold() if min_group_size is None else check_threshold(min_group_size)
        )
        instrument = load_instrument(instrument_ref)
        context = read_context(context_path) if context_path else None
        total = count_rows(responses) if large else None
        with row_progress(err_console, "Reading responses", total) as advance:
            result = analyse_file(
                responses,
                instrument,
                threshold=threshold,
                context=context,
                on_rows=advance,
                rotation=rotation,
                # A file without a school column (psych's bfi, one school's own export) is
                # one group, named after the file.
                school_if_missing=responses.stem,
            )
        written = write_tables(result.tables, out_dir, fmt="json" if fmt == "json" else "csv")
    except ValueError as exc:
        _fail(exc)
        return
    # Published figures in brackets are a benchmark for any Learning Survey data; whether the
    # data reproduce them is only asked for explicitly (as the demo does).
    check = compare is True
    if compare is None:
        compare = instrument.id == "learning-survey"
    print_summary(console, result, compare=compare, check=check)
    console.print(
        f"\n{len(written)} tables written to [bold]{out_dir}[/] "
        f"({', '.join(p.name for p in written)}) in {time.perf_counter() - started:.1f} s."
    )


@main.command()
@click.option(
    "--responses", "n_responses", type=click.IntRange(min=1), default=29_940, show_default=True
)
@click.option("--schools", "n_schools", type=click.IntRange(min=1), default=87, show_default=True)
@click.option("--seed", type=int, default=2021, show_default=True)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    required=True,
    help="Responses file: .csv, .parquet or .xlsx.",
)
@click.option(
    "--context",
    "context_path",
    type=click.Path(path_type=Path),
    help="School context CSV [default: beside --out, named <name>.schools.csv].",
)
@click.option("--instrument", "instrument_ref", default="learning-survey", show_default=True)
@click.option(
    "--params",
    "params_ref",
    default="phase-one",
    show_default=True,
    help="Model parameters: a built-in name or a YAML path.",
)
@click.option(
    "--waves",
    "n_waves",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Summer waves from 2021, one a year, with churn and planted changes "
    "(the first is the calibrated Phase One wave); also writes <name>.changes.csv.",
)
@click.option(
    "--staff",
    is_flag=True,
    help="Also write the staff's answers (staff-survey, with a role column) to <name>.staff.<ext>.",
)
@click.option(
    "--outcomes",
    is_flag=True,
    help="Also write the schools' outcome measures (KS2 or Progress 8, attendance, "
    "suspensions; two years) to <name>.outcomes.csv beside the context.",
)
def synth(
    n_responses: int,
    n_schools: int,
    seed: int,
    out_path: Path,
    context_path: Path | None,
    instrument_ref: str,
    params_ref: str,
    n_waves: int,
    staff: bool,
    outcomes: bool = False,
) -> None:
    """Write synthetic responses calibrated to the Phase One report."""
    from learnsurvey.instruments import load_instrument
    from learnsurvey.synth import load_params
    from learnsurvey.synth.files import write_synthetic

    try:
        total = n_responses * n_waves
        with row_progress(err_console, "Writing responses", total) as advance:
            files = write_synthetic(
                out_path,
                instrument=load_instrument(instrument_ref),
                params=load_params(params_ref),
                n_responses=n_responses,
                n_schools=n_schools,
                seed=seed,
                n_waves=n_waves,
                staff=staff,
                context=context_path,
                outcomes=outcomes,
                on_rows=advance,
            )
    except (ValueError, OSError) as exc:
        _fail(exc)
        return
    waves = files.series.waves
    console.print(
        f"Wrote {files.rows:,} responses from {len(files.series.all_schools)} schools "
        f"in {len(waves)} wave(s) ({', '.join(w.label for w in waves)}) to "
        f"[bold]{out_path}[/] and their context to [bold]{files.context}[/] (seed {seed})."
    )
    if files.changes is not None:
        console.print(f"The {len(files.series.changes)} planted changes: [bold]{files.changes}[/].")
    if files.staff is not None:
        console.print(f"Wrote {files.staff_rows:,} staff answers to [bold]{files.staff}[/].")
    if files.outcomes is not None:
        console.print(f"Wrote the schools' outcome measures to [bold]{files.outcomes}[/].")


@main.command()
@click.option(
    "--dir",
    "work_dir",
    type=click.Path(path_type=Path),
    default=Path("demo-output"),
    show_default=True,
)
@click.pass_context
def demo(ctx: click.Context, work_dir: Path) -> None:
    """Generate the calibrated Phase One data set (29,940 pupils, 87 schools) and analyse it."""
    data = work_dir / "phase-one.csv"
    context = work_dir / "phase-one.schools.csv"
    ctx.invoke(
        synth,
        out_path=data,
        context_path=context,
        n_responses=29_940,
        n_schools=87,
        seed=2021,
        instrument_ref="learning-survey",
        params_ref="phase-one",
    )
    ctx.invoke(
        analyse,
        responses=data,
        instrument_ref="learning-survey",
        out_dir=work_dir / "tables",
        fmt="csv",
        context_path=context,
        min_group_size=None,
        rotation="promax",
        compare=True,
    )


@main.command("instruments")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def instruments_cmd(path: Path | None) -> None:
    """List the built-in instruments, or validate an instrument file."""
    from learnsurvey.instruments import InstrumentError, builtin_instruments, load_instrument

    refs = [str(path)] if path else builtin_instruments()
    for ref in refs:
        try:
            inst = load_instrument(ref)
        except InstrumentError as exc:
            _fail(exc)
            return
        langs = (
            ", ".join(f"{k} ({t.status})" for k, t in sorted(inst.translations.items())) or "none"
        )
        console.print(
            f"[bold]{inst.id}[/] v{inst.version}: {inst.name} — {len(inst.items)} items, "
            f"{len(inst.dimensions)} dimensions, {len(inst.factors)} factors; "
            f"translations: {langs}"
        )


def _register_subcommands() -> None:
    # Defined in their own modules (they reach the platform's database through Django,
    # imported only when they run), registered here so `learnsurvey --help` lists them.
    from learnsurvey.cli_export import export
    from learnsurvey.cli_report import report

    main.add_command(report)
    main.add_command(export)


_register_subcommands()
