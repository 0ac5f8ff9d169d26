"""Pages of the HTML lists that count no further than they must."""

from collections.abc import Callable, Hashable
from typing import Any, cast

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

from .precompiled import kept_sql

COUNT_BOUND = 1000


# ``rows(ids)``: those rows with what the page shows of them, in any order. Given only ids
# just read from the list's scoped, filtered query, so it need not apply the scope again.
RowsOf = Callable[[list[Any]], QuerySet]


def _run(compiled: tuple[str, tuple[Any, ...]] | None, using: str) -> list[tuple[Any, ...]]:
    if compiled is None:  # a query that matches nothing
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(*compiled)
        return cursor.fetchall()


def count_rows(queryset: QuerySet, limit: int | None = None, key: Hashable = None) -> int:
    """``queryset``'s rows, counted up to ``limit`` (all without), over their ids only: without
    the list's ordering (which would sort the whole scope first) or its annotations. With a
    ``key`` (``kept_sql``: everything the queryset's SQL depends on) the SQL is compiled once
    per key."""

    def ids() -> QuerySet:
        narrow = queryset.order_by().values("pk")
        return narrow if limit is None else narrow[:limit]

    if key is None:
        return ids().count()
    compiled = kept_sql((key, "count", limit), ids, queryset.db)
    if compiled is None:
        return 0
    sql, params = compiled
    # As Django counts a sliced query: COUNT(*) over it as a subquery.
    counted = f"SELECT COUNT(*) FROM ({sql}) counted"  # noqa: S608 - Django's SQL, parameters apart
    return _run((counted, params), queryset.db)[0][0]


def ids_of_page(queryset: QuerySet, start: int, stop: int, key: Hashable = None) -> list[Any]:
    """The primary keys of rows ``start:stop`` of ``queryset``, in its order; with a ``key``
    (as ``count_rows``) the SQL is compiled once per key and page."""

    def ids() -> QuerySet:
        return queryset.values_list("pk", flat=True)[start:stop]

    if key is None:
        return list(ids())
    compiled = kept_sql((key, "ids", start, stop), ids, queryset.db)
    return [row[0] for row in _run(compiled, queryset.db)]


def rows_of_page(
    queryset: QuerySet,
    start: int,
    stop: int,
    rows: RowsOf | None = None,
    key: Hashable = None,
) -> QuerySet | list[Any]:
    """Rows ``start:stop`` of ``queryset`` in two steps: their ids (a narrow, ordered query
    that PostgreSQL can sort cheaply), then those rows with their joins and annotations, in
    the same order. In one query the planner joined every row of a large scope (at 100,000
    pupils: the pupils table) before it sorted and cut the page (issue 14).

    Without ``rows`` the second step is ``queryset`` narrowed to the ids, which compiles and
    plans the scope and the filters a second time; with it, only the rows by primary key.
    ``key``: as ``ids_of_page``."""
    ids = ids_of_page(queryset, start, stop, key)
    if rows is None:
        return queryset.filter(pk__in=ids)
    found = {row.pk: row for row in rows(ids)} if ids else {}
    return [found[pk] for pk in ids if pk in found]


class BoundedPaginator(Paginator):
    """Counts up to ``bound`` rows, or up to one page past the page asked for, whichever is
    more. A region-wide list (leerplicht sees every pupil of its municipalities: 100,000)
    then counts at most that many index entries per view instead of all of them; the page
    says "more than 1,000" and keeps a link to the next page. ``number``: the page asked for
    (``request.GET["page"]``), as given to ``get_page``. ``object_list`` is a QuerySet;
    ``rows``: how to read a page's rows by their ids (``rows_of_page``); ``key``: everything
    the queryset's SQL depends on, to compile its count and ids once (``kept_sql``)."""

    def __init__(
        self,
        object_list,
        per_page,
        *,
        number=None,
        bound: int | None = None,
        rows: RowsOf | None = None,
        key: Hashable = None,
    ):
        super().__init__(object_list, per_page)
        self.rows = rows
        self.key = key
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError):
            wanted = 1
        self.limit = max(bound or COUNT_BOUND, (wanted + 1) * per_page)

    @property
    def _queryset(self) -> QuerySet:
        return cast(QuerySet, self.object_list)

    @cached_property
    def _counted(self) -> int:
        # COUNT(*) over a subquery with LIMIT: PostgreSQL stops at the limit.
        return count_rows(self._queryset, self.limit + 1, self.key)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.limit)

    def page(self, number):
        """The page's rows in two steps (``rows_of_page``)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        return self._get_page(
            rows_of_page(self._queryset, bottom, top, self.rows, self.key), number, self
        )

    @property
    def bounded(self) -> bool:
        """There are more rows than ``count``."""
        return self._counted > self.limit
