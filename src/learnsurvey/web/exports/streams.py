"""Anonymised response-level data for researchers, streamed out of the database.

Two passes, so memory stays flat at any number of responses:

1. a ``GROUP BY`` count per school × key stage × gender, from which
   :func:`learnsurvey.stats.disclosure.response_level_plan` decides what each cell releases
   (rule 4: every released school × key stage × gender describes at least the threshold of
   pupils; smaller schools are left out; rule 10: planned with the published aggregates, so
   that a published school, key stage, gender or wave figure less the released pupils never
   describes 1 to threshold − 1 pupils, and no school the aggregates hide is released);
2. the responses themselves, in chunks, with the plan applied, as Arrow record batches.

Only *published* responses are read (rule 9), up to the publication the first pass saw: the
export describes the same pupils as the figures beside it, and changes when they do.

What a row holds, and why no more: a school *pseudonym* (the wave's "School N" number, never
the URN or name), the school's phase, the pupil's key stage and gender as released, and one
column per item (the answer 1..5, empty when not answered). Only schools that opted in to
research (``research_opt_in``) are included. Left out on purpose: the submission time (it
could tie a pupil to a lesson), the idempotency key and source (no research value), the year
group (finer than the key stage the plan protects), and the survey language, since in a
small school the one pupil who answered in Polish or Urdu may be known to everyone.

Rows are ordered by school, key stage, gender and answers, not by arrival, so the order of
the file reveals nothing about when anyone answered.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection, models
from django.db.models import Count
from numpy.typing import NDArray

from learnsurvey.instruments import Instrument
from learnsurvey.io.export import Sheet, csv_chunks, write_parquet, write_xlsx
from learnsurvey.stats.disclosure import response_level_plan
from learnsurvey.web.schools.models import School
from learnsurvey.web.waves.actions import decode_answer_bytes
from learnsurvey.web.waves.models import Publication, Response, Wave, WaveResult
from learnsurvey.web.waves.publication import do_publish_wave

__all__ = [
    "CHUNK_ROWS",
    "FORMATS",
    "ResponsePlan",
    "export_responses",
    "plan_responses",
    "response_batches",
]

CHUNK_ROWS = 50_000
FORMATS = ("csv", "xlsx", "parquet")
NOT_GIVEN = ""  # how the database stores a key stage or gender the pupil did not give
Progress = Callable[[int], None]
RAW_FIELDS = ("school_id", "key_stage", "gender", "answers")
ORDER = ("school_id", "key_stage", "gender", "answers")


@dataclass(frozen=True)
class ResponsePlan:
    """What the second pass writes: the schema, and the released values of every stored
    school × key stage × gender cell that releases anything (as sorted integer keys)."""

    wave: Wave
    instrument: Instrument
    schema: pa.Schema
    n_rows: int
    """Rows the export will hold (the released pupils)."""
    max_id: int
    """The last response counted: the second pass reads no later one, so it matches."""
    max_publication: int
    """The last publication counted (rule 9): the second pass reads no later one either."""
    schools: list[int]
    key_stages: pa.Array
    genders: pa.Array
    keys: NDArray[np.int64]
    pseudonym: NDArray[np.int32]
    phase: pa.Array
    released_key_stage: pa.Array
    released_gender: pa.Array

    def cell_keys(
        self, school: NDArray[np.int64], key_stage: pa.Array, gender: pa.Array
    ) -> NDArray[np.int64]:
        """One integer per row for its cell (−1: a value the plan never counted)."""
        ks = pc.fill_null(pc.index_in(key_stage, value_set=self.key_stages), -1).to_numpy()
        g = pc.fill_null(pc.index_in(gender, value_set=self.genders), -1).to_numpy()
        keys = (school.astype(np.int64) * len(self.key_stages) + ks) * len(self.genders) + g
        return np.where((ks < 0) | (g < 0), -1, keys)


def _schema(instrument: Instrument) -> pa.Schema:
    return pa.schema(
        [
            ("school_pseudonym", pa.int32()),
            ("phase", pa.string()),
            ("key_stage", pa.string()),
            ("gender", pa.string()),
            *[(item_id, pa.int8()) for item_id in instrument.item_ids],
        ]
    )


def _pseudonyms(wave: Wave, urns: list[str]) -> dict[str, int]:
    """The wave's "School N" numbers (as in the global tables), computed if not cached yet."""
    from learnsurvey.web.dashboards.results import school_pseudonyms as numbered

    stored = (
        WaveResult.objects.filter(wave=wave).values_list("payload__pseudonyms", flat=True).first()
    )
    if isinstance(stored, dict) and all(u in stored for u in urns):
        return {u: int(stored[u]) for u in urns}
    # The schools with responses, read off the (wave, school) index.
    ids = Response.objects.filter(wave=wave).values_list("school_id", flat=True).distinct()
    with_responses = School.objects.filter(pk__in=list(ids.order_by())).values_list(
        "urn", flat=True
    )
    return numbered(wave, sorted(with_responses))


