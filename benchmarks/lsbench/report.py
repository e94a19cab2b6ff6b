"""Results of a benchmark run, judged against the targets, as tables and as Markdown."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .alpha import AlphaTiming
from .crosscheck import Check
from .data import DEFAULT_SIZES, Dataset, Size, parse_size
from .measure import LONG_RUN_S, Measurement
from .polychoric import CATEGORIES, ITEMS, PUPILS, TARGET_S, PolychoricTiming
from .rref import RStatus

__all__ = [
    "POLYCHORIC_HEADER",
    "BenchRun",
    "ProgramResult",
    "SizeResult",
    "Target",
    "polychoric_line",
    "polychoric_rows",
    "render_markdown",
    "results_rows",
    "speedup_rows",
    "target_lines",
]

GB = 1e9
MB = 1e6
SPEEDUP_ROWS = 1_000_000
SPEEDUP_TARGET = 20.0


@dataclass(frozen=True)
class Target:
    rows: int
    wall_s: float
    rss_gb: float | None = None

    def describe(self) -> str:
        memory = f" and ≤ {self.rss_gb:g} GB" if self.rss_gb is not None else ""
        return f"≤ {self.wall_s:g} s{memory}"

    def judge(self, m: Measurement) -> tuple[bool, str]:
        if not m.ok:
            return False, m.failure() or "failed"
        misses = []
        if m.wall_s > self.wall_s:
            misses.append(f"{m.wall_s:.1f} s > {self.wall_s:g} s")
        if self.rss_gb is not None and m.max_rss_bytes > self.rss_gb * GB:
            misses.append(f"{m.max_rss_bytes / GB:.2f} GB > {self.rss_gb:g} GB")
        return not misses, "; ".join(misses)


TARGETS = {
    30_000: Target(30_000, 2.0),
    1_000_000: Target(1_000_000, 10.0, 1.5),
    10_000_000: Target(10_000_000, 90.0, 3.0),
}


@dataclass(frozen=True)
class ProgramResult:
    program: str
    input: str
    measurement: Measurement


@dataclass
class SizeResult:
    size: Size
    dataset: Dataset
    ours: list[ProgramResult] = field(default_factory=list)
    r: ProgramResult | None = None
    r_seconds: dict[str, float] = field(default_factory=dict)
    r_note: str = ""
    alpha: AlphaTiming | None = None
    alpha_note: str = ""
    checks: list[Check] = field(default_factory=list)

    def ours_on(self, input_format: str) -> ProgramResult | None:
        return next((p for p in self.ours if p.input == input_format), None)

    def speedup(self) -> float | None:
        """R's wall time over ours on the same input file (``None`` if either failed)."""
        if self.r is None or not self.r.measurement.ok:
            return None
        ours = self.ours_on(self.r.input)
        if ours is None or not ours.measurement.ok:
            return None
        return self.r.measurement.wall_s / ours.measurement.wall_s


@dataclass
class BenchRun:
    command: str
    started: datetime
    finished: datetime
    sizes: list[Size]
    repeats: int
    r_timeout_s: float
    r: RStatus
    r_disabled: bool
    machine: dict[str, str]
    load_before: str
    load_after: str
    revision: str
    results: list[SizeResult]
    polychoric: PolychoricTiming | None = None

    @property
    def full(self) -> bool:
        """All default sizes, R not switched off: this run may rewrite docs/benchmarks.md."""
        rows = {s.rows for s in self.sizes}
        return rows >= {parse_size(s).rows for s in DEFAULT_SIZES} and not self.r_disabled


# ----------------------------------------------------------------------------------------------
# Table rows (shared by the terminal and the Markdown)
# ----------------------------------------------------------------------------------------------

RESULT_HEADER = [
    "Rows",
    "Schools",
    "Program",
    "Input",
    "Wall s (median)",
    "Best s",
    "CPU s",
    "Peak RSS MB",
    "Each run, wall s",
    "Target",
    "Met",
]


def _verdict(met: bool | None, why: str = "") -> str:
    if met is None:
        return "—"
    return "✅ met" if met else f"❌ not met ({why})" if why else "❌ not met"


