"""The route's steps taken by people: early escalation, the doorbraak assessment,
arbitration and the OM referral (DESIGN.md 4.2). Every step is an ``Escalation`` row;
steps passed over on the way are recorded as skipped, with the reason, never left out."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from cases.models import Case, CaseEventKind, MeetingKind
from cases.services import case_lead_change, case_transition, meeting_record
from cases.services.common import case_locked, journal, require_case_work
from cases.workflow import Phase, is_allowed
from registration.models import ConsentScope, ConsentStatus
from registration.services import pupil_consent_state
from thuiszitters.access import has_capability
from thuiszitters.audit import audit_change, audited_update
from thuiszitters.models import AuditAction, Organisation, User
from thuiszitters.roles import Capability
from thuiszitters.system import SWEEP, Actor, acting_user

from ..models import (
    ArbitrationPanel,
    ArbitrationStatus,
    DoorbraakAssessment,
    Escalation,
    NotificationKind,
    OmReferral,
    OmRoute,
    Step,
    Trigger,
)
from ..route import TIMED_STEPS, WEEK_STEPS, steps_between
from ..selectors.route import case_casusregisseur, own_doorbraakteam_members
from ..texts import ARBITRATION_STARTED, ASSESSMENT_ANSWERED, ASSESSMENT_NO_OFFER, OM_REFERRED
from .appointment import appoint
from .deadlines import RouteFacts, deadlines_compute
from .notify import Event, notify

ARBITRATOR_PERMISSION = "cases.view_case_as_arbitrator"
OFFER_WINDOW_DAYS = 28


def _require(actor: User, capability: str, message: str) -> None:
    if not has_capability(actor, capability):
        raise PermissionDenied(message)


def _record(
    case: Case, step: str, trigger: str, actor: User, reason: str, facts: RouteFacts
) -> Escalation | None:
    """The step's escalation row, once per round (a step taken again adds none)."""
    if Escalation.objects.filter(case=case, route_round=case.route_round, step=step).exists():
        return None
    escalation = Escalation.objects.create(
        case=case,
        route_round=case.route_round,
        step=step,
        due_on=facts.planned(case.pk, step) if step in TIMED_STEPS else None,
        trigger=trigger,
        actor=acting_user(actor),
        reason=reason,
        policy_version=facts.version(case.pk),
    )
    audit_change(actor=actor, obj=escalation, action=AuditAction.CREATE, reason=reason)
    return escalation


def _after_step(case: Case, step: str, actor: User, facts: RouteFacts) -> None:
    deadlines_compute([case.pk])
    case.refresh_from_db(fields=["lead_user", "phase"])
    version = facts.version(case.pk)
    candidates = {case.lead_user_id}
    if version is not None:
        candidates.add(version.doorbraakteam_coordinator_id)
    users = {pk for pk in candidates if pk is not None and pk != actor.pk}
    notify(
        [
            Event(
                kind=NotificationKind.ESCALATED_BY_HAND,
                case_id=case.pk,
                route_round=case.route_round,
                step=step,
                due_on=timezone.localdate(),
                users=users,
            )
        ]
    )


def _move_lead_to_casusregisseur(case: Case, actor: User, reason: str, facts: RouteFacts) -> None:
    org_id, user_id = appoint(facts, [case.pk])[case.pk]
    if (case.lead_organisation_id, case.lead_user_id) == (org_id, user_id):
        return
    organisation = Organisation.objects.get(pk=org_id)
    user = User.objects.get(pk=user_id) if user_id else None
    case_lead_change(case=case, organisation=organisation, user=user, actor=actor, reason=reason)