def _hidden_schools(wave: Wave) -> set[int]:
    """The schools (ids) a row of the stored global tables hides: rule 10 releases none of
    their pupils, or subtracting them would undo the hiding."""
    stored = WaveResult.objects.filter(wave=wave).values_list("payload__global", flat=True).first()
    urns: set[str] = set()
    if isinstance(stored, dict):
        for name in ("school_summary", "school_notions"):
            rows = stored.get(name) or []
            urns |= {str(r["school"]) for r in rows if isinstance(r, dict) and r.get("suppressed")}
    return set(School.objects.filter(urn__in=urns).values_list("pk", flat=True))


def plan_responses(wave: Wave, *, threshold: int | None = None) -> ResponsePlan:
    """The first pass: count the opted-in schools' pupils per cell and decide the release."""
    threshold = int(settings.MIN_GROUP_SIZE) if threshold is None else threshold
    instrument = wave.instrument()
    do_publish_wave(wave)  # rule 9: the same publication step the pages take before reading
    max_id = (
        Response.objects.filter(wave=wave).order_by("-id").values_list("id", flat=True).first()
    ) or 0
    max_publication = (
        Publication.objects.filter(wave=wave).order_by("-id").values_list("id", flat=True).first()
    ) or 0
    released_to = Response.objects.filter(
        wave=wave, id__lte=max_id, publication__isnull=False, publication_id__lte=max_publication
    )
    schools = {
        pk: (urn, phase)
        for pk, urn, phase in School.objects.filter(research_opt_in=True).values_list(
            "pk", "urn", "phase"
        )
    }
    cells = ["school", "key_stage", "gender", "n"]

    def counted(rows: models.QuerySet[Response]) -> pd.DataFrame:
        by_cell = rows.values_list("school_id", "key_stage", "gender").annotate(n=Count("id"))
        return pd.DataFrame(list(by_cell.order_by()), columns=cells)

    counts = counted(released_to.filter(school_id__in=list(schools)))
    # Rule 10: the aggregates count the schools that did not opt in too, and hide some
    # schools; the release is planned against both.
    others = counted(released_to.exclude(school_id__in=list(schools)))
    plan = response_level_plan(
        counts,
        threshold=threshold,
        not_given=NOT_GIVEN,
        hidden_schools=_hidden_schools(wave),
        others=others,
    )
    key_stages = pa.array(sorted(set(plan["key_stage"])), type=pa.string())
    genders = pa.array(sorted(set(plan["gender"])), type=pa.string())
    released = plan[plan["released"]]
    school_ids = released["school"].to_numpy(dtype=np.int64)
    used = sorted({int(pk) for pk in school_ids})
    numbers = _pseudonyms(wave, [schools[pk][0] for pk in used])
    draft = ResponsePlan(
        wave=wave,
        instrument=instrument,
        schema=_schema(instrument),
        n_rows=int(released["n"].sum()),
        max_id=int(max_id),
        max_publication=int(max_publication),
        schools=used,
        key_stages=key_stages,
        genders=genders,
        keys=np.zeros(0, dtype=np.int64),
        pseudonym=np.zeros(0, dtype=np.int32),
        phase=pa.array([], type=pa.string()),
        released_key_stage=pa.array([], type=pa.string()),
        released_gender=pa.array([], type=pa.string()),
    )
    keys = draft.cell_keys(
        school_ids,
        pa.array(released["key_stage"].astype(str), type=pa.string()),
        pa.array(released["gender"].astype(str), type=pa.string()),
    )
    order = np.argsort(keys)

    def text(values: pd.Series) -> pa.Array:
        # "" (not given, or recoded to it) is written as an empty cell: null.
        cleaned = [None if v == NOT_GIVEN else str(v) for v in values]
        return pa.array(cleaned, type=pa.string()).take(pa.array(order))

    return replace(
        draft,
        keys=keys[order],
        pseudonym=np.array([numbers[schools[pk][0]] for pk in school_ids], np.int32)[order],
        phase=text(pd.Series([schools[pk][1] for pk in school_ids], dtype=object)),
        released_key_stage=text(released["released_key_stage"]),
        released_gender=text(released["released_gender"]),
    )