def _program_row(size: Size, result: ProgramResult, *, judged: bool) -> list[str]:
    m = result.measurement
    target = TARGETS.get(size.rows) if judged else None
    met, why = target.judge(m) if target else (None, "")
    if not m.ok:
        timing = [m.failure() or "failed", "", "", ""]
    else:
        timing = [
            f"{m.wall_s:.2f}",
            f"{m.best_wall_s:.2f}",
            f"{m.cpu_s:.1f}",
            f"{m.max_rss_bytes / MB:,.0f}",
        ]
    return [
        f"{size.rows:,}",
        f"{size.schools:,}",
        result.program,
        result.input,
        *timing,
        ", ".join(f"{r.wall_s:.2f}" for r in m.runs),
        target.describe() if target else "—",
        _verdict(met, why),
    ]


def results_rows(results: list[SizeResult]) -> list[list[str]]:
    rows: list[list[str]] = []
    for res in results:
        rows.extend(_program_row(res.size, p, judged=True) for p in res.ours)
        if res.r is not None:
            rows.append(_program_row(res.size, res.r, judged=False))
    return rows


SPEEDUP_HEADER = [
    "Rows",
    "R wall s",
    "learnsurvey wall s",
    "Input",
    "Speed-up",
    "Target",
    "Met",
    "R seconds by step",
]


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def speedup_rows(results: list[SizeResult]) -> list[list[str]]:
    rows: list[list[str]] = []
    for res in results:
        if res.r is None:
            if res.r_note:
                rows.append([f"{res.size.rows:,}", res.r_note, "", "", "", "", "", ""])
            continue
        ours = res.ours_on(res.r.input)
        ratio = res.speedup()
        judged = res.size.rows == SPEEDUP_ROWS
        met: bool | None = None
        if judged:
            met = ratio is not None and ratio >= SPEEDUP_TARGET
        r_m = res.r.measurement
        rows.append(
            [
                f"{res.size.rows:,}",
                f"{r_m.wall_s:.1f}" if r_m.ok else (r_m.failure() or "failed"),
                f"{ours.measurement.wall_s:.2f}" if ours and ours.measurement.ok else "—",
                res.r.input,
                f"{ratio:.1f}×" if ratio is not None else "—",
                f"≥ {SPEEDUP_TARGET:g}×" if judged else "—",
                _verdict(met),
                ", ".join(f"{k} {_seconds(v)}" for k, v in res.r_seconds.items()),
            ]
        )
    return rows


ALPHA_HEADER = [
    "Rows",
    "pingouin.cronbach_alpha ×10, s",
    "learnsurvey alpha ×10, s",
    "Ratio",
    "max |Δ alpha|",
]


def alpha_rows(results: list[SizeResult]) -> list[list[str]]:
    rows: list[list[str]] = []
    for res in results:
        a = res.alpha
        if a is None:
            if res.alpha_note:
                rows.append([f"{res.size.rows:,}", res.alpha_note, "", "", ""])
            continue
        rows.append(
            [
                f"{res.size.rows:,}",
                f"{a.pingouin_s:.3f}",
                f"{a.ours_s:.3f}",
                f"{a.pingouin_s / a.ours_s:.1f}×",
                f"{a.max_abs_diff:.1e}",
            ]
        )
    return rows


POLYCHORIC_HEADER = ["Items × pupils", "Median s", "Each run, s", "max |ρ − λλ′|", "Target", "Met"]


def polychoric_rows(timing: PolychoricTiming | None) -> list[list[str]]:
    if timing is None:
        return []
    return [
        [
            f"{ITEMS} × {PUPILS:,}",
            f"{timing.seconds:.3f}",
            ", ".join(f"{r:.3f}" for r in timing.runs),
            f"{timing.max_abs_error:.3f}",
            f"≤ {TARGET_S:g} s",
            _verdict(timing.met),
        ]
    ]


def polychoric_line(timing: PolychoricTiming | None) -> list[str]:
    """The polychoric target's line for the targets list (none when it was not run)."""
    if timing is None:
        return []
    return [
        f"Polychoric matrix of {ITEMS} items ({PUPILS:,} pupils), in memory: "
        f"≤ {TARGET_S:g} s — {timing.seconds:.3f} s: {_verdict(timing.met)}"
    ]


