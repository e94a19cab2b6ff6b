"""Rate limits for the public pages (the pupils' and wave registration), kept only in
caches.

A network's wrong codes, and the codes that worked from it, are counted in the ``shared``
cache, which every worker sees alike: Redis when there is one, else a database table (a
per-process count would let each worker allow its own limit).

Per network: failed code attempts are counted per network. The network is the client address
as the server sees it (``REMOTE_ADDR``; a reverse proxy must set it to the real client, and
``X-Forwarded-For`` is trusted only when ``settings.PUPIL_TRUST_X_FORWARDED_FOR`` is true).
The address itself is never stored: the cache key is an HMAC of it with ``SECRET_KEY``, with a
TTL, and nothing here writes to the database or the logs. Over the limit, the network must
wait before trying codes it has not used successfully; codes it has used keep working, so a
whole school behind one address is not locked out by a few typos, while guessing one code in
30**10 stays hopeless.

Per code: submissions per code per minute are capped (``SUBMISSIONS_PER_CODE_PER_MINUTE``).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest

from learnsurvey.web.rediscache import SharedClientRedisCache

# Remembering a code that worked for a network: long enough for a school day.
KNOWN_CODE_SECONDS = 24 * 3600


def client_address(request: HttpRequest) -> str:
    if settings.PUPIL_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded).split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def network_id(request: HttpRequest) -> str:
    """An opaque id for the client's network: an HMAC, so the address cannot be read back."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), client_address(request).encode(), hashlib.sha256
    )
    return digest.hexdigest()[:32]


def failures_key(network: str) -> str:
    """The cache key counting a network's wrong codes (callers may fetch it with others)."""
    return f"learnsurvey:rl:fail:{network}"


def _known_key(network: str, code: str) -> str:
    return f"learnsurvey:rl:known:{network}:{code}"


SHARED_ALIAS = "shared"


def limits() -> BaseCache:
    """The cache every worker sees alike (the counts here, and access codes' records)."""
    return caches[SHARED_ALIAS]


def failures(network: str) -> int:
    """How many wrong codes ``network`` tried in the current window."""
    return int(limits().get(failures_key(network), 0) or 0)


def network_wait(network: str, code: str, failures_now: int | None = None) -> int:
    """Seconds this network must wait before trying ``code`` (0: go ahead).

    ``failures_now`` is the network's count when the caller fetched it already."""
    count = failures(network) if failures_now is None else failures_now
    if count < settings.CODE_FAILURES_PER_NETWORK:
        return 0
    if limits().get(_known_key(network, code)):
        return 0
    return int(settings.CODE_FAILURE_WINDOW_SECONDS)


def count_up(key: str, ttl: int) -> None:
    """Add one to the shared counter ``key``, which expires ``ttl`` seconds after its first
    count."""
    shared = limits()
    if not shared.add(key, 1, ttl):
        try:
            shared.incr(key)
        except ValueError:  # expired between add and incr
            shared.add(key, 1, ttl)


def record_failure(network: str) -> None:
    """Count a wrong code; the count expires a window after the first failure."""
    count_up(failures_key(network), int(settings.CODE_FAILURE_WINDOW_SECONDS))


def record_success(network: str, code: str) -> None:
    """Remember that this network knows this code, so a block does not reach it."""
    limits().set(_known_key(network, code), 1, KNOWN_CODE_SECONDS)


def submission_wait(code: str, now: float | None = None) -> int:
    """Count a submission for ``code``; seconds to wait when over the per-minute limit."""
    return _window_wait(
        f"learnsurvey:rl:sub:{code}", 60, settings.SUBMISSIONS_PER_CODE_PER_MINUTE, now
    )


def registration_wait(network: str, now: float | None = None) -> int:
    """Count a registration from ``network``; seconds to wait when over the hourly limit.

    The registration form is public: this keeps one network from filling a wave's review
    queue, while a trust registering its schools one after another stays well inside it."""
    return _window_wait(
        f"learnsurvey:rl:reg:{network}", 3600, settings.REGISTRATIONS_PER_NETWORK_PER_HOUR, now
    )


def _window_wait(prefix: str, window: int, limit: int, now: float | None) -> int:
    """Count one event in the current fixed window of ``window`` seconds; the seconds left in
    the window when the count is over ``limit``, else 0."""
    now = time.time() if now is None else now
    count = _count(f"{prefix}:{int(now // window)}", 2 * window)
    if count > limit:
        return max(1, window - int(now % window))
    return 0


def _count(key: str, ttl: int) -> int:
    """Add one to the counter ``key`` (created with a time to live) and return its value.

    On Redis this is one pipelined round trip (INCR, then EXPIRE NX); a busy submission
    endpoint makes this call every time. Django's generic ``incr`` costs two (EXISTS, INCRBY)."""
    backend = caches[DEFAULT_CACHE_ALIAS]  # ``cache`` is a proxy: isinstance needs the backend
    if isinstance(backend, SharedClientRedisCache):
        redis_key = backend.make_and_validate_key(key)
        client = backend.redis_client(redis_key)
        pipe = client.pipeline(transaction=False)
        pipe.incr(redis_key)
        pipe.expire(redis_key, ttl, nx=True)
        return int(pipe.execute()[0])
    try:
        return cache.incr(key)
    except ValueError:
        return 1 if cache.add(key, 1, ttl) else cache.incr(key)
