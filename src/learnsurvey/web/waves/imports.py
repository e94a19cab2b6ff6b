"""CSV imports by platform admins: schools, and pupils' responses collected elsewhere.

Both are all-or-nothing: every row is checked first and nothing is written if any row is bad.
Problems name their row as a spreadsheet numbers it (the header is row 1), like the core's
response reader (``learnsurvey.io``), whose ``Problem`` they reuse.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils import timezone

from learnsurvey.io import Problem, ResponseChunk, ResponseDataError, read_responses
from learnsurvey.io.errors import rejection_message
from learnsurvey.web.schools.models import School, Trust

from .models import Response, Wave

MAX_PROBLEMS = ResponseDataError.MAX_PROBLEMS
BATCH_SIZE = 5000
# Fixed namespace for import idempotency keys: uuid5(namespace, "<file sha256>:<row>").
IMPORT_NAMESPACE = uuid.UUID("6f1c3c1e-4b0a-5b7e-9a57-6c6561726e73")


class ImportRejected(ValueError):
    """A file was rejected whole; nothing was written. ``problems`` name rows and columns."""

    def __init__(self, problems: list[Problem], *, more: bool = False) -> None:
        self.problems = problems
        self.more = more
        super().__init__(rejection_message(problems, more=more))


class _Problems:
    """Collects problems up to the cap shown to people."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.more = False

    def add(self, row: int | None, column: str | None, message: str) -> None:
        if len(self.items) >= MAX_PROBLEMS:
            self.more = True
        else:
            self.items.append(Problem(row, column, message))

    def raise_any(self) -> None:
        if self.items:
            raise ImportRejected(self.items, more=self.more)


# --- Schools -------------------------------------------------------------------------------

SCHOOL_COLUMNS = (
    "urn",
    "name",
    "phase",
    "trust",
    "region",
    "country",
    "fsm_pct",
    "eal_pct",
    "send_pct",
    "inspection_rating",
    "inspection_date",
    "research_opt_in",
)
REQUIRED_SCHOOL_COLUMNS = ("urn", "name", "phase")
TRUE_WORDS = {"1", "true", "yes", "y"}
FALSE_WORDS = {"", "0", "false", "no", "n"}


@dataclass(frozen=True)
class SchoolsImported:
    created: int
    updated: int
    trusts_created: int


def _choice_key(value: str) -> str:
    return value.strip().lower().replace("-", "_").replace(" ", "_")


class _Bad(ValueError):
    """One cell's problem, in words for the row-numbered error list."""


def _urn(value: str) -> str:
    if not value.isdigit() or len(value) > 20:
        raise _Bad(f"{value!r} is not a URN (a number)" if value else "is empty")
    return value


def _name(value: str) -> str:
    if not value:
        raise _Bad("is empty; every school needs a name")
    if len(value) > 200:
        raise _Bad("is longer than 200 characters")
    return value


def _phase(value: str) -> str:
    phases = School.Phase.values
    if _choice_key(value) not in phases:
        raise _Bad(f"{value!r} is not one of: {', '.join(phases)}")
    return _choice_key(value)


def _rating(value: str) -> str:
    ratings = School.Rating.values
    if value and _choice_key(value) not in ratings:
        raise _Bad(f"{value!r} is not one of: {', '.join(ratings)} (or empty)")
    return _choice_key(value) if value else ""


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise _Bad(f"{value!r} is not a date written as YYYY-MM-DD") from None


def _yes_no(value: str) -> bool:
    if value.lower() not in TRUE_WORDS | FALSE_WORDS:
        raise _Bad(f"{value!r} is not yes or no")
    return value.lower() in TRUE_WORDS


def _percentage(value: str) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not 0 <= number <= 100:  # also false for NaN
        raise _Bad(f"{value!r} is not a percentage from 0 to 100")
    return number


