"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache
operation, and redis-py fills a case-insensitive table of ~170 response callbacks in each
constructor: about 0.25 ms of CPU per operation, a fifth of what a pupil's submission costs
(the submission benchmark, docs/benchmarks.md). A ``redis.Redis`` on a connection pool is safe
to share between threads, so one per pool is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shared: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        base: Any = self  # the pool helpers are private, so django-stubs does not declare them
        pool = base._get_connection_pool(write)
        client = self._shared.get(id(pool))
        if client is None:
            client = self._shared.setdefault(id(pool), base._client(connection_pool=pool))
        return client


class SharedClientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with shared clients (see above)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    def redis_client(self, key: str) -> Any:
        """The shared ``redis.Redis`` for writing ``key`` (for pipelined counters)."""
        return self._cache.get_client(key, write=True)
