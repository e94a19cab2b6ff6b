"""Download views: aggregated tables for leaders, response-level data for researchers.

Who may download what follows the dashboards exactly (:mod:`learnsurvey.web.accounts.access`):
a school's tables for those who may see the school, a trust's for its leaders, the global
tables and the response-level data for researchers and platform admins. CSV streams as it is
written; XLSX and Parquet are written to an anonymous temporary file first (their formats
need the whole file before the first byte is useful), which is gone once the response closes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO

import pyarrow as pa
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from learnsurvey.io.export import XLSX_MAX_ROWS, Sheet, csv_chunks, write_parquet, write_xlsx
from learnsurvey.web.accounts.access import require_global, school_for, trust_for
from learnsurvey.web.dashboards.results import (
    global_over_time,
    global_payload,
    school_over_time,
    school_payload,
    school_payloads,
    trust_over_time,
    trust_payload,
)
from learnsurvey.web.waves.models import Wave

from .over_time_tables import (
    global_over_time_tables,
    school_over_time_tables,
    trust_over_time_tables,
)
from .streams import FORMATS, plan_responses, response_batches
from .tables import ALL, global_tables, school_tables, trust_tables

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404(_("No such format."))


def _attachment(response: HttpResponseBase, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"


def _tables_response(
    tables: dict[str, pa.Table], table: str, fmt: str, stem: str
) -> HttpResponseBase:
    """One table (or, as XLSX, every table: one sheet each) as a download."""
    _check_format(fmt)
    if table == ALL:
        if fmt != "xlsx":
            raise Http404(_("Every table at once comes as a workbook (XLSX) only."))
        if not tables:
            raise Http404(_("There are no tables yet."))
        sheets = [Sheet(name, t.schema, [t]) for name, t in tables.items()]
        return _file_response(lambda f: write_xlsx(f, sheets), fmt, f"{stem}-tables.xlsx")
    found = tables.get(table)
    if found is None:
        raise Http404(_("No such table."))
    filename = f"{stem}-{table}.{fmt}"
    if fmt == "csv":
        streamed = StreamingHttpResponse(
            csv_chunks([found], found.schema), content_type=CONTENT_TYPES["csv"]
        )
        _attachment(streamed, filename)
        return streamed
    if fmt == "xlsx":
        return _file_response(
            lambda f: write_xlsx(f, [Sheet(table, found.schema, [found])]), fmt, filename
        )
    return _file_response(lambda f: write_parquet(f, [found], found.schema), fmt, filename)


def _file_response(write: Callable[[IO[bytes]], int], fmt: str, filename: str) -> HttpResponseBase:
    # An unnamed temporary file: deleted when FileResponse closes it, or when the process ends.
    handle = tempfile.TemporaryFile(prefix="learnsurvey-export-")  # noqa: SIM115
    try:
        write(handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(handle, content_type=CONTENT_TYPES[fmt])
    _attachment(response, filename)
    return response


@login_required
def school_table(
    request: HttpRequest, wave_id: int, urn: str, table: str, fmt: str
) -> HttpResponseBase:
    """A school's dashboard tables (those who may see the school)."""
    found = school_for(request, urn)
    wave = get_object_or_404(Wave, pk=wave_id)
    bands = [b.id for b in wave.instrument().bands]
    tables = school_tables(school_payload(wave, found), bands)
    return _tables_response(tables, table, fmt, f"wave-{wave.pk}-school-{found.urn}")


@login_required
def trust_table(
    request: HttpRequest, wave_id: int, trust_id: int, table: str, fmt: str
) -> HttpResponseBase:
    """The trust's schools side by side and their spread (the trust's leaders)."""
    found = trust_for(request, trust_id)
    wave = get_object_or_404(Wave, pk=wave_id)
    dashboard = trust_payload(wave, found)
    # The schools' own staff voices sit beside the trust's (a trust leader sees them all).
    schools = school_payloads(wave, list(found.schools.all())) if dashboard.staff_voice else []
    tables = trust_tables(dashboard, schools)
    return _tables_response(tables, table, fmt, f"wave-{wave.pk}-trust-{found.pk}")


@login_required
def school_over_time_table(
    request: HttpRequest, wave_id: int, urn: str, table: str, fmt: str
) -> HttpResponseBase:
    """A school's figures over the series ending at the wave (those who may see the school)."""
    found = school_for(request, urn)
    wave = get_object_or_404(Wave, pk=wave_id)
    tables = school_over_time_tables(school_over_time(wave, found))
    return _tables_response(tables, table, fmt, f"wave-{wave.pk}-school-{found.urn}-over-time")


@login_required
def trust_over_time_table(
    request: HttpRequest, wave_id: int, trust_id: int, table: str, fmt: str
) -> HttpResponseBase:
    """A trust's figures over the series and each school's latest change (its leaders)."""
    found = trust_for(request, trust_id)
    wave = get_object_or_404(Wave, pk=wave_id)
    tables = trust_over_time_tables(trust_over_time(wave, found))
    return _tables_response(tables, table, fmt, f"wave-{wave.pk}-trust-{found.pk}-over-time")


@login_required
def global_over_time_table(
    request: HttpRequest, wave_id: int, table: str, fmt: str
) -> HttpResponseBase:
    """Every school together over the series (researchers and platform admins)."""
    require_global(request)
    wave = get_object_or_404(Wave, pk=wave_id)
    tables = global_over_time_tables(global_over_time(wave))
    return _tables_response(tables, table, fmt, f"wave-{wave.pk}-global-over-time")


@login_required
def global_table(request: HttpRequest, wave_id: int, table: str, fmt: str) -> HttpResponseBase:
    """The wave's Phase One tables (researchers and platform admins)."""
    require_global(request)
    wave = get_object_or_404(Wave, pk=wave_id)
    tables = global_tables(global_payload(wave))
    return _tables_response(tables, table, fmt, f"wave-{wave.pk}-global")


@login_required
def responses(request: HttpRequest, wave_id: int, fmt: str) -> HttpResponseBase:
    """Anonymised response-level data of the opted-in schools (researchers, platform admins)."""
    require_global(request)
    _check_format(fmt)
    wave = get_object_or_404(Wave, pk=wave_id)
    plan = plan_responses(wave)
    filename = f"wave-{wave.pk}-responses.{fmt}"
    if fmt == "csv":
        streamed = StreamingHttpResponse(
            csv_chunks(response_batches(plan), plan.schema), content_type=CONTENT_TYPES["csv"]
        )
        _attachment(streamed, filename)
        return streamed
    if fmt == "xlsx":
        if plan.n_rows > XLSX_MAX_ROWS:
            message = _(
                "This export has %(rows)s rows, more than a spreadsheet holds (%(limit)s). "
                "Download it as CSV or Parquet instead."
            ) % {"rows": f"{plan.n_rows:,}", "limit": f"{XLSX_MAX_ROWS:,}"}
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        sheets = [Sheet("responses", plan.schema, response_batches(plan))]
        return _file_response(lambda f: write_xlsx(f, sheets), fmt, filename)
    return _file_response(
        lambda f: write_parquet(f, response_batches(plan), plan.schema), fmt, filename
    )
