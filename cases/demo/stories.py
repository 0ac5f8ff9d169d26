"""What happens to each demo case: its phase on the route, when it moved and who leads.

The school monitors young cases; from week 4 the leerplicht bureau or the SWV PO
casusregisseur leads; older cases sit at the doorbraaktoets, the doorbraakteam, arbitration
or the OM, or closed with a reason. Pure planning, from the pupil's own random stream; the
route itself is then taken through the services (``route.py``), which may stop it earlier
where the rules do (a lead without consent waits in the restricted view).
"""

import datetime
import random
from dataclasses import dataclass

from registration.models import AbsenceKind

from ..workflow import ClosureReason, Phase
from .days import at
from .plans import PupilPlan, ReportPlan
from .showcase import case_showcase
from .texts import OTHER_CLOSURE_NOTES

# The minimum clock age (weeks) of each phase: the route's 4, 8 and 12 weeks (DESIGN.md 4.2).
# The doorbraakteam comes earlier when the assessment says no offer will start in time.
PHASE_MIN_WEEKS = {
    Phase.SCHOOL: 0,
    Phase.CASUSREGISSEUR: 4,
    Phase.DOORBRAAK_ASSESSMENT: 8,
    Phase.DOORBRAAKTEAM: 8,
    Phase.ARBITRATION: 14,
    Phase.OM_REFERRAL: 18,
}
# Reports of these kinds are worries or lawful absence, not a pupil sitting at home.
NOT_MISSING_KINDS = {AbsenceKind.AT_RISK, AbsenceKind.EXEMPTION, AbsenceKind.AUTHORISED_OTHER}
CLOSURE_WEIGHTS = {
    ClosureReason.OFFER_STARTED: 60,
    ClosureReason.BACK_AT_SCHOOL: 25,
    ClosureReason.MOVED_AWAY: 8,
    ClosureReason.OTHER: 7,
}
# The phases each planned end passes on the way, with their week on the route.
PASSES: dict[str, tuple[str, ...]] = {
    Phase.SCHOOL: (),
    Phase.CASUSREGISSEUR: (Phase.CASUSREGISSEUR,),
    Phase.DOORBRAAK_ASSESSMENT: (Phase.CASUSREGISSEUR, Phase.DOORBRAAK_ASSESSMENT),
    Phase.DOORBRAAKTEAM: (Phase.CASUSREGISSEUR, Phase.DOORBRAAK_ASSESSMENT, Phase.DOORBRAAKTEAM),
}
PASSES[Phase.ARBITRATION] = (*PASSES[Phase.DOORBRAAKTEAM], Phase.ARBITRATION)
PASSES[Phase.OM_REFERRAL] = (*PASSES[Phase.ARBITRATION], Phase.OM_REFERRAL)


@dataclass
class Story:
    """What happened to one case: its phase on the route and when it moved."""

    phase: str
    steps: list[tuple[str, datetime.datetime]]  # (phase, when) after the opening
    lead: str  # "reporter", "bureau" or "swv"
    closed_at: datetime.datetime | None = None
    closed_reason: str = ""
    closed_note: str = ""
    force_overdue: bool = False

    @property
    def handover(self) -> datetime.datetime | None:
        return self.steps[0][1] if self.steps else None

    @property
    def reached(self) -> str:
        return self.steps[-1][0] if self.steps else Phase.SCHOOL


