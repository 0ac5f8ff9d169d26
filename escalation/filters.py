"""The filters of the inbox ("Berichten", ``escalation.views.inbox``): kind, read or not, step,
one case, and whether the page groups the messages per case or lists them one by one.

The queryset is always ``notifications_of(user)``: a filter only narrows the reader's own
messages, so a case number typed in the URL reveals nothing of that case.
"""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from thuiszitters.filters import FilterSet

from .models import Notification, NotificationKind, Step

UNREAD = "unread"
BY_CASE = "case"
BY_MESSAGE = "message"
# ``case=0``: the messages without a case (the group "Algemeen").
GENERAL = 0


class IntegerFilter(django_filters.NumberFilter):
    # django-filter's way to change a filter's form field; the stubs pin it to DecimalField.
    field_class = forms.IntegerField  # type: ignore[assignment]


class NotificationFilter(FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Soort bericht"),
        choices=NotificationKind.choices,
        empty_label=_("Alle soorten"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Gelezen"),
        choices=[("", _("Alle berichten")), (UNREAD, _("Alleen ongelezen"))],
        empty_label=None,
        method="filter_status",
    )
    step = django_filters.ChoiceFilter(
        label=_("Stap"), choices=Step.choices, empty_label=_("Alle stappen")
    )
    # Set by a group's link "alle berichten van deze casus"; the form keeps it hidden.
    case = IntegerFilter(method="filter_case", min_value=GENERAL, widget=forms.HiddenInput)
    view = django_filters.ChoiceFilter(
        label=_("Weergave"),
        choices=[(BY_CASE, _("Per casus")), (BY_MESSAGE, _("Per bericht"))],
        empty_label=None,
        method="filter_view",
    )

    class Meta:
        model = Notification
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(read_at__isnull=True) if value == UNREAD else queryset

    def filter_case(self, queryset: QuerySet, name: str, value: int | None) -> QuerySet:
        if value is None:
            return queryset
        if value == GENERAL:
            return queryset.filter(case_id__isnull=True)
        return queryset.filter(case_id=value)

    def filter_view(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # how the page shows the messages, not which

    def layout(self) -> str:
        """``BY_CASE`` (the default) or ``BY_MESSAGE``; one case's messages come one by one."""
        if not self.is_valid():
            return BY_CASE
        data = self.form.cleaned_data
        if data.get("case") is not None:
            return BY_MESSAGE
        return data.get("view") or BY_CASE

    def case_filter(self) -> int | None:
        """The case chosen by a group's link (``GENERAL`` for "Algemeen"), if valid."""
        return self.form.cleaned_data.get("case") if self.is_valid() else None