@transaction.atomic
def escalate_by_hand(*, case: Case, step: str, actor: User, reason: str) -> list[Escalation]:
    """Take a timed step earlier than its deadline, with a reason. Steps between the case's
    phase and ``step`` that the table lets the case pass over are recorded as skipped."""
    if step not in WEEK_STEPS:
        raise ValidationError({"step": _("Kies casusregisseur, doorbraaktoets of doorbraakteam.")})
    require_case_work(actor, case)
    if step != Step.CASUSREGISSEUR:
        _require(
            actor,
            Capability.LEAD_AS_CASUSREGISSEUR,
            _("Alleen de casusregisseur schaalt verder op."),
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Geef een reden om eerder op te schalen.")})
    case = case_locked(case)
    if case.phase not in (Phase.SCHOOL, Phase.CASUSREGISSEUR, Phase.DOORBRAAK_ASSESSMENT):
        raise ValidationError({"step": _("Deze casus is de getimede stappen al voorbij.")})
    path = steps_between(case.phase, step) if case.phase != step else []
    if not path:
        raise ValidationError({"step": _("Kies een stap verder op de route.")})
    made = []
    facts = RouteFacts([case.pk])
    for index, next_step in enumerate(path):
        last = index == len(path) - 1
        if not last and is_allowed(case.phase, step):
            made.append(
                _record(
                    case,
                    next_step,
                    Trigger.SKIPPED,
                    actor,
                    _("Overgeslagen: met de hand naar %(step)s. %(reason)s")
                    % {"step": Step(step).label, "reason": reason},
                    facts,
                )
            )
            continue
        case = case_transition(
            case=case, to_phase=next_step, actor=actor, reason=reason, via="escalation"
        )
        made.append(_record(case, next_step, Trigger.PERSON, actor, reason, facts))
        if next_step == Step.CASUSREGISSEUR:
            _move_lead_to_casusregisseur(case, actor, reason, facts)
    _after_step(case, step, actor, facts)
    return [m for m in made if m is not None]


def case_move_forward(*, case: Case, to_phase: str, actor: User, reason: str) -> Case:
    """``cases.services.case_move`` forward to a timed step: an escalation by hand
    (registered in ``EscalationConfig.ready``). Its errors name the ``phase``, as a move's."""
    try:
        escalate_by_hand(case=case, step=to_phase, actor=actor, reason=reason)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {("phase" if k == "step" else k): v for k, v in exc.message_dict.items()}
        ) from exc
    return Case.objects.get(pk=case.pk)


@transaction.atomic
def assessment_record(
    *,
    case: Case,
    actor: User,
    offer_within_four_weeks: bool,
    explanation: str,
    expected_start_on: datetime.date | None = None,
) -> DoorbraakAssessment:
    """The casusregisseur's answer: "no" puts the case on the doorbraakteam agenda at once;
    "yes" keeps it in the assessment until the offer starts or week 12 arrives."""
    require_case_work(actor, case, Capability.LEAD_AS_CASUSREGISSEUR)
    case = case_locked(case)
    if case.phase != Phase.DOORBRAAK_ASSESSMENT:
        raise ValidationError(_("De doorbraaktoets hoort bij de fase doorbraaktoets."))
    if not explanation.strip():
        raise ValidationError({"explanation": _("Licht het antwoord toe.")})
    today = timezone.localdate()
    if offer_within_four_weeks:
        if expected_start_on is None:
            raise ValidationError({"expected_start_on": _("Wanneer start het aanbod?")})
        if not today <= expected_start_on <= today + datetime.timedelta(days=OFFER_WINDOW_DAYS):
            raise ValidationError(
                {"expected_start_on": _("Die datum ligt niet binnen de komende 4 weken.")}
            )
    elif expected_start_on is not None:
        expected_start_on = None
    if DoorbraakAssessment.objects.filter(case=case, route_round=case.route_round).exists():
        raise ValidationError(_("De doorbraaktoets is al ingevuld."))
    assessment = DoorbraakAssessment.objects.create(
        case=case,
        route_round=case.route_round,
        offer_within_four_weeks=offer_within_four_weeks,
        expected_start_on=expected_start_on,
        explanation=explanation.strip(),
        answered_by=actor,
    )
    audit_change(actor=actor, obj=assessment, action=AuditAction.CREATE)
    journal(
        case,
        actor,
        CaseEventKind.DECISION,
        ASSESSMENT_ANSWERED(answer=offer_within_four_weeks, text=assessment.explanation),
    )
    if not offer_within_four_weeks:
        reason = ASSESSMENT_NO_OFFER()
        case = case_transition(
            case=case, to_phase=Phase.DOORBRAAKTEAM, actor=actor, reason=reason, via="escalation"
        )
        facts = RouteFacts([case.pk])
        _record(case, Step.DOORBRAAKTEAM, Trigger.ASSESSMENT, actor, reason.dutch(), facts)
        _after_step(case, Step.DOORBRAAKTEAM, actor, facts)
    else:
        deadlines_compute([case.pk])
    return assessment