class StoryPlanner:
    def __init__(self, *, seed: int, today: datetime.date, now: datetime.datetime, swv_lead_id):
        self.seed = seed
        self.today = today
        self.now = now
        self.swv_lead_id = swv_lead_id  # the SWV whose casusregisseur may take the lead

    def story(self, plan: PupilPlan, clock: datetime.date) -> Story:
        reports = plan.reports
        rng = random.Random(f"{self.seed}:{plan.index}:case")  # noqa: S311 - demo data
        walk = _Walk(
            rng=rng,
            clock=clock,
            opened=at(reports[0].reported_on),
            last=at(max(r.reported_on for r in reports), 12),
            age=(self.today - clock).days,
            now=self.now,
        )
        showcase = case_showcase(plan.index)
        if showcase is not None:
            _, phase, lead, _ = showcase
            if phase != Phase.CLOSED:
                return walk.route(phase, lead, force_overdue=True)
            # One closed 100 days ago (its first check-in is due), one 160 (its first is done).
            ago = 100 if lead == "bureau" else 160
            return walk.closed(
                lead, ClosureReason.OFFER_STARTED, force_overdue=True, closed_days_ago=ago
            )
        missing = any(r.end is None and r.kind not in NOT_MISSING_KINDS for r in reports)
        if walk.age < 28 or not missing:
            return self._not_missing(walk, reports)
        lead = (
            "swv"
            if plan.school and plan.school.swv_id == self.swv_lead_id and rng.random() < 0.5
            else "bureau"
        )
        phase = self._phase(rng, walk.age)
        if phase == Phase.CLOSED:
            return walk.closed(lead, None)
        return walk.route(phase, lead)

    def _not_missing(self, walk: "_Walk", reports: list[ReportPlan]) -> Story:
        """Not (or not yet) a thuiszitter: the school monitors, or the case closed."""
        if walk.age >= 35 and walk.rng.random() < 0.5:
            reason = (
                ClosureReason.OTHER
                if any(r.kind == AbsenceKind.EXEMPTION for r in reports)
                else ClosureReason.BACK_AT_SCHOOL
            )
            return walk.closed("reporter", reason, escalate=False)
        return Story(Phase.SCHOOL, [], "reporter")

    @staticmethod
    def _phase(rng, age: int) -> str:
        if age < 56:
            return Phase.CASUSREGISSEUR
        if age < 84:
            return Phase.DOORBRAAKTEAM if rng.random() < 0.25 else Phase.DOORBRAAK_ASSESSMENT
        roll = rng.random()
        if roll < 0.3:
            return Phase.CLOSED
        if roll < 0.48 and age >= 7 * PHASE_MIN_WEEKS[Phase.ARBITRATION] + 14:
            return Phase.ARBITRATION
        if roll < 0.52 and age >= 7 * PHASE_MIN_WEEKS[Phase.OM_REFERRAL] + 14:
            return Phase.OM_REFERRAL
        return Phase.DOORBRAAKTEAM


@dataclass
class _Walk:
    """One case's way along the route, from its clock start."""

    rng: random.Random
    clock: datetime.date
    opened: datetime.datetime
    last: datetime.datetime  # the last report
    age: int
    now: datetime.datetime

    def at_week(self, weeks: float) -> datetime.datetime:
        moment = at(self.clock + datetime.timedelta(days=round(weeks * 7)), 10)
        return min(max(moment, self.opened + datetime.timedelta(hours=2)), self.now)

    def closed(self, lead, reason, *, escalate=True, force_overdue=False, closed_days_ago=None):
        """Closed some time after the clock started; the route went as far as the age then."""
        if closed_days_ago is not None:
            close_days = self.age - closed_days_ago
        elif self.age > 33:
            close_days = self.rng.randint(min(30, self.age - 3), max(30, self.age - 5))
        else:
            close_days = self.age - 2
        closed_at = at(self.clock + datetime.timedelta(days=close_days), 15)
        closed_at = min(max(closed_at, self.last + datetime.timedelta(days=1)), self.now)
        weeks_then = (closed_at.date() - self.clock).days / 7
        end = Phase.SCHOOL
        for step, weeks in (
            (Phase.CASUSREGISSEUR, 4),
            (Phase.DOORBRAAK_ASSESSMENT, 8),
            (Phase.DOORBRAAKTEAM, 12),
        ):
            if weeks_then >= weeks and escalate:
                end = step
        if reason is None:
            reason = self.rng.choices(list(CLOSURE_WEIGHTS), list(CLOSURE_WEIGHTS.values()))[0]
        story = self.route(end, lead, force_overdue=force_overdue)
        story.phase = Phase.CLOSED
        story.closed_at, story.closed_reason = closed_at, reason
        if reason == ClosureReason.OTHER:
            story.closed_note = self.rng.choice(OTHER_CLOSURE_NOTES)
        return story

    def route(self, end: str, lead: str, *, force_overdue: bool = False) -> Story:
        passes = PASSES[end]
        steps: list[tuple[str, datetime.datetime]] = []
        if Phase.CASUSREGISSEUR in passes:
            steps.append((Phase.CASUSREGISSEUR, self.at_week(4)))
        if Phase.DOORBRAAK_ASSESSMENT in passes:
            steps.append((Phase.DOORBRAAK_ASSESSMENT, self.at_week(8)))
        if Phase.DOORBRAAKTEAM in passes:
            steps.append((Phase.DOORBRAAKTEAM, self.at_week(12 if self.age >= 84 else 9)))
        for late in (Phase.ARBITRATION, Phase.OM_REFERRAL):
            if late in passes:
                steps.append((late, self.at_week(PHASE_MIN_WEEKS[late] + self.rng.random())))
        return Story(end, steps, lead if steps else "reporter", force_overdue=force_overdue)