def response_batches(
    plan: ResponsePlan, *, chunk_rows: int = CHUNK_ROWS, progress: Progress | None = None
) -> Iterator[pa.RecordBatch]:
    """The second pass: the released responses as record batches of about ``chunk_rows``."""
    if not plan.schools:
        return
    stored = _postgres_chunks if connection.vendor == "postgresql" else _orm_chunks
    for chunk in stored(plan, chunk_rows):
        yield _batch(chunk, plan)
        if progress is not None:
            progress(chunk.num_rows)


RAW_NAMES = ["school", "key_stage", "gender", "answers"]
RAW_TYPES = [pa.int64(), pa.string(), pa.string(), pa.string()]


def _orm_chunks(plan: ResponsePlan, chunk_rows: int) -> Iterator[pa.Table]:
    """Stored rows through the ORM (SQLite), as tables of ``chunk_rows``."""
    rows = (
        Response.objects.filter(
            wave=plan.wave,
            id__lte=plan.max_id,
            school_id__in=plan.schools,
            publication__isnull=False,
            publication_id__lte=plan.max_publication,
        )
        .order_by(*ORDER)
        .values_list(*RAW_FIELDS)
        .iterator(chunk_size=chunk_rows)
    )
    while batch := list(itertools.islice(rows, chunk_rows)):
        columns = zip(*batch, strict=True)
        yield pa.Table.from_arrays(
            [pa.array(c, type=t) for c, t in zip(columns, RAW_TYPES, strict=True)],
            names=RAW_NAMES,
        )


