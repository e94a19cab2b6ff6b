"""Write reports to disk: each as a standalone ``.html`` file and an A4 ``.pdf``.

:func:`write_school_reports` writes every school's report of a wave with every core: the
wave-level work (:class:`~learnsurvey.reports.school.SchoolReports`) is done once in this
process, then one worker process per core builds, renders and prints schools one at a time.
The workers are forked, so they read the prepared :class:`SchoolReports` from the parent's
memory (:data:`_PREPARED`) instead of receiving a copy: nothing is pickled but a school key
and the paths that come back.

Forking is only safe while this process has no thread that the children need and would not
have: vl-convert (the chart renderer) starts a Rust/V8 thread pool on first use, and a forked
child that draws a chart then waits for those threads for ever. A process that has already
drawn a chart (a web server, a test session) therefore gets *spawned* workers instead, each
of which prepares its own :class:`SchoolReports` from the inputs (slower to start, but
correct); see :func:`_fork_is_safe`.

A school whose report fails does not stop the others: every failure is collected with the
school's name and :class:`ReportErrors` is raised at the end, carrying what was written.
Django-free.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .inputs import ReportInputs
from .render import Mode, html_to_pdf, write_assets
from .school import SchoolReports, render_school_report
from .trust import TrustReports, render_trust_report

if TYPE_CHECKING:
    from learnsurvey.analysis.figures.over_time import OverTimeFigures

    from .global_ import GlobalReport
    from .plans import SchoolPlan

__all__ = [
    "ReportErrors",
    "ReportFiles",
    "report_stems",
    "slugify",
    "write_global_report",
    "write_school_reports",
    "write_trust_report",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
"""Called with a school's key each time its report is finished (written or failed)."""

# Threads that vl-convert starts on first use (tokio's workers and V8's platform workers);
# a forked child inherits none of them but would still wait on them.
_UNFORKABLE_THREADS = ("tokio-", "V8 ")


@dataclass(frozen=True)
class ReportFiles:
    """The files of one report."""

    key: str
    """The school key, trust name or wave the report is about."""
    name: str
    """Its display name."""
    html: Path
    pdf: Path


class ReportErrors(ValueError):
    """Some reports failed: ``failures`` maps each school's name to what went wrong, and
    ``written`` holds the reports that were written all the same."""

    def __init__(self, failures: dict[str, str], written: list[ReportFiles], total: int) -> None:
        self.failures = failures
        self.written = written
        self.total = total
        listed = "; ".join(f"{name}: {why}" for name, why in failures.items())
        super().__init__(f"{len(failures)} of {total} school reports failed ({listed})")


