"""A Redis cache that answers from a database table while Redis is unreachable.

The login lockout (``login_throttle.py``) and the API rate limits count in the cache. With
Django's plain ``RedisCache`` a Redis outage made every login and API request a 500. Here a
call that meets a connection error or timeout is served by the fallback cache (the
``fallback`` alias, a ``DatabaseCache`` that all processes share), so lockouts and rate
limits keep holding during the outage: fail safe, not open.

After a failure the process goes straight to the fallback for ``RETRY_AFTER_SECONDS``
before it dials Redis again, and warns at most once per ``WARN_EVERY_SECONDS``. Counts made
during an outage stay in the table (until they expire) and are not copied back: when Redis
returns, the counting starts from what Redis held.
"""

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER_SECONDS = 5.0
WARN_EVERY_SECONDS = 60.0


class _Circuit:
    """Whether to skip Redis for now. One per process and Redis location: Django makes a
    cache object per thread, and the threads should learn from each other's failures."""

    def __init__(self, location: str) -> None:
        self.location = location
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._warned_at: float | None = None
        self._down = False

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._open_until = now + RETRY_AFTER_SECONDS
            self._down = True
            warn = self._warned_at is None or now - self._warned_at >= WARN_EVERY_SECONDS
            if warn:
                self._warned_at = now
        if warn:
            logger.warning(
                "Redis cache %s unreachable (%s: %s); serving the cache from the database.",
                self.location,
                type(exc).__name__,
                exc,
            )

    def close(self) -> None:
        if not self._down:  # the common case, without the lock
            return
        with self._lock:
            was_down, self._down = self._down, False
        if was_down:
            logger.info("Redis cache %s answers again.", self.location)


_circuits: dict[str, _Circuit] = {}


class ResilientRedisCache(RedisCache):
    """``RedisCache`` that serves each call from the ``FALLBACK`` alias (default
    ``fallback``) when Redis does not answer. Methods Django builds on these (``decr``,
    ``get_or_set``, ``incr_version``, the async ones) follow them."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._fallback_alias: str = params.get("FALLBACK", "fallback")
        location = ",".join(self._servers)  # type: ignore[attr-defined]
        self._circuit = _circuits.setdefault(location, _Circuit(location))

    @property
    def fallback(self) -> BaseCache:
        return caches[self._fallback_alias]

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if not self._circuit.is_open():
            try:
                result = getattr(super(), method)(*args, **kwargs)
            except UNREACHABLE as exc:
                self._circuit.trip(exc)
            else:
                self._circuit.close()
                return result
        return getattr(self.fallback, method)(*args, **kwargs)

    def ping(self) -> None:
        """Ask Redis itself, past the fallback and the circuit (for /healthz); raises when
        it does not answer."""
        self._cache.get_client(None, write=True).ping()  # type: ignore[attr-defined]

    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        return self._call("get", key, default=default, version=version)

    def set(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        self._call("set", key, value, timeout=timeout, version=version)

    def touch(
        self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call("delete", key, version=version)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        # A list: a generator spent on Redis would reach the fallback empty.
        return self._call("get_many", list(keys), version=version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call("has_key", key, version=version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._call("incr", key, delta=delta, version=version)

    def set_many(
        self,
        data: dict[Any, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[Any]:
        return self._call("set_many", data, timeout=timeout, version=version)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._call("delete_many", list(keys), version=version)

    def clear(self) -> None:
        self._call("clear")


def cache_ping(alias: str = "default") -> None:
    """Raise when the cache ``alias`` does not answer. A resilient cache is asked about
    Redis itself: its fallback would otherwise hide the outage."""
    cache = caches[alias]
    if isinstance(cache, ResilientRedisCache):
        cache.ping()
    else:
        cache.has_key("healthz:ping")
