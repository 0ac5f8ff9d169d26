"""The route's deadlines as pure functions (DESIGN.md 4.2): no database, no clock.

A case's next timed step follows from its phase, the steps already taken in this round, its
clock start, the convenant (``Policy``) and, when the convenant pauses the clock, the
region's school holidays. The services store the result on ``CaseDeadline``; the pages show
it; the tests travel through time against it.
"""

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from cases.workflow import Phase

from .models import CountMode, Step

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DAY = datetime.timedelta(days=1)

# The steps counted in weeks from the clock start; a person may also take them earlier.
WEEK_STEPS = (Step.CASUSREGISSEUR, Step.DOORBRAAK_ASSESSMENT, Step.DOORBRAAKTEAM)
# The timed steps in route order: the weeks, then the OM in calendar months after the
# doorbraakteam began (seed 002 6.11). Arbitration follows a decision, not a timer.
TIMED_STEPS = (*WEEK_STEPS, Step.OM_REFERRAL)
# The OM clock runs on while arbitration sits: arbitration without an outcome goes to the OM.
OM_CLOCK_PHASES = (Phase.DOORBRAAKTEAM, Phase.ARBITRATION)
ROUTE_PHASES = (
    Phase.SCHOOL,
    Phase.CASUSREGISSEUR,
    Phase.DOORBRAAK_ASSESSMENT,
    Phase.DOORBRAAKTEAM,
    Phase.ARBITRATION,
    Phase.OM_REFERRAL,
)
# Every step of the route in order, for "the route so far" and for manual escalation.
ROUTE_STEPS = tuple(Step(p.value) for p in ROUTE_PHASES[1:])

Holidays = tuple[tuple[datetime.date, datetime.date], ...]


@dataclass(frozen=True)
class Policy:
    """What the computation needs of a convenant version (the defaults are the seeds')."""

    version_id: int | None = None
    casusregisseur_weeks: int = 4
    doorbraak_assessment_weeks: int = 8
    doorbraakteam_weeks: int = 12
    assessment_response_days: int = 7
    om_referral_months: int = 3
    warning_days: int = 7
    pause_holidays: bool = False

    @classmethod
    def of(cls, version) -> "Policy":
        if version is None:
            return DEFAULT_POLICY
        return cls(
            version_id=version.pk,
            casusregisseur_weeks=version.casusregisseur_weeks,
            doorbraak_assessment_weeks=version.doorbraak_assessment_weeks,
            doorbraakteam_weeks=version.doorbraakteam_weeks,
            assessment_response_days=version.assessment_response_days,
            om_referral_months=version.om_referral_months,
            warning_days=version.warning_days,
            pause_holidays=version.count_mode == CountMode.PAUSE_HOLIDAYS,
        )

    def weeks(self, step: str) -> int:
        weeks: dict[str, int] = {
            Step.CASUSREGISSEUR: self.casusregisseur_weeks,
            Step.DOORBRAAK_ASSESSMENT: self.doorbraak_assessment_weeks,
            Step.DOORBRAAKTEAM: self.doorbraakteam_weeks,
        }
        return weeks[step]


DEFAULT_POLICY = Policy()


def merge_holidays(periods: Iterable[tuple[datetime.date, datetime.date]]) -> Holidays:
    """Sorted, non-overlapping inclusive periods."""
    merged: list[tuple[datetime.date, datetime.date]] = []
    for first, last in sorted(periods):
        if merged and first <= merged[-1][1] + DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)


def add_weeks(start: datetime.date, weeks: int, holidays: Holidays = ()) -> datetime.date:
    """The day on which ``weeks`` weeks have passed since ``start``, holiday days not
    counting. Without holidays: ``start`` + 7 x ``weeks`` days."""
    remaining = weeks * 7
    cursor = start
    for first, last in holidays:
        if last < cursor:
            continue
        if first > cursor:
            gap = (first - cursor).days
            if gap >= remaining:
                return cursor + datetime.timedelta(days=remaining)
            remaining -= gap
        cursor = max(cursor, last + DAY)
    return cursor + datetime.timedelta(days=remaining)


def step_due(
    step: str, clock_start: datetime.date, policy: Policy, holidays: Holidays = ()
) -> datetime.date:
    """The convenant's date for a timed step."""
    return add_weeks(clock_start, policy.weeks(step), holidays if policy.pause_holidays else ())


