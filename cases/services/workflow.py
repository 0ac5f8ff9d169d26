"""The one locked service that changes a phase, and closing and reopening.

No other code assigns ``Case.phase``. Every transition is checked against
``cases.workflow.TRANSITIONS``, audited and written to the journal in one transaction.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.services import absence_start_errors
from thuiszitters.access import has_capability
from thuiszitters.audit import AuditBatch, audit_change, snapshot
from thuiszitters.bulk import insert_columns
from thuiszitters.changes import organisations_changed
from thuiszitters.models import AuditAction, Organisation, School, User
from thuiszitters.roles import Capability
from thuiszitters.system import Actor, SystemActor

from ..models import AftercareCheckIn, Case, CaseEvent, CaseEventKind, LeadAssignment
from ..texts import REOPENED_ELSEWHERE, REOPENED_NEW_LEAD, SystemText, as_message, as_messages
from ..workflow import (
    AFTERCARE_MONTHS,
    OFFER_REASONS,
    REOPEN_RESETS,
    TRANSITIONS,
    ClosureReason,
    Phase,
    is_allowed,
    is_escalation,
)
from .common import case_locked, journal, lead_hand_over, require_case_work


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to_phase: str,
    actor: Actor,
    reason: str | SystemText = "",
    via: str = "person",
) -> Case:
    """Move an open case to ``to_phase`` if the table allows it. Closing and reopening have
    their own services (they need more than a reason). A step forward on the route is an
    escalation: only the escalation app makes it (``via="escalation"``), so it is recorded.
    A system text ``reason`` goes to the journal as its code, to the audit log in Dutch."""
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
    if is_escalation(case.phase, to_phase) and via not in ("escalation", "timer"):
        raise ValidationError(
            {"phase": _("Opschalen gaat via de route (escalatie), met een reden.")}
        )
    if via != "timer" and not as_message(reason).strip():
        raise ValidationError({"reason": _("Geef een reden voor deze stap.")})
    before = snapshot(case, ["phase"])
    case.phase = to_phase
    case.save(update_fields=["phase"])
    audit_change(
        actor=actor,
        obj=case,
        before=before,
        after=snapshot(case, ["phase"]),
        reason=as_message(reason),
    )
    journal(
        case,
        actor,
        CaseEventKind.PHASE_CHANGED,
        reason,
        **{"from": before["phase"], "to": to_phase, "via": via},
    )
    return case


# Forward moves that an app to the right of cases takes instead of ``case_transition``
# (escalation: a timed step is an escalation by hand, with its record and the new lead),
# registered in that app's AppConfig.ready(): cases never imports it.
FORWARD_MOVES: dict[str, Callable[..., Case]] = {}


def register_forward_move(phases: Iterable[str], handler: Callable[..., Case]) -> None:
    """``handler(*, case, to_phase, actor, reason) -> Case`` takes moves forward to ``phases``."""
    for phase in phases:
        FORWARD_MOVES[phase] = handler


def case_move_targets(case: Case) -> list[str]:
    """The phases a person may ask to move ``case`` to: back on the route as the table
    allows, or forward to a step that a registered handler takes. Closing has its own
    service."""
    allowed = TRANSITIONS.get(case.phase, frozenset()) - {Phase.CLOSED}
    return [
        phase
        for phase in Phase.values
        if (phase in FORWARD_MOVES if is_escalation(case.phase, phase) else phase in allowed)
    ]


def case_move(*, case: Case, to_phase: str, actor: Actor, reason: str) -> Case:
    """A person moves the case to ``to_phase``: the one service behind the case page and
    the API. Forward to a step that a handler took (``register_forward_move``) goes there;
    everything else is ``case_transition``. Errors name ``phase`` and ``reason``."""
    handler = FORWARD_MOVES.get(to_phase)
    if handler is not None and is_escalation(case.phase, to_phase):
        return handler(case=case, to_phase=to_phase, actor=actor, reason=reason)
    return case_transition(case=case, to_phase=to_phase, actor=actor, reason=reason)


@dataclass(frozen=True)
class TimerStep:
    """One step of the route for one case, as the escalation sweep decided it."""

    case_id: int
    from_phase: str
    to_phase: str
    # The journal's text (a system text is stored as its code), and in Dutch the reason of
    # the lead's history row.
    message: str | SystemText = ""
    # A new lead (week 4: the casusregisseur); None keeps the current lead.
    lead_organisation_id: int | None = None
    lead_user_id: int | None = None


@transaction.atomic
def cases_transition_by_timer(steps: Sequence[TimerStep], *, actor: SystemActor) -> list[TimerStep]:
    """The batch form of ``case_transition`` (and of the lead change) for the sweep, which
    acts as the system (``actor``, named in the audit log).

    The same rules in a fixed number of queries per batch: row locks (cases that someone is
    changing right now are skipped, not waited for), the transition table, the phase the
    sweep saw (a case moved meanwhile is left alone), an audit entry and a journal row per
    change. Returns the steps applied; the caller records its escalations in the same
    transaction.
    """
    if not steps:
        return []
    found = list(
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=[s.case_id for s in steps], closed_at__isnull=True)
        .values_list(
            "pk",
            "phase",
            "lead_organisation_id",
            "lead_user_id",
            "municipality__region_id",
            "swv_id",
            "municipality_id",
        )
    )
    rows = {pk: (phase, org, user, region) for pk, phase, org, user, region, *_ in found}
    applied = [
        s
        for s in steps
        if s.case_id in rows
        and rows[s.case_id][0] == s.from_phase
        and is_allowed(s.from_phase, s.to_phase)
    ]
    if not applied:
        return []
    now = timezone.now()
    journal_rows = _Journal()
    by_move: dict[tuple[str, str], list[int]] = defaultdict(list)
    for step in applied:
        by_move[(step.from_phase, step.to_phase)].append(step.case_id)
        journal_rows.add(
            step.case_id,
            CaseEventKind.PHASE_CHANGED,
            step.message,
            {"from": step.from_phase, "to": step.to_phase, "via": "timer"},
        )
    for (from_phase, to_phase), ids in by_move.items():
        # The journal holds the message; the audit row names only the cause.
        entries = AuditBatch(
            action=AuditAction.UPDATE, object_type="cases.case", reason="timer", actor=actor
        )
        for pk in ids:
            entries.add(
                object_id=pk,
                region_id=rows[pk][3],
                changes={"before": {"phase": from_phase}, "after": {"phase": to_phase}},
            )
        Case.objects.filter(pk__in=ids, phase=from_phase).update_audited(entries, phase=to_phase)
    _leads_by_timer(
        [
            s
            for s in applied
            if s.lead_organisation_id is not None
            and (s.lead_organisation_id, s.lead_user_id) != rows[s.case_id][1:3]
        ],
        rows,
        now,
        journal_rows,
        actor,
    )
    journal_rows.write(now)
    moved = {s.case_id for s in applied}
    organisations_changed(pk for row in found if row[0] in moved for pk in row[4:])
    return applied


class _Journal:
    """The journal rows of a batch, column by column (``insert_columns``)."""

    def __init__(self) -> None:
        self.case_ids: list[int] = []
        self.kinds: list[str] = []
        self.messages: list[str | SystemText] = []
        self.data: list[dict[str, Any]] = []

    def add(self, case_id: int, kind: str, message: str | SystemText, data: dict[str, Any]) -> None:
        self.case_ids.append(case_id)
        self.kinds.append(kind)
        self.messages.append(message)
        # As journal(): a system text's code in the data, its Dutch form as the message.
        self.data.append(
            {**data, "text": message.as_data()} if isinstance(message, SystemText) else data
        )

    def write(self, at: datetime.datetime) -> None:
        insert_columns(
            CaseEvent,
            {
                "case_id": self.case_ids,
                "at": at,
                "actor_id": None,
                "kind": self.kinds,
                "message": as_messages(self.messages),
                "data": self.data,
            },
            len(self.case_ids),
        )


# A locked case as the sweep read it: phase, lead organisation, lead user, region.
_CaseRow = tuple[str, int, int | None, int | None]


def _leads_by_timer(
    steps: list[TimerStep],
    rows: Mapping[int, _CaseRow],
    now: datetime.datetime,
    journal_rows: _Journal,
    actor: SystemActor,
) -> None:
    if not steps:
        return
    ids = [s.case_id for s in steps]
    # One UPDATE per new lead (a handful of casusregisseurs), not a CASE over the batch.
    by_lead: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    for step in steps:
        if step.lead_organisation_id is None:  # the caller passes only steps with a new lead
            continue
        lead = (step.lead_organisation_id, step.lead_user_id)
        by_lead[lead].append(step.case_id)
        journal_rows.add(
            step.case_id,
            CaseEventKind.LEAD_CHANGED,
            step.message,
            {"organisation": lead[0], "user": lead[1]},
        )
    for (org_id, user_id), case_ids in by_lead.items():
        # The journal holds the message; the audit row names only the cause.
        entries = AuditBatch(
            action=AuditAction.UPDATE, object_type="cases.case", reason="timer", actor=actor
        )
        for pk in case_ids:
            _, old_org, old_user, region = rows[pk]
            entries.add(
                object_id=pk,
                region_id=region,
                changes={
                    "before": {"lead_organisation": old_org, "lead_user": old_user},
                    "after": {"lead_organisation": org_id, "lead_user": user_id},
                },
            )
        Case.objects.filter(pk__in=case_ids).update_audited(
            entries, lead_organisation_id=org_id, lead_user_id=user_id
        )
    ended = AuditBatch(
        action=AuditAction.UPDATE,
        object_type="cases.leadassignment",
        reason="timer",
        actor=actor,
    )
    for pk, case_id in LeadAssignment.objects.filter(
        case_id__in=ids, ended_at__isnull=True
    ).values_list("pk", "case_id"):
        ended.add(
            object_id=pk,
            region_id=rows[case_id][3],
            changes={"before": {"ended_at": None}, "after": {"ended_at": now.isoformat()}},
        )
    if len(ended):
        LeadAssignment.objects.filter(case_id__in=ids, ended_at__isnull=True).update_audited(
            ended, ended_at=now
        )
    new = [s for s in steps if s.lead_organisation_id is not None]
    insert_columns(
        LeadAssignment,
        {
            "case_id": [s.case_id for s in new],
            "organisation_id": [s.lead_organisation_id for s in new],
            "user_id": [s.lead_user_id for s in new],
            "started_at": now,
            "ended_at": None,
            "reason": as_messages([s.message for s in new]),
        },
        len(new),
    )


def _retention_until(case: Case, closed_on: datetime.date) -> datetime.date:
    region = case.municipality.region
    months = region.case_retention_months if region is not None else 60
    return closed_on + relativedelta(months=months)


@transaction.atomic
def case_close(
    *,
    case: Case,
    reason: str,
    actor: Actor,
    note: str | SystemText = "",
    offer_started_on: datetime.date | None = None,
) -> Case:
    """Close an open case with a reason; an offer schedules aftercare check-ins. A system
    text ``note`` goes to the journal as its code; the case keeps its Dutch form."""
    text, note = note, as_message(note)
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
    audit_change(actor=actor, obj=case, before=before, after=snapshot(case, fields), reason=reason)
    # "from"/"to" as in phase changes: reports read the phase on a past date from these.
    journal(
        case,
        actor,
        CaseEventKind.CLOSED,
        text,
        reason=reason,
        **{"from": before["phase"], "to": Phase.CLOSED},
    )
    if reason in OFFER_REASONS:
        for months in AFTERCARE_MONTHS:
            AftercareCheckIn.objects.create(case=case, due_on=today + relativedelta(months=months))
    return case


@dataclass(frozen=True)
class CaseScope:
    """Where a case sits (its scoping columns) and who leads it: what a report gives a new
    case, and where the case that report reopens moves to."""

    school: School | None
    swv_id: int | None
    municipality_id: int
    lead_organisation: Organisation
    lead_user: User | None

    def columns(self) -> dict[str, Any]:
        return {
            "school": self.school,
            "swv_id": self.swv_id,
            "municipality_id": self.municipality_id,
            "lead_organisation": self.lead_organisation,
            "lead_user": self.lead_user,
        }


SCOPE_FIELDS = ["school", "swv", "municipality"]


def check_ins_cancel_pending(pupil_id: int) -> int:
    """Cancel the aftercare check-ins not yet done of the pupil's closed cases: the pupil is
    missing again, so a new or reopened case takes over. Returns how many."""
    pending = AftercareCheckIn.objects.filter(
        case__pupil_id=pupil_id, done_on__isnull=True, cancelled=False
    )
    for check_in in pending:
        check_in.cancelled = True
        check_in.save(update_fields=["cancelled"])
    return len(pending)


def _scope_move(case: Case, actor: Actor, scope: CaseScope) -> None:
    """Move a reopened case to the school, SWV, municipality and lead that its new report
    gives, with a journal line and a lead handover where they change."""
    before = snapshot(case, SCOPE_FIELDS)
    case.school = scope.school
    case.swv_id, case.municipality_id = scope.swv_id, scope.municipality_id
    after = snapshot(case, SCOPE_FIELDS)
    if after != before:
        case.save(update_fields=SCOPE_FIELDS)
        audit_change(actor=actor, obj=case, before=before, after=after, reason="reopened elsewhere")
        moved: dict[str, Any] = {"from": before, "to": after}  # "from" is a keyword
        journal(
            case,
            actor,
            CaseEventKind.SCHOOL_CHANGED,
            REOPENED_ELSEWHERE(org=scope.lead_organisation.name),
            **moved,
        )
    lead_user_id = scope.lead_user.pk if scope.lead_user else None
    if (case.lead_organisation_id, case.lead_user_id) != (
        scope.lead_organisation.pk,
        lead_user_id,
    ):
        lead_hand_over(
            case=case,
            organisation=scope.lead_organisation,
            user=scope.lead_user,
            actor=actor,
            reason=REOPENED_NEW_LEAD(org=scope.lead_organisation.name),
        )


@transaction.atomic
def case_reopen(
    *,
    case: Case,
    actor: Actor,
    reason: str | SystemText,
    clock_start: datetime.date | None = None,
    by_system: bool = False,
    scope: CaseScope | None = None,
) -> Case:
    """Reopen a closed case in phase ``school`` (the same case, with its history).

    Privileged: the system on behalf of ``actor`` (a new report within 3 months, a check-in
    that finds the pupil missing again: ``by_system``) or a user who may lead cases. Resets
    the fields in ``REOPEN_RESETS`` and, when given, restarts the clock; cancels the pending
    check-ins. A new report gives its ``scope``: the case moves to the school, SWV,
    municipality and lead a new case would get from it.
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
    fields = ["phase", "clock_start", "route_round", *REOPEN_RESETS]
    before = snapshot(case, fields)
    case.phase = Phase.SCHOOL
    case.route_round += 1
    for name in REOPEN_RESETS:
        setattr(case, name, "" if name in ("closed_reason", "closed_note") else None)
    if clock_start is not None:
        problems = absence_start_errors(case.pupil, clock_start)
        if problems:
            raise ValidationError({"clock_start": problems})
        case.clock_start = clock_start
    case.save(update_fields=fields)
    audit_change(
        actor=actor,
        obj=case,
        before=before,
        after=snapshot(case, fields),
        reason=as_message(reason),
    )
    moved: dict[str, Any] = {"from": Phase.CLOSED, "to": Phase.SCHOOL}  # "from" is a keyword
    journal(
        case,
        actor,
        CaseEventKind.REOPENED,
        reason,
        resets=list(REOPEN_RESETS),
        **moved,
    )
    check_ins_cancel_pending(case.pupil_id)
    if scope is not None:
        _scope_move(case, actor, scope)
    return case
