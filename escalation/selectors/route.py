"""Reads of escalation: cases past three months without an offer, the route of one case, its
next deadline, and the doorbraakteam's agenda.

Every read of a case goes through ``cases.selectors.cases_visible_to`` first (the callers
fetch the case with it); these functions only add what escalation knows about it, each in a
fixed number of queries.
"""

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseEventKind, CaseQuerySet, Meeting, MeetingKind
from cases.selectors import cases_visible_to
from cases.workflow import Phase
from thuiszitters.access import has_capability
from thuiszitters.models import Membership, Samenwerkingsverband, User
from thuiszitters.roles import Capability

from ..models import (
    ArbitrationPanel,
    CaseDeadline,
    DoorbraakAssessment,
    Escalation,
    OmReferral,
    PolicyVersion,
    Step,
    Trigger,
)
from ..route import (
    ROUTE_PHASES,
    ROUTE_STEPS,
    TIMED_STEPS,
    Policy,
    planned_dates,
    three_months_on,
)
from ..services.deadlines import (
    deadline_of,
    holidays_by_region,
    offer_stops_om,
    signal_changed,
)
from ..services.policy import current_version

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

AGENDA_PHASES = (Phase.DOORBRAAKTEAM, Phase.ARBITRATION)


def past_three_months_without_offer(
    cases: CaseQuerySet, on: datetime.date | None = None
) -> CaseQuerySet:
    """Of ``cases``: the open ones at home for more than three months without a suitable
    offer (since ``deadline.three_months_on``); for dashboards and reports."""
    day = on or timezone.localdate()
    # A signal without absence is not at home: its clock has not started.
    return cases.open().filter(
        deadline__three_months_on__lte=day, first_offer_started_on__isnull=True, at_risk=False
    )


# --- The next deadline ---------------------------------------------------------------------


@dataclass(frozen=True)
class NextDeadline:
    """The next timed step of a case as the pages and the API show it."""

    step: str
    due_on: datetime.date
    warn_on: datetime.date | None
    days_left: int  # negative: overdue by that many days

    @property
    def label(self) -> "StrOrPromise":
        return Step(self.step).label

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def _summary(row: CaseDeadline | None, today: datetime.date) -> NextDeadline | None:
    if row is None or not row.step or row.due_on is None:
        return None
    return NextDeadline(row.step, row.due_on, row.warn_on, (row.due_on - today).days)


def next_deadline_of(case: Case, today: datetime.date | None = None) -> NextDeadline | None:
    """The case's next deadline: the stored row when it is current (a ``select_related
    ("deadline")`` saves the query), else computed now (``deadline_of``)."""
    today = today or timezone.localdate()
    if not case.is_open:
        return None
    stored = getattr(case, "deadline", None) if _loaded(case, "deadline") else None
    if (
        stored is None
        or not stored.is_current_for(case.phase, case.clock_start, case.route_round)
        or signal_changed(stored, case.at_risk, case.phase)
        or offer_stops_om(stored, case.first_offer_started_on)
    ):
        stored = deadline_of(case)
    return _summary(stored, today)


def _loaded(case: Case, name: str) -> bool:
    return name in case._state.fields_cache


def is_past_three_months_without_offer(case: Case, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        case.is_open
        and not case.at_risk
        and case.first_offer_started_on is None
        and three_months_on(case.clock_start) <= today
    )


# --- The route of one case -----------------------------------------------------------------


@dataclass(frozen=True)
class RouteStep:
    """One step of the route: planned, taken (by the timer or a person), skipped or ahead.

    ``state``: ``passed`` (the case went beyond it), ``current`` (the case's phase),
    ``next`` (the next deadline is this step), ``ahead``, or ``not_reached`` (closed case).
    """

    step: str
    planned_on: datetime.date | None
    escalation: Escalation | None
    state: str
    due_on: datetime.date | None = None  # the next deadline's date, when this is that step
    days_left: int | None = None

    @property
    def label(self) -> "StrOrPromise":
        return Step(self.step).label

    @property
    def timed(self) -> bool:
        return self.step in TIMED_STEPS

    @property
    def taken(self) -> bool:
        return self.escalation is not None and self.escalation.trigger != Trigger.SKIPPED

    @property
    def skipped(self) -> bool:
        return self.escalation is not None and self.escalation.trigger == Trigger.SKIPPED

    @property
    def on_time(self) -> bool | None:
        if self.escalation is None or not self.taken:
            return None
        return self.escalation.on_time

    @property
    def days_late(self) -> int:
        if self.escalation is None or not self.taken or self.escalation.due_on is None:
            return 0
        return max((self.escalation.happened_on - self.escalation.due_on).days, 0)