CHECK_HEADER = [
    "Rows",
    "Statistic",
    "Against",
    "Compared",
    "max |difference|",
    "Tolerance",
    "Agrees",
]


def check_rows(results: list[SizeResult]) -> list[list[str]]:
    rows: list[list[str]] = []
    for res in results:
        for c in res.checks:
            diff = "—" if math.isnan(c.max_abs_diff) else f"{c.max_abs_diff:.1e}"
            rows.append(
                [
                    f"{res.size.rows:,}",
                    c.statistic,
                    c.against,
                    str(c.compared),
                    diff,
                    f"{c.tolerance:g}",
                    "✅" if c.agrees else "❌",
                ]
            )
    return rows


def target_lines(results: list[SizeResult]) -> list[str]:
    """One line per target: its figure and whether it was met."""
    lines = []
    for res in results:
        target = TARGETS.get(res.size.rows)
        for p in res.ours if target else []:
            m = p.measurement
            met, why = target.judge(m) if target else (False, "")
            figure = f"{m.wall_s:.2f} s, {m.max_rss_bytes / GB:.2f} GB" if m.ok else why
            lines.append(
                f"{res.size.rows:,} rows, {p.input}: {target.describe() if target else ''} — "
                f"{figure}: {_verdict(met, why if m.ok else '')}"
            )
        if res.size.rows == SPEEDUP_ROWS:
            ratio = res.speedup()
            if ratio is None:
                why = res.r_note or (res.r.measurement.failure() if res.r else None) or "no R run"
                lines.append(
                    f"≥ {SPEEDUP_TARGET:g}× faster than R at 1M rows — not measured: {why}"
                )
            else:
                met = ratio >= SPEEDUP_TARGET
                lines.append(
                    f"≥ {SPEEDUP_TARGET:g}× faster than R (psych + lme4) at 1M rows — "
                    f"{ratio:.1f}×: {_verdict(met)}"
                )
    return lines


# ----------------------------------------------------------------------------------------------
# Markdown
# ----------------------------------------------------------------------------------------------


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "_Not run._\n"

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    lines = [line(header), "|" + "|".join("---" for _ in header) + "|"]
    lines += [line(row) for row in rows]
    return "\n".join(lines) + "\n"


def _how_to_run(run: BenchRun) -> str:
    return f"""## How to run

```sh
make bench-core                       # installs the [dev,bench] extras, then runs:
.venv/bin/python benchmarks/run.py    # all sizes (30k, 1m, 10m); R and pingouin when present
```

`make bench` runs this and then the web platform's benchmarks (the last section).

This page was produced by `{run.command}`.

Options: `--sizes 30k,1m,10m` (any subset, or sizes such as `2k`), `--quick` (30k only),
`--no-r` (skip R), `--repeats N` (default 3), `--r-timeout SECONDS` (default 1200),
`--seed N` (default 2021). Only a full run (all three sizes, R not switched off) rewrites this
page; any other run prints its tables and writes them to `benchmarks/results/` (ignored by
git), as every run does.
"""


