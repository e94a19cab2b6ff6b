"""CSV imports by platform admins: schools' context year by year, and their outcome measures.

Two kinds of file, told apart by the header (docs/outcomes-import.md):

- a **context** file: ``urn, year`` and any of ``fsm_pct, eal_pct, send_pct, pupils,
  inspection_rating, inspection_date`` (one row per school and year);
- an **outcomes** file: ``urn, year, measure, unit, value`` (one row per school, year and
  measure; free-form measure names and units, so other countries' measures fit).

Both are all-or-nothing, like the schools and responses imports
(:mod:`learnsurvey.web.waves.imports`): every row is checked first, nothing is written if any
row is bad, and problems name their row as a spreadsheet numbers it (the header is row 1) and
the column. Rows are matched on (school,
year) or (school, year, measure): importing the same file again changes nothing. A context
file also sets each school's current fields (the ones the reports read) from its latest year:
each field from the latest year that has a value for it.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db import transaction
from django.db.models import Subquery

from learnsurvey.web.waves.imports import (
    ImportRejected,
    _Bad,
    _date,
    _percentage,
    _Problems,
    _rating,
    _urn,
    csv_reader,
    not_csv,
)

from .models import OutcomeValue, School, SchoolYear

__all__ = [
    "CONTEXT_FIELDS",
    "OUTCOME_COLUMNS",
    "ImportRejected",
    "ImportRow",
    "OutcomesImported",
    "do_import_outcomes",
    "newest_changes",
    "outcomes_version",
    "read_outcomes_file",
]

Kind = Literal["context", "outcomes"]
CONTEXT_FIELDS = (
    "fsm_pct",
    "eal_pct",
    "send_pct",
    "pupils",
    "inspection_rating",
    "inspection_date",
)
"""The context columns a context file may have (any of them), besides ``urn`` and ``year``."""
OUTCOME_COLUMNS = ("urn", "year", "measure", "unit", "value")
"""The columns of an outcomes file (all of them)."""
YEAR = re.compile(r"^(\d{4})(?:/(\d{2}))?$")
MAX_MEASURE, MAX_UNIT = 100, 40


@dataclass(frozen=True)
class OutcomesImported:
    kind: Kind
    created: int
    updated: int
    unchanged: int
    schools_updated: int = 0
    """Schools whose current context changed (a context file only)."""


@dataclass(frozen=True)
class ImportRow:
    number: int
    urn: str
    year: str
    fields: dict[str, object]
    measure: str = ""


def _year(value: str) -> str:
    """An academic year, "2025/26" (the second part the year after the first), or "2025"."""
    found = YEAR.match(value)
    if found is None:
        raise _Bad(f"{value!r} is not a year written as 2025/26 (or 2025)" if value else "is empty")
    first, second = found.groups()
    if second is not None and int(second) != (int(first) + 1) % 100:
        raise _Bad(f"{value!r} is not an academic year: after {first} comes {int(first) + 1}")
    return value


def _pupils(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 7:
        raise _Bad(f"{value!r} is not a number of pupils (a whole number)")
    return int(value)


def _text(limit: int, *, required: bool) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if required and not value:
            raise _Bad("is empty")
        if len(value) > limit:
            raise _Bad(f"is longer than {limit} characters")
        return value

    return parse


def _value(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise _Bad(f"{value!r} is not a number" if value else "is empty")
    return number


_CONTEXT_PARSERS: dict[str, Callable[[str], object]] = {
    "fsm_pct": _percentage,
    "eal_pct": _percentage,
    "send_pct": _percentage,
    "pupils": _pupils,
    "inspection_rating": _rating,
    "inspection_date": _date,
}
_OUTCOME_PARSERS: dict[str, Callable[[str], object]] = {
    "measure": _text(MAX_MEASURE, required=True),
    "unit": _text(MAX_UNIT, required=False),
    "value": _value,
}


def _header(reader: csv.DictReader[str], problems: _Problems) -> tuple[Kind, list[str]]:
    """The file's kind and the columns it will read, from its header (row 1)."""
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.add(1, name, "the column appears twice")
        seen.add(name)
    missing = [c for c in ("urn", "year") if c not in seen]
    is_outcomes = bool(seen & {"measure", "unit", "value"})
    if is_outcomes:
        missing += [c for c in ("measure", "unit", "value") if c not in seen]
        if seen & set(CONTEXT_FIELDS):
            problems.add(1, None, "a file holds outcomes or context, not both: split it in two")
    elif not seen & set(CONTEXT_FIELDS):
        problems.add(
            1,
            None,
            "not an outcomes file (urn, year, measure, unit, value) nor a context file "
            f"(urn, year and any of {', '.join(CONTEXT_FIELDS)})",
        )
    if missing:
        problems.add(1, None, f"missing required column(s): {', '.join(missing)}")
    problems.raise_any()
    parsers = _OUTCOME_PARSERS if is_outcomes else _CONTEXT_PARSERS
    return ("outcomes" if is_outcomes else "context"), [c for c in header if c in parsers]


