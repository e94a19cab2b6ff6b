"""The server-error handler (``handler500``): a database that is not answering (restarting,
failing over, out of connections) is a 503 with Retry-After, never a 500.

Django calls the handler inside its ``except`` block, so the exception is at hand whichever
layer raised it (a view, the session middleware saving, a template reading the user). The
pupils' client and the API's callers retry a 503 after Retry-After with the same key, which
stores nothing twice. The page touches neither the database nor the session: rendering the
site's base page would read the signed-in user, from the database that is down.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

__all__ = ["is_database_unavailable", "server_error"]

JSON_PREFIXES = ("/api/",)
"""Paths whose callers read JSON (besides the pupils' submission endpoint)."""


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) says the database is not answering: a lost or
    refused connection, or a server starting up or shutting down. A query that is wrong is
    a DatabaseError too, but not an OperationalError or an InterfaceError."""
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        if not isinstance(exc, DatabaseError):
            exc = exc.__cause__ or exc.__context__
            continue
        return False
    return False


def _wants_json(request: HttpRequest) -> bool:
    path = request.path
    return path.startswith(JSON_PREFIXES) or (
        path.startswith("/s/") and path.endswith("/responses")
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """503 + Retry-After when the database is not answering; Django's 500 otherwise."""
    if not is_database_unavailable(sys.exc_info()[1]):
        return django_server_error(request)
    wait = int(settings.UNAVAILABLE_RETRY_AFTER_SECONDS)
    response: HttpResponse
    if _wants_json(request):
        key = "detail" if request.path.startswith(JSON_PREFIXES) else "error"
        response = JsonResponse(
            {key: "the service is briefly unavailable; try again shortly"}, status=503
        )
    else:
        response = HttpResponse(render_to_string("unavailable.html", {"wait": wait}), status=503)
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response