def _what_is_measured(run: BenchRun) -> str:
    return f"""## What is measured

* **Whole process.** `learnsurvey analyse FILE --instrument learning-survey --out DIR` runs as
  a child process and is timed from start to exit: interpreter start-up and imports, reading
  and validating the whole file in chunks, the sufficient statistics, every result table
  (alpha with Feldt CI, omega, EFA, items, school shrunken means with REML ICC, Hedges' g by
  key stage and gender, ...), writing the CSV tables and printing the summary (to /dev/null).
* **Wall time** is the median of up to {run.repeats} runs (a run longer than
  {LONG_RUN_S:.0f} s is not repeated); *Best* is the fastest run; *CPU* is user + system time
  of the process (all its threads). Targets are judged on the median.
* **Peak memory** is the child's own maximum resident set size, from `os.wait4` (its
  `ru_maxrss`), the largest over the runs. 1 GB = 10⁹ bytes.
* **R** runs `Rscript --vanilla benchmarks/r_reference.R`, timed the same way: R start-up,
  loading psych, GPArotation and lme4, reading the same file
  ({run.r.reader if run.r.available else "—"}), scoring, `psych::alpha` per dimension and
  overall (reverse keys), `psych::omega` (3 group factors), `psych::fa` of the dimension
  scores (minres, oblimin, 3 factors), `lme4::lmer(score ~ 1 + (1 | school))` per dimension
  (ICC and BLUPs) and mean/SD by key stage and gender. R computes fewer tables than
  `learnsurvey analyse`, so the comparison favours R. It is capped at
  {run.r_timeout_s:.0f} s a run. The speed-up is R's wall time over ours on the same file.
* **pingouin** is timed in-process on data already in memory (median of {run.repeats}):
  `pingouin.cronbach_alpha` for the nine dimensions and overall, against learnsurvey's own
  alpha path (reverse-coding, the item-pair count tables, covariances, alpha) on the same
  answers.
* **Polychoric** times `learnsurvey.stats.correlation.polychoric` in-process on the
  item-pair count tables of {ITEMS} items with {CATEGORIES} categories answered by
  {PUPILS:,} pupils (a one-factor model, seed 3; the tables are built before the clock
  starts), median of {run.repeats}. The largest distance of an estimate from the model's
  correlation is shown beside the time, so that a fast wrong answer would be seen.
* **Agreement** compares our CSV tables (6 significant digits) with R's results on the same
  file.
* **Data** are synthetic (`learnsurvey synth`'s model, `phase-one` parameters, seed
  {run.results[0].dataset.seed if run.results else "—"}, about 345 pupils a school as in Phase
  One), generated once into `benchmarks/data/` (ignored by git) as zstd Parquet, with a CSV
  copy of the same rows up to 1M rows. They are reused while size, seed and learnsurvey
  version match.
* **Shared machine.** The CPUs are shared with other work, so wall times can be longer than
  on an idle machine; CPU times are less affected. Load average (1/5/15 min) before the run:
  {run.load_before}; after: {run.load_after}.
"""


def _machine(run: BenchRun) -> str:
    facts = dict(run.machine)
    if run.r.available or run.r.version:
        facts["R"] = run.r.version or "?"
        facts.update({f"R {k}": v for k, v in run.r.packages.items()})
    else:
        facts["R"] = f"not used ({'--no-r' if run.r_disabled else run.r.reason})"
    facts["learnsurvey revision"] = run.revision
    rows = [[k, v] for k, v in facts.items()]
    return "## Machine\n\n" + _md_table(["", ""], rows)


def _generation(results: list[SizeResult]) -> str:
    lines = []
    for res in results:
        d = res.dataset
        made = f"generated in {d.generated_s:.1f} s" if d.generated_s else "reused"
        files = ", ".join(f"`{p.name}`" for p in (d.parquet, d.csv) if p is not None)
        lines.append(f"* {res.size.rows:,} rows, {res.size.schools:,} schools: {files} ({made})")
    return "\n".join(lines) + "\n"


def render_markdown(run: BenchRun) -> str:
    took = (run.finished - run.started).total_seconds() / 60
    header = (
        "# Benchmarks\n\n"
        f"_Written by `benchmarks/run.py` on {run.started:%Y-%m-%d %H:%M} UTC (the run took "
        f"{took:.0f} min). `make bench` rewrites this page: do not edit it by hand._\n"
    )
    lines = [*target_lines(run.results), *polychoric_line(run.polychoric)]
    targets = "\n".join(f"* {line}" for line in lines) or "_None judged._"
    parts: list[Any] = [
        header,
        _how_to_run(run),
        "## Results: `learnsurvey analyse`, whole process\n",
        _md_table(RESULT_HEADER, results_rows(run.results)),
        "## Targets\n",
        targets + "\n",
        "## Against R (psych + lme4)\n",
        _md_table(SPEEDUP_HEADER, speedup_rows(run.results)),
        "## Against pingouin (alpha only, in memory)\n",
        _md_table(ALPHA_HEADER, alpha_rows(run.results)),
        "## Polychoric correlations (in memory)\n",
        _md_table(POLYCHORIC_HEADER, polychoric_rows(run.polychoric)),
        "## Agreement with R (correctness cross-check)\n",
        _md_table(CHECK_HEADER, check_rows(run.results)),
        "## Data\n",
        _generation(run.results),
        _what_is_measured(run),
        _machine(run),
    ]
    return "\n".join(str(p) for p in parts)