def _cells(
    raw: dict[str, str], columns: Iterable[str], parsers: dict[str, Callable[[str], object]]
) -> tuple[dict[str, object], list[tuple[str, str]]]:
    fields: dict[str, object] = {}
    bad: list[tuple[str, str]] = []
    for column in columns:
        try:
            fields[column] = parsers[column]((raw.get(column) or "").strip())
        except _Bad as problem:
            bad.append((column, str(problem)))
    return fields, bad


def _read_row(
    raw: dict[str, str],
    number: int,
    columns: list[str],
    parsers: dict[str, Callable[[str], object]],
    problems: _Problems,
) -> ImportRow | None:
    keys, bad = _cells(raw, ("urn", "year"), {"urn": _urn, "year": _year})
    fields, more = _cells(raw, columns, parsers)
    for column, message in bad + more:
        problems.add(number, column, message)
    if bad or more:
        return None
    measure = str(fields.pop("measure", ""))
    return ImportRow(number, str(keys["urn"]), str(keys["year"]), fields, measure)


def read_outcomes_file(text: str) -> tuple[Kind, list[ImportRow], dict[str, School]]:
    """Parse and check a context or outcomes CSV: its kind, its rows and their schools by URN.
    Raise :class:`ImportRejected` listing every bad row (up to the cap)."""
    reader = csv_reader(text)
    try:
        return _read_outcomes(reader)
    except csv.Error as exc:
        raise not_csv(reader, exc) from None


