"""Work lists: "my work" (my cases, my actions, due aftercare check-ins), the case list of the
SWV, the municipality and the school with filters and sorting, and the home page's summary.

Every row comes from the scoping selectors (``cases_visible_to`` and the work selectors);
the list annotates what its table shows, so a page costs the same queries for 1 or 25 rows.
"""

import datetime

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from registration.search import bsn_in_url_refused, looks_like_bsn, posted_search
from thuiszitters.access import has_capability, scope_key
from thuiszitters.audit import audit_list
from thuiszitters.filters import filtered, list_key
from thuiszitters.pagination import BoundedPaginator
from thuiszitters.precompiled import precompiled
from thuiszitters.roles import Capability

from ..filters import SORTS, CaseListFilter, SignalFilter
from ..models import Case
from ..selectors import (
    case_report_kinds,
    cases_annotate_for_list,
    cases_annotate_next_step,
    cases_awaiting_consent,
    cases_visible_to,
    due_check_ins,
    my_actions,
    my_cases,
    next_step_label,
    signals_visible_to,
)

PAGE_SIZE = 25
WORK_ITEMS_SHOWN = 200
# The page's filters in the order of its form (``CaseListFilter``; the API has more).
CASE_LIST_FILTERS = [
    "q",
    "status",
    "phase",
    "kind",
    "school",
    "lead",
    "weeks_min",
    "overdue",
    "sort",
]
# The page's filters whose SQL depends on their value alone (the others read the date or
# hold a search text): a view with only these compiles its count and ids once (kept_sql).
KEPT_FILTERS = {"status", "phase", "kind", "school", "lead", "sort"}


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


def _with_weeks(cases, today, user):
    """The rows of ``_case_table.jinja``: weeks at home, the kinds of report, and the next
    route step's label and whether it is overdue (``cases_annotate_next_step``)."""
    rows = list(cases)
    kinds = case_report_kinds(user, [case.pk for case in rows])
    for case in rows:
        case.weeks = weeks_since(case.clock_start, today)
        case.report_kinds = kinds.get(case.pk, [])
        case.next_step_label = next_step_label(case.next_step)
        case.next_step_overdue = case.next_step_due is not None and case.next_step_due < today
    return rows


# The columns the rows of the case lists show (``_case_table.jinja``, the signal list): the
# page's query reads no others of the case, its pupil, school and lead.
LIST_COLUMNS = (
    "phase",
    "clock_start",
    "at_risk",
    "pupil__given_names",
    "pupil__surname_prefix",
    "pupil__surname",
    "school__name",
    "lead_organisation__name",
    "lead_user__full_name",
    "lead_user__email",
)


def _annotated(cases, today):
    """What ``_case_table.jinja`` shows, in the page's query."""
    listed = cases_annotate_for_list(cases, on=today).only(*LIST_COLUMNS)
    return cases_annotate_next_step(listed)


# Built and compiled once per day and number of rows: precompiled keeps the queryset too.
@precompiled
def _page_rows(today: datetime.date, *ids: int):
    """A page's rows by their ids, compiled once per day and number of rows (ADR 0028)."""
    return _annotated(Case.objects.filter(pk__in=ids), today)


