"""Slow down password guessing without letting a stranger lock someone out (ADR 0016).

Failures are counted per account *and* client address: after ``LOGIN_MAX_FAILURES`` the pair
is locked for ``LOGIN_LOCKOUT_SECONDS``, and each further failure after a lockout doubles it
(up to ``LOGIN_LOCKOUT_MAX_SECONDS``, which is also how long the count is remembered). The
owner, from their own address, is not affected by failures from elsewhere. One address
guessing many accounts is refused after ``LOGIN_ADDRESS_MAX_FAILURES`` within
``LOGIN_ADDRESS_WINDOW_SECONDS``. Kept in the cache (Redis in production, shared by all web
processes; while Redis is down, a database table: ``thuiszitters.cache``, so the limits hold).
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

_PREFIX = "login-failures"


def _pair(email: str, address: str | None) -> str:
    digest = hashlib.sha256(f"{email.strip().lower()}|{address or '-'}".encode()).hexdigest()
    return f"{_PREFIX}:pair:{digest}"


def _address(address: str | None) -> str:
    return f"{_PREFIX}:addr:{address or '-'}"


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def lockout_seconds(failures: int) -> int:
    """The lockout after ``failures`` failures of one pair: none below the limit, then the
    base, doubling with each further failure, capped."""
    if failures < settings.LOGIN_MAX_FAILURES:
        return 0
    extra = min(failures - settings.LOGIN_MAX_FAILURES, 30)
    return int(min(settings.LOGIN_LOCKOUT_SECONDS * 2**extra, settings.LOGIN_LOCKOUT_MAX_SECONDS))


def login_blocked(*, email: str, address: str | None) -> int:
    """Seconds until this account may try again from this address (0: it may now)."""
    pair = _pair(email, address)
    values = cache.get_many([f"{pair}:until", _address(address)])
    if values.get(_address(address), 0) >= settings.LOGIN_ADDRESS_MAX_FAILURES:
        return settings.LOGIN_ADDRESS_WINDOW_SECONDS
    until = values.get(f"{pair}:until")
    return max(0, int(until - time.time())) if until else 0


def login_failure_record(*, email: str, address: str | None) -> None:
    pair = _pair(email, address)
    failures = _incr(f"{pair}:count", settings.LOGIN_LOCKOUT_MAX_SECONDS)
    _incr(_address(address), settings.LOGIN_ADDRESS_WINDOW_SECONDS)
    seconds = lockout_seconds(failures)
    if seconds:
        cache.set(f"{pair}:until", time.time() + seconds, timeout=seconds)


def login_failures_clear(*, email: str, address: str | None) -> None:
    pair = _pair(email, address)
    cache.delete_many([f"{pair}:count", f"{pair}:until"])
