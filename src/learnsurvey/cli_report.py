"""`learnsurvey report`: write a school's, a trust's, every school's or the wave's report as
HTML and PDF, from a responses file (no database) or from the platform's database.

Registered on :data:`learnsurvey.cli.main`. Without ``--responses`` it reads the platform's
database, through :mod:`learnsurvey._platform` only. A responses file with several waves
also gives the reports their "Over time" section: the waves up to the one reported on.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape

from learnsurvey._progress import bar_progress

if TYPE_CHECKING:
    from learnsurvey._platform import StoredSchoolFigures
    from learnsurvey.analysis.figures.over_time import OverTimeFigures
    from learnsurvey.reports import ReportInputs
    from learnsurvey.reports.runner import ReportFiles

console = Console()
err_console = Console(stderr=True)


class Target:
    """Which report was asked for: exactly one of the four options."""

    def __init__(
        self, school: str | None, trust: str | None, global_: bool, all_schools: bool
    ) -> None:
        chosen = [x for x in (school, trust) if x is not None] + [
            x for x in (global_, all_schools) if x
        ]
        if len(chosen) != 1:
            raise click.UsageError(
                "choose one report: --school ID, --trust ID, --global or --all-schools"
            )
        self.school = school
        self.trust = trust
        self.global_ = global_
        self.all_schools = all_schools


@click.command("report")
@click.option(
    "--wave",
    default=None,
    help="From the database: the wave's id. From a file: the wave label in the file "
    "(needed only when the file holds several waves).",
)
@click.option(
    "--school", default=None, help="A school's report: its URN (or, from a file, its key)."
)
@click.option("--trust", default=None, help="A trust's report: its id or name.")
@click.option("--global", "global_", is_flag=True, help="The wave's global report.")
@click.option("--all-schools", is_flag=True, help="Every school's report (every core).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the .html and .pdf files.",
)
@click.option(
    "--responses",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="A responses file (CSV, XLSX, Parquet): report from it, with no database.",
)
@click.option(
    "--instrument",
    "instrument_ref",
    default="learning-survey",
    show_default=True,
    help="With --responses: a built-in instrument id or an instrument YAML path.",
)
@click.option(
    "--context",
    "context_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="With --responses: the school context CSV (name, trust, phase, FSM % ...).",
)
@click.option(
    "--staff",
    "staff_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="With --responses: the staff survey's responses for the same wave.",
)
@click.option(
    "--outcomes",
    "outcomes_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="With --responses: the schools' outcome measures (CSV: school, year, measure, "
    "unit, value), for learning beside outcomes.",
)
@click.option(
    "--previous-wave",
    default=None,
    help="With --responses: the label of the earlier wave to compare with "
    "[default: the wave before it in the file].",
)
@click.option(
    "--min-group-size",
    type=int,
    default=None,
    help="Suppress figures about fewer pupils than this [default: 10, or "
    "LEARNSURVEY_MIN_GROUP_SIZE; from the database, the platform's setting].",
)
def report(
    wave: str | None,
    school: str | None,
    trust: str | None,
    global_: bool,
    all_schools: bool,
    out_dir: Path,
    responses: Path | None,
    instrument_ref: str,
    context_path: Path | None,
    staff_path: Path | None,
    outcomes_path: Path | None,
    previous_wave: str | None,
    min_group_size: int | None,
) -> None:
    """Write a report as a standalone HTML file and an A4 PDF."""
    target = Target(school, trust, global_, all_schools)
    if responses is None and (context_path or staff_path or outcomes_path or previous_wave):
        raise click.UsageError(
            "--context, --staff, --outcomes and --previous-wave go with --responses"
        )
    started = time.perf_counter()
    over_time = stored = None
    try:
        if responses is not None:
            inputs = _inputs_from_files(
                responses,
                instrument_ref,
                wave=wave,
                context=context_path,
                staff=staff_path,
                outcomes=outcomes_path,
                previous_wave=previous_wave,
                min_group_size=min_group_size,
            )
            over_time = _over_time_from_files(responses, instrument_ref, inputs, context_path)
        else:
            if wave is None:
                raise click.UsageError("--wave (the wave's id) is needed without --responses")
            inputs, target, over_time, stored = _inputs_from_database(wave, target, min_group_size)
        written = _write(inputs, target, out_dir, over_time, stored)
    except click.ClickException:
        raise
    except ValueError as exc:
        # Report builders never put a count below the threshold in their messages.
        raise click.ClickException(str(exc)) from None
    elapsed = time.perf_counter() - started
    if len(written) == 1:
        files = written[0]
        console.print(
            f"Wrote the report of [bold]{escape(files.name)}[/] to "
            f"[bold]{escape(str(files.pdf))}[/] and [bold]{escape(str(files.html))}[/] "
            f"in {elapsed:.1f} s."
        )
    else:
        console.print(
            f"Wrote {len(written)} school reports (.html and .pdf) to "
            f"[bold]{escape(str(out_dir))}[/] in {elapsed:.1f} s."
        )


def _threshold(min_group_size: int | None) -> int:
    from learnsurvey.stats.disclosure import check_threshold, default_threshold

    return default_threshold() if min_group_size is None else check_threshold(min_group_size)


def _inputs_from_files(
    responses: Path,
    instrument_ref: str,
    *,
    wave: str | None,
    context: Path | None,
    staff: Path | None,
    outcomes: Path | None,
    previous_wave: str | None,
    min_group_size: int | None,
) -> ReportInputs:
    from learnsurvey.instruments import load_instrument
    from learnsurvey.io import count_rows
    from learnsurvey.reports import inputs_from_files

    threshold = _threshold(min_group_size)
    instrument = load_instrument(instrument_ref)
    staff_instrument = load_instrument("staff-survey") if staff is not None else None
    with bar_progress(err_console) as bar:
        task = bar.add_task("Reading responses", total=count_rows(responses))
        return inputs_from_files(
            responses,
            instrument,
            threshold=threshold,
            wave=wave,
            previous_wave=previous_wave,
            context=context,
            staff=staff,
            staff_instrument=staff_instrument,
            outcomes=outcomes,
            progress=lambda n: bar.advance(task, n),
        )


def _over_time_from_files(
    responses: Path, instrument_ref: str, inputs: ReportInputs, context: Path | None
) -> OverTimeFigures | None:
    """The figures over the file's waves up to the one reported on (None: it is the first
    or only wave of the file)."""
    if inputs.previous_wave is None:
        return None
    from dataclasses import replace

    from learnsurvey.analysis.figures.over_time import build_over_time_figures
    from learnsurvey.analysis.timeline import timeline_from_files
    from learnsurvey.instruments import load_instrument
    from learnsurvey.io import count_rows

    with bar_progress(err_console) as bar:
        task = bar.add_task("Reading the waves over time", total=count_rows(responses))
        timeline = timeline_from_files(
            responses,
            load_instrument(instrument_ref),
            threshold=inputs.threshold,
            context=context,
            progress=lambda n: bar.advance(task, n),
        )
    names = [w.wave for w in timeline.waves]
    upto = timeline.waves[: names.index(inputs.wave) + 1]
    if len(upto) < 2:
        return None
    with err_console.status("Computing the figures over time"):
        return build_over_time_figures(replace(timeline, waves=upto))


def _inputs_from_database(
    wave_ref: str, target: Target, min_group_size: int | None
) -> tuple[ReportInputs, Target, OverTimeFigures | None, StoredSchoolFigures | None]:
    """Read the wave's responses from the platform (Django starts only now: file reports
    need no database) and turn its ids (URN, trust id) into the report's keys; for one
    school's report, also its figures as the platform stored them."""
    from learnsurvey import _platform

    wave = _platform.find_wave(wave_ref)
    if target.school is not None:
        _platform.require_school(target.school)
    if target.trust is not None:
        target.trust = _platform.trust_name(target.trust)
    threshold = None if min_group_size is None else _threshold(min_group_size)
    with bar_progress(err_console) as bar:
        task = bar.add_task("Reading responses", total=wave.count_responses())
        inputs = _platform.report_inputs(
            wave, threshold=threshold, progress=lambda n: bar.advance(task, n)
        )
    over_time = _platform.over_time_figures(wave, threshold=threshold)
    stored = None
    if target.school is not None:
        # Computing every school's figures again, for one report, was most of its time.
        stored = _platform.stored_school_figures(wave, target.school, threshold=threshold)
    return inputs, target, over_time, stored


def _write(
    inputs: ReportInputs,
    target: Target,
    out_dir: Path,
    over_time: OverTimeFigures | None = None,
    stored: StoredSchoolFigures | None = None,
) -> list[ReportFiles]:
    from learnsurvey.reports.runner import (
        write_global_report,
        write_school_reports,
        write_trust_report,
    )
    from learnsurvey.reports.school import SchoolReports

    if target.trust is not None:
        return [write_trust_report(inputs, target.trust, out_dir, over_time=over_time)]
    if target.global_:
        return [write_global_report(inputs, out_dir, over_time=over_time)]
    if stored is not None:  # the school's figures as the platform stored them
        prepared = SchoolReports(
            inputs, figures=stored.schools, over_time=over_time, outcomes=stored.outcomes
        )
    else:
        with err_console.status("Preparing the wave's figures"):
            prepared = SchoolReports(inputs, over_time=over_time)
    if target.school is not None:
        return write_school_reports(inputs, out_dir, [target.school], prepared=prepared)
    with bar_progress(err_console) as bar:
        task = bar.add_task("Writing school reports", total=len(prepared.schools))
        return write_school_reports(
            inputs, out_dir, prepared=prepared, progress=lambda _key: bar.advance(task)
        )