def my_work(request):
    """My open cases, my open actions (overdue first), and the check-ins that are due."""
    user = request.user
    _require_worker(user)
    today = timezone.localdate()
    cases = _with_weeks(
        _annotated(my_cases(user), today).order_by("clock_start", "id")[:WORK_ITEMS_SHOWN],
        today,
        user,
    )
    actions = list(my_actions(user)[:WORK_ITEMS_SHOWN])
    # Overdue first (the selector orders by due date, which already puts them first; keep
    # that explicit so a later change of the selector's order does not bury them).
    actions.sort(key=lambda a: (not a.is_overdue, a.due_on, a.pk))
    check_ins = list(due_check_ins(user, on=today)[:WORK_ITEMS_SHOWN])
    awaiting = list(cases_awaiting_consent(user)[:WORK_ITEMS_SHOWN])
    audit_list(
        actor=user,
        object_type="cases.case",
        ids=[c.pk for c in [*awaiting, *cases]]
        + [a.case_id for a in actions]
        + [c.case_id for c in check_ins],
    )
    return render(
        request,
        "cases/lists/my_work.html",
        {
            "awaiting_consent": awaiting,
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


def case_list(request):
    """The cases the user may see, filtered, searched and sorted; 25 a page.

    The form posts (a BSN must not travel in a URL): a BSN is answered in the response
    itself, any other search or filter goes back to the bookmarkable GET."""
    user = request.user
    _require_personal_data(user)
    list_url = reverse("caselists:case_list")
    bsn_answered = False
    if request.method == "POST":
        posted = request.POST.copy()
        posted.pop("csrfmiddlewaretoken", None)
        if not looks_like_bsn(posted.get("q")):
            if not posted.get("q", "").strip():
                posted.pop("q", None)
            query = posted.urlencode()
            return redirect(f"{list_url}?{query}" if query else list_url)
        data = posted_search(posted)
        bsn_answered = True
    elif looks_like_bsn(request.GET.get("q")):
        return bsn_in_url_refused(request, back_url=list_url)
    else:
        data = request.GET.copy()
    filtered_by_user = bool(set(data) - {"page", "sort", "status"})
    filtered_by_user |= data.get("status", "open") != "open"
    today = timezone.localdate()
    data.setdefault("status", "open")
    filters = CaseListFilter(
        data,
        # The scope alone (kept per memberships): the count and the page's ids need none of
        # the rows' columns, which _page_rows reads for the page only (issue 14).
        queryset=cases_visible_to(user).order_by("clock_start", "id"),
        request=request,
        only=CASE_LIST_FILTERS,
    )
    cases = filtered(filters)
    sort = filters.form.cleaned_data["sort"] if filters.is_valid() else ""
    number = data.get("page")
    page = BoundedPaginator(
        cases,
        PAGE_SIZE,
        number=number,
        rows=lambda ids: _page_rows(today, *ids),
        key=list_key(filters, KEPT_FILTERS, "case_list", scope_key(user), today),
    ).get_page(number)
    rows = _with_weeks(page.object_list, today, user)
    audit_list(actor=user, object_type="cases.case", ids=[c.pk for c in rows])
    # The links of the page carry the filters, never a posted BSN.
    query = data.copy()
    query.pop("page", None)
    if bsn_answered:
        query.pop("q", None)
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
            "form": filters.form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "sort_links": sort_links,
            "filtered": filtered_by_user,
            "searched": bool(data.get("q", "").strip()),
        },
    )


def may_see_signals(user) -> bool:
    """Those who work cases with sight of personal data: the school's zorgcoordinator, the
    SWV and leerplicht (not the doorbraakteam or care partners, who see single cases)."""
    return has_capability(user, Capability.VIEW_PERSONAL_DATA) and has_capability(
        user, Capability.WORK_CASES
    )


def signal_list(request):
    """The preventive list: at-risk signals (no clock yet) and cases in phase school that the
    school expects to become thuiszitters soon; longest first, 25 a page."""
    user = request.user
    if not may_see_signals(user):
        raise Http404
    today = timezone.localdate()
    filters = SignalFilter(
        request.GET,
        queryset=_annotated(signals_visible_to(user), today).order_by("clock_start", "id"),
        request=request,
    )
    page = Paginator(filtered(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    kinds = case_report_kinds(user, [case.pk for case in rows])
    for case in rows:
        case.report_kinds = kinds.get(case.pk, [])
        case.next_step_label = next_step_label(case.next_step)
        case.next_step_overdue = case.next_step_due is not None and case.next_step_due < today
    audit_list(actor=user, object_type="cases.case", ids=[c.pk for c in rows])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/lists/signal_list.html",
        {
            "form": filters.form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "filtered": bool(set(request.GET) - {"page"}),
        },
    )
