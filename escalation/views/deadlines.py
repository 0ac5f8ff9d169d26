"""The "Termijnen" page: the coming and overdue route deadlines of the cases the user may
see (``escalation.selectors.deadlines``), filtered on period, step and lead, 25 a page.

For the roles that see personal data (the case list's roles); others do not learn the page
exists (404). What a user sees is the scoping selector's: the director of an SWV has no sight
of personal data and so no page; the doorbraakteam sees the cases of its SWV that are shared
with it."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from thuiszitters.access import has_capability
from thuiszitters.audit import audit_list
from thuiszitters.pagination import BoundedPaginator
from thuiszitters.roles import Capability

from ..forms.deadlines import DeadlineFilterForm
from ..selectors.deadlines import DEFAULT_PERIOD, deadline_rows, deadlines_visible_to

PAGE_SIZE = 25


@require_GET
def deadline_list(request):
    user = request.user
    if not has_capability(user, Capability.VIEW_PERSONAL_DATA):
        raise Http404
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("period", DEFAULT_PERIOD)
    form = DeadlineFilterForm(data, user=user)
    cases = deadlines_visible_to(user, **form.selection(today)) if form.is_valid() else None
    # An invalid filter shows its error and no rows, never the unfiltered list.
    page = None
    rows = []
    if cases is not None:
        number = request.GET.get("page")
        page = BoundedPaginator(cases, PAGE_SIZE, number=number).get_page(number)
        rows = deadline_rows(page.object_list, today)
        audit_list(actor=user, object_type="cases.case", ids=[row.case.pk for row in rows])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "escalation/deadlines.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "filtered": bool(set(request.GET) - {"page"}),
        },
    )
