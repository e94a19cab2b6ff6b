"""What every report is built from: a wave's statistics, the school context, and optionally
the previous wave and the staff survey of the same wave.

The platform builds :class:`ReportInputs` from its database
(:mod:`learnsurvey.web.reports.sources`); :func:`inputs_from_files` builds the same from a
responses file in the import format, with no database at all. Django-free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from learnsurvey.instruments import Instrument
from learnsurvey.io.responses import Coded, ResponseChunk, read_responses

from .context import read_context
from .dashboard import DashboardBuilder, DashboardStatistics
from .labels import school_numbers

__all__ = [
    "CONTEXT_COLUMNS",
    "ReportInputs",
    "inputs_from_files",
    "read_outcomes",
    "school_context",
    "split_staff_waves",
    "split_waves",
]

CONTEXT_COLUMNS = (
    "school",
    "name",
    "trust",
    "phase",
    "fsm_pct",
    "inspection_rating",
    "research_opt_in",
    "eal_pct",
    "send_pct",
    "pupils",
    "region",
)
"""The columns of :attr:`ReportInputs.schools`; ``school`` is the key the responses use."""


@dataclass(frozen=True)
class ReportInputs:
    """Everything a wave's figures are built from. Nothing here is suppressed yet: the
    contract's builders (:mod:`learnsurvey.analysis.figures`) pass every figure through
    :mod:`learnsurvey.stats.disclosure`, and the reports present what they built."""

    wave: str
    """The wave's name as readers know it (e.g. "Phase One, summer 2021")."""
    current: DashboardStatistics
    schools: pd.DataFrame
    """One row per school, columns :data:`CONTEXT_COLUMNS` (missing values allowed except
    ``school`` and ``name``)."""
    threshold: int
    previous: DashboardStatistics | None = None
    previous_wave: str | None = None
    staff: DashboardStatistics | None = None
    """The staff survey of the same wave (instrument ``staff-survey``, same dimension ids):
    every member of staff who answered."""
    staff_by_role: Mapping[str, DashboardStatistics] = field(default_factory=dict)
    """The same staff survey, one part per staff role id of the instrument (``teacher``,
    ``leader``, ...), for the groups shown beside the pupils."""
    joined: tuple[str, ...] = ()
    """The schools that joined the wave, in the order they joined (the platform's
    participations; empty for a responses file): the order of the "School N" numbers."""
    outcomes: pd.DataFrame | None = None
    """Outcome measures per school and year, long: columns ``school, year, measure, unit,
    value`` (``year`` a string such as "2025/26"; free-form measure names and units). None
    when there are none."""

    @property
    def school_numbers(self) -> dict[str, int]:
        """Each school's "School N" number, as the platform gives it (see
        :func:`~learnsurvey.analysis.labels.school_numbers`)."""
        responding = self.current.responses["school"].astype(str)
        return school_numbers(self.joined, responding)

    @property
    def instrument(self) -> Instrument:
        return self.current.instrument

    def school_name(self, school: str) -> str:
        found = self.schools.loc[self.schools["school"] == school, "name"]
        return str(found.iloc[0]) if len(found) else school

    def trust_schools(self, trust: str) -> list[str]:
        """The keys of the schools of ``trust`` (by name), in name order."""
        part = self.schools[self.schools["trust"] == trust].sort_values("name")
        return [str(s) for s in part["school"]]


