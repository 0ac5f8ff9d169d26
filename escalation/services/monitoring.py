"""The weekly monitoring reminder of phase school (DESIGN.md 4.2).

Once per ISO week each open case in phase school, at-risk signals included, reminds its
lead: the lead user, or without one the zorgcoordinators of the lead organisation. The
``event_key`` names the case and the week, so a second sweep in the same week adds nothing.
Set-based: a fixed number of queries per batch of cases.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction

from cases.models import Case
from cases.workflow import Phase
from thuiszitters.models import Membership
from thuiszitters.roles import RoleCode

from ..models import Notification, NotificationKind
from .deadlines import BATCH_SIZE
from .notify import Event, notify


def monitoring_key(case_id: int, day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"monitoring:{case_id}:{year}-W{week:02d}"


def monitoring_reminders(
    *,
    today: datetime.date,
    batch_size: int = BATCH_SIZE,
    swv_id: int | None = None,
    no_swv: bool = False,
) -> int:
    """Send this week's reminders not sent yet (of one SWV's cases, or of the cases without
    one); returns the number of cases reminded."""
    cases = Case.objects.open().filter(phase=Phase.SCHOOL).order_by("pk")
    if swv_id is not None:
        cases = cases.filter(swv_id=swv_id)
    elif no_swv:
        cases = cases.filter(swv_id__isnull=True)
    reminded = 0
    last = 0
    while True:
        batch = list(
            cases.filter(pk__gt=last).values_list(
                "pk", "route_round", "lead_user_id", "lead_organisation_id"
            )[:batch_size]
        )
        if not batch:
            return reminded
        last = batch[-1][0]
        with transaction.atomic():
            reminded += _remind(batch, today)


def _remind(batch: Sequence[tuple[int, int, int | None, int]], today: datetime.date) -> int:
    keys = {pk: monitoring_key(pk, today) for pk, *_rest in batch}
    sent = set(
        # By case first: its index; the keys alone (no index) scanned every notification.
        Notification.objects.filter(
            case_id__in=list(keys),
            kind=NotificationKind.MONITORING,
            event_key__in=list(keys.values()),
        ).values_list("case_id", flat=True)
    )
    todo = [row for row in batch if row[0] not in sent]
    without_lead = {org for _pk, _round, user, org in todo if user is None}
    coordinators: dict[int, set[int]] = defaultdict(set)
    if without_lead:
        for org, user in (
            Membership.objects.active(today)
            .filter(organisation_id__in=without_lead, role__name=RoleCode.ZORGCOORDINATOR)
            .values_list("organisation_id", "user_id")
        ):
            coordinators[org].add(user)
    events = [
        Event(
            kind=NotificationKind.MONITORING,
            case_id=pk,
            route_round=route_round,
            step="",
            due_on=None,
            users={user} if user is not None else coordinators[org],
            event_key=keys[pk],
        )
        for pk, route_round, user, org in todo
    ]
    events = [e for e in events if e.users]
    notify(events)
    return len(events)
