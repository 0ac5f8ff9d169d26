"""Slow down password guessing: too many failed logins for an account lock it for a while.

Counted per e-mail address and per client address in the cache (Redis in production, shared
by all web processes), so guessing one account from many addresses and many accounts from
one address are both limited.
"""

from django.conf import settings
from django.core.cache import cache

_PREFIX = "login-failures"


def _keys(email: str, address: str | None) -> list[str]:
    return [f"{_PREFIX}:email:{email.strip().lower()}", f"{_PREFIX}:addr:{address or '-'}"]


def login_blocked(*, email: str, address: str | None) -> bool:
    counts = cache.get_many(_keys(email, address))
    return any(count >= settings.LOGIN_MAX_FAILURES for count in counts.values())


def login_failure_record(*, email: str, address: str | None) -> None:
    for key in _keys(email, address):
        cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def login_failures_clear(*, email: str) -> None:
    cache.delete(f"{_PREFIX}:email:{email.strip().lower()}")
