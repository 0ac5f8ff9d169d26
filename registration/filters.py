"""The filters of the pupil and report lists, shared by the pages and the API
(``thuiszitters.filters``: one FilterSet per list, date ranges include both days)."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from thuiszitters.filters import DayFromFilter, DayUntilFilter, FilterSet

from .models import AbsenceKind, AbsenceReport, Pupil
from .selectors import pupil_search


class PupilFilter(FilterSet):
    """``/api/v1/pupils/`` and the pupil list (which shows the search ``q`` only)."""

    q = django_filters.CharFilter(
        label=_("Zoeken"),
        method="filter_q",
        max_length=200,
        help_text=_("Naam, BSN of geboortedatum (dd-mm-jjjj)."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    surname = django_filters.CharFilter(label=_("Achternaam"), lookup_expr="iexact")

    class Meta:
        model = Pupil
        # No ``bsn``: a BSN never travels in a URL (POST /api/v1/pupils/search/).
        fields = ["surname", "date_of_birth", "municipality"]

    def filter_q(self, queryset: QuerySet[Pupil], name: str, value: str) -> QuerySet[Pupil]:
        return pupil_search(queryset, value)


class AbsenceReportFilter(FilterSet):
    """``/api/v1/absence-reports/``; the report list page uses ``AbsenceReportListFilter``."""

    kind = django_filters.ChoiceFilter(
        label=_("Soort verzuim"), choices=AbsenceKind.choices, empty_label=_("Alle soorten")
    )
    reported_on_after = DayFromFilter(field_name="reported_on", label=_("Gemeld vanaf"))
    reported_on_before = DayUntilFilter(field_name="reported_on", label=_("Gemeld tot en met"))
    pupil = django_filters.NumberFilter(field_name="pupil_id", label=_("Leerling (id)"))

    class Meta:
        model = AbsenceReport
        fields: list[str] = []


class AbsenceReportListFilter(AbsenceReportFilter):
    """The report list page: the API's kind and day range, under the page's own parameter
    names ``since`` and ``until`` (its links and bookmarks)."""

    since = DayFromFilter(field_name="reported_on", label=_("Gemeld vanaf"))
    until = DayUntilFilter(field_name="reported_on", label=_("Gemeld tot en met"))