_SCHOOL_COLUMNS: dict[str, Callable[[str], object]] = {
    "urn": _urn,
    "name": _name,
    "phase": _phase,
    "trust": lambda value: value[:200],
    "region": lambda value: value[:100],
    "country": lambda value: value[:100] or "England",
    "fsm_pct": _percentage,
    "eal_pct": _percentage,
    "send_pct": _percentage,
    "inspection_rating": _rating,
    "inspection_date": _date,
    "research_opt_in": _yes_no,
}
"""How each known column of a schools file is read; other columns are ignored."""


def _school_row(row: dict[str, str], number: int, problems: _Problems) -> dict[str, object] | None:
    """One row's School fields (only the columns the file has), or None if it is bad."""
    fields: dict[str, object] = {}
    bad = False
    for column in row:
        parse = _SCHOOL_COLUMNS.get(column)
        if parse is None:
            continue
        try:
            fields[column] = parse((row[column] or "").strip())
        except _Bad as problem:
            bad = True
            problems.add(number, column, str(problem))
    return None if bad else fields


def csv_reader(text: str) -> csv.DictReader[str]:
    """A CSV text's rows by header, with a byte-order mark dropped and any line ending (a
    lone carriage return too, as some spreadsheets write) ending a line."""
    return csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))


def not_csv(reader: csv.DictReader[str], exc: csv.Error) -> ImportRejected:
    """A file the csv module cannot read, refused at the line where it stopped."""
    return ImportRejected(
        [Problem(reader.line_num or None, None, f"this is not valid CSV ({exc})")]
    )


def read_schools(text: str) -> list[dict[str, object]]:
    """Parse and check a schools CSV; raise ImportRejected listing the bad rows."""
    reader = csv_reader(text)
    try:
        return _read_schools(reader)
    except csv.Error as exc:
        raise not_csv(reader, exc) from None


def _read_schools(reader: csv.DictReader[str]) -> list[dict[str, object]]:
    problems = _Problems()
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.add(1, name, "the column appears twice")
        seen.add(name)
    missing = [c for c in REQUIRED_SCHOOL_COLUMNS if c not in seen]
    if missing:
        problems.add(1, None, f"missing required column(s): {', '.join(missing)}")
    problems.raise_any()
    rows: list[dict[str, object]] = []
    urns: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            problems.add(number, None, "has more cells than the header has columns")
            continue
        known = {k: v for k, v in raw.items() if k in SCHOOL_COLUMNS}
        if not any((v or "").strip() for v in raw.values()):
            continue  # a blank line
        fields = _school_row(known, number, problems)
        urn = str(known.get("urn", "")).strip()
        if urn in urns:
            problems.add(number, "urn", f"URN {urn} is also on row {urns[urn]}")
        urns.setdefault(urn, number)
        if fields is not None:
            rows.append(fields)
    if not rows and not problems.items:
        problems.add(None, None, "the file has a header but no rows of schools")
    problems.raise_any()
    return rows


def do_import_schools(text: str) -> SchoolsImported:
    """Create or update (by URN) every school of a checked CSV, in one transaction."""
    rows = read_schools(text)
    created = updated = trusts_created = 0
    with transaction.atomic():
        trusts = {t.name: t for t in Trust.objects.all()}
        existing = {s.urn: s for s in School.objects.filter(urn__in=[r["urn"] for r in rows])}
        for fields in rows:
            values = dict(fields)
            if "trust" in values:
                trust_name = str(values.pop("trust"))
                if trust_name and trust_name not in trusts:
                    trusts[trust_name] = Trust.objects.create(name=trust_name)
                    trusts_created += 1
                values["trust"] = trusts[trust_name] if trust_name else None
            school = existing.get(str(values["urn"]))
            if school is None:
                School.objects.create(**values)
                created += 1
            else:
                for name, value in values.items():
                    setattr(school, name, value)
                school.save()
                updated += 1
    return SchoolsImported(created, updated, trusts_created)


# --- Responses -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponsesImported:
    created: int
    already_imported: bool
    """True when this very file had been imported before: nothing was written again."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def import_key(sha256: str, row: int) -> uuid.UUID:
    """The idempotency key of a file's row: the same file imported twice gives the same keys."""
    return uuid.uuid5(IMPORT_NAMESPACE, f"{sha256}:{row}")


