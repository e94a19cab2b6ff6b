"""The Redis cache backend with shared clients (used when REDIS_URL is set)."""

from __future__ import annotations

import socket
import threading

import pytest

from learnsurvey.web.rediscache import SharedClientRedisCache

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="Redis is not on 127.0.0.1:6379")


@pytest.fixture
def cache() -> SharedClientRedisCache:
    backend = SharedClientRedisCache("redis://127.0.0.1:6379/11", {"KEY_PREFIX": "ls-test"})
    backend.clear()
    return backend


def test_it_reuses_one_client_per_pool(cache: SharedClientRedisCache) -> None:
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("a", {"x": 1}, 30)
    assert cache.get("a") == {"x": 1}
    assert cache.add("n", 1, 30)
    assert cache.incr("n") == 2
    assert cache.get_many(["a", "n", "missing"]) == {"a": {"x": 1}, "n": 2}
    cache.delete("a")
    assert cache.get("a") is None


def test_it_is_safe_to_share_between_threads(cache: SharedClientRedisCache) -> None:
    cache.set("hits", 0, 30)

    def hit() -> None:
        for _ in range(50):
            cache.incr("hits")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.get("hits") == 400


def test_it_counts_submissions_in_one_pipelined_round_trip(settings: object) -> None:
    """The per-code counter on Redis: INCR with a time to live set once, read as Django does."""
    from django.core.cache import caches

    from learnsurvey.web.pupil import ratelimit

    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "learnsurvey.web.rediscache.SharedClientRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/11",
            "KEY_PREFIX": "ls-test-count",
        }
    }
    backend = caches["default"]
    assert isinstance(backend, SharedClientRedisCache)
    backend.clear()
    assert [ratelimit._count("c", 120) for _ in range(3)] == [1, 2, 3]
    assert backend.get("c") == 3
    ttl = backend.redis_client(backend.make_key("c")).ttl(backend.make_key("c"))
    assert 0 < ttl <= 120
    backend.clear()
