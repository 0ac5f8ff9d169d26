"""Pages of the HTML lists that count no further than they must."""

from collections.abc import Callable
from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_BOUND = 1000


# ``rows(ids)``: those rows with what the page shows of them, in any order. Given only ids
# just read from the list's scoped, filtered query, so it need not apply the scope again.
RowsOf = Callable[[list[Any]], QuerySet]


def rows_of_page(
    queryset: QuerySet, start: int, stop: int, rows: RowsOf | None = None
) -> QuerySet | list[Any]:
    """Rows ``start:stop`` of ``queryset`` in two steps: their ids (a narrow, ordered query
    that PostgreSQL can sort cheaply), then those rows with their joins and annotations, in
    the same order. In one query the planner joined every row of a large scope (at 100,000
    pupils: the pupils table) before it sorted and cut the page (issue 14).

    Without ``rows`` the second step is ``queryset`` narrowed to the ids, which compiles and
    plans the scope and the filters a second time; with it, only the rows by primary key."""
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
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
    ``rows``: how to read a page's rows by their ids (``rows_of_page``)."""

    def __init__(
        self,
        object_list,
        per_page,
        *,
        number=None,
        bound: int | None = None,
        rows: RowsOf | None = None,
    ):
        super().__init__(object_list, per_page)
        self.rows = rows
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
        # COUNT(*) over a subquery with LIMIT, without the list's ORDER BY (which would sort
        # the whole scope first) or its annotations: PostgreSQL stops at the limit.
        return self._queryset.order_by().values("pk")[: self.limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.limit)

    def page(self, number):
        """The page's rows in two steps (``rows_of_page``)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        return self._get_page(rows_of_page(self._queryset, bottom, top, self.rows), number, self)

    @property
    def bounded(self) -> bool:
        """There are more rows than ``count``."""
        return self._counted > self.limit
