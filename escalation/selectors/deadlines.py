"""Reads of the "Termijnen" page: the coming and overdue route deadlines of the cases a user
may see, from the stored deadlines (``CaseDeadline``, kept current by the sweep).

The cases come from the scoping selector (``cases.selectors.cases_visible_to``), so the page
shows exactly the cases the case list shows; the deadline is joined to them (one row per
case, the case's primary key). A stored row whose inputs no longer match its case (a person
moved the case since the last sweep) is left out until the sweep recomputes it, within
``ESCALATION_SWEEP_MINUTES``: the page never shows a step the case already took. The case
lists show the same rows as their "Volgende stap" (``case_list_next_step``).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case as SqlCase
from django.db.models import CharField, DateField, F, Q, QuerySet, Value, When

from cases.models import Case, CaseQuerySet
from cases.selectors import cases_visible_to
from thuiszitters.models import User

from ..models import Step
from ..route import TIMED_STEPS, WEEK_STEPS
from .route import NextDeadline

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# How far ahead each period looks, in calendar weeks after the current one (None: no end).
PERIOD_WEEKS: dict[str, int | None] = {"week": 0, "two_weeks": 1, "six_weeks": 5, "all": None}
DEFAULT_PERIOD = "six_weeks"
MINE = "mine"


def period_end(period: str, today: datetime.date) -> datetime.date | None:
    """The last day a period shows: the Sunday of this week, or of a later week."""
    weeks = PERIOD_WEEKS[period]
    if weeks is None:
        return None
    sunday = today + datetime.timedelta(days=6 - today.weekday())
    return sunday + datetime.timedelta(weeks=weeks)


def current_deadline_q() -> Q:
    """An open case whose stored row is current and names a timed step with a date: the
    rows this page and the case lists show (``case_list_next_step``)."""
    return Q(
        # The stored row is current for the case (else the sweep recomputes it soon).
        deadline__phase=F("phase"),
        deadline__clock_start=F("clock_start"),
        deadline__route_round=F("route_round"),
        deadline__step__in=TIMED_STEPS,
        deadline__due_on__isnull=False,
        # A signal has no clock; a started offer stops the OM clock.
        at_risk=False,
        closed_at__isnull=True,
    ) & (Q(first_offer_started_on__isnull=True) | Q(deadline__step__in=WEEK_STEPS))


def case_list_next_step(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The case lists' column and sort (registered with ``cases.selectors``): ``next_step``
    and ``next_step_due`` of the current stored row, "" and None where there is none (a
    closed case, a stale row, nothing timed left). One LEFT JOIN on the deadline's primary
    key in the list's own query; the sort on ``next_step_due`` is a top-N sort of the
    scoped ids (an expression, so not the ``due_on`` index, which a LEFT JOIN from the
    scoped cases would not use for the order either)."""
    current = current_deadline_q()
    return cases.annotate(
        next_step=SqlCase(
            When(current, then=F("deadline__step")), default=Value(""), output_field=CharField()
        ),
        next_step_due=SqlCase(
            When(current, then=F("deadline__due_on")), default=None, output_field=DateField()
        ),
    )


def next_step_label(step: str) -> "StrOrPromise":
    return Step(step).label


def deadlines_visible_to(
    user: User,
    *,
    until: datetime.date | None = None,
    step: str = "",
    lead: str = "",
) -> CaseQuerySet:
    """The open cases ``user`` may see that have a current timed step, with ``deadline``,
    ``pupil``, ``lead_organisation`` and ``lead_user`` joined, the earliest due date first
    (so the overdue steps come first).

    ``until``: only steps due on or before that day (overdue ones always); ``step``: one
    step; ``lead``: ``"mine"`` (the user holds the lead) or an organisation's id (it holds
    the lead). One query, whatever the number of rows."""
    cases = cases_visible_to(user).filter(current_deadline_q())
    if until is not None:
        cases = cases.filter(deadline__due_on__lte=until)
    if step:
        cases = cases.filter(deadline__step=step)
    if lead == MINE:
        cases = cases.filter(lead_user_id=user.pk)
    elif lead:
        cases = cases.filter(lead_organisation_id=int(lead))
    return cases.select_related("deadline", "pupil", "lead_organisation", "lead_user").order_by(
        "deadline__due_on", "pk"
    )


@dataclass(frozen=True)
class DeadlineRow:
    """One line of the page: the case (with its joins) and its next step, days counted."""

    case: Case
    deadline: NextDeadline

    @property
    def days_overdue(self) -> int:
        return max(-self.deadline.days_left, 0)


def deadline_rows(cases: Iterable[Case], today: datetime.date) -> list[DeadlineRow]:
    """The page's rows of ``deadlines_visible_to`` (the stored row, no query per case)."""
    rows = []
    for case in cases:
        stored = case.deadline
        if stored.due_on is not None:  # (always: the selector's filter)
            days_left = (stored.due_on - today).days
            rows.append(
                DeadlineRow(
                    case, NextDeadline(stored.step, stored.due_on, stored.warn_on, days_left)
                )
            )
    return rows