def _postgres_chunks(plan: ResponsePlan, chunk_rows: int) -> Iterator[pa.Table]:
    """Stored rows on PostgreSQL, one CSV text per school made by the server, parsed by
    pyarrow: no Python object per row (the ORM's cost at a million rows), and each school's
    rows ordered by key stage, gender and answers, never by arrival."""
    import pyarrow.csv as pacsv

    q = connection.ops.quote_name
    school, key_stage, gender, answers = (q(_column(f)) for f in RAW_FIELDS)
    # CSV quoting done by the server: quotes doubled inside quoted text (RFC 4180).
    sql = (
        f'SELECT string_agg(format(\'%%s,"%%s","%%s",%%s\', {school}, '
        f"replace({key_stage}, '\"', '\"\"'), replace({gender}, '\"', '\"\"'), {answers}), "
        f"E'\\n' ORDER BY {key_stage}, {gender}, {answers}) "
        f"FROM {q(Response._meta.db_table)} "
        f"WHERE {q('wave_id')} = %s AND {q('id')} <= %s AND {school} = ANY(%s) "
        f"AND {q('publication_id')} <= %s "
        f"GROUP BY {school} ORDER BY {school}"
    )
    read = pacsv.ReadOptions(column_names=RAW_NAMES)
    convert = pacsv.ConvertOptions(
        column_types=dict(zip(RAW_NAMES, RAW_TYPES, strict=True)),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    per_school = max(1, plan.n_rows // max(1, len(plan.schools)))
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [plan.wave.pk, plan.max_id, plan.schools, plan.max_publication])
        while texts := cursor.fetchmany(max(1, chunk_rows // per_school)):
            body = "\n".join(t for (t,) in texts).encode("utf-8")
            yield pacsv.read_csv(io.BytesIO(body), read_options=read, convert_options=convert)


def _column(attname: str) -> str:
    """The database column of a Response field (``school_id``: the school foreign key)."""
    field = Response._meta.get_field(attname.removesuffix("_id"))
    if not isinstance(field, models.Field):
        raise ValueError(f"{attname} is not a column of a response")
    return str(field.column)


def _answers(answers: pa.ChunkedArray | pa.Array, n_items: int) -> NDArray[np.uint8]:
    """Stored answer strings (one character per item) as an n × items array of bytes."""
    if isinstance(answers, pa.ChunkedArray):
        answers = answers.combine_chunks()
    n = len(answers)
    if n == 0:
        return np.zeros((0, n_items), dtype=np.uint8)
    offsets = np.frombuffer(answers.buffers()[1], dtype=np.int32)[answers.offset :][: n + 1]
    data = np.frombuffer(answers.buffers()[2], dtype=np.uint8)
    if answers.null_count or not (np.diff(offsets) == n_items).all():
        raise ValueError("a stored response does not have one answer per item")
    return data[offsets[0] : offsets[-1]].reshape(n, n_items)


def _batch(chunk: pa.Table, plan: ResponsePlan) -> pa.RecordBatch:
    """Stored rows as released rows: the plan's values for each cell, unreleased rows dropped."""
    school = chunk.column("school").to_numpy()
    keys = plan.cell_keys(
        school,
        chunk.column("key_stage").combine_chunks(),
        chunk.column("gender").combine_chunks(),
    )
    at = np.minimum(np.searchsorted(plan.keys, keys), max(len(plan.keys) - 1, 0))
    found = (keys >= 0) & (plan.keys[at] == keys) if len(plan.keys) else keys < -1
    take = pa.array(at[found])
    raw = _answers(chunk.column("answers"), len(plan.instrument.item_ids))[found]
    values = decode_answer_bytes(raw)
    missing = values < 0
    arrays = [
        pa.array(plan.pseudonym[at[found]], type=pa.int32()),
        plan.phase.take(take),
        plan.released_key_stage.take(take),
        plan.released_gender.take(take),
        *[
            pa.array(values[:, j], type=pa.int8(), mask=missing[:, j])
            for j in range(values.shape[1])
        ],
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=plan.schema)


def export_responses(
    wave: Wave,
    fmt: str,
    target: str | Path | IO[bytes],
    *,
    chunk_rows: int = CHUNK_ROWS,
    threshold: int | None = None,
    progress: Progress | None = None,
    plan: ResponsePlan | None = None,
) -> int:
    """Write the wave's anonymised response-level data as ``fmt`` to ``target``; the rows.

    ``plan`` (from :func:`plan_responses`) saves the first pass when the caller has it.
    Raises ValueError for an unknown format or more rows than a spreadsheet holds.
    """
    if fmt not in FORMATS:
        raise ValueError(f"the format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if plan is None:
        plan = plan_responses(wave, threshold=threshold)
    batches = response_batches(plan, chunk_rows=chunk_rows, progress=progress)
    if fmt == "xlsx":
        check_xlsx_rows(plan.n_rows)
        return write_xlsx(target, [Sheet("responses", plan.schema, batches)])
    if fmt == "parquet":
        return write_parquet(target, batches, plan.schema)
    if isinstance(target, (str, Path)):
        with open(target, "wb") as out:
            return _write_csv(out, batches, plan)
    return _write_csv(target, batches, plan)


def _write_csv(out: IO[bytes], batches: Iterator[pa.RecordBatch], plan: ResponsePlan) -> int:
    rows = 0

    def count(n: int) -> None:
        nonlocal rows
        rows += n

    for piece in csv_chunks(batches, plan.schema, on_rows=count):
        out.write(piece)
    return rows


def check_xlsx_rows(n_rows: int) -> None:
    """Refuse a spreadsheet Excel could not open (its limit: 1,048,576 rows with the header)."""
    from learnsurvey.io.export import XLSX_MAX_ROWS

    if n_rows > XLSX_MAX_ROWS:
        raise ValueError(
            f"this export has {n_rows:,} rows, more than a spreadsheet holds "
            f"({XLSX_MAX_ROWS:,}); download it as CSV or Parquet instead"
        )
