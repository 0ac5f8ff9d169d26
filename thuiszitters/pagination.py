"""Pages of the HTML lists that count no further than they must."""

from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_BOUND = 1000


def rows_of_page(queryset: QuerySet, start: int, stop: int) -> QuerySet:
    """Rows ``start:stop`` of ``queryset`` in two steps: their ids (a narrow, ordered query
    that PostgreSQL can sort cheaply), then those rows with their joins and annotations, in
    the same order. In one query the planner joined every row of a large scope (at 100,000
    pupils: the pupils table) before it sorted and cut the page (issue 14)."""
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
    return queryset.filter(pk__in=ids)


class BoundedPaginator(Paginator):
    """Counts up to ``bound`` rows, or up to one page past the page asked for, whichever is
    more, by reading that many ids in the list's order (the page's ids among them). A
    region-wide list (leerplicht sees every pupil of its municipalities: 100,000) then reads
    at most that many ids per view instead of counting all of them; the page says "more than
    1,000" and keeps a link to the next page. ``number``: the page asked for
    (``request.GET["page"]``), as given to ``get_page``. ``object_list`` is a QuerySet."""

    def __init__(self, object_list, per_page, *, number=None, bound: int | None = None):
        super().__init__(object_list, per_page)
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError):
            wanted = 1
        self.limit = max(bound or COUNT_BOUND, (wanted + 1) * per_page)

    @property
    def _queryset(self) -> QuerySet:
        return cast(QuerySet, self.object_list)

    @cached_property
    def _ids(self) -> list[int]:
        # The list's ids in its order up to the limit, in one narrow query: they give the
        # count and the page's ids at once. A separate count scanned the same filtered join a
        # second time (issue 14); PostgreSQL keeps only the limit's rows in its top-N sort.
        return list(self._queryset.values_list("pk", flat=True)[: self.limit + 1])

    @cached_property
    def _counted(self) -> int:
        return len(self._ids)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.limit)

    def page(self, number):
        """The page's rows: the ids of ``_ids`` in the page, then those rows with their
        joins and annotations, in the list's order (as ``rows_of_page``)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows = self._queryset.filter(pk__in=self._ids[bottom:top])
        return self._get_page(rows, number, self)

    @property
    def bounded(self) -> bool:
        """There are more rows than ``count``."""
        return self._counted > self.limit
