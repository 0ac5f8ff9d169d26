"""Filters shared by the pages and the API: one FilterSet per list.

A list's FilterSet lives in its app's ``filters.py``; the API's viewset names it as its
``filterset_class`` and the page binds it to ``request.GET`` and renders its form. A page
that shows fewer filters than the API passes ``only=[...]``; one that needs other widgets or
parameter names (bookmarks of the page) uses a subclass. The labels are the page's (Dutch,
translated); a help text is shown on the page and is the parameter's description in the API
schema.

Date ranges have one meaning everywhere: "from" and "until" both include the day itself
(``DayFromFilter`` and ``DayUntilFilter``), on a date as on a timestamp.
"""

import datetime
from collections import OrderedDict
from collections.abc import Collection, Hashable, Iterable
from typing import Any, ClassVar

import django_filters
import django_filters.fields
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from .models import AuditAction, AuditLogEntry, AuditOutcome, OrganisationKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _is_timestamp(queryset: QuerySet, field_name: str | None) -> bool:
    if field_name is None:  # (set by the FilterSet from the attribute's name)
        return False
    try:
        field = queryset.model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.DateTimeField)


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class _DayFilter(django_filters.DateFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DATE_INPUT)
        kwargs.setdefault("help_text", _("De dag zelf telt mee."))
        super().__init__(*args, **kwargs)


class DayFromFilter(_DayFilter):
    """From this day on, the day itself included (``YYYY-MM-DD``)."""

    def filter(self, qs: QuerySet, value: datetime.date | None) -> QuerySet:
        if value is None or value in EMPTY_VALUES:
            return qs
        bound = _start_of(value) if _is_timestamp(qs, self.field_name) else value
        return qs.filter(**{f"{self.field_name}__gte": bound})


class DayUntilFilter(_DayFilter):
    """Up to and including this day (``YYYY-MM-DD``): on a timestamp, before the next day."""

    def filter(self, qs: QuerySet, value: datetime.date | None) -> QuerySet:
        if value is None or value in EMPTY_VALUES:
            return qs
        if _is_timestamp(qs, self.field_name):
            next_day = _start_of(value + datetime.timedelta(days=1))
            return qs.filter(**{f"{self.field_name}__lt": next_day})
        return qs.filter(**{f"{self.field_name}__lte": value})


class DayRangeForm(forms.Form):
    """A FilterSet's form that refuses a day range whose end lies before its start."""

    day_ranges: ClassVar[list[tuple[str, str]]] = []

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for start, end in self.day_ranges:
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, _("De einddatum ligt voor de begindatum."))
        return data


class FilterSet(django_filters.FilterSet):
    """A FilterSet for a page and the API. ``only``: the filters a page shows (and applies),
    in that order; the API applies them all."""

    def __init__(self, *args: Any, only: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if only is not None:
            self.filters = OrderedDict((name, self.filters[name]) for name in only)

    def get_form_class(self) -> type[forms.Form]:
        form_class = super().get_form_class()
        # Each "until" pairs with the "from" on its field declared last before it.
        ranges, start = [], {}
        for name, f in self.filters.items():
            if isinstance(f, DayFromFilter):
                start[f.field_name] = name
            elif isinstance(f, DayUntilFilter) and f.field_name in start:
                ranges.append((start[f.field_name], name))
        attrs = {"day_ranges": ranges, "__module__": __name__}
        return type(form_class.__name__, (DayRangeForm, form_class), attrs)


class FilterCheckbox(forms.CheckboxInput):
    """A filter's checkbox: ticked it filters; unticked (absent from the query) it is not
    given at all (None), where Django's checkbox reads False. A list's key of its filters
    (``list_key``) then holds only the filters in use."""

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return None
        return super().value_from_datadict(data, files, name)


class _NameChoiceIterator(django_filters.fields.ModelChoiceIterator):
    """The options as (id, name) from one ``values_list`` query: a region's schools and
    organisations as a filter's options need no model instances (docs/performance.md). A
    field with ``options`` reads them from that query (compiled once, ADR 0028)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        options = getattr(self.field, "options", None)
        yield from options() if options else self.queryset.values_list("pk", "name")


class _NameChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _NameChoiceIterator


class OrganisationChoiceFilter(django_filters.ModelChoiceFilter):
    """An organisation (or school) from a queryset of them, shown by its name; the value is
    still validated against the queryset and filtered on as a model instance.

    ``options(user)``: the same organisations as (id, name) rows in the queryset's order,
    when a query kept per scope (``precompiled_per_memberships``) can read them: the
    options of two such filters took a millisecond of every view of the case list."""

    field_class = _NameChoiceField

    def __init__(self, *args: Any, options=None, **kwargs: Any) -> None:
        self.options = options
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        if self.options is not None:
            user = self.get_request().user
            field.options = lambda: self.options(user)
        return field


def filtered(filterset: django_filters.FilterSet) -> QuerySet:
    """The page's rows: none while a filter is invalid (the form shows the errors; never an
    unfiltered list by surprise)."""
    if filterset.is_bound and not filterset.is_valid():
        # (The FilterSet sets its queryset from the model when none is given.)
        return filterset.queryset.none()  # type: ignore[union-attr]
    return filterset.qs


def list_key(
    filterset: django_filters.FilterSet | None, kept: Collection[str], *scope: Hashable
) -> tuple | None:
    """A key of a list's SQL (``kept_sql``): ``scope`` (what the list's queryset was built
    from: the list, the scope's key, the day) and what ``filterset`` filters on, when every
    filter given a value is among ``kept``, filters whose SQL depends on their value alone
    (a choice, an id, yes or no). None for anything else: an invalid form, a search text
    (which may be a BSN, and is not kept in memory) or a filter that reads the date itself.
    """
    if filterset is None or not filterset.is_bound:
        return (*scope, ())
    if not filterset.is_valid():
        return None
    given = []
    for name, value in filterset.form.cleaned_data.items():
        if name not in filterset.filters or value in EMPTY_VALUES:
            continue  # not applied
        if name not in kept:
            return None
        if isinstance(value, models.Model):
            value = (value._meta.label, value.pk)
        elif isinstance(value, list | tuple):
            value = tuple(value)
        elif not isinstance(value, str | int | bool):
            return None
        given.append((name, value))
    return (*scope, tuple(given))


# --- the core's lists --------------------------------------------------------------------


class OrganisationFilter(FilterSet):
    """``/api/v1/organisations/`` and the organisation list page."""

    kind = django_filters.ChoiceFilter(
        label=_("Soort"), choices=OrganisationKind.choices, empty_label=_("Alle soorten")
    )


class AuditLogFilter(FilterSet):
    """``/api/v1/audit-log/`` and the audit log page (which leaves out ``actor`` and
    ``organisation``: ids for programs)."""

    actor_email = django_filters.CharFilter(
        label=_("Gebruiker (e-mail)"), lookup_expr="icontains", max_length=254
    )
    action = django_filters.ChoiceFilter(
        label=_("Actie"), choices=AuditAction.choices, empty_label=_("Alle")
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Uitkomst"), choices=AuditOutcome.choices, empty_label=_("Alle")
    )
    object_type = django_filters.CharFilter(label=_("Soort gegeven"), max_length=100)
    object_id = django_filters.CharFilter(label=_("Id van het gegeven"), max_length=64)
    since = DayFromFilter(field_name="timestamp", label=_("Vanaf"))
    until = DayUntilFilter(field_name="timestamp", label=_("Tot en met"))

    class Meta:
        model = AuditLogEntry
        fields = ["actor", "organisation"]
