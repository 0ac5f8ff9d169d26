"""Work lists: "my work" (my cases, my actions, due aftercare check-ins), the case list of the
SWV, the municipality and the school with filters and sorting, and the home page's summary.

Every row comes from the scoping selectors (``cases_visible_to`` and the work selectors);
the list annotates what its table shows, so a page costs the same queries for 1 or 50 rows.
"""

import datetime

from django import forms
from django.core.paginator import Paginator
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Value, When
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models import AbsenceKind
from thuiszitters.access import has_capability
from thuiszitters.roles import Capability
from thuiszitters.selectors import organisations_visible_to, schools_visible_to

from ..selectors import (
    case_has_overdue_action,
    case_has_report_kind,
    case_report_kinds,
    cases_annotate_for_list,
    cases_awaiting_consent,
    cases_visible_to,
    due_check_ins,
    my_actions,
    my_cases,
)
from ..workflow import Phase

PAGE_SIZE = 50
WORK_ITEMS_SHOWN = 200

# sort key -> order_by; "-key" reverses.
SORTS = {
    "clock_start": ["clock_start", "id"],
    "weeks": ["clock_start", "id"],
    "phase": ["phase_order", "clock_start", "id"],
    "pupil": ["pupil__surname", "pupil__given_names", "id"],
    "school": ["school__name", "clock_start", "id"],
}
SORT_LABELS = {
    "clock_start": _("start van de klok"),
    "weeks": _("weken thuis"),
    "phase": _("fase"),
    "pupil": _("naam leerling"),
    "school": _("school"),
}


def _require_personal_data(user) -> None:
    """Roles without sight of personal data do not learn that these pages exist."""
    if not has_capability(user, Capability.VIEW_PERSONAL_DATA):
        raise Http404


def _require_worker(user) -> None:
    if not (
        has_capability(user, Capability.WORK_CASES)
        or has_capability(user, Capability.VIEW_PERSONAL_DATA)
    ):
        raise Http404


