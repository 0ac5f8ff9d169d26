"""Services of the case file: lead, participants, ladder, details, journal, plan, meetings,
arrangements, care partners and aftercare. Each locks the case, refuses a closed one, audits
and writes the journal in one transaction."""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from registration.models import Consent, ConsentScope
from registration.services import ConsentStanding, consent_record, pupil_consent_state
from thuiszitters.access import has_capability
from thuiszitters.audit import audit_change, snapshot
from thuiszitters.models import AuditAction, Organisation, OrganisationKind, User
from thuiszitters.roles import Capability
from thuiszitters.system import Actor, acting_user, is_system

from ..models import (
    Action,
    ActionStatus,
    AftercareCheckIn,
    Arrangement,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseUserObjectPermission,
    Cause,
    CheckInOutcome,
    Decision,
    Goal,
    LeadAssignment,
    Meeting,
    MeetingKind,
    Participant,
    ParticipantRole,
)
from ..texts import (
    ARRANGEMENT_ADDED,
    CARE_CONSENT_WITHDRAWN,
    MEETING_HELD,
    MEETING_HELD_WITHOUT_CONSENT,
    REOPENED_AT_AFTERCARE,
    SystemText,
    as_message,
)
from .common import case_locked, journal, lead_hand_over, require_case_work
from .workflow import case_reopen

_ModelT = TypeVar("_ModelT", bound=models.Model)

CARE_PERMISSION = "cases.view_case_as_care_partner"
LEAD_ORGANISATION_KINDS = frozenset(
    {
        OrganisationKind.SCHOOL,  # the school holds the lead until week 4
        OrganisationKind.LEERPLICHT_BUREAU,
        OrganisationKind.MUNICIPALITY,
        OrganisationKind.SWV,
    }
)


def _save_new(
    obj: _ModelT,
    actor: Actor,
    case: Case,
    kind: str,
    message: str | SystemText = "",
    **data: Any,
) -> _ModelT:
    obj.full_clean()
    obj.save()
    audit_change(actor=actor, obj=obj, action=AuditAction.CREATE)
    journal(case, actor, kind, message, **data)
    return obj


@transaction.atomic
def case_lead_change(
    *,
    case: Case,
    organisation: Organisation,
    actor: Actor,
    user: User | None = None,
    reason: str = "",
) -> Case:
    """Hand the lead to another organisation (and person). Exactly one lead at any time."""
    require_case_work(actor, case)
    case = case_locked(case)
    if organisation.kind not in LEAD_ORGANISATION_KINDS:
        raise ValidationError(
            {"organisation": _("Kies een school, leerplicht, gemeente of samenwerkingsverband.")}
        )
    if organisation.region_id != case.municipality.region_id:
        raise ValidationError(
            {"organisation": _("Kies een organisatie uit de regio van de casus.")}
        )
    if (
        user is not None
        and not user.memberships.active().filter(organisation=organisation).exists()
    ):
        raise ValidationError({"user": _("Deze persoon werkt niet bij die organisatie.")})
    return lead_hand_over(
        case=case, organisation=organisation, user=user, actor=actor, reason=reason
    )


def lead_history_start(case: Case) -> LeadAssignment:
    """The first lead of a new case (called by the intake)."""
    return LeadAssignment.objects.create(
        case=case,
        organisation=case.lead_organisation,
        user=case.lead_user,
        started_at=case.opened_at,
    )