@dataclass
class Route:
    """The route of one case, so far and ahead, for the case page and the API."""

    case: Case
    today: datetime.date
    policy: Policy
    version: PolicyVersion | None
    steps: list[RouteStep]
    escalations: list[Escalation]
    assessment: DoorbraakAssessment | None
    panel: ArbitrationPanel | None
    om_referral: OmReferral | None
    deadline: NextDeadline | None
    three_months_on: datetime.date
    past_three_months: bool
    planned: dict[str, datetime.date] = field(default_factory=dict)

    @property
    def neighbour_swv(self) -> Samenwerkingsverband | None:
        return self.version.neighbour_swv if self.version is not None else None

    @property
    def weeks(self) -> int:
        return max((self.today - self.case.clock_start).days // 7, 0)

    @property
    def current_step(self) -> RouteStep | None:
        return next((s for s in self.steps if s.state == "current"), None)


def _step_state(
    step: str, case: Case, escalation: Escalation | None, deadline: NextDeadline | None
) -> str:
    if not case.is_open or case.phase not in ROUTE_PHASES:
        return "passed" if escalation is not None else "not_reached"
    position = ROUTE_PHASES.index(case.phase)
    index = ROUTE_PHASES.index(Phase(step))
    if index < position:
        return "passed"
    if index == position:
        return "current"
    if deadline is not None and deadline.step == step:
        return "next"
    return "ahead"


def route_of(case: Case, today: datetime.date | None = None) -> Route:
    """Every step of the case's route in this round with its planned date (timed steps, by
    the convenant and the region's holidays), the escalation if taken (when, how, by whom,
    on time or late, skipped), the assessment, the arbitration panel and the OM referral; the
    next deadline with the days left; whether the child is past three months without an offer.

    Seven queries, however many steps were taken. ``case`` comes from ``cases_visible_to``
    (with ``municipality`` selected, else one query more).
    """
    today = today or timezone.localdate()
    round_ = {"case": case, "route_round": case.route_round}
    version = current_version(case.swv_id)
    policy = Policy.of(version)
    region_id = case.municipality.region_id
    holidays = holidays_by_region([region_id]).get(region_id, ()) if region_id is not None else ()
    escalations = list(
        Escalation.objects.filter(**round_).select_related("actor").order_by("happened_at", "id")
    )
    by_step = {e.step: e for e in escalations}
    team = by_step.get(Step.DOORBRAAKTEAM)
    planned = planned_dates(
        case.clock_start, policy, holidays, team.happened_on if team is not None else None
    )
    if case.first_offer_started_on is not None:
        del planned[Step.OM_REFERRAL]  # a started offer stops the OM clock
    if case.at_risk:
        planned = {}  # a signal: no clock, so no dates until absence is reported
    assessment = DoorbraakAssessment.objects.filter(**round_).select_related("answered_by").first()
    panel = (
        ArbitrationPanel.objects.filter(**round_)
        .select_related("chair", "own_member", "neighbour_member", "neighbour_swv")
        .first()
    )
    om_referral = OmReferral.objects.filter(**round_).select_related("created_by").first()
    deadline = next_deadline_of(case, today)
    steps: list[RouteStep] = []
    for step in ROUTE_STEPS:
        state = _step_state(step, case, by_step.get(step), deadline)
        next_due = (
            deadline if deadline is not None and deadline.step == step and state == "next" else None
        )
        steps.append(
            RouteStep(
                step=step,
                planned_on=planned.get(step),
                escalation=by_step.get(step),
                state=state,
                due_on=next_due.due_on if next_due else None,
                days_left=next_due.days_left if next_due else None,
            )
        )
    months = three_months_on(case.clock_start)
    return Route(
        case=case,
        today=today,
        policy=policy,
        version=version,
        steps=steps,
        escalations=escalations,
        assessment=assessment,
        panel=panel,
        om_referral=om_referral,
        deadline=deadline,
        three_months_on=months,
        past_three_months=is_past_three_months_without_offer(case, today),
        planned=planned,
    )


def arbitration_panel_of(case: Case) -> ArbitrationPanel | None:
    """The arbitration panel of the case's current round, if one was set up."""
    return (
        ArbitrationPanel.objects.filter(case=case, route_round=case.route_round)
        .select_related("neighbour_member")
        .first()
    )


def doorbraakteam_members(
    *, region_id: int | None = None, organisation_id: int | None = None
) -> QuerySet[User]:
    """Active people who sit on a doorbraakteam: of the organisations of a region, or of one
    organisation (the convenant's neighbouring SWV). The choices of an arbitration panel."""
    if region_id is None and organisation_id is None:
        return User.objects.none()
    memberships = Membership.objects.active().filter(
        role__permissions__codename=Capability.SIT_ON_DOORBRAAKTEAM
    )
    if region_id is not None:
        memberships = memberships.filter(organisation__region_id=region_id)
    if organisation_id is not None:
        memberships = memberships.filter(organisation_id=organisation_id)
    return User.objects.filter(
        pk__in=memberships.values("user_id"), is_active=True, is_service_account=False
    ).order_by("full_name", "email")


def own_doorbraakteam_members(case: Case, version: PolicyVersion | None = None) -> QuerySet[User]:
    """The doorbraakteam of the case's own SWV (seed 002, 6.9): who sits on it through a
    membership of that SWV, and the convenant's coordinator of that team, who may work
    elsewhere in the region. ``version``: the SWV's convenant, when the caller has it."""
    if case.swv_id is None:
        return User.objects.none()
    version = version if version is not None else current_version(case.swv_id)
    own = Q(organisation_id=case.swv_id)
    region_id = case.municipality.region_id
    if version is not None and version.doorbraakteam_coordinator_id and region_id is not None:
        own |= Q(user_id=version.doorbraakteam_coordinator_id, organisation__region_id=region_id)
    memberships = Membership.objects.active().filter(
        own, role__permissions__codename=Capability.SIT_ON_DOORBRAAKTEAM
    )
    return User.objects.filter(
        pk__in=memberships.values("user_id"), is_active=True, is_service_account=False
    ).order_by("full_name", "email")


def case_casusregisseur(case: Case) -> User | None:
    """The case's casusregisseur: the person holding the lead, while they may lead as
    casusregisseur (an organisation that named no one yet has none)."""
    user = case.lead_user
    if user is None or not user.is_active or user.is_service_account:
        return None
    return user if has_capability(user, Capability.LEAD_AS_CASUSREGISSEUR) else None


# --- The doorbraakteam's agenda --------------------------------------------------------------


def doorbraakteam_agenda(user: User) -> CaseQuerySet:
    """The open cases at the doorbraakteam or in arbitration that ``user`` may see, longest
    on the agenda first, with the SWV, school and pupil joined and annotated with:
    ``reached_doorbraakteam_at`` (the escalation of this round; else the phase change in the
    journal), ``assessment_said_no`` and ``last_team_meeting_on``. One query, whatever the
    number of cases."""
    in_round = {"case_id": OuterRef("pk"), "route_round": OuterRef("route_round")}
    escalated = (
        Escalation.objects.filter(step=Step.DOORBRAAKTEAM, **in_round)
        .order_by("happened_at")
        .values("happened_at")[:1]
    )
    moved = (
        CaseEvent.objects.filter(
            case_id=OuterRef("pk"),
            kind=CaseEventKind.PHASE_CHANGED,
            data__to=Phase.DOORBRAAKTEAM,
        )
        .order_by("-at")
        .values("at")[:1]
    )
    said_no = DoorbraakAssessment.objects.filter(offer_within_four_weeks=False, **in_round)
    last_meeting = (
        Meeting.objects.filter(case_id=OuterRef("pk"), kind=MeetingKind.DOORBRAAKTEAM)
        .order_by("-held_on", "-id")
        .values("held_on")[:1]
    )
    return (
        cases_visible_to(user)
        .open()
        .filter(phase__in=AGENDA_PHASES)
        .select_related("pupil", "swv", "school", "lead_organisation", "lead_user")
        .annotate(
            reached_doorbraakteam_at=Coalesce(Subquery(escalated), Subquery(moved)),
            assessment_said_no=Exists(said_no),
            last_team_meeting_on=Subquery(last_meeting),
        )
        .order_by(F("reached_doorbraakteam_at").asc(nulls_last=True), "clock_start", "pk")
    )