def weeks_since(day, today) -> int:
    return max((today - day).days // 7, 0)


def _with_weeks(cases, today):
    rows = list(cases)
    for case in rows:
        case.weeks = weeks_since(case.clock_start, today)
        case.report_kinds = [label for _value, label in case_report_kinds(case)]
    return rows


def my_work(request):
    """My open cases, my open actions (overdue first), and the check-ins that are due."""
    user = request.user
    _require_worker(user)
    today = timezone.localdate()
    cases = _with_weeks(
        cases_annotate_for_list(my_cases(user), user, on=today).order_by("clock_start", "id")[
            :WORK_ITEMS_SHOWN
        ],
        today,
    )
    actions = list(my_actions(user)[:WORK_ITEMS_SHOWN])
    # Overdue first (the selector orders by due date, which already puts them first; keep
    # that explicit so a later change of the selector's order does not bury them).
    actions.sort(key=lambda a: (not a.is_overdue, a.due_on, a.pk))
    check_ins = list(due_check_ins(user, on=today)[:WORK_ITEMS_SHOWN])
    return render(
        request,
        "cases/lists/my_work.html",
        {
            "awaiting_consent": list(cases_awaiting_consent(user)[:WORK_ITEMS_SHOWN]),
            "cases": cases,
            "actions": actions,
            "overdue_count": sum(1 for a in actions if a.is_overdue),
            "check_ins": check_ins,
            "today": today,
        },
    )


def work_summary(request):
    """The three counts of "my work" for the home page (an htmx partial, or a small page)."""
    user = request.user
    _require_worker(user)
    today = timezone.localdate()
    summary = {
        "open_cases": my_cases(user).count(),
        "overdue_actions": my_actions(user).filter(due_on__lt=today).count(),
        "due_check_ins": due_check_ins(user, on=today).count(),
    }
    template = "cases/lists/_work_summary.html" if request.htmx else "cases/lists/work_summary.html"
    return render(request, template, summary)


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Open of gesloten"),
        required=False,
        choices=[("open", _("Open")), ("closed", _("Gesloten")), ("all", _("Alle"))],
        initial="open",
    )
    phase = forms.MultipleChoiceField(
        label=_("Fase"),
        required=False,
        choices=Phase.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(
        label=_("Soort verzuim"),
        required=False,
        choices=[("", _("Alle soorten")), *AbsenceKind.choices],
    )
    school = forms.ModelChoiceField(
        label=_("School"), required=False, queryset=None, empty_label=_("Alle scholen")
    )
    lead = forms.ModelChoiceField(
        label=_("Casusregie bij"),
        required=False,
        queryset=None,
        empty_label=_("Alle organisaties"),
    )
    weeks_min = forms.IntegerField(
        label=_("Minstens zoveel weken thuis"), required=False, min_value=0, max_value=520
    )
    overdue = forms.BooleanField(label=_("Alleen met verlopen acties"), required=False)
    sort = forms.ChoiceField(
        label=_("Sorteren op"),
        required=False,
        choices=[
            (f"{prefix}{key}", f"{label} ({direction})")
            for key, label in SORT_LABELS.items()
            for prefix, direction in (("", _("oplopend")), ("-", _("aflopend")))
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools_visible_to(user).order_by("name", "id")
        self.fields["lead"].queryset = organisations_visible_to(user).order_by("name", "id")


def _phase_order():
    return SqlCase(
        *[When(phase=value, then=Value(i)) for i, value in enumerate(Phase.values)],
        output_field=IntegerField(),
    )


def case_list_filter(cases, data: dict, user, today):
    """Apply the list's filters (``CaseFilterForm.cleaned_data``) to scoped cases."""
    status = data.get("status") or "open"
    if status == "open":
        cases = cases.filter(closed_at__isnull=True)
    elif status == "closed":
        cases = cases.filter(closed_at__isnull=False)
    if data.get("phase"):
        cases = cases.filter(phase__in=data["phase"])
    if data.get("kind"):
        cases = cases.filter(case_has_report_kind(user, data["kind"]))
    if data.get("school"):
        cases = cases.filter(school_id=data["school"].pk)
    if data.get("lead"):
        cases = cases.filter(lead_organisation_id=data["lead"].pk)
    if data.get("weeks_min") is not None:
        cases = cases.filter(clock_start__lte=today - datetime.timedelta(weeks=data["weeks_min"]))
    if data.get("overdue"):
        cases = cases.filter(case_has_overdue_action(today))
    return cases


def case_list_sort(cases, sort: str):
    key = sort.lstrip("-") if sort else "clock_start"
    if key not in SORTS:
        key, sort = "clock_start", "clock_start"
    descending = sort.startswith("-")
    order = SORTS[key]
    if key == "weeks":  # more weeks missing is an earlier clock start
        descending = not descending
    if key == "phase":
        cases = cases.annotate(phase_order=_phase_order())
    if descending:
        order = [f"-{f}" for f in order]
    return cases.order_by(*order)


def case_list(request):
    """The cases the user may see, filtered and sorted; 50 a page."""
    user = request.user
    _require_personal_data(user)
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = CaseFilterForm(data, user=user)
    cases = cases_visible_to(user)
    sort = ""
    if form.is_valid():
        cases = case_list_filter(cases, form.cleaned_data, user, today)
        sort = form.cleaned_data["sort"]
    else:
        cases = cases.none()  # show the errors, never an unfiltered list by surprise
    cases = case_list_sort(cases_annotate_for_list(cases, user, on=today), sort)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _with_weeks(page.object_list, today)
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    current = sort or "clock_start"
    sort_links = {
        key: {
            "query": sort_query.urlencode(),
            "value": f"-{key}" if current == key else key,
            "active": current.lstrip("-") == key,
            "descending": current.startswith("-"),
        }
        for key in SORTS
    }
    return render(
        request,
        "cases/lists/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "sort_links": sort_links,
            "filtered": bool(set(request.GET) - {"page", "sort", "status"})
            or request.GET.get("status", "open") != "open",
        },
    )
