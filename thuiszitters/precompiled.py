"""Querysets whose SQL is compiled once per process (ADR 0028).

Django compiles a queryset's SQL at every evaluation. For the small fixed-shape queries of a
case's sections that took longer than PostgreSQL took to answer them (0.3-0.8 ms against
0.1-0.3 ms each, issue 14). ``precompiled`` builds such a queryset once with stand-in ids,
compiles it once per database, and from then on only puts the real ids into the kept
parameters.

The kept SQL answers only when the queryset is evaluated as it was returned (iterated,
listed). Anything that derives another queryset from it (``filter``, ``order_by``,
``count``, ``first``, ``exists``, slicing) gets a plain Django query again, compiled as
usual: no derived query can run with the SQL of another shape.
"""

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql import Query

_Q = TypeVar("_Q", bound=QuerySet)
_R = TypeVar("_R", bound=tuple)

# Stand-ins for the ids while compiling: no primary key takes a negative value. Two sets,
# so that a builder whose SQL depends on the values (and not only on where they go) is
# refused when it is first used instead of answering with another query's SQL.
# Up to 200 ids: a page of the API (``MAX_LIMIT``) by its ids.
_STAND_INS = (
    tuple(-2_000_000_011 - 7 * i for i in range(200)),
    tuple(-1_000_000_009 - 11 * i for i in range(200)),
)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position in params, index of the id)
    state: dict[str, Any]  # what ``as_sql`` leaves on the compiler for the iterables
    names: tuple[str, ...]  # the columns' names, as a values() query names them
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, its field)


# What SQLCompiler.as_sql() sets up and the iterables then read (Django 5.2).
_COMPILER_STATE = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")


class _PrecompiledQuery(Query):
    """A Query that compiles to kept SQL; any copy of it is a plain Query again."""

    _precompiled: tuple[_Compiled, Callable[[], QuerySet], tuple[int, ...]]

    def clone(self):
        # The kept query holds the stand-ins: a derived one is built from the real ids.
        _compiled, rebuild, _ids = self._precompiled
        return rebuild().query.clone()

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        compiled, _rebuild, ids = self._precompiled
        params = list(compiled.params)
        for position, index in compiled.slots:
            params[position] = ids[index]
        compiler.__dict__.update(compiled.state)
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, tuple(params))
        return compiler


def _compile(queryset: QuerySet, stand_ins: tuple[int, ...]) -> _Compiled:
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # e.g. a scope that grants nothing: kept as "no rows", as Django
        sql, params = "", ()
    slots = tuple(
        (position, stand_ins.index(value))
        for position, value in enumerate(params)
        if type(value) is int and value in stand_ins
    )
    state = {name: getattr(compiler, name) for name in _COMPILER_STATE}
    query = queryset.query
    names = tuple(query.selected or ())  # values()' names in the SELECT's order (Django 5.2)
    columns = [column[0] for column in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, tuple(found), expression)
        for position, (found, expression) in compiler.get_converters(columns).items()
    )
    return _Compiled(sql, tuple(params), slots, state, names, converters)


# Shapes kept per builder (its other arguments): a scope's holds about 60 KiB.
KEPT_SHAPES = 128


def precompiled(build: Callable[..., _Q]) -> Callable[..., _Q]:
    """``build(*args)`` -> a queryset whose shape depends on nothing but where its integer
    arguments (ids) go and on its other, hashable arguments (a scope's key, a day, a class):
    no dates read inside, no settings, no branches on an id's value. Each call returns a
    queryset of the kept shape with these ids; its SQL compiles once per shape and database
    alias. Every id must reach the SQL as a parameter: a builder that drops one, or whose SQL
    changes with their values, is refused at its first use."""
    kept: OrderedDict[tuple[Any, ...], tuple[QuerySet, _Compiled]] = OrderedDict()
    lock = threading.Lock()

    def with_ids(args: tuple[Any, ...], ids: tuple[int, ...]) -> list[Any]:
        given = iter(ids)
        return [next(given) if type(a) is int else a for a in args]

    def compile_shape(args: tuple[Any, ...], arity: int) -> tuple[QuerySet, _Compiled]:
        stand_ins, others = _STAND_INS[0][:arity], _STAND_INS[1][:arity]
        template = build(*with_ids(args, stand_ins))
        compiled = _compile(template, stand_ins)
        check = _compile(build(*with_ids(args, others)), others)
        if (compiled.sql, compiled.slots) != (check.sql, check.slots) or (
            compiled.sql and {index for _p, index in compiled.slots} != set(range(arity))
        ):
            raise ImproperlyConfigured(
                f"{build.__qualname__}: its SQL must hold every id as a parameter and not "
                "depend on their values."
            )
        return template, compiled

    @functools.wraps(build)
    def call(*args: Any) -> _Q:
        ids = tuple(a for a in args if type(a) is int)
        if len(ids) > len(_STAND_INS[0]):
            raise TypeError(f"{build.__qualname__}: at most {len(_STAND_INS[0])} ids")
        shape = tuple(int if type(a) is int else a for a in args)
        with lock:
            found = kept.get(shape)
            if found is not None:
                kept.move_to_end(shape)
        if found is None:
            found = compile_shape(args, len(ids))
            with lock:
                kept[shape] = found
                while len(kept) > KEPT_SHAPES:
                    kept.popitem(last=False)
        template, compiled = found
        queryset = template.all()
        query = cast(_PrecompiledQuery, queryset.query)
        query.__class__ = _PrecompiledQuery
        query._precompiled = (compiled, functools.partial(build, *args), ids)
        return cast(_Q, queryset)

    return call