def school_context(table: pd.DataFrame | None, schools: Iterable[str]) -> pd.DataFrame:
    """A context table with every column of :data:`CONTEXT_COLUMNS`, one row per school in
    ``schools`` or ``table``: names default to the key, opt-in to False."""
    keys = pd.DataFrame({"school": sorted({str(s) for s in schools})})
    if table is None:
        table = keys
    else:
        table = table.copy()
        table["school"] = table["school"].astype(str)
        table = table.merge(keys, on="school", how="outer")
    if "name" not in table.columns:
        table["name"] = table["school"]
    table["name"] = table["name"].fillna(table["school"]).astype(str)
    for column in CONTEXT_COLUMNS:
        if column not in table.columns:
            table[column] = None
    table["research_opt_in"] = table["research_opt_in"].map(_truthy)
    for column in ("trust", "phase", "inspection_rating", "region"):
        table[column] = table[column].where(table[column].notna(), None)
    for column in ("fsm_pct", "eal_pct", "send_pct", "pupils"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    return table[list(CONTEXT_COLUMNS)].sort_values("school").reset_index(drop=True)


OUTCOME_FILE_COLUMNS = ("school", "year", "measure", "unit", "value")


def read_outcomes(path: Path | str) -> pd.DataFrame:
    """Read an outcomes CSV (long: one row per school, year and measure; columns ``school,
    year, measure, unit, value``, others ignored) into the table of
    :attr:`ReportInputs.outcomes`. ValueError, naming the row, on a missing column, an
    empty school, year or measure, or a value that is not a number (an empty value is
    allowed: it is left out)."""
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read outcomes: {exc}") from None
    missing = [c for c in OUTCOME_FILE_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: row 1: the outcomes need the columns {', '.join(missing)}")
    table = table[list(OUTCOME_FILE_COLUMNS)].apply(lambda c: c.str.strip())
    for column in ("school", "year", "measure"):
        empty = table.index[table[column] == ""]
        if len(empty):
            raise ValueError(f"{path}: row {int(empty[0]) + 2}: no {column}")
    values = pd.to_numeric(table["value"].where(table["value"] != ""), errors="coerce")
    bad = table.index[values.isna() & (table["value"] != "")]
    if len(bad):
        row = int(bad[0])
        raise ValueError(f"{path}: row {row + 2}: value {table.at[row, 'value']!r} is not a number")
    table["value"] = values.astype(float)
    out: pd.DataFrame = table.reset_index(drop=True)
    return out


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y"}
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    return bool(value)


def split_waves(
    chunks: Iterable[ResponseChunk], instrument: Instrument
) -> dict[str, DashboardStatistics]:
    """One :class:`DashboardStatistics` per wave label, in order of first appearance.

    Rows with no wave label are counted under ``""``."""
    return {label: parts[""] for label, parts in _split(chunks, instrument, roles=False).items()}


def split_staff_waves(
    chunks: Iterable[ResponseChunk], instrument: Instrument
) -> dict[str, tuple[DashboardStatistics, dict[str, DashboardStatistics]]]:
    """Per wave label (as :func:`split_waves`): all staff, and one part per role id with
    answers (the chunks' ``role`` column; rows with no role count in all staff only)."""
    out: dict[str, tuple[DashboardStatistics, dict[str, DashboardStatistics]]] = {}
    for label, parts in _split(chunks, instrument, roles=True).items():
        everyone = parts.pop("")
        out[label] = (everyone, parts)
    return out


def _split(
    chunks: Iterable[ResponseChunk], instrument: Instrument, *, roles: bool
) -> dict[str, dict[str, DashboardStatistics]]:
    builders: dict[str, dict[str, DashboardBuilder]] = {}
    for chunk in chunks:
        for label, part in _parts(chunk, chunk.wave):
            own = builders.setdefault(label, {})
            own.setdefault("", DashboardBuilder(instrument)).add(part)
            if roles and part.role is not None:
                for role, piece in _parts(part, part.role):
                    if role:
                        own.setdefault(role, DashboardBuilder(instrument)).add(piece)
    return {label: {k: b.result() for k, b in own.items()} for label, own in builders.items()}


def _parts(chunk: ResponseChunk, column: Coded) -> Iterable[tuple[str, ResponseChunk]]:
    """The rows of ``chunk`` by the value of ``column`` (``""`` where it is empty)."""
    for code in np.unique(column.codes).tolist():
        mask = column.codes == code
        yield (
            (column.labels[code] if code >= 0 else ""),
            (chunk if mask.all() else _select(chunk, mask)),
        )


def _select(chunk: ResponseChunk, mask: np.ndarray) -> ResponseChunk:
    def sub(part: Coded) -> Coded:
        return Coded(part.codes[mask], part.labels)

    return ResponseChunk(
        first_row=chunk.first_row,
        school=sub(chunk.school),
        key_stage=sub(chunk.key_stage),
        gender=sub(chunk.gender),
        wave=sub(chunk.wave),
        answers=chunk.answers[mask],
        role=sub(chunk.role) if chunk.role is not None else None,
    )


def _pick(waves: dict[str, DashboardStatistics], wave: str | None, path: Path) -> str:
    if wave is None:
        if len(waves) == 1:
            return next(iter(waves))
        raise ValueError(
            f"{path}: holds {len(waves)} waves ({', '.join(map(repr, waves))}); choose one"
        )
    if wave not in waves:
        raise ValueError(f"{path}: no responses for wave {wave!r} (waves: {', '.join(waves)})")
    return wave


def inputs_from_files(
    responses: Path,
    instrument: Instrument,
    *,
    threshold: int,
    wave: str | None = None,
    previous_wave: str | None = None,
    context: Path | None = None,
    staff: Path | None = None,
    staff_instrument: Instrument | None = None,
    outcomes: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReportInputs:
    """Read a responses file in the import format (and optionally its school context, a
    staff file and the schools' outcome measures, :func:`read_outcomes`) into
    :class:`ReportInputs`.

    The file may hold several waves: ``wave`` chooses one (needed when there are several),
    and the previous wave is ``previous_wave`` or else the wave that first appears just
    before it in the file.
    """

    def counted(chunks: Iterable[ResponseChunk]) -> Iterable[ResponseChunk]:
        for chunk in chunks:
            if progress is not None:
                progress(chunk.n_rows)
            yield chunk

    waves = split_waves(counted(read_responses(responses, instrument)), instrument)
    if not waves:
        raise ValueError(f"{responses}: holds no responses")
    chosen = _pick(waves, wave, responses)
    order = list(waves)
    if previous_wave is None:
        at = order.index(chosen)
        previous_wave = order[at - 1] if at > 0 else None
    elif previous_wave not in waves:
        raise ValueError(f"{responses}: no responses for previous wave {previous_wave!r}")
    staff_stats, by_role = (
        _staff(staff, staff_instrument, chosen) if staff is not None else (None, {})
    )
    table = read_context(context) if context is not None else None
    current = waves[chosen]
    return ReportInputs(
        wave=chosen,
        current=current,
        schools=school_context(table, current.item_schools),
        threshold=threshold,
        previous=waves[previous_wave] if previous_wave is not None else None,
        previous_wave=previous_wave,
        staff=staff_stats,
        staff_by_role=by_role,
        outcomes=read_outcomes(outcomes) if outcomes is not None else None,
    )


def _staff(
    path: Path, instrument: Instrument | None, wave: str
) -> tuple[DashboardStatistics, dict[str, DashboardStatistics]]:
    """The staff file's wave ``wave`` (or its only wave): all staff and each role's part."""
    if instrument is None:
        raise ValueError("a staff file needs the staff instrument")
    waves = split_staff_waves(read_responses(path, instrument), instrument)
    found = waves.get(wave) or (next(iter(waves.values())) if len(waves) == 1 else None)
    if found is None:
        raise ValueError(f"{path}: no staff responses for wave {wave!r}")
    return found