def binding_arbitration_agreed(case: Case) -> bool:
    return pupil_consent_state(case.pupil)[ConsentScope.BINDING_ARBITRATION].effective


def binding_arbitration_refused(case: Case) -> bool:
    state = pupil_consent_state(case.pupil)[ConsentScope.BINDING_ARBITRATION]
    return any(
        state.latest.get(party) in (ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN)
        for party in state.required
    )


@transaction.atomic
def arbitration_start(
    *,
    case: Case,
    actor: User,
    parents_representative: str,
    own_member: User,
    neighbour_member: User,
    reason: str,
    chair: User | None = None,
) -> ArbitrationPanel:
    """The casusregisseur, with the doorbraakteam, refers the case to binding arbitration.

    Only with the parents' (and from 12 the pupil's) binding-arbitration consent and their
    chosen representative. The panel (seed 002, 6.9): that representative, a member of the
    doorbraakteam of the case's own SWV and a member of the neighbouring SWV named in the
    convenant, chaired by the case's casusregisseur (``chair``: empty is that person). The
    neighbouring member may see this one case while the panel sits. Every refusal of the
    panel names its field.
    """
    require_case_work(actor, case, Capability.LEAD_AS_CASUSREGISSEUR)
    case = case_locked(case)
    errors: dict[str, str] = {}
    if case.phase != Phase.DOORBRAAKTEAM:
        raise ValidationError(_("Arbitrage volgt op het doorbraakteam."))
    if not binding_arbitration_agreed(case):
        # On the representative: the parents choose one only when they agree.
        errors["parents_representative"] = _(
            "Arbitrage begint alleen met toestemming voor bindende arbitrage "
            "van de ouders (en vanaf 12 jaar de leerling)."
        )
    elif not parents_representative.strip():
        errors["parents_representative"] = _("Wie vertegenwoordigt de ouders?")
    casusregisseur = case_casusregisseur(case)
    if casusregisseur is None:
        errors["chair"] = _(
            "De casus heeft nog geen casusregisseur als persoon; draag de casusregie eerst "
            "over aan de casusregisseur, die de commissie voorzit."
        )
    elif chair is not None and chair.pk != casusregisseur.pk:
        errors["chair"] = _("De casusregisseur van de casus, %(name)s, is voorzitter.") % {
            "name": casusregisseur.full_name or casusregisseur.email
        }
    if not reason.strip():
        errors["reason"] = _("Geef de reden voor arbitrage.")
    facts = RouteFacts([case.pk])
    version = facts.version(case.pk)
    neighbour_swv = version.neighbour_swv if version is not None else None
    if neighbour_swv is None:
        errors["neighbour_member"] = _(
            "Het convenant noemt geen naburig samenwerkingsverband; vraag de functioneel "
            "beheerder dat in te vullen."
        )
    elif not has_capability(neighbour_member, Capability.SIT_ON_DOORBRAAKTEAM, neighbour_swv.pk):
        errors["neighbour_member"] = _("Kies een lid van het doorbraakteam van %(swv)s.") % {
            "swv": neighbour_swv.name
        }
    own_swv = case.swv
    if own_swv is None:
        errors["own_member"] = _(
            "De casus hoort bij geen samenwerkingsverband, dus er is geen eigen doorbraakteam."
        )
    elif (
        own_member is None
        or not own_doorbraakteam_members(case, version).filter(pk=own_member.pk).exists()
    ):
        errors["own_member"] = _("Kies een lid van het doorbraakteam van %(swv)s.") % {
            "swv": own_swv.name
        }
    elif own_member.pk in (getattr(neighbour_member, "pk", None), getattr(casusregisseur, "pk", 0)):
        errors["own_member"] = _("De leden van de commissie zijn verschillende mensen.")
    if errors or neighbour_swv is None or casusregisseur is None:  # only with an error
        raise ValidationError(errors)
    panel = ArbitrationPanel.objects.create(
        case=case,
        route_round=case.route_round,
        chair=casusregisseur,
        parents_representative=parents_representative.strip(),
        own_member=own_member,
        neighbour_swv=neighbour_swv,
        neighbour_member=neighbour_member,
        reason=reason.strip(),
    )
    audit_change(actor=actor, obj=panel, action=AuditAction.CREATE, reason=reason)
    case = case_transition(
        case=case, to_phase=Phase.ARBITRATION, actor=actor, reason=reason, via="escalation"
    )
    _record(case, Step.ARBITRATION, Trigger.PERSON, actor, reason, facts)
    assign_perm(ARBITRATOR_PERMISSION, neighbour_member, case)
    audit_change(
        actor=actor,
        obj=case,
        before={"arbitrator": None},
        after={"arbitrator": neighbour_member.pk},
        reason=_("Lid arbitragecommissie uit %(swv)s") % {"swv": neighbour_swv.name},
    )
    journal(
        case,
        actor,
        CaseEventKind.DECISION,
        ARBITRATION_STARTED(chair=casusregisseur.full_name or casusregisseur.email),
        panel=panel.pk,
    )
    notify(
        [
            Event(
                kind=NotificationKind.ARBITRATION,
                case_id=case.pk,
                route_round=case.route_round,
                step=Step.ARBITRATION,
                due_on=None,
                users={own_member.pk, neighbour_member.pk},
            )
        ]
    )
    _after_step(case, Step.ARBITRATION, actor, facts)
    return panel