def _read_outcomes(reader: csv.DictReader[str]) -> tuple[Kind, list[ImportRow], dict[str, School]]:
    problems = _Problems()
    kind, columns = _header(reader, problems)
    parsers = _OUTCOME_PARSERS if kind == "outcomes" else _CONTEXT_PARSERS
    rows: list[ImportRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            problems.add(number, None, "has more cells than the header has columns")
            continue
        if not any((v or "").strip() for v in raw.values()):
            continue  # a blank line
        row = _read_row(raw, number, columns, parsers, problems)
        if row is None:
            continue
        key = (row.urn, row.year, row.measure)
        if key in seen:
            what = f"URN {row.urn} in {row.year}" + (f", {row.measure}," if row.measure else "")
            problems.add(number, "urn", f"{what} is also on row {seen[key]}")
        seen.setdefault(key, number)
        rows.append(row)
    schools = {s.urn: s for s in School.objects.filter(urn__in={r.urn for r in rows})}
    for row in rows:
        if row.urn not in schools:
            problems.add(row.number, "urn", f"URN {row.urn} is not a school on the platform")
    if not rows and not problems.items:
        problems.add(None, None, "the file has a header but no rows")
    problems.raise_any()
    return kind, rows, schools


def _changed(instance: SchoolYear | OutcomeValue | School, fields: dict[str, object]) -> bool:
    """Set ``fields`` on ``instance``; whether any of them changed."""
    changed = False
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _store(
    rows: list[ImportRow],
    existing: dict[tuple[str, str, str], SchoolYear | OutcomeValue],
    make: Callable[[ImportRow, School], SchoolYear | OutcomeValue],
    schools: dict[str, School],
) -> tuple[int, int, int]:
    created = updated = unchanged = 0
    for row in rows:
        found = existing.get((row.urn, row.year, row.measure))
        if found is None:
            make(row, schools[row.urn]).save()
            created += 1
        elif _changed(found, row.fields):
            found.save()
            updated += 1
        else:
            unchanged += 1
    return created, updated, unchanged


def _make_year(row: ImportRow, school: School) -> SchoolYear:
    return SchoolYear(school=school, year=row.year, **row.fields)


def _make_outcome(row: ImportRow, school: School) -> OutcomeValue:
    return OutcomeValue(school=school, year=row.year, measure=row.measure, **row.fields)


def _empty(value: object) -> bool:
    return value is None or value == ""


def do_update_current_context(schools: Iterable[School]) -> int:
    """Set each school's current context fields from its years (:class:`SchoolYear`): each
    field from the latest year with a value for it (a field no year has is left as it is).
    Returns the number of schools that changed."""
    changed = 0
    with transaction.atomic():
        for school in schools:
            years = list(SchoolYear.objects.filter(school=school))
            years.sort(key=lambda y: y.year, reverse=True)  # "2025/26" after "2024/25"
            latest: dict[str, object] = {}
            for field in CONTEXT_FIELDS:
                known = next(
                    (getattr(y, field) for y in years if not _empty(getattr(y, field))), None
                )
                if known is not None:
                    latest[field] = known
            if _changed(school, latest):
                school.save(update_fields=list(latest))
                changed += 1
    return changed


def do_import_outcomes(text: str) -> OutcomesImported:
    """Import a checked context or outcomes CSV (created or updated by school and year, and
    measure), in one transaction; a context file then updates the schools' current context."""
    kind, rows, schools = read_outcomes_file(text)
    with transaction.atomic():
        if kind == "outcomes":
            found = OutcomeValue.objects.filter(school__in=schools.values()).select_related(
                "school"
            )
            existing: dict[tuple[str, str, str], SchoolYear | OutcomeValue] = {
                (o.school.urn, o.year, o.measure): o for o in found
            }
            counts = _store(rows, existing, _make_outcome, schools)
            return OutcomesImported(kind, *counts)
        years = SchoolYear.objects.filter(school__in=schools.values()).select_related("school")
        existing = {(y.school.urn, y.year, ""): y for y in years}
        counts = _store(rows, existing, _make_year, schools)
        touched = do_update_current_context(schools.values())
    return OutcomesImported(kind, *counts, schools_updated=touched)


def newest_changes() -> dict[str, Subquery]:
    """Subqueries of the newest change of the outcomes and of the context years (index
    look-ups), to annotate a query with: :func:`outcomes_version` of their values is the
    version, read in the same query as whatever it is compared with."""
    return {
        f"{name}_changed": Subquery(
            model._default_manager.order_by("-updated").values("updated")[:1]
        )
        for name, model in (("outcomes", OutcomeValue), ("context", SchoolYear))
    }


def outcomes_version(changed: Sequence[datetime | None] | None = None) -> list[int]:
    """What the imported outcomes and context years amount to: the time of the newest change
    of each (in microseconds; 0 when there is none), given (the values of
    :func:`newest_changes`) or read now. Every import that changes something, and every edit
    in the admin, moves it on; equal versions mean the figures computed with them are
    current. (A deletion in the admin shows at the next computation.)"""
    if changed is None:
        changed = [
            model._default_manager.order_by("-updated").values_list("updated", flat=True).first()
            for model in (OutcomeValue, SchoolYear)
        ]
    return [int(c.timestamp() * 1e6) if c is not None else 0 for c in changed]