def precompiled_rows(
    record: type[_R],
) -> Callable[[Callable[..., QuerySet]], Callable[..., list[_R]]]:
    """``precompiled`` for rows that are only shown: ``build(*args)`` returns a ``values()``
    or ``values_list()`` queryset whose columns are ``record``'s fields, in order (a
    ``NamedTuple``: model fields first, then expressions); each call returns a list of
    ``record``, read by the kept SQL through Django's cursor (counted, wrapped and logged as
    any query) with the database's converters applied, as Django's ``values_list`` would
    return them. Django's own path costs 40-60 microseconds a query and a model instance
    3-6 microseconds a row (issue 14); a record costs a fraction of one. Columns that are
    not the record's fields, or in another order, are refused at the first call."""

    def decorate(build: Callable[..., QuerySet]) -> Callable[..., list[_R]]:
        kept = precompiled(build)

        @functools.wraps(build)
        def call(*args: Any) -> list[_R]:
            queryset = kept(*args)
            compiled, _rebuild, ids = cast(_PrecompiledQuery, queryset.query)._precompiled
            if compiled.names != record._fields:  # type: ignore[attr-defined]
                raise ImproperlyConfigured(
                    f"{build.__qualname__}: columns {compiled.names} are not the fields "
                    f"of {record.__name__} {record._fields}."  # type: ignore[attr-defined]
                )
            if not compiled.sql:
                return []
            params = list(compiled.params)
            for position, index in compiled.slots:
                params[position] = ids[index]
            connection = connections[queryset.db]
            with connection.cursor() as cursor:
                cursor.execute(compiled.sql, params)
                rows = cursor.fetchall()
            make = record._make  # type: ignore[attr-defined]
            if not compiled.converters:
                return [make(row) for row in rows]
            return [make(_converted(row, compiled.converters, connection)) for row in rows]

        return call

    return decorate


def _converted(row, converters, connection) -> list[Any]:
    values = list(row)
    for position, found, expression in converters:
        value = values[position]
        for converter in found:
            value = converter(value, expression, connection)
        values[position] = value
    return values


# The SQL of lists' counts and pages of ids, per list, filters and page (``kept_sql``): a few
# KiB each.
KEPT_SQL = 512
_kept_sql: OrderedDict[Hashable, tuple[str, tuple[Any, ...]] | None] = OrderedDict()
_kept_sql_lock = threading.Lock()


def kept_sql(
    key: Hashable, queryset: Callable[[], QuerySet], using: str = DEFAULT_DB_ALIAS
) -> tuple[str, tuple[Any, ...]] | None:
    """The SQL and parameters of ``queryset()`` on the database ``using``, compiled at the
    first call with ``key`` and then kept in the process (``KEPT_SQL`` keys, the least
    recently used out first); None for a query that matches nothing (``EmptyResultSet``).
    For a list's count and its page of ids, whose compiling took as long as PostgreSQL took
    to answer them (issue 14).

    ``key`` must hold everything the SQL and its parameters depend on: the scope's key (a
    kept scope, ``kept_per_memberships``), the day, the list's filters and the page. A key
    that leaves something out answers with another query's rows, so the callers build it
    from the same values they build the queryset from (``thuiszitters.pagination``)."""
    key = (using, key)
    with _kept_sql_lock:
        if key in _kept_sql:
            _kept_sql.move_to_end(key)
            return _kept_sql[key]
    built = queryset()
    try:
        compiled: tuple[str, tuple[Any, ...]] | None = built.query.get_compiler(using).as_sql()
    except EmptyResultSet:
        compiled = None
    with _kept_sql_lock:
        _kept_sql[key] = compiled
        while len(_kept_sql) > KEPT_SQL:
            _kept_sql.popitem(last=False)
    return compiled
