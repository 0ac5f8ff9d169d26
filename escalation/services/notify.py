"""Creating notifications for route events, in bulk; e-mail goes out after the commit.

Who hears of a case's deadline: the lead (before and after a step), the casusregisseur (the
lead once the case is past the school; before that the convenant's appointed
casusregisseurs) and the SWV's doorbraakteam coordinator. ``event_key`` makes each event
reach each person once, however often the sweep runs.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction

from cases.workflow import Phase

from ..models import Notification, NotificationPreference, PolicyVersion


@dataclass
class Event:
    kind: str
    case_id: int
    route_round: int
    step: str
    due_on: datetime.date | None
    users: set[int] = field(default_factory=set)

    @property
    def key(self) -> str:
        due = self.due_on.isoformat() if self.due_on else "-"
        return f"{self.kind}:{self.case_id}:{self.route_round}:{self.step}:{due}"[:100]


def appointed_casusregisseurs(version_ids) -> dict[int, set[int]]:
    ids: dict[int, set[int]] = defaultdict(set)
    through = PolicyVersion.casusregisseurs.through
    for version_id, user_id in through.objects.filter(
        policyversion_id__in=[v for v in version_ids if v is not None]
    ).values_list("policyversion_id", "user_id"):
        ids[version_id].add(user_id)
    return ids


def recipients(*, lead_users, version: PolicyVersion | None, appointed: set[int], phase: str):
    """The people to tell about a case's step (without None)."""
    users = {u for u in lead_users if u is not None}
    if phase == Phase.SCHOOL:
        users |= appointed
    if version is not None and version.doorbraakteam_coordinator_id is not None:
        users.add(version.doorbraakteam_coordinator_id)
    return users


def notify(events: list[Event]) -> int:
    """Store the notifications (once per user and event) and send the wanted e-mails after
    the commit. Returns the number of notifications offered (duplicates are ignored)."""
    users = {u for e in events for u in e.users}
    if not users:
        return 0
    no_email = set(
        NotificationPreference.objects.filter(user_id__in=users, email=False).values_list(
            "user_id", "kind"
        )
    )
    rows = [
        Notification(
            user_id=user_id,
            kind=e.kind,
            event_key=e.key,
            case_id=e.case_id,
            step=e.step,
            due_on=e.due_on,
            email_wanted=(user_id, e.kind) not in no_email,
        )
        for e in events
        for user_id in sorted(e.users)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    if any(r.email_wanted for r in rows):
        from ..tasks import send_notification_emails

        transaction.on_commit(partial(send_notification_emails.delay))
    return len(rows)