@transaction.atomic
def case_details_update(*, case: Case, actor: Actor, reason: str = "", **fields: Any) -> Case:
    """Daytime activity, causes, waiting list, wishes, and the ladder of effectiveness."""
    allowed = {
        "daytime_activity",
        "causes",
        "waiting_list_for",
        "waiting_since",
        "parents_wishes",
        "pupil_wishes",
        "situation_level",
        "lead_mode",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Cannot change {sorted(unknown)} here")
    require_case_work(actor, case)
    case = case_locked(case)
    if "causes" in fields:
        bad = [c for c in fields["causes"] if c not in Cause.values]
        if bad:
            raise ValidationError({"causes": _("Onbekende oorzaak: %(c)s") % {"c": ", ".join(bad)}})
        fields["causes"] = sorted(set(fields["causes"]))
    waiting_for = fields.get("waiting_list_for", case.waiting_list_for)
    if waiting_for == "":
        if fields.get("waiting_since"):
            raise ValidationError({"waiting_since": _("Kies eerst waarvoor de wachtlijst is.")})
        if "waiting_list_for" in fields:
            fields["waiting_since"] = None
    before = snapshot(case, fields)
    for name, value in fields.items():
        setattr(case, name, value)
    case.full_clean(exclude=["pupil", "municipality", "lead_organisation", "swv", "school"])
    case.save(update_fields=list(fields))
    after = snapshot(case, fields)
    changed = [k for k in fields if before.get(k) != after.get(k)]
    if changed:
        # The reason is free text about the family: the journal keeps it, the audit log not.
        audit_change(actor=actor, obj=case, before=before, after=after)
        ladder = {"situation_level", "lead_mode"} & set(changed)
        kind = (
            CaseEventKind.LADDER_CHANGED
            if ladder and set(changed) <= ladder
            else CaseEventKind.DETAILS_CHANGED
        )
        journal(case, actor, kind, reason, changed={k: after[k] for k in changed})
    return case


@transaction.atomic
def case_journal_add(
    *,
    case: Case,
    actor: Actor,
    text: str,
    kind: str = CaseEventKind.NOTE,
    on: datetime.datetime | None = None,
) -> CaseEvent:
    """A note, conversation or decision in the journal (append-only)."""
    if kind not in (CaseEventKind.NOTE, CaseEventKind.CONVERSATION, CaseEventKind.DECISION):
        raise ValidationError({"kind": _("Kies aantekening, gesprek of besluit.")})
    if not text.strip():
        raise ValidationError({"text": _("Schrijf op wat er is gebeurd of besproken.")})
    require_case_work(actor, case)
    case = case_locked(case)
    event = journal(case, actor, kind, text.strip(), at=on)
    audit_change(actor=actor, obj=event, action=AuditAction.CREATE)
    return event


@transaction.atomic
def participant_add(
    *,
    case: Case,
    actor: Actor,
    role: str,
    user: User | None = None,
    organisation: Organisation | None = None,
    name: str = "",
) -> Participant:
    require_case_work(actor, case)
    case = case_locked(case)
    if user is None and not name.strip():
        raise ValidationError({"name": _("Kies een gebruiker of vul een naam in.")})
    from ..selectors import participant_candidates

    if user is not None and not participant_candidates(actor, case).filter(pk=user.pk).exists():
        raise ValidationError(
            {
                "user": _(
                    "Kies een collega of een professional van een organisatie die aan deze "
                    "casus werkt; zorgpartners nodigt u apart uit."
                )
            }
        )
    participant = Participant(
        case=case, user=user, organisation=organisation, name=name.strip(), role=role
    )
    return _save_new(
        participant,
        actor,
        case,
        CaseEventKind.PARTICIPANT_ADDED,
        participant.display_name,
        role=role,
    )


@transaction.atomic
def participant_remove(*, participant: Participant, actor: Actor) -> Participant:
    require_case_work(actor, participant.case)
    case_locked(participant.case)
    before = snapshot(participant, ["removed_at"])
    participant.removed_at = timezone.now()
    participant.save(update_fields=["removed_at"])
    audit_change(
        actor=actor, obj=participant, before=before, after=snapshot(participant, ["removed_at"])
    )
    journal(participant.case, actor, CaseEventKind.PARTICIPANT_REMOVED, participant.display_name)
    if participant.user_id:
        remove_perm(CARE_PERMISSION, participant.user, participant.case)
    return participant


@transaction.atomic
def goal_add(
    *,
    case: Case,
    actor: Actor,
    description: str,
    measure: str = "",
    target_date: datetime.date | None = None,
) -> Goal:
    require_case_work(actor, case)
    case = case_locked(case)
    goal = Goal(
        case=case, description=description.strip(), measure=measure.strip(), target_date=target_date
    )
    return _save_new(goal, actor, case, CaseEventKind.GOAL_ADDED, goal.description)


@transaction.atomic
def action_add(
    *,
    case: Case,
    actor: Actor,
    description: str,
    due_on: datetime.date,
    owner_user: User | None = None,
    owner_organisation: Organisation | None = None,
    goal: Goal | None = None,
    decision: Decision | None = None,
) -> Action:
    require_case_work(actor, case)
    case = case_locked(case)
    if owner_user is None and owner_organisation is None:
        raise ValidationError(
            {"owner_user": _("Kies wie de actie uitvoert: een persoon of een organisatie.")}
        )
    if goal is not None and goal.case_id != case.pk:
        raise ValidationError({"goal": _("Dit doel hoort bij een andere casus.")})
    action = Action(
        case=case,
        description=description.strip(),
        due_on=due_on,
        owner_user=owner_user,
        owner_organisation=owner_organisation,
        goal=goal,
        decision=decision,
    )
    return _save_new(
        action,
        actor,
        case,
        CaseEventKind.ACTION_ADDED,
        action.description,
        due_on=due_on.isoformat(),
    )


@transaction.atomic
def action_status_set(*, action: Action, status: str, actor: Actor) -> Action:
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Onbekende status.")})
    is_owner = not is_system(actor) and action.owner_user_id == actor.pk
    if not is_owner:
        require_case_work(actor, action.case)
    case_locked(action.case)
    before = snapshot(action, ["status", "completed_at"])
    action.status = status
    action.completed_at = timezone.now() if status == ActionStatus.DONE else None
    action.save(update_fields=["status", "completed_at"])
    audit_change(
        actor=actor, obj=action, before=before, after=snapshot(action, ["status", "completed_at"])
    )
    journal(
        action.case,
        actor,
        CaseEventKind.ACTION_STATUS,
        action.description,
        status=status,
        action=action.pk,
    )
    return action


@transaction.atomic
def meeting_record(
    *,
    case: Case,
    actor: Actor,
    kind: str,
    held_on: datetime.date,
    notes: str = "",
    participants: Sequence[Participant] = (),
    parents_present: bool = False,
    pupil_present: bool = False,
    decisions: Sequence[str] = (),
    actions: Sequence[dict[str, Any]] = (),
    confirmed_without_consent: bool = False,
) -> Meeting:
    """A meeting with its participants and decisions; ``actions`` (description, due_on,
    owner_user/owner_organisation, decision index) become actions of the plan.

    An MDO without the ``meeting_participation`` consent on its day is refused with a
    warning on ``confirmed_without_consent``, unless the user confirmed; the journal then
    says so (DESIGN.md 4.3: consent is enforced, not only recorded).

    Doorbraakteam members record the decisions of their own meetings (and arbitration
    hearings) without the general right to work cases."""
    team_meeting = kind in (MeetingKind.DOORBRAAKTEAM, MeetingKind.ARBITRATION_HEARING)
    require_case_work(
        actor,
        case,
        Capability.SIT_ON_DOORBRAAKTEAM
        if team_meeting and not has_capability(actor, Capability.WORK_CASES)
        else Capability.WORK_CASES,
    )
    case = case_locked(case)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Leg een overleg vast nadat het is gehouden.")})
    if any(p.case_id != case.pk for p in participants):
        raise ValidationError({"participants": _("Kies betrokkenen van deze casus.")})
    without_consent = (
        kind == MeetingKind.MDO
        and not pupil_consent_state(case.pupil, on=held_on)[
            ConsentScope.MEETING_PARTICIPATION
        ].effective
    )
    if without_consent and not confirmed_without_consent:
        raise ValidationError(
            {
                "confirmed_without_consent": _(
                    "Er is geen toestemming om de leerling in een MDO te bespreken. Vraag die "
                    "eerst, of bevestig dat u het MDO toch vastlegt."
                )
            }
        )
    meeting = Meeting(
        case=case,
        kind=kind,
        held_on=held_on,
        notes=notes.strip(),
        created_by=acting_user(actor),
        parents_present=parents_present,
        pupil_present=pupil_present,
    )
    summary = (MEETING_HELD_WITHOUT_CONSENT if without_consent else MEETING_HELD)(kind=kind)
    extra = {"without_consent": True} if without_consent else {}
    _save_new(
        meeting,
        actor,
        case,
        CaseEventKind.MEETING_HELD,
        summary,
        held_on=held_on.isoformat(),
        **extra,
    )
    meeting.participants.set(participants)
    made = []
    for text in decisions:
        if text.strip():
            decision = Decision.objects.create(meeting=meeting, text=text.strip())
            audit_change(actor=actor, obj=decision, action=AuditAction.CREATE)
            journal(case, actor, CaseEventKind.DECISION, decision.text, meeting=meeting.pk)
            made.append(decision)
    for spec in actions:
        index = spec.pop("decision", None)
        action_add(
            case=case, actor=actor, decision=made[index] if index is not None else None, **spec
        )
    return meeting


@transaction.atomic
def arrangement_record(
    *,
    case: Case,
    actor: Actor,
    kind: str,
    start_on: datetime.date,
    share_percent: int,
    description: str = "",
    is_suitable_offer: bool = True,
    cost_total: Decimal = Decimal(0),
    municipality_share_percent: int = 50,
) -> Arrangement:
    """The offer; the first suitable one that has started is recorded for the 3-month target."""
    require_case_work(actor, case)
    case = case_locked(case)
    arrangement = Arrangement(
        case=case,
        kind=kind,
        start_on=start_on,
        share_percent=share_percent,
        description=description.strip(),
        is_suitable_offer=is_suitable_offer,
        cost_total=cost_total,
        municipality_share_percent=municipality_share_percent,
        created_by=acting_user(actor),
    )
    _save_new(
        arrangement,
        actor,
        case,
        CaseEventKind.ARRANGEMENT_ADDED,
        ARRANGEMENT_ADDED(kind=kind),
        start_on=start_on.isoformat(),
        cost_municipality=str(arrangement.cost_municipality),
        cost_swv=str(arrangement.cost_swv),
    )
    if (
        is_suitable_offer
        and start_on <= timezone.localdate()
        and case.first_offer_started_on is None
    ):
        before = snapshot(case, ["first_offer_started_on"])
        case.first_offer_started_on = start_on
        case.save(update_fields=["first_offer_started_on"])
        audit_change(
            actor=actor, obj=case, before=before, after=snapshot(case, ["first_offer_started_on"])
        )
    return arrangement


@transaction.atomic
def care_partner_invite(
    *, case: Case, user: User, actor: Actor, role: str = ParticipantRole.JEUGDARTS
) -> Participant:
    """Invite a care partner to one case. Only with the share_with_care_partners consent."""
    require_case_work(actor, case)
    case = case_locked(case)
    case.pupil.refresh_from_db(fields=["shared_with_care_partners"])
    if not case.pupil.shared_with_care_partners:
        raise ValidationError(
            {"user": _("Er is geen toestemming om te delen met zorgpartners; vraag die eerst.")}
        )
    organisation = Organisation.objects.filter(
        memberships__user=user, kind=OrganisationKind.CARE_ORGANISATION
    ).first()
    if organisation is None or not has_capability(
        user, Capability.VIEW_PERSONAL_DATA, organisation.pk
    ):
        raise ValidationError({"user": _("Deze gebruiker is geen zorgpartner.")})
    participant = Participant(case=case, user=user, organisation=organisation, role=role)
    _save_new(participant, actor, case, CaseEventKind.CARE_ACCESS_GRANTED, participant.display_name)
    assign_perm(CARE_PERMISSION, user, case)
    return participant


def care_access_revoke_all(*, case: Case, actor: Actor, reason: str | SystemText) -> int:
    """Remove every care partner's grant on the case (consent withdrawn). A system text
    ``reason`` goes to the journal as its code, to the audit log in Dutch."""
    text, reason = reason, as_message(reason)
    grants = list(
        CaseUserObjectPermission.objects.filter(
            content_object=case, permission__codename="view_case_as_care_partner"
        ).select_related("user")
    )
    for grant in grants:
        audit_change(actor=actor, obj=grant, action=AuditAction.DELETE, reason=reason)
        remove_perm(CARE_PERMISSION, grant.user, case)
        for participant in case.participants.filter(user=grant.user, removed_at__isnull=True):
            before = snapshot(participant, ["removed_at"])
            participant.removed_at = timezone.now()
            participant.save(update_fields=["removed_at"])
            audit_change(
                actor=actor,
                obj=participant,
                before=before,
                after=snapshot(participant, ["removed_at"]),
                reason=reason,
            )
        journal(case, actor, CaseEventKind.CARE_ACCESS_REVOKED, text, user=grant.user_id)
    return len(grants)


@transaction.atomic
def case_consent_record(*, case: Case, actor: User, **statement: Any) -> Consent:
    """A consent statement made from the case page. Withdrawing share_with_care_partners
    revokes the care partners' grants at once (the selectors already stop showing the case
    the moment the consent lapses).

    Whoever reads the case may record a statement, and so may its lead while working from
    the restricted view: asking for consent is that lead's first task (ADR 0014).
    """
    from ..selectors import case_is_led_by, cases_visible_to

    if not has_capability(actor, Capability.WORK_CASES) or not (
        cases_visible_to(actor).filter(pk=case.pk).exists() or case_is_led_by(actor, case)
    ):
        raise PermissionDenied(_("U mag voor deze casus geen toestemming vastleggen."))
    consent = consent_record(
        actor=actor, pupil=case.pupil, standing=ConsentStanding.PUPIL, **statement
    )
    case.pupil.refresh_from_db(fields=["shared_with_care_partners"])
    if not case.pupil.shared_with_care_partners:
        care_access_revoke_all(
            case=case,
            actor=actor,
            reason=CARE_CONSENT_WITHDRAWN(),
        )
    return consent


@transaction.atomic
def check_in_record(
    *,
    check_in: AftercareCheckIn,
    actor: Actor,
    outcome: str,
    note: str = "",
    on: datetime.date | None = None,
) -> AftercareCheckIn:
    """Record an aftercare check-in; a pupil missing again reopens the case."""
    require_case_work(actor, check_in.case)
    check_in = AftercareCheckIn.objects.select_for_update().get(pk=check_in.pk)
    if check_in.done_on is not None or check_in.cancelled:
        raise ValidationError(_("Dit nazorgcontact is al afgerond."))
    if outcome not in CheckInOutcome.values:
        raise ValidationError({"outcome": _("Kies een uitkomst.")})
    before = snapshot(check_in, ["done_on", "outcome", "note"])
    check_in.done_on = on or timezone.localdate()
    check_in.outcome, check_in.note, check_in.done_by = outcome, note, acting_user(actor)
    check_in.save(update_fields=["done_on", "outcome", "note", "done_by"])
    audit_change(
        actor=actor,
        obj=check_in,
        before=before,
        after=snapshot(check_in, ["done_on", "outcome", "note"]),
    )
    journal(check_in.case, actor, CaseEventKind.CHECK_IN, note, outcome=outcome)
    if outcome == CheckInOutcome.MISSING_AGAIN:
        case_reopen(
            case=check_in.case,
            actor=actor,
            by_system=True,
            clock_start=check_in.done_on,
            reason=REOPENED_AT_AFTERCARE(),
        )
    return check_in
