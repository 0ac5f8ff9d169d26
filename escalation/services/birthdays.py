"""The sweep's birthdays: cases closed at 18, consent that follows the age (DESIGN.md 4.1,
4.3). The rules are the cases and registration services'; here the people hear of it."""

import datetime
from typing import TYPE_CHECKING

from django.db import transaction

from cases.services import BirthdayCase, cases_close_turned_18, cases_consent_ages_follow
from thuiszitters.system import SWEEP

from ..models import NotificationKind
from .deadlines import deadlines_compute
from .notify import Event, appointed_casusregisseurs, notify, recipients
from .policy import current_versions

if TYPE_CHECKING:
    from .sweep import SweepResult


def _recipients(cases: list[BirthdayCase]) -> dict[int, set[int]]:
    """Per case, whom ``recipients`` names: the lead, the appointed casusregisseurs while
    the case is at the school, the doorbraakteam coordinator."""
    versions = current_versions({c.swv_id for c in cases if c.swv_id is not None})
    appointed = appointed_casusregisseurs({v.pk for v in versions.values()})
    users = {}
    for c in cases:
        version = versions.get(c.swv_id) if c.swv_id is not None else None
        users[c.case_id] = recipients(
            lead_users=[c.lead_user_id],
            version=version,
            appointed=appointed.get(version.pk, set()) if version else set(),
            phase=c.phase,
        )
    return users


def _tell(kind: str, told: list[tuple[BirthdayCase, set[int], str]]) -> None:
    """One notification per case (no step, no due date), keyed so it reaches each user once."""
    notify(
        [
            Event(
                kind=kind,
                case_id=c.case_id,
                route_round=c.route_round,
                step="",
                due_on=None,
                users=users,
                event_key=key,
            )
            for c, users, key in told
        ]
    )


def close_turned_18(today: datetime.date, result: "SweepResult") -> int:
    """Close the cases of pupils who turned 18, drop their deadlines, tell the people."""
    with transaction.atomic():
        closed = cases_close_turned_18(today=today, actor=SWEEP)
        if not closed:
            return 0
        deadlines_compute([c.case_id for c in closed])  # a closed case loses its row
        users = _recipients(closed)
        _tell(
            NotificationKind.CLOSED_AT_18,
            [(c, users[c.case_id], f"closed_at_18:{c.case_id}:{c.route_round}") for c in closed],
        )
    for c in closed:
        result.log(f"case {c.case_id}: closed, the pupil turned 18")
    return len(closed)


def consent_ages_follow(today: datetime.date, result: "SweepResult") -> int:
    """Consent that follows the 12th and 16th birthday; the lead of an open case hears."""
    with transaction.atomic():
        cases = cases_consent_ages_follow(today=today, actor=SWEEP)
        _tell(
            NotificationKind.CONSENT_AGE,
            [
                (
                    c,
                    {c.lead_user_id} if c.lead_user_id is not None else set(),
                    f"consent_age:{c.case_id}:{today.isoformat()}",
                )
                for c in cases
            ],
        )
    for c in cases:
        result.log(f"case {c.case_id}: consent follows the pupil's age")
    return len(cases)