def slugify(text: str) -> str:
    """``text`` as a file-name part: ASCII letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "report"


def report_stems(prefix: str, names: dict[str, str]) -> dict[str, str]:
    """A file stem ``<prefix>-<slug of name>`` per key of ``names`` (key → display name),
    unique among them: schools of the same name (common: "St Mary's ...") get their keys'
    slugs appended, so no report overwrites another in the same folder."""
    slugs = {key: slugify(name) for key, name in names.items()}
    seen: dict[str, int] = {}
    for slug in slugs.values():
        seen[slug] = seen.get(slug, 0) + 1
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted(names):
        slug = slugs[key]
        stem = f"{prefix}-{slug}" if seen[slug] == 1 else f"{prefix}-{slug}-{slugify(key)}"
        base, n = stem, 2
        while stem in taken:  # the key's slug may collide too (e.g. "A B" and "a-b")
            stem = f"{base}-{n}"
            n += 1
        taken.add(stem)
        stems[key] = stem
    return stems


def _write(
    key: str,
    name: str,
    stem: str,
    out_dir: Path,
    render: Callable[..., str],
    report: Any,
) -> ReportFiles:
    """Render ``report`` as the standalone HTML file and as the PDF; write both."""
    html_path = out_dir / f"{stem}.html"
    pdf_path = out_dir / f"{stem}.pdf"
    modes: tuple[Mode, Mode] = ("file", "pdf")
    html_path.write_text(render(report, mode=modes[0]), encoding="utf-8")
    pdf_path.write_bytes(html_to_pdf(render(report, mode=modes[1])))
    return ReportFiles(key=key, name=name, html=html_path, pdf=pdf_path)


# --- school reports, one worker process per core ------------------------------------------

_PREPARED: SchoolReports | None = None
"""The wave's prepared school reports: set in the parent just before the workers fork (they
inherit it), or built by each spawned worker from the inputs (see :func:`_spawned_worker`)."""


_COLLECT_EACH = False
"""True in a worker process: the garbage collector runs once after each school (see
:func:`_collect_after_each_school`), never on its own."""


def _collect_after_each_school() -> None:
    """Start of every worker process: no automatic garbage collection, one full collection
    after each school instead.

    Printing a report allocates millions of objects, many in reference cycles (WeasyPrint's
    boxes), so the collector, left to itself, ran about sixty times a school and walked the
    half-built document and everything the worker holds in every full pass (about 0.2 s of
    a school's CPU time in one process; 0.07 to 0.1 s as here). Once a report is written
    its document is all garbage, which one pass frees; the prepared reports the worker
    inherited are frozen out of it (see :func:`write_school_reports`). The largest worker
    peaked no higher than before (504 MiB, was 513 MiB)."""
    global _COLLECT_EACH
    gc.disable()
    _COLLECT_EACH = True


def _spawned_worker(
    inputs: ReportInputs,
    over_time: OverTimeFigures | None = None,
    plans: Mapping[str, SchoolPlan] | None = None,
) -> None:
    global _PREPARED
    _PREPARED = SchoolReports(inputs, over_time=over_time, plans=plans)
    gc.freeze()  # kept for the worker's life: out of every collection
    _collect_after_each_school()


def _school_job(key: str, name: str, stem: str, out_dir: Path) -> ReportFiles | str:
    """One school's report in a worker: its files, or what went wrong (a string, so that
    any failure crosses back to the parent whatever the exception holds)."""
    if _PREPARED is None:
        return "the worker process has no prepared reports"
    try:
        report = _PREPARED.build(key)
        return _write(key, name, stem, out_dir, render_school_report, report)
    except Exception as exc:  # any failure is reported with the school's name, not lost
        return str(exc) or type(exc).__name__
    finally:
        if _COLLECT_EACH:
            gc.collect()


def _fork_is_safe() -> bool:
    """Whether forked workers can run: no other Python thread, and vl-convert's threads not
    started in this process (Linux names threads in /proc; elsewhere, assume not)."""
    if threading.active_count() > 1:
        return False
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return "fork" in multiprocessing.get_all_start_methods()
    for task in tasks.iterdir():
        try:
            name = (task / "comm").read_text().strip()
        except OSError:
            continue
        if name.startswith(_UNFORKABLE_THREADS):
            return False
    return "fork" in multiprocessing.get_all_start_methods()


def _warm_up_printer() -> None:
    """Load WeasyPrint and its fonts once here, so that every forked worker starts with them
    (it starts no thread, so forking after it is safe)."""
    import weasyprint

    weasyprint.HTML(string="<p>.</p>").write_pdf()


def _check_schools(prepared: SchoolReports, keys: Sequence[str]) -> None:
    """Fail before any work on a school without a report; the builder says why (never the
    number of responses)."""
    have = set(prepared.schools)
    problems: list[str] = []
    for key in keys:
        if key in have:
            continue
        try:
            prepared.build(key)
        except ValueError as exc:
            problems.append(str(exc))
        else:  # pragma: no cover - the builder agrees with .schools
            continue
    if problems:
        raise ValueError("; ".join(problems))


def write_school_reports(
    inputs: ReportInputs,
    out_dir: Path,
    schools: Iterable[str] | None = None,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    prepared: SchoolReports | None = None,
    over_time: OverTimeFigures | None = None,
) -> list[ReportFiles]:
    """Write the reports of ``schools`` (keys; default every school with a report) to
    ``out_dir`` as ``school-<slug>.html`` and ``.pdf``; return their files in key order.

    ``workers`` defaults to every core (``os.cpu_count()``); one school, or ``workers=1``,
    runs in this process. ``prepared`` reuses a :class:`SchoolReports` already built from
    ``inputs`` (its own figures over time count then); ``over_time`` adds the section
    over the waves otherwise. Raises ValueError before any work for a school without a
    report, and :class:`ReportErrors` after all others are written when some failed.
    """
    global _PREPARED
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    reports = prepared if prepared is not None else SchoolReports(inputs, over_time=over_time)
    keys = list(reports.schools) if schools is None else list(dict.fromkeys(schools))
    _check_schools(reports, keys)
    names = {key: inputs.school_name(key) for key in keys}
    stems = report_stems("school", names)
    n_workers = min(workers or os.cpu_count() or 1, max(1, len(keys)))

    outcomes: dict[str, ReportFiles | str] = {}

    def finished(key: str, outcome: ReportFiles | str) -> None:
        outcomes[key] = outcome
        if progress is not None:
            progress(key)

    if n_workers <= 1:
        _PREPARED = reports
        try:
            for key in keys:
                finished(key, _school_job(key, names[key], stems[key], out_dir))
        finally:
            _PREPARED = None
    elif _fork_is_safe():
        logger.debug("writing %d school reports in %d forked workers", len(keys), n_workers)
        _warm_up_printer()
        _PREPARED = reports  # inherited by the forked workers; never pickled
        # Everything the workers inherit is left out of their collections, so that none
        # walks (and, by marking them, copies) the parent's objects again and again.
        gc.freeze()
        try:
            pool = ProcessPoolExecutor(
                n_workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_collect_after_each_school,
            )
            _run_pool(pool, _largest_first(inputs, keys), names, stems, out_dir, finished)
        finally:
            gc.unfreeze()
            _PREPARED = None
    else:
        logger.info(
            "vl-convert or another thread already runs in this process: spawning %d workers "
            "that each prepare the wave's reports",
            n_workers,
        )
        pool = ProcessPoolExecutor(
            n_workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_spawned_worker,
            initargs=(inputs, reports.over_time, reports.plans),
        )
        _run_pool(pool, _largest_first(inputs, keys), names, stems, out_dir, finished)
    # Only now, if no worker wrote it: the chart script comes from vl-convert, whose threads
    # would have made the workers unforkable (see the module's docstring).
    write_assets(out_dir)

    written = [o for k in keys if isinstance(o := outcomes[k], ReportFiles)]
    failures = {names[k]: o for k in keys if isinstance(o := outcomes[k], str)}
    if failures:
        raise ReportErrors(failures=failures, written=written, total=len(keys))
    return written


def _largest_first(inputs: ReportInputs, keys: list[str]) -> list[str]:
    """The schools with most responses first: their reports take longest, and a long one
    started last would leave the other workers idle at the end."""
    sizes = inputs.current.responses.groupby("school")["n"].sum().to_dict()
    return sorted(keys, key=lambda key: -int(sizes.get(key, 0)))


def _run_pool(
    pool: ProcessPoolExecutor,
    keys: list[str],
    names: dict[str, str],
    stems: dict[str, str],
    out_dir: Path,
    finished: Callable[[str, ReportFiles | str], None],
) -> None:
    with pool:
        # The chart script for the standalone files is made by a worker while the others
        # print (vl-convert takes a second or so to bundle it).
        pool.submit(write_assets, out_dir)
        futures: dict[Future[ReportFiles | str], str] = {
            pool.submit(_school_job, key, names[key], stems[key], out_dir): key for key in keys
        }
        for future in as_completed(futures):
            key = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # the worker died (e.g. out of memory)
                outcome = f"the worker process failed ({type(exc).__name__}: {exc})"
            finished(key, outcome)


# --- one trust, the wave -------------------------------------------------------------------


def write_trust_report(
    inputs: ReportInputs,
    trust: str,
    out_dir: Path,
    *,
    prepared: TrustReports | None = None,
    over_time: OverTimeFigures | None = None,
) -> ReportFiles:
    """Write the report of ``trust`` (its name in the context) as ``trust-<slug>.html`` and
    ``.pdf`` (``over_time``: the figures over the waves, when not ``prepared``). Raises
    ValueError for a trust with no school with responses."""
    reports = prepared if prepared is not None else TrustReports(inputs, over_time=over_time)
    report = reports.build(trust)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_assets(out_dir)
    stem = f"trust-{slugify(trust)}"
    return _write(trust, trust, stem, out_dir, render_trust_report, report)


def write_global_report(
    inputs: ReportInputs,
    out_dir: Path,
    *,
    prepared: GlobalReport | None = None,
    over_time: OverTimeFigures | None = None,
) -> ReportFiles:
    """Write the wave's global report as ``global-<wave slug>.html`` and ``.pdf``
    (``prepared``: a report already built by ``build_global_report(inputs)``;
    ``over_time``: the figures over the waves, when not ``prepared``)."""
    from .global_ import build_global_report, render_global_report

    report = prepared or build_global_report(inputs, over_time=over_time)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_assets(out_dir)
    stem = f"global-{slugify(inputs.wave)}"
    return _write(inputs.wave, inputs.wave, stem, out_dir, render_global_report, report)
