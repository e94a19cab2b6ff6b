"""``POST /s/<code>/responses``: the submission endpoint (a contract; see docs).

Lean by design, because it is load-tested: no session, no user, no CSRF (pupils have no
session; the unguessable code is the credential), the code resolved through the cache, and
one INSERT per submission.
"""

from __future__ import annotations

import json

from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from learnsurvey.web.waves.actions import SubmissionError, access_code_cache_key
from learnsurvey.web.waves.models import AccessCode

from . import ratelimit
from .lookup import resolve
from .submission import parse_json, store


def _error(message: str, status: int, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@csrf_exempt
@require_POST
def submit_json(request: HttpRequest, code: str) -> JsonResponse:
    """Store one pupil's answers: 201 stored, 200 already stored (same key), 400 invalid,
    404 unknown/switched-off/closed code, 429 rate limited (with Retry-After)."""
    network = ratelimit.network_id(request)
    code = AccessCode.normalise(code)
    # One cache round trip for both the network's failures and the code's record.
    code_key, failures_key = access_code_cache_key(code), ratelimit.failures_key(network)
    cached = cache.get_many([code_key, failures_key])
    wait = ratelimit.network_wait(network, code, cached.get(failures_key, 0))
    if wait:
        return _error("too many wrong codes from this network; try again later", 429, wait)
    info = resolve(code, cached.get(code_key))
    if info is None:
        ratelimit.record_failure(network)
        return _error("unknown access code", 404)
    if not info.is_open():
        return _error("this access code is not open for responses", 404)
    wait = ratelimit.submission_wait(info.code)
    if wait:
        return _error("too many submissions for this code; try again shortly", 429, wait)
    try:
        payload = parse_json(json.loads(request.body))
        submitted = store(info, payload)
    except (ValueError, UnicodeDecodeError) as exc:
        # SubmissionError is a ValueError, as are JSON syntax errors.
        message = str(exc) if isinstance(exc, SubmissionError) else "the body is not valid JSON"
        return _error(message, 400)
    if submitted.created:
        return JsonResponse({"status": "stored"}, status=201)
    return JsonResponse({"status": "already_stored"}, status=200)
