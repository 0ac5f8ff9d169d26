"""The plan of a demo case file: who is involved, the ladder and details, the plan with its
goal and actions, the meetings, the offer, and the aftercare. Pure planning from the pupil's
own random streams; ``casefile.py`` records it through the services."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from registration.models import AbsenceKind

from ..models import (
    ArrangementKind,
    Cause,
    CheckInOutcome,
    DaytimeActivity,
    LeadMode,
    MeetingKind,
    ParticipantRole,
    SituationLevel,
    WaitingListFor,
)
from ..workflow import AFTERCARE_MONTHS, OFFER_REASONS, ClosureReason, Phase
from .days import at, local_day
from .stories import Story
from .texts import ACTIONS, CARE_NAMES, CONVERSATIONS, GOALS, WISHES

LADDER: dict[str, list[tuple[str, str]]] = {
    Phase.SCHOOL: [(SituationLevel.SIMPLE, LeadMode.DIALOGUE)],
    Phase.CASUSREGISSEUR: [
        (SituationLevel.COMPLICATED, LeadMode.CONSULTATION),
        (SituationLevel.COMPLEX, LeadMode.CO_CREATION),
    ],
    Phase.DOORBRAAK_ASSESSMENT: [
        (SituationLevel.COMPLEX, LeadMode.CO_CREATION),
        (SituationLevel.COMPLICATED, LeadMode.CONSULTATION),
    ],
    Phase.DOORBRAAKTEAM: [
        (SituationLevel.COMPLEX, LeadMode.CO_CREATION),
        (SituationLevel.CHAOTIC, LeadMode.ASSERTIVE),
    ],
    Phase.ARBITRATION: [(SituationLevel.STAGNATING, LeadMode.FORCING)],
    Phase.OM_REFERRAL: [(SituationLevel.STAGNATING, LeadMode.FORCING)],
}
CAUSES_BY_KIND: dict[str, list[str]] = {
    AbsenceKind.UNAUTHORISED: [Cause.SCHOOL_ANXIETY, Cause.BEHAVIOUR, Cause.HOME_SITUATION],
    AbsenceKind.SICKNESS: [Cause.PHYSICAL, Cause.PSYCHOLOGICAL],
    AbsenceKind.MEDICAL_PSYCHOLOGICAL: [Cause.PSYCHOLOGICAL, Cause.PHYSICAL],
    AbsenceKind.PARTIAL: [Cause.LEARNING, Cause.PSYCHOLOGICAL, Cause.NO_FITTING_SCHOOL],
    AbsenceKind.SUSPENSION: [Cause.SUSPENSION, Cause.BEHAVIOUR],
    AbsenceKind.NOT_ENROLLED: [Cause.NO_FITTING_SCHOOL, Cause.HOME_SITUATION],
}
DAYTIME = [
    DaytimeActivity.AT_HOME,
    DaytimeActivity.AT_HOME,
    DaytimeActivity.CARE,
    DaytimeActivity.PARTIAL_SCHOOL,
    DaytimeActivity.DAYTIME_PROGRAMME,
]
CARE_ROLES = [ParticipantRole.JEUGDARTS, ParticipantRole.JEUGDHULP, ParticipantRole.GGZ]
ROUTE_MEETINGS = [
    (Phase.DOORBRAAK_ASSESSMENT, MeetingKind.THUISZITTERSTAFEL, 3),
    (Phase.DOORBRAAKTEAM, MeetingKind.DOORBRAAKTEAM, 4),
    (Phase.ARBITRATION, MeetingKind.ARBITRATION_HEARING, 5),
]


@dataclass
class CaseFacts:
    """What the planning needs to know of the case and its people."""

    opened: datetime.datetime
    school_id: int | None
    swv_id: int | None
    first_absence: datetime.date
    causes: list[str]  # the causes the reports suggest
    parent_name: str  # the first guardian, or ""
    consultant_swv_id: int | None
    doorbraak_swv_id: int | None


@dataclass
class Person:
    when: datetime.datetime
    role: str
    who: str = ""  # "reporter", "lead", "consultant" or "doorbraak"; else ``name``
    name: str = ""


@dataclass
class ActionPlan:
    when: datetime.datetime
    text: str
    due_on: datetime.date
    by_lead: bool  # else the school or the lead's organisation owns it
    done_at: datetime.datetime | None


@dataclass
class MeetingPlan:
    kind: str
    held: datetime.datetime
    parents_present: bool
    pupil_present: bool
    follow_up_due: datetime.date | None = None
    follow_up_done_at: datetime.datetime | None = None


@dataclass
class FilePlan:
    details: dict  # for case_details_update, besides the ladder
    ladder: dict
    details_at: datetime.datetime
    first_offer_started_on: datetime.date | None = None
    people: list[Person] = field(default_factory=list)
    conversation: tuple[datetime.datetime, str] | None = None
    goal: dict | None = None
    actions: list[ActionPlan] = field(default_factory=list)
    meetings: list[MeetingPlan] = field(default_factory=list)
    arrangement: dict | None = None
    check_ins: list[tuple[datetime.date, str] | None] = field(default_factory=list)


class FilePlanner:
    def __init__(self, *, seed: int, index: int, today: datetime.date, now: datetime.datetime):
        self.seed = seed
        self.index = index
        self.today = today
        self.now = now

    def plan(self, story: Story, facts: CaseFacts) -> FilePlan:
        file = self._details(story, facts)
        rng = random.Random(f"{self.seed}:{self.index}:file")  # noqa: S311 - demo data
        if not story.steps and rng.random() > 0.4 and story.closed_at is None:
            return file  # most young school cases: only the report so far
        file.people = self._people(rng, story, facts)
        file.conversation = (facts.opened + datetime.timedelta(days=2), rng.choice(CONVERSATIONS))
        start = story.handover or facts.opened
        file.goal, file.actions = self._plan(rng, story, start + datetime.timedelta(days=3))
        file.meetings = self._meetings(rng, story, facts)
        file.arrangement = self._arrangement(rng, story, facts, file.first_offer_started_on)
        if story.closed_at is not None and story.closed_reason in OFFER_REASONS:
            file.check_ins = self._check_ins(rng, story, story.closed_at)
        return file

    def _details(self, story: Story, facts: CaseFacts) -> FilePlan:
        rng = random.Random(f"{self.seed}:{self.index}:details")  # noqa: S311 - demo data
        ladder: dict[str, str] = {}
        details: dict[str, Any] = {}
        if story.steps or rng.random() < 0.3:
            level, mode = rng.choice(LADDER[story.reached])
            ladder = {"situation_level": level, "lead_mode": mode}
        causes = set(facts.causes)
        if causes and (story.steps or rng.random() < 0.5):
            picked = rng.sample(sorted(causes), k=min(len(causes), rng.randint(1, 2)))
            if rng.random() < 0.15:
                picked.append(Cause.BULLYING)
            details["causes"] = sorted(set(picked))
        if story.steps:
            details["daytime_activity"] = rng.choice(DAYTIME)
            if story.closed_at is None and rng.random() < 0.45:
                details["waiting_list_for"] = rng.choice([w for w in WaitingListFor.values if w])
                handover = story.handover or facts.opened  # (a story with steps has one)
                details["waiting_since"] = local_day(handover) - datetime.timedelta(
                    days=rng.randint(0, 60)
                )
            parents, pupil = rng.choice(WISHES)
            details |= {"parents_wishes": parents, "pupil_wishes": pupil}
        file = FilePlan(
            details=details,
            ladder=ladder,
            details_at=(story.handover or facts.opened) + datetime.timedelta(days=1),
        )
        if story.closed_reason == ClosureReason.OFFER_STARTED and story.closed_at is not None:
            closed_on = local_day(story.closed_at)
            file.first_offer_started_on = max(
                closed_on - datetime.timedelta(days=rng.randint(0, 10)), facts.first_absence
            )
        return file

    def _people(self, rng, story: Story, facts: CaseFacts) -> list[Person]:
        role = ParticipantRole.ZORGCOORDINATOR if facts.school_id else ParticipantRole.LEERPLICHT
        people = [Person(facts.opened, role, "reporter")]
        if facts.parent_name:
            people.append(Person(facts.opened, ParticipantRole.PARENT, name=facts.parent_name))
        if not story.steps:
            return people
        start = story.handover or facts.opened  # (a story with steps has one)
        if story.lead in ("swv", "bureau"):
            lead_role = (
                ParticipantRole.CASUSREGISSEUR
                if story.lead == "swv"
                else ParticipantRole.LEERPLICHT
            )
            people.append(Person(start, lead_role, "lead"))
        if facts.consultant_swv_id and facts.swv_id == facts.consultant_swv_id:
            people.append(Person(start, ParticipantRole.SWV_CONSULTANT, "consultant"))
        if rng.random() < 0.5:
            name = rng.choice(CARE_NAMES)
            people.append(Person(start, rng.choice(CARE_ROLES), name=name))
        if (
            story.reached in (Phase.DOORBRAAKTEAM, Phase.ARBITRATION, Phase.OM_REFERRAL)
            and facts.doorbraak_swv_id
            and facts.swv_id == facts.doorbraak_swv_id
        ):
            when = dict(story.steps)[Phase.DOORBRAAKTEAM]
            people.append(Person(when, ParticipantRole.OTHER, "doorbraak"))
        return people

    def _plan(self, rng, story: Story, plan_at: datetime.datetime):
        """The plan: a goal and its actions, the last one due in the past."""
        description, measure = rng.choice(GOALS)
        goal = {
            "when": plan_at,
            "description": description,
            "measure": measure,
            "target_date": local_day(plan_at, 42),
            "achieved_on": None,
        }
        if story.closed_at is not None and story.closed_reason in OFFER_REASONS:
            goal["achieved_on"] = local_day(story.closed_at)
        texts = rng.sample(ACTIONS, k=rng.randint(2, 3))
        actions = []
        for n, text in enumerate(texts):
            created = plan_at + datetime.timedelta(days=7 * n)
            due = local_day(created, rng.randint(7, 21))
            overdue = story.force_overdue and n == len(texts) - 1
            open_ = story.closed_at is None and (due >= self.today or rng.random() < 0.4 or overdue)
            by_lead = n % 2 == 0
            if overdue and story.closed_at is None:
                by_lead, due = True, self.today - datetime.timedelta(days=rng.randint(2, 12))
            done_at = None if open_ else min(at(due, 14), self.now)
            actions.append(ActionPlan(min(created, self.now), text, due, by_lead, done_at))
        return goal, actions

    def _meetings(self, rng, story: Story, facts: CaseFacts) -> list[MeetingPlan]:
        """Meetings on the way, each with its decisions (an action follows the first)."""
        zat = facts.school_id and facts.swv_id and rng.random() < 0.5
        first = MeetingKind.ZAT if zat else MeetingKind.MDO
        kinds = [(first, facts.opened + datetime.timedelta(days=rng.randint(3, 10)))]
        when = dict(story.steps)
        for phase, kind, days in ROUTE_MEETINGS:
            # A panel that ends without result (on to the OM) records its own hearing.
            ended = kind == MeetingKind.ARBITRATION_HEARING and Phase.OM_REFERRAL in when
            if phase in when and not ended:
                kinds.append((kind, when[phase] + datetime.timedelta(days=days)))
        limit = story.closed_at or self.now
        meetings = []
        for kind, held in kinds:
            meeting = MeetingPlan(kind, min(held, limit), rng.random() < 0.7, rng.random() < 0.3)
            meeting.follow_up_due = local_day(meeting.held, 14)
            open_ = story.closed_at is None and (
                meeting.follow_up_due >= self.today or rng.random() < 0.3
            )
            if not open_:
                meeting.follow_up_done_at = min(at(meeting.follow_up_due, 14), self.now)
            meetings.append(meeting)
        return meetings

    def _arrangement(self, rng, story: Story, facts: CaseFacts, first_offer) -> dict | None:
        if not (first_offer or (story.steps and story.closed_at is None and rng.random() < 0.2)):
            return None
        start_on = first_offer or (self.today + datetime.timedelta(days=rng.randint(7, 30)))
        total = Decimal(rng.choice([0, rng.randint(150000, 1500000)])) / 100
        return {
            "kind": rng.choice(ArrangementKind.values),
            "start_on": start_on,
            "share_percent": rng.choice([40, 50, 60, 80, 100]),
            "is_suitable_offer": True,
            "cost_total": total,
            "municipality_share_percent": rng.choice([50, 50, 50, 70, 30]),
            "when": max(min(at(start_on - datetime.timedelta(days=10)), self.now), facts.opened),
        }

    def _check_ins(
        self, rng, story: Story, closed_at: datetime.datetime
    ) -> list[tuple[datetime.date, str] | None]:
        """Per aftercare check-in: (done on, outcome), or None while it waits."""
        closed_on = local_day(closed_at)
        done: list[tuple[datetime.date, str] | None] = []
        for months in AFTERCARE_MONTHS:
            due = closed_on + relativedelta(months=months)
            if due <= self.today - datetime.timedelta(days=7) and (
                due <= self.today - datetime.timedelta(days=30)
                if story.force_overdue
                else rng.random() < 0.6
            ):
                done_on = due + datetime.timedelta(days=rng.randint(0, 6))
                outcome = rng.choice(
                    [CheckInOutcome.GOING_WELL, CheckInOutcome.GOING_WELL, CheckInOutcome.CONCERNS]
                )
                done.append((done_on, outcome))
            else:
                done.append(None)
        return done
