"""Reads of escalation: cases past three months without an offer, the route of a case."""

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Case


def past_three_months_without_offer(cases: QuerySet[Case], on=None) -> QuerySet[Case]:
    """Of ``cases``: the open ones at home for more than three months without a suitable
    offer (since ``deadline.three_months_on``); for dashboards and reports."""
    day = on or timezone.localdate()
    return cases.open().filter(
        deadline__three_months_on__lte=day, first_offer_started_on__isnull=True
    )
