"""Which organisations' aggregates a committed write may have changed.

Figures are cached per scope (``reports.cache``) under a key that holds a generation token
of the scope's organisation and a global one. A service that writes what figures count
(a case, its reports, journal, meetings, goals, escalations, a convenant's targets, a
frozen quarter) calls ``cases_changed`` or ``organisations_changed`` in its transaction;
when that transaction commits, the tokens of the case's SWV, municipality and their region
are replaced, so no cached figures of those scopes are read again. A rolled-back write
changes nothing. ``everything_changed`` replaces the global token (retention, demo data).

A token is random, not a counter: a token that the cache evicted is replaced by a new
one, which misses every entry made under the old, instead of restarting at a number that
old entries still carry.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction

GLOBAL = "figures-generation:all"
# How long a token lives: longer than any cached figures (reports.cache).
TOKEN_SECONDS = 24 * 3600


def organisation_key(organisation_id: int) -> str:
    return f"figures-generation:{organisation_id}"


class _Pending:
    """The organisations marked in one transaction, flushed once when it commits."""

    def __init__(self) -> None:
        self.organisations: set[int] = set()
        self.everything = False

    def __call__(self) -> None:
        keys = [organisation_key(pk) for pk in _with_regions(self.organisations)]
        if self.everything:
            keys.append(GLOBAL)
        if keys:
            cache.set_many({key: uuid.uuid4().hex for key in keys}, TOKEN_SECONDS)


def _pending() -> _Pending:
    """This transaction's pending marks; registered with ``on_commit`` on first use (a
    savepoint rolled back with the registration takes it along, and the next mark
    registers again)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _Pending):
                return callback
    pending = _Pending()
    # Outside a transaction this runs at once; robust: a cache outage must not fail a write
    # that has committed (the figures then age out with their timeout).
    transaction.on_commit(pending, robust=True)
    return pending


def organisations_changed(organisation_ids: Iterable[int | None]) -> None:
    """The aggregates of these organisations (and their regions) change on commit."""
    ids = {pk for pk in organisation_ids if pk is not None}
    if ids:
        pending = _pending()
        pending.organisations |= ids


def cases_changed(cases: Iterable[Any]) -> None:
    """Cases (instances or rows with ``swv_id`` and ``municipality_id``) whose figures change."""
    organisations_changed(
        pk for case in cases for pk in (case.swv_id, getattr(case, "municipality_id", None))
    )


def everything_changed() -> None:
    _pending().everything = True


def generation(organisation_id: int) -> str:
    """The token under which the organisation's figures are cached now (global and own)."""
    keys = [GLOBAL, organisation_key(organisation_id)]
    found = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    if missing:
        for key, token in missing.items():
            # add: another process may have just made one; then read theirs.
            cache.add(key, token, TOKEN_SECONDS)
        found = {**found, **cache.get_many(list(missing))}
    return ".".join(str(found.get(key, "")) or uuid.uuid4().hex for key in keys)


def _with_regions(organisation_ids: set[int]) -> set[int]:
    """The organisations and the regions they belong to (a region's figures count them)."""
    if not organisation_ids:
        return set()
    from .models import Organisation

    regions = Organisation.objects.filter(
        pk__in=organisation_ids, region_id__isnull=False
    ).values_list("region_id", flat=True)
    return organisation_ids | set(regions)