def _school_lookup(wave: Wave) -> dict[str, School]:
    """Schools taking part in the wave, by URN and by case-folded name (not a school that
    has left and had its answers deleted: none are collected for it again)."""
    taking_part = list(School.objects.filter(participations__wave=wave, left__isnull=True))
    lookup = {school.name.casefold(): school for school in taking_part}
    # A URN wins over a name that looks like one.
    lookup |= {school.urn.casefold(): school for school in taking_part}
    return lookup


def _answer_strings(chunk: ResponseChunk, scale_min: int) -> list[str]:
    """Each row's answers in the stored form: one character per item, '-' for no answer."""
    codes = chunk.answers
    chars = np.where(codes < 0, ord("-"), ord("0") + scale_min + codes.astype(np.int16))
    raw = np.ascontiguousarray(chars.astype(np.uint8))
    width = codes.shape[1]
    return [s.decode("ascii") for s in raw.view(f"S{width}").ravel()] if width else []


def _labels(codes: np.ndarray, labels: list[str]) -> list[str]:
    # Index with a trailing "" so that code −1 (empty) becomes "".
    table = np.array([*labels, ""], dtype=object)
    return list(table[codes])


def do_import_responses(wave: Wave, path: Path | str) -> ResponsesImported:
    """Import a response file (CSV, XLSX or Parquet; docs/data-format.md) into ``wave``.

    The file is read and checked by the core's reader; each ``school`` must name (by URN or
    name) a school taking part in the wave. Everything happens in one transaction: a problem
    anywhere in the file writes nothing.
    """
    path = Path(path)
    instrument = wave.instrument()
    if instrument.scale.min < 0 or instrument.scale.max > 9:
        raise ImportRejected([Problem(None, None, "the platform stores scales within 0–9")])
    sha = file_sha256(path) if path.is_file() else ""
    first = Response.objects.filter(idempotency_key=import_key(sha, 2)).first() if sha else None
    if first is not None:
        if first.wave_id != wave.pk:
            raise ImportRejected([Problem(None, None, "this file was imported into another wave")])
        return ResponsesImported(created=0, already_imported=True)
    schools = _school_lookup(wave)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    problems = _Problems()
    created = 0
    try:
        with transaction.atomic():
            for chunk in read_responses(path, instrument):
                batch = list(_chunk_responses(wave, chunk, schools, sha, hour, problems))
                if problems.items:
                    continue  # keep reading to report every unknown school, write nothing
                Response.objects.bulk_create(batch, batch_size=BATCH_SIZE)
                created += len(batch)
            problems.raise_any()
    except ResponseDataError as exc:
        raise ImportRejected(exc.problems, more=exc.more) from None
    return ResponsesImported(created=created, already_imported=False)


def _chunk_responses(
    wave: Wave,
    chunk: ResponseChunk,
    schools: dict[str, School],
    sha: str,
    hour: datetime,
    problems: _Problems,
) -> Iterable[Response]:
    school_of_label: list[School | None] = []
    for k, label in enumerate(chunk.school.labels):
        school = schools.get(label.strip().casefold())
        if school is None:
            rows = np.flatnonzero(chunk.school.codes == k)
            more = f" (and {len(rows) - 1} more row(s))" if len(rows) > 1 else ""
            problems.add(
                chunk.first_row + int(rows[0]),
                "school",
                f"{label!r} is not a school taking part in {wave.name}{more}",
            )
        school_of_label.append(school)
    if problems.items:
        return
    answers = _answer_strings(chunk, wave.instrument().scale.min)
    key_stages = _labels(chunk.key_stage.codes, chunk.key_stage.labels)
    genders = _labels(chunk.gender.codes, chunk.gender.labels)
    for i, code in enumerate(chunk.school.codes.tolist()):
        school = school_of_label[code]
        assert school is not None
        yield Response(
            wave=wave,
            school=school,
            key_stage=key_stages[i],
            gender=genders[i],
            answers=answers[i],
            submitted_hour=hour,
            idempotency_key=import_key(sha, chunk.first_row + i),
            source=Response.Source.IMPORT,
        )
