"""Statements of batch jobs over thousands of rows (the sweep), on PostgreSQL (ADR 0026).

With the parameters bound on the server, ``IN (%s, %s, ...)`` sends each value as a
parameter of its own, which PostgreSQL parses and types one by one: a sweep batch of 2,000
cases and 2,000 keys is 4,001 parameters. Inside ``batch_statements()`` a long list goes as
one array (``= ANY(%s)``), and no statement is prepared, so PostgreSQL plans each for its
values: a prepared ``= ANY($1)`` gets a generic plan that assumes a short array (ten times
slower on a batch; docs/performance.md). Pages keep ``IN`` and their generic plans. SQLite is
unchanged.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.db.models import Field, lookups
from django.db.models.expressions import ColPairs  # type: ignore[attr-defined]  # not in stubs
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedIn

# Shorter lists stay IN (a page's ids, a handful of organisations).
ARRAY_FROM = 200

_active: ContextVar[bool] = ContextVar("batch_statements", default=False)


@contextmanager
def batch_statements() -> Iterator[None]:
    """Long ``__in`` lists as one array, and no statement prepared, until the end."""
    if connection.vendor != "postgresql" or _active.get():
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    threshold = raw.prepare_threshold
    # Unprepared, each statement is planned for its values. Not by plan_cache_mode: that
    # would also re-plan the foreign-key checks at every commit (10 s more in a catch-up).
    raw.prepare_threshold = None
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)
        raw.prepare_threshold = threshold


class _ArrayInMixin:
    """``lhs = ANY(%s)`` with one array inside a batch; Django's own ``IN`` otherwise (a
    short list, expressions in the list, a composite key)."""

    def as_postgresql(self, compiler, connection):
        if (
            _active.get()
            and self.rhs_is_direct_value()
            and len(self.rhs) >= ARRAY_FROM
            and not isinstance(self.lhs, ColPairs)
        ):
            rhs_sql, rhs_params = self.process_rhs(compiler, connection)
            if rhs_sql == "(" + ", ".join(["%s"] * len(rhs_params)) + ")":
                lhs_sql, lhs_params = self.process_lhs(compiler, connection)
                return f"{lhs_sql} = ANY(%s)", (*lhs_params, list(rhs_params))
        return self.as_sql(compiler, connection)


class ArrayIn(_ArrayInMixin, lookups.In):
    pass


class RelatedArrayIn(_ArrayInMixin, RelatedIn):
    pass


def register_lookups() -> None:
    Field.register_lookup(ArrayIn)
    ForeignObject.register_lookup(RelatedArrayIn)