@transaction.atomic
def arbitration_conclude(
    *,
    panel: ArbitrationPanel,
    actor: User,
    status: str,
    decision: str = "",
    decided_on: datetime.date | None = None,
) -> ArbitrationPanel:
    """The panel's end: a binding decision (recorded as the hearing's decision), no result,
    or the parents refusing it. The neighbouring member's access ends here."""
    case = panel.case
    require_case_work(actor, case, Capability.LEAD_AS_CASUSREGISSEUR)
    case = case_locked(case)
    panel = ArbitrationPanel.objects.select_for_update().get(pk=panel.pk)
    if panel.status != ArbitrationStatus.IN_SESSION:
        raise ValidationError(_("Deze arbitrage is al afgerond."))
    if status not in (
        ArbitrationStatus.DECIDED,
        ArbitrationStatus.NO_RESULT,
        ArbitrationStatus.REFUSED,
    ):
        raise ValidationError({"status": _("Kies de uitkomst.")})
    decided_on = decided_on or timezone.localdate()
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("Die datum ligt in de toekomst.")})
    if status == ArbitrationStatus.DECIDED and not decision.strip():
        raise ValidationError({"decision": _("Leg het bindende besluit vast.")})
    _panel_end(
        panel,
        actor=actor,
        reason=_("Arbitrage afgerond"),
        status=status,
        decision=decision.strip(),
        decided_on=decided_on,
    )
    meeting_record(
        case=case,
        actor=actor,
        kind=MeetingKind.ARBITRATION_HEARING,
        held_on=decided_on,
        notes=str(ArbitrationStatus(status).label),
        decisions=[panel.decision] if panel.decision else [],
    )
    return panel


def arbitration_end_by_timer(case_ids: list[int], rounds: dict[int, int]) -> None:
    """The OM timer passed while the panel sat: it ends without result, and with it the
    neighbouring member's access to the case (called by the sweep, which moved the cases)."""
    reason = _("Termijn voor het Openbaar Ministerie verstreken")
    for panel in (
        ArbitrationPanel.objects.select_for_update()
        .filter(case_id__in=case_ids, status=ArbitrationStatus.IN_SESSION)
        .select_related("case", "neighbour_member")
    ):
        if rounds.get(panel.case_id) == panel.route_round:
            _panel_end(
                panel,
                actor=SWEEP,
                reason=reason,
                panel_reason=reason,
                status=ArbitrationStatus.NO_RESULT,
            )


