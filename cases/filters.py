"""The filters of the case list, shared by ``/api/v1/cases/`` and the case list page
(``thuiszitters.filters``: one FilterSet per list).

The querysets come from the scoping selectors (``cases_visible_to``); a filter only narrows
them. The page's ``CaseListFilter`` keeps its own parameters where its form needs another
widget or its links another name (``status``, ``lead``, the ``overdue`` checkbox, ``school``
as a choice of the schools the user sees) and adds the sorting.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Case as SqlCase
from django.db.models import F, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models import AbsenceKind
from thuiszitters.access import precompiled_per_memberships
from thuiszitters.filters import FilterCheckbox, FilterSet, OrganisationChoiceFilter
from thuiszitters.models import User
from thuiszitters.selectors import organisations_visible_to, schools_visible_to

from .models import Case
from .selectors import (
    case_has_overdue_action,
    case_has_report_kind,
    case_search,
    cases_annotate_next_step,
)
from .workflow import Phase

# sort key -> order_by; "-key" reverses. "next_step": the list's annotation
# (``cases_annotate_next_step``); cases without a timed step stay last either way.
SORTS = {
    "clock_start": ["clock_start", "id"],
    "weeks": ["clock_start", "id"],
    "phase": ["phase_order", "clock_start", "id"],
    "pupil": ["pupil__surname", "pupil__given_names", "id"],
    "school": ["school__name", "clock_start", "id"],
    "next_step": ["next_step_due", "id"],
}
SORT_LABELS = {
    "clock_start": _("start van de klok"),
    "weeks": _("weken thuis"),
    "phase": _("fase"),
    "pupil": _("naam leerling"),
    "school": _("school"),
    "next_step": _("volgende termijn"),
}


class IntegerFilter(django_filters.NumberFilter):
    # django-filter's way to change a filter's form field; the stubs pin it to DecimalField.
    field_class = forms.IntegerField  # type: ignore[assignment]


class CaseFilter(FilterSet):
    """``/api/v1/cases/`` (the router serves ``escalation.api.EscalationCaseViewSet``)."""

    phase = django_filters.MultipleChoiceFilter(
        label=_("Fase"),
        choices=Phase.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # one phase per case: no duplicate rows to remove
    )
    kind = django_filters.ChoiceFilter(
        label=_("Soort verzuim"),
        choices=AbsenceKind.choices,
        empty_label=_("Alle soorten"),
        method="filter_kind",
    )
    school = django_filters.NumberFilter(field_name="school_id")
    swv = django_filters.NumberFilter(field_name="swv_id")
    municipality = django_filters.NumberFilter(field_name="municipality_id")
    lead_organisation = django_filters.NumberFilter(field_name="lead_organisation_id")
    weeks_min = IntegerFilter(
        label=_("Minstens zoveel weken thuis"),
        method="filter_weeks_min",
        min_value=0,
        max_value=520,
    )
    open = django_filters.BooleanFilter(
        method="filter_open", help_text="`true`: open cases only; `false`: closed cases only."
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="`true`: cases with an open action past its date."
    )

    def filter_kind(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        request = self.request
        if request is None or not isinstance(request.user, User):  # nobody: nothing
            return queryset.none()
        return queryset.filter(case_has_report_kind(request.user, value))

    def filter_weeks_min(self, queryset: QuerySet[Case], name: str, value: int) -> QuerySet[Case]:
        return queryset.filter(
            clock_start__lte=timezone.localdate() - datetime.timedelta(weeks=value)
        )

    def filter_open(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        return queryset.filter(closed_at__isnull=value)

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        has = case_has_overdue_action(timezone.localdate())
        return queryset.filter(has if value else ~has)


def _schools(request):
    return schools_visible_to(request.user).order_by("name", "id")


def _organisations(request):
    return organisations_visible_to(request.user).order_by("name", "id")


# The filters' options, compiled once per scope (ADR 0028): the same rows as the querysets
# above, as (id, name).
@precompiled_per_memberships
def _kept_school_options(user):
    return schools_visible_to(user).order_by("name", "id").values_list("pk", "name")


@precompiled_per_memberships
def _kept_organisation_options(user):
    return organisations_visible_to(user).order_by("name", "id").values_list("pk", "name")


def _phase_order() -> SqlCase:
    return SqlCase(
        *[When(phase=value, then=Value(i)) for i, value in enumerate(Phase.values)],
        output_field=IntegerField(),
    )


def case_list_sort(cases: QuerySet[Case], sort: str) -> QuerySet[Case]:
    key = sort.lstrip("-") if sort else "clock_start"
    if key not in SORTS:
        key, sort = "clock_start", "clock_start"
    descending = sort.startswith("-")
    order = SORTS[key]
    if key == "weeks":  # more weeks missing is an earlier clock start
        descending = not descending
    if key == "phase":
        cases = cases.annotate(phase_order=_phase_order())
    if key == "next_step":
        if "next_step_due" not in cases.query.annotations:  # (a scope without the columns)
            cases = cases_annotate_next_step(cases)
        due = F("next_step_due")
        first = due.desc(nulls_last=True) if descending else due.asc(nulls_last=True)
        return cases.order_by(first, "-id" if descending else "id")
    if descending:
        order = [f"-{f}" for f in order]
    return cases.order_by(*order)


class CaseListFilter(CaseFilter):
    """The case list page: the API's filters with the page's widgets and names, and sorting.
    The view defaults ``status`` to open."""

    # Posted by the page's form: a BSN is answered in the response, never put in a URL.
    q = django_filters.CharFilter(
        label=_("Zoeken"),
        method="filter_q",
        max_length=200,
        help_text=_("Naam van de leerling, casusnummer, BSN of geboortedatum (dd-mm-jjjj)."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Open of gesloten"),
        choices=[("open", _("Open")), ("closed", _("Gesloten")), ("all", _("Alle"))],
        empty_label=None,
        method="filter_status",
    )
    # The page's own filter under the API's name; the queryset is a function of the request.
    school = OrganisationChoiceFilter(  # type: ignore[assignment]
        label=_("School"),
        queryset=_schools,
        options=_kept_school_options,
        empty_label=_("Alle scholen"),
    )
    lead = OrganisationChoiceFilter(
        label=_("Casusregie bij"),
        field_name="lead_organisation",
        queryset=_organisations,
        options=_kept_organisation_options,
        empty_label=_("Alle organisaties"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Alleen met verlopen acties"),
        widget=FilterCheckbox,
        method="filter_overdue_only",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sorteren op"),
        choices=[
            (f"{prefix}{key}", f"{label} ({direction})")
            for key, label in SORT_LABELS.items()
            for prefix, direction in (("", _("oplopend")), ("-", _("aflopend")))
        ],
        empty_label=None,
        method="filter_sort",
    )

    def filter_q(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return case_search(queryset, value)

    def filter_status(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset if value == "all" else self.filter_open(queryset, name, value == "open")

    def filter_overdue_only(
        self, queryset: QuerySet[Case], name: str, value: bool
    ) -> QuerySet[Case]:
        """A ticked box: only cases with an overdue action; no tick: no filter."""
        return self.filter_overdue(queryset, name, True) if value else queryset

    def filter_sort(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return case_list_sort(queryset, value)


class SignalFilter(FilterSet):
    """The preventive list (``signals_visible_to``): which kind of signal, which school."""

    signal = django_filters.ChoiceFilter(
        label=_("Soort signaal"),
        choices=[
            ("at_risk", _("Dreigend verzuim")),
            ("expected", _("School verwacht thuiszitten")),
        ],
        empty_label=_("Alle signalen"),
        method="filter_signal",
    )
    school = OrganisationChoiceFilter(
        label=_("School"),
        queryset=_schools,
        options=_kept_school_options,
        empty_label=_("Alle scholen"),
    )

    def filter_signal(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        # "expected": absence is reported and the school expects a thuiszitter soon.
        if value == "at_risk":
            return queryset.filter(at_risk=True)
        return queryset.filter(at_risk=False, expects_thuiszitter_soon=True)
