"""Pages of escalation: for now the next deadline of a case, as a partial of the case page."""

from django.shortcuts import render
from django.utils import timezone

from cases.selectors import cases_visible_to
from thuiszitters.access import get_visible_or_404

from .services.deadlines import deadline_of


def case_deadline(request, pk: int):
    """The next step on the route with its due date, for a case the user may see."""
    case = get_visible_or_404(cases_visible_to(request.user), pk=pk)
    deadline = deadline_of(case)
    if deadline is not None and not deadline.step:
        deadline = None
    days_left = (deadline.due_on - timezone.localdate()).days if deadline else None
    context = {
        "case": case,
        "deadline": deadline,
        "days_left": days_left,
        "days_overdue": -days_left if days_left is not None and days_left < 0 else 0,
    }
    template = "escalation/_case_deadline.html" if request.htmx else "escalation/case_deadline.html"
    return render(request, template, context)
