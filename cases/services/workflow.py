"""The one locked service that changes a phase, and closing and reopening.

No other code assigns ``Case.phase``. Every transition is checked against
``cases.workflow.TRANSITIONS``, audited and written to the journal in one transaction.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuiszitters.access import has_capability
from thuiszitters.audit import audit_change, snapshot
from thuiszitters.roles import Capability

from ..models import AftercareCheckIn, Case, CaseEventKind
from ..workflow import (
    AFTERCARE_MONTHS,
    OFFER_REASONS,
    REOPEN_RESETS,
    ClosureReason,
    Phase,
    is_allowed,
)
from .common import case_locked, journal, require_case_work


@transaction.atomic
def case_transition(
    *, case: Case, to_phase: str, actor, reason: str = "", via: str = "person"
) -> Case:
    """Move an open case to ``to_phase`` if the table allows it. Closing and reopening have
    their own services (they need more than a reason)."""
    if to_phase in (Phase.CLOSED,) or case.phase == Phase.CLOSED:
        raise ValidationError(_("Sluit of heropen een casus met de knop daarvoor."))
    require_case_work(actor, case)
    case = case_locked(case)
    if not is_allowed(case.phase, to_phase):
        raise ValidationError(
            {
                "phase": _("Van %(from)s naar %(to)s is geen toegestane stap.")
                % {"from": Phase(case.phase).label, "to": Phase(to_phase).label}
            }
        )
    if via == "person" and not reason.strip():
        raise ValidationError({"reason": _("Geef een reden voor deze stap.")})
    before = snapshot(case, ["phase"])
    case.phase = to_phase
    case.save(update_fields=["phase"])
    audit_change(
        actor=actor, obj=case, before=before, after=snapshot(case, ["phase"]), reason=reason
    )
    journal(
        case,
        actor,
        CaseEventKind.PHASE_CHANGED,
        reason,
        **{"from": before["phase"], "to": to_phase, "via": via},
    )
    return case


def _retention_until(case: Case, closed_on: datetime.date) -> datetime.date:
    region = case.municipality.region
    months = region.case_retention_months if region is not None else 60
    return closed_on + relativedelta(months=months)


@transaction.atomic
def case_close(
    *, case: Case, reason: str, actor, note: str = "", offer_started_on: datetime.date | None = None
) -> Case:
    """Close an open case with a reason; an offer schedules aftercare check-ins."""
    require_case_work(actor, case)
    case = case_locked(case)
    if reason not in ClosureReason.values:
        raise ValidationError({"reason": _("Kies een reden om de casus te sluiten.")})
    if reason == ClosureReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Licht toe waarom de casus sluit.")})
    fields = [
        "phase",
        "closed_at",
        "closed_reason",
        "closed_note",
        "retention_until",
        "first_offer_started_on",
    ]
    before = snapshot(case, fields)
    now = timezone.now()
    today = timezone.localdate()
    case.phase = Phase.CLOSED
    case.closed_at = now
    case.closed_reason = reason
    case.closed_note = note
    case.retention_until = _retention_until(case, today)
    if reason == ClosureReason.OFFER_STARTED and case.first_offer_started_on is None:
        case.first_offer_started_on = offer_started_on or today
    case.save(update_fields=fields)
    audit_change(
        actor=actor, obj=case, before=before, after=snapshot(case, fields), reason=note or reason
    )
    journal(case, actor, CaseEventKind.CLOSED, note, reason=reason)
    if reason in OFFER_REASONS:
        for months in AFTERCARE_MONTHS:
            AftercareCheckIn.objects.create(case=case, due_on=today + relativedelta(months=months))
    return case


@transaction.atomic
def case_reopen(
    *,
    case: Case,
    actor,
    reason: str,
    clock_start: datetime.date | None = None,
    by_system: bool = False,
) -> Case:
    """Reopen a closed case in phase ``school`` (the same case, with its history).

    Privileged: the system on behalf of ``actor`` (a new report within 3 months, a check-in
    that finds the pupil missing again: ``by_system``) or a user who may lead cases. Resets
    the fields in ``REOPEN_RESETS`` and, when given, restarts the clock; cancels the pending
    check-ins.
    """
    if not by_system:
        if not has_capability(actor, Capability.LEAD_AS_CASUSREGISSEUR):
            raise PermissionDenied(_("Alleen een casusregisseur mag een casus heropenen."))
        require_case_work(actor, case, Capability.LEAD_AS_CASUSREGISSEUR)
    case = case_locked(case, allow_closed=True)
    if case.closed_at is None:
        raise ValidationError(_("Deze casus is niet gesloten."))
    if Case.objects.open().filter(pupil_id=case.pupil_id).exclude(pk=case.pk).exists():
        raise ValidationError(_("Deze leerling heeft al een andere open casus."))
    fields = ["phase", "clock_start", *REOPEN_RESETS]
    before = snapshot(case, fields)
    case.phase = Phase.SCHOOL
    for name in REOPEN_RESETS:
        setattr(case, name, "" if name in ("closed_reason", "closed_note") else None)
    if clock_start is not None:
        case.clock_start = clock_start
    case.save(update_fields=fields)
    audit_change(actor=actor, obj=case, before=before, after=snapshot(case, fields), reason=reason)
    journal(case, actor, CaseEventKind.REOPENED, reason, resets=list(REOPEN_RESETS))
    for check_in in case.check_ins.filter(done_on__isnull=True, cancelled=False):
        check_in.cancelled = True
        check_in.save(update_fields=["cancelled"])
    return case