def om_due(doorbraakteam_since: datetime.date, policy: Policy) -> datetime.date:
    """The OM step's date: calendar months after the doorbraakteam began; holidays do not
    pause it (relativedelta: 31 January plus 3 months is 30 April)."""
    return doorbraakteam_since + relativedelta(months=policy.om_referral_months)


def planned_dates(
    clock_start: datetime.date,
    policy: Policy,
    holidays: Holidays = (),
    doorbraakteam_since: datetime.date | None = None,
) -> dict[str, datetime.date]:
    """The convenant's dates of the timed steps; the OM's counts from the day the
    doorbraakteam began, or (not reached yet) from its latest planned date."""
    planned: dict[str, datetime.date] = {
        step: step_due(step, clock_start, policy, holidays) for step in WEEK_STEPS
    }
    planned[Step.OM_REFERRAL] = om_due(doorbraakteam_since or planned[Step.DOORBRAAKTEAM], policy)
    return planned


@functools.lru_cache(maxsize=4096)  # a region's cases share a few hundred clock starts
def three_months_on(clock_start: datetime.date) -> datetime.date:
    """The day a child has been at home for three months (the pact's promise)."""
    return clock_start + relativedelta(months=3)


@dataclass(frozen=True)
class RouteState:
    """Where a case is on its route in the current round."""

    phase: str
    clock_start: datetime.date
    done: frozenset[str] = frozenset()  # steps taken (or recorded as skipped) this round
    assessment_yes: bool = False  # the casusregisseur expects an offer within 4 weeks
    assessment_since: datetime.date | None = None  # the case entered the assessment
    at_risk: bool = False  # a signal without absence: no clock yet (DESIGN.md 4.1)
    doorbraakteam_since: datetime.date | None = None  # the doorbraakteam began this round
    offer_started: bool = False  # a first suitable offer has started (stops the OM clock)


@dataclass(frozen=True)
class Deadline:
    step: str
    due_on: datetime.date
    warn_on: datetime.date

    @property
    def label(self) -> "StrOrPromise":
        return Step(self.step).label

    def days_left(self, today: datetime.date) -> int:
        return (self.due_on - today).days


def next_deadline(state: RouteState, policy: Policy, holidays: Holidays = ()) -> Deadline | None:
    """The next timed step after the case's phase that has not been taken this round.

    In the doorbraak assessment the casusregisseur answers within the response time (counted
    from the day the case entered it); no answer by then brings the case to the doorbraakteam,
    as does week 12 at the latest. At the doorbraakteam and in arbitration the OM follows
    ``om_referral_months`` after the doorbraakteam began, unless a suitable offer started.
    """
    if state.phase in OM_CLOCK_PHASES:
        if Step.OM_REFERRAL in state.done or state.offer_started:
            return None
        since = state.doorbraakteam_since or step_due(
            Step.DOORBRAAKTEAM, state.clock_start, policy, holidays
        )
        due = om_due(since, policy)
        return Deadline(Step.OM_REFERRAL, due, due - datetime.timedelta(days=policy.warning_days))
    if state.at_risk or state.phase not in ROUTE_PHASES[:3]:
        return None
    position = ROUTE_PHASES.index(state.phase)
    for step in WEEK_STEPS[position:]:
        if step in state.done:
            continue
        due = step_due(step, state.clock_start, policy, holidays)
        if (
            step == Step.DOORBRAAKTEAM
            and state.phase == Phase.DOORBRAAK_ASSESSMENT
            and not state.assessment_yes
        ):
            since = state.assessment_since or step_due(
                Step.DOORBRAAK_ASSESSMENT, state.clock_start, policy, holidays
            )
            due = min(due, since + datetime.timedelta(days=policy.assessment_response_days))
        return Deadline(step, due, due - datetime.timedelta(days=policy.warning_days))
    return None


def phase_before(step: str) -> str:
    """The phase a case is in when ``step`` is the next one on the route."""
    return ROUTE_PHASES[ROUTE_PHASES.index(Phase(step)) - 1]


def steps_between(phase: str, step: str) -> list[str]:
    """The route steps after ``phase`` up to and including ``step`` (for manual escalation:
    the ones in between are recorded as skipped, never left out silently)."""
    start = ROUTE_PHASES.index(Phase(phase))
    end = ROUTE_PHASES.index(Phase(step))
    return [Step(p.value) for p in ROUTE_PHASES[start + 1 : end + 1]]
