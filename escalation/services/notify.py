"""Creating notifications for route events, in bulk; e-mail goes out after the commit.

Who hears of a case's deadline: the lead (before and after a step), the casusregisseur (the
lead once the case is past the school; before that the convenant's appointed
casusregisseurs) and the SWV's doorbraakteam coordinator. ``event_key`` makes each event
reach each person once, however often the sweep runs.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.workflow import Phase
from thuiszitters.bulk import insert_columns
from thuiszitters.queue import enqueue_on_commit

from ..models import Notification, NotificationKind, NotificationPreference, PolicyVersion


@dataclass
class Event:
    kind: str
    case_id: int | None
    route_round: int
    step: str
    due_on: datetime.date | None
    users: set[int] = field(default_factory=set)
    event_key: str = ""  # for events that are not a step of the route

    @property
    def key(self) -> str:
        if self.event_key:
            return self.event_key
        due = self.due_on.isoformat() if self.due_on else "-"
        return f"{self.kind}:{self.case_id}:{self.route_round}:{self.step}:{due}"[:100]


def appointed_casusregisseurs(version_ids: Iterable[int | None]) -> dict[int, set[int]]:
    ids: dict[int, set[int]] = defaultdict(set)
    through = PolicyVersion.casusregisseurs.through
    for version_id, user_id in through.objects.filter(
        policyversion_id__in=[v for v in version_ids if v is not None]
    ).values_list("policyversion_id", "user_id"):
        ids[version_id].add(user_id)
    return ids


def recipients(
    *,
    lead_users: Iterable[int | None],
    version: PolicyVersion | None,
    appointed: set[int],
    phase: str,
) -> set[int]:
    """The people to tell about a case's step (without None)."""
    users = {u for u in lead_users if u is not None}
    if phase == Phase.SCHOOL:
        users |= appointed
    if version is not None and version.doorbraakteam_coordinator_id is not None:
        users.add(version.doorbraakteam_coordinator_id)
    return users


def leerplicht_officers(municipality_ids: Iterable[int]) -> dict[int, set[int]]:
    """The leerplicht officers per municipality (its bureau's or its own): with the
    casusregisseur they decide on the referral to the OM. Two queries."""
    from thuiszitters.models import LeerplichtBureau, Membership
    from thuiszitters.roles import RoleCode

    ids = set(municipality_ids)
    orgs: dict[int, set[int]] = defaultdict(set)
    for municipality_id in ids:
        orgs[municipality_id].add(municipality_id)
    for bureau_id, municipality_id in LeerplichtBureau.municipalities.through.objects.filter(
        municipality_id__in=ids
    ).values_list("leerplichtbureau_id", "municipality_id"):
        orgs[municipality_id].add(bureau_id)
    by_org: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in (
        Membership.objects.active()
        .filter(
            organisation_id__in={o for os in orgs.values() for o in os},
            role__name=RoleCode.LEERPLICHT,
        )
        .values_list("organisation_id", "user_id")
    ):
        by_org[org_id].add(user_id)
    return {m: {u for o in os for u in by_org.get(o, ())} for m, os in orgs.items()}


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
    columns: dict[str, list[Any]] = {
        name: []
        for name in ("user_id", "kind", "event_key", "case_id", "step", "due_on", "email_wanted")
    }
    for e in events:
        key = e.key
        for user_id in sorted(e.users):
            columns["user_id"].append(user_id)
            columns["kind"].append(e.kind)
            columns["event_key"].append(key)
            columns["case_id"].append(e.case_id)
            columns["step"].append(e.step)
            columns["due_on"].append(e.due_on)
            columns["email_wanted"].append((user_id, e.kind) not in no_email)
    rows = len(columns["user_id"])
    insert_columns(
        Notification,
        {
            **columns,
            "created_at": timezone.now(),
            "read_at": None,
            "emailed_at": None,
            "email_not_before": None,
        },
        rows,
        ignore_conflicts=True,
    )
    if any(columns["email_wanted"]):
        from ..tasks import send_notification_emails

        enqueue_on_commit(send_notification_emails)
    return rows


def enrolment_alerts_deliver() -> int:
    """Tell the other current schools of a pupil (their zorgcoordinators) and the leerplicht
    of the pupil's municipality that a school enrolled an already known pupil of another
    region or of another school (ADR 0014). Once per enrolment; returns the notifications.
    """
    from cases.models import Case
    from registration.models import Enrolment
    from registration.services import enrolment_alerts_pending
    from thuiszitters.models import LeerplichtBureau, Membership
    from thuiszitters.roles import RoleCode

    created = 0
    with transaction.atomic():
        for enrolment in enrolment_alerts_pending().select_for_update(
            skip_locked=True, of=("self",)
        ):
            pupil = enrolment.pupil
            schools = (
                Enrolment.objects.current()
                .filter(pupil=pupil)
                .exclude(school_id=enrolment.school_id)
                .values("school_id")
            )
            bureaus = LeerplichtBureau.municipalities.through.objects.filter(
                municipality_id=pupil.municipality_id
            ).values("leerplichtbureau_id")
            users = set(
                Membership.objects.active()
                .filter(
                    Q(organisation_id__in=schools, role__name=RoleCode.ZORGCOORDINATOR)
                    | Q(
                        Q(organisation_id__in=bureaus) | Q(organisation_id=pupil.municipality_id),
                        role__name=RoleCode.LEERPLICHT,
                    )
                )
                .values_list("user_id", flat=True)
            )
            case = Case.objects.open().filter(pupil=pupil).first()
            event = Event(
                kind=NotificationKind.ENROLMENT_MATCH,
                case_id=case.pk if case else None,
                route_round=0,
                step="",
                due_on=None,
                users=users,
                event_key=f"enrolment_match:{enrolment.pk}",
            )
            created += notify([event])
            enrolment.alert_pending = False
            enrolment.save(update_fields=["alert_pending"])
    return created
