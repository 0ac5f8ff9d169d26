"""What every case service shares: the lock, the read-only rule, the journal, the check,
the lead's handover."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from thuiszitters.access import has_capability
from thuiszitters.audit import audited_update
from thuiszitters.changes import cases_changed
from thuiszitters.models import Organisation, User
from thuiszitters.roles import Capability
from thuiszitters.system import Actor, acting_user, is_system

from ..models import FIRST_DATE_EVENT_KINDS, Case, CaseEvent, CaseEventKind, LeadAssignment
from ..texts import SystemText, as_message


def case_locked(case: Case, *, allow_closed: bool = False) -> Case:
    """The case, re-read under a row lock; a closed case is read-only."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.closed_at is not None and not allow_closed:
        raise ValidationError(_("Deze casus is gesloten en kan niet meer worden gewijzigd."))
    return locked


def require_case_work(actor: Actor, case: Case, capability: str = Capability.WORK_CASES) -> None:
    """The actor may work on this case: the capability, and the case in their scope. The
    system (the sweep, the demo data) may; ``None`` is refused (TypeError)."""
    from ..selectors import cases_visible_to

    if is_system(actor):
        return
    if (
        not isinstance(actor, User)
        or not has_capability(actor, capability)
        or not cases_visible_to(actor).filter(pk=case.pk).exists()
    ):
        raise PermissionDenied(_("U mag deze casus niet wijzigen."))


def journal(
    case: Case,
    actor: Actor,
    kind: str,
    message: str | SystemText = "",
    *,
    at: datetime.datetime | None = None,
    **data: Any,
) -> CaseEvent:
    """A journal row, stamped now or ``at``. A system text is stored as its code
    (``data["text"]``), rendered in the reader's language, with its Dutch form as the message
    (cases/texts.py)."""
    if isinstance(message, SystemText):
        if "text" in data:
            raise ValueError("data['text'] holds the system text")
        data["text"] = message.as_data()
        message = message.dutch()
    # Every change to a case is journalled: its scopes' cached figures are stale on commit.
    cases_changed([case])
    event = CaseEvent.objects.create(
        case=case,
        actor=acting_user(actor),
        kind=kind,
        message=message,
        data=data,
        at=at or timezone.now(),
    )
    if kind in FIRST_DATE_EVENT_KINDS:
        # A contact, meeting or goal (saved before its journal row) may be the case's first.
        Case.objects.filter(pk=case.pk).first_dates_refresh()
    return event


def lead_hand_over(
    *,
    case: Case,
    organisation: Organisation,
    user: User | None,
    actor: Actor,
    reason: str | SystemText,
) -> Case:
    """Record a new lead of a locked case: the history row, the columns, audit and journal.
    The caller checks who may hand over and to whom. A system text reason goes to the
    journal as its code; the history row and the audit log keep its Dutch form."""
    now = timezone.now()
    text, reason = reason, as_message(reason)
    for current in LeadAssignment.objects.filter(case=case, ended_at__isnull=True):
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    LeadAssignment.objects.create(
        case=case, organisation=organisation, user=user, started_at=now, reason=reason
    )
    audited_update(case, actor=actor, reason=reason, lead_organisation=organisation, lead_user=user)
    journal(
        case,
        actor,
        CaseEventKind.LEAD_CHANGED,
        text,
        organisation=organisation.pk,
        user=user.pk if user else None,
    )
    return case
