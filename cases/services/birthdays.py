"""Birthdays that change a case: closing at 18, and consent that follows the age.

The sweep's work (DESIGN.md 4.1 and 4.3): only the system calls these. Escalation notifies
the people concerned from what they return.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from registration.rules import born_by
from registration.services import consent_birthdays_refresh
from thuiszitters.system import Actor, is_system

from ..models import Case, CaseEventKind
from ..texts import CARE_CONSENT_MISSING, CLOSED_AT_18, CONSENT_AGE
from ..workflow import ClosureReason
from .casefile import care_access_revoke_all
from .common import journal
from .workflow import case_close


@dataclass(frozen=True)
class BirthdayCase:
    """An open case as it was when a birthday changed it."""

    case_id: int
    route_round: int
    phase: str
    swv_id: int | None
    lead_user_id: int | None


def _row(case: Case) -> BirthdayCase:
    return BirthdayCase(case.pk, case.route_round, case.phase, case.swv_id, case.lead_user_id)


def _require_system(actor: Actor) -> None:
    if not is_system(actor):
        raise PermissionDenied(_("Alleen het systeem verwerkt verjaardagen."))


@transaction.atomic
def cases_close_turned_18(*, today: datetime.date, actor: Actor) -> list[BirthdayCase]:
    """Close every open case of a pupil who is 18 on ``today`` with the reason ``turned_18``:
    the RMC takes over. The one closing path (``case_close``): audit, journal, and no
    aftercare check-ins. A closed case is not found again, so a second run closes nothing."""
    _require_system(actor)
    closed = []
    for case in (
        Case.objects.open()
        .filter(pupil__date_of_birth__lte=born_by(today, 18))
        .select_related("municipality__region")
        .order_by("pk")
    ):
        closed.append(_row(case))
        case_close(
            case=case,
            reason=ClosureReason.TURNED_18,
            actor=actor,
            note=CLOSED_AT_18(),
        )
    return closed


@transaction.atomic
def cases_consent_ages_follow(*, today: datetime.date, actor: Actor) -> list[BirthdayCase]:
    """Consent follows the birthday (``consent_birthdays_refresh``: the sharing of each pupil
    whose 12th or 16th birthday came); the open case of each such pupil gets a journal line.
    Returns those cases, for the lead's notification."""
    _require_system(actor)
    changes = {c.pupil_id: c for c in consent_birthdays_refresh(today=today, actor=actor)}
    cases = []
    for case in (
        Case.objects.open()
        .filter(pupil_id__in=list(changes))
        .select_related("pupil")
        .order_by("pk")
    ):
        change = changes[case.pupil_id]
        journal(
            case,
            actor,
            CaseEventKind.CONSENT_AGE,
            CONSENT_AGE[change.to_band](),
            band_from=change.from_band,
            band_to=change.to_band,
            sharing_changed=change.sharing_changed,
        )
        if not case.pupil.shared_with_care_partners:
            # As a withdrawal does: the grants go, not only the sight.
            care_access_revoke_all(case=case, actor=actor, reason=CARE_CONSENT_MISSING())
        cases.append(_row(case))
    return cases
