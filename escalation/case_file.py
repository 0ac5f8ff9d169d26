"""The phase and route section of the case file PDF (``cases.case_file``), registered in
``EscalationConfig.ready()``: the case page shows the route through escalation's partials,
and ``cases`` may not import ``escalation``."""

import datetime

from django.template.loader import render_to_string

from cases.models import Case

from .selectors.route import is_past_three_months_without_offer, next_deadline_of, route_of


def case_file_route_section(case: Case, *, whole: bool, today: datetime.date) -> str:
    """The route with its escalations and the next deadline for a whole view; for the
    restricted view only the next deadline, as the restricted page's header shows it."""
    if whole:
        route = route_of(case, today)
        context = {
            "case": case,
            "whole": True,
            "route": route,
            "deadline": route.deadline,
            "past_three_months": route.past_three_months,
        }
    else:
        context = {
            "case": case,
            "whole": False,
            "deadline": next_deadline_of(case, today),
            "past_three_months": is_past_three_months_without_offer(case, today),
        }
    return render_to_string("escalation/pdf/_case_route.html", context)