def _panel_end(
    panel: ArbitrationPanel, *, actor: Actor, reason: str, panel_reason: str = "", **outcome: Any
) -> None:
    """A sitting panel's outcome, audited, and the end of the neighbouring member's access."""
    audited_update(panel, actor=actor, reason=panel_reason, ended_at=timezone.now(), **outcome)
    remove_perm(ARBITRATOR_PERMISSION, panel.neighbour_member, panel.case)
    audit_change(
        actor=actor,
        obj=panel.case,
        before={"arbitrator": panel.neighbour_member_id},
        after={"arbitrator": None},
        reason=reason,
    )


@transaction.atomic
def om_refer(
    *, case: Case, actor: User, route: str, referred_on: datetime.date, reason: str
) -> OmReferral:
    """Refer the case to the Openbaar Ministerie (civil or criminal route) when the parents
    refuse binding arbitration or arbitration has no result; or record the referral of a
    case the timer brought to the OM step (months after the doorbraakteam began)."""
    require_case_work(actor, case, Capability.LEAD_AS_CASUSREGISSEUR)
    case = case_locked(case)
    errors = {}
    if route not in OmRoute.values:
        errors["route"] = _("Kies de civiele of de strafrechtelijke route.")
    if not reason.strip():
        errors["reason"] = _("Geef de reden van de doorverwijzing.")
    if referred_on > timezone.localdate():
        errors["referred_on"] = _("Die datum ligt in de toekomst.")
    if errors:
        raise ValidationError(errors)
    panel = ArbitrationPanel.objects.filter(case=case, route_round=case.route_round).first()
    facts = RouteFacts([case.pk])
    if case.phase == Phase.ARBITRATION:
        if panel is None or panel.status not in (
            ArbitrationStatus.NO_RESULT,
            ArbitrationStatus.REFUSED,
        ):
            raise ValidationError(
                _("Naar het OM als de arbitrage zonder resultaat is of de ouders weigeren.")
            )
    elif case.phase == Phase.DOORBRAAKTEAM:
        if not binding_arbitration_refused(case):
            raise ValidationError(
                _(
                    "Vanuit het doorbraakteam naar het OM alleen als de ouders bindende "
                    "arbitrage weigeren; leg die weigering eerst vast bij de toestemming."
                )
            )
        _record(
            case,
            Step.ARBITRATION,
            Trigger.SKIPPED,
            actor,
            _("Overgeslagen: de ouders weigeren bindende arbitrage. %(reason)s")
            % {"reason": reason},
            facts,
        )
    elif case.phase == Phase.OM_REFERRAL:
        if OmReferral.objects.filter(case=case, route_round=case.route_round).exists():
            raise ValidationError(_("De doorverwijzing naar het OM is al vastgelegd."))
    else:
        raise ValidationError(_("Doorverwijzen naar het OM volgt op doorbraakteam of arbitrage."))
    by_timer = case.phase == Phase.OM_REFERRAL
    referral = OmReferral.objects.create(
        case=case,
        route_round=case.route_round,
        route=route,
        referred_on=referred_on,
        reason=reason.strip(),
        arbitration=panel,
        created_by=actor,
    )
    audit_change(actor=actor, obj=referral, action=AuditAction.CREATE, reason=reason)
    if by_timer:  # the phase and its escalation row are the sweep's already
        journal(
            case,
            actor,
            CaseEventKind.DECISION,
            OM_REFERRED(route=referral.route, day=referred_on, reason=referral.reason),
        )
        return referral
    case = case_transition(
        case=case, to_phase=Phase.OM_REFERRAL, actor=actor, reason=reason, via="escalation"
    )
    _record(case, Step.OM_REFERRAL, Trigger.PERSON, actor, reason, facts)
    _after_step(case, Step.OM_REFERRAL, actor, facts)
    return referral
