"""``POST /s/<code>/responses``: the submission endpoint (a contract; see docs).

Lean by design, because it is load-tested: no session, no user, no CSRF (pupils have no
session; the unguessable code is the credential), the code resolved through the cache, and
one INSERT per submission.
"""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from learnsurvey.web.waves.actions import access_code_cache_key
from learnsurvey.web.waves.models import AccessCode

from . import ratelimit
from .lookup import resolve
from .submission import parse_json, store


def _error(message: str, status: int, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _body(request: HttpRequest) -> object:
    """The parsed JSON body. Raises ValueError (a short message that names what is wrong and
    echoes nothing of the body) for a body that is not JSON or nests too deeply, and lets
    RequestDataTooBig through."""
    raw = request.body  # over DATA_UPLOAD_MAX_MEMORY_SIZE: RequestDataTooBig
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("the body nests too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise ValueError("the body is not valid JSON") from None


@csrf_exempt
@require_POST
def submit_json(request: HttpRequest, code: str) -> JsonResponse:
    """Store one pupil's answers: 201 stored, 200 already stored (same key), 400 invalid,
    404 unknown/switched-off/closed code, 413 a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``,
    429 rate limited (with Retry-After). Every refusal is JSON, names what is wrong and
    echoes nothing the client sent."""
    network = ratelimit.network_id(request)
    code = AccessCode.normalise(code)
    code_key, failures_key = access_code_cache_key(code), ratelimit.failures_key(network)
    # One round trip of the shared cache for the network's failures and the code's record.
    cached = ratelimit.limits().get_many([code_key, failures_key])
    failures = int(cached.get(failures_key, 0) or 0)
    record = cached.get(code_key)
    wait = ratelimit.network_wait(network, code, failures)
    if wait:
        return _error("too many wrong codes from this network; try again later", 429, wait)
    info = resolve(code, record)
    if info is None:
        ratelimit.record_failure(network)
        return _error("unknown access code", 404)
    if not info.is_open():
        return _error("this access code is not open for responses", 404)
    wait = ratelimit.submission_wait(info.code)
    if wait:
        return _error("too many submissions for this code; try again shortly", 429, wait)
    try:
        payload = parse_json(_body(request))
        submitted = store(info, payload)
    except RequestDataTooBig:
        # The rest of the body is never read: the connection cannot carry another request.
        response = _error("the body is too large", 413)
        response["Connection"] = "close"
        return response
    except ValueError as exc:  # SubmissionError and _body's refusals: safe, short messages
        return _error(str(exc), 400)
    if failures:
        # A network with wrong codes on record keeps this one working once it is blocked,
        # as the browser's journey does (rare: no write on the usual path).
        ratelimit.record_success(network, info.code)
    if submitted.created:
        return JsonResponse({"status": "stored"}, status=201)
    return JsonResponse({"status": "already_stored"}, status=200)
