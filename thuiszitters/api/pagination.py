"""``limit``/``offset`` pagination of every API list, strict about its two parameters.

``limit`` is 1 to ``MAX_LIMIT`` (default ``PAGE_SIZE``, 50) and ``offset`` 0 to
``MAX_OFFSET``. Anything else (not a whole number, negative, too large, empty) is a 400 on
that parameter, never a silent default or clamp: a client asking for 1000 rows and getting
200 would think it has everything. The offset bound keeps ``offset + limit`` inside a 32-bit
integer on every database; no list of this system comes near it.
"""

import re

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination, serializers

from thuiszitters.pagination import count_rows, rows_of_page

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000

_WHOLE_NUMBER = re.compile(r"[0-9]{1,12}")


def _bounded(request, name: str, default: int, low: int, high: int) -> int:
    if name not in request.query_params:
        return default
    text = request.query_params[name]
    if _WHOLE_NUMBER.fullmatch(text) and low <= int(text) <= high:
        return int(text)
    raise serializers.ValidationError(
        {
            name: [
                _("Geef een geheel getal van %(low)s tot en met %(high)s.")
                % {"low": low, "high": high}
            ]
        }
    )


class ApiPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT
    # DRF's own defaults are lazy translations too; the stubs declare a plain str.
    limit_query_description = _(  # type: ignore[assignment]
        "Results per page: 1 to %(max)s (default %(default)s). More than %(max)s is an "
        "error 400 on `limit`, never silently cut to the maximum."
    )
    offset_query_description = _(  # type: ignore[assignment]
        "Index of the first result (0 is the first), at most %(max)s."
    )

    def paginate_queryset(self, queryset, request, view=None):
        """A page in two steps (``rows_of_page``), as the HTML lists are; the count over
        the ids only, without the ordering and the annotations. A view with ``rows_of(ids)``
        reads the page's rows by their ids with it; one with ``list_key()`` (everything the
        queryset's SQL depends on, or None) compiles the count and the ids once per key."""
        if not _plain(queryset):
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request)
        key = view.list_key() if hasattr(view, "list_key") else None
        self.count = count_rows(queryset, key=key)
        self.offset = self.get_offset(request)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.count == 0 or self.offset > self.count:
            return []
        rows = getattr(view, "rows_of", None)
        return list(rows_of_page(queryset, self.offset, self.offset + self.limit, rows, key))

    def get_limit(self, request):
        return _bounded(request, self.limit_query_param, self.default_limit, 1, MAX_LIMIT)

    def get_offset(self, request):
        return _bounded(request, self.offset_query_param, 0, 0, MAX_OFFSET)

    def get_schema_operation_parameters(self, view):
        limit, offset = super().get_schema_operation_parameters(view)
        limit["description"] = str(self.limit_query_description) % {
            "max": MAX_LIMIT,
            "default": self.default_limit,
        }
        limit["schema"].update(minimum=1, maximum=MAX_LIMIT, default=self.default_limit)
        offset["description"] = str(self.offset_query_description) % {"max": MAX_OFFSET}
        offset["schema"].update(minimum=0, maximum=MAX_OFFSET, default=0)
        return [limit, offset]


def _plain(queryset) -> bool:
    """A model queryset whose ids can be paged apart from its rows (no DISTINCT, GROUP BY
    or set operation, which would change what an id stands for)."""
    return (
        isinstance(queryset, QuerySet)
        and not queryset.query.distinct
        and queryset.query.group_by is None
        and not queryset.query.combinator
    )
