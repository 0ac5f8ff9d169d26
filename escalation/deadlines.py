"""Deadlines of the route (DESIGN.md 4.2), as a pure function of the clock start.

Until the convenant is data (per-SWV policy, holiday calendars), the seeds' defaults apply:
4, 8 and 12 calendar weeks from the clock start.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cases.workflow import Phase

DEFAULT_WEEKS = {
    Phase.CASUSREGISSEUR: 4,
    Phase.DOORBRAAK_ASSESSMENT: 8,
    Phase.DOORBRAAKTEAM: 12,
}
STEP_LABELS = {
    Phase.CASUSREGISSEUR: _("casusregie gaat naar de casusregisseur"),
    Phase.DOORBRAAK_ASSESSMENT: _("doorbraaktoets: start binnen 4 weken een passend aanbod?"),
    Phase.DOORBRAAKTEAM: _("uiterlijk naar het doorbraakteam"),
}
ROUTE = [Phase.SCHOOL, Phase.CASUSREGISSEUR, Phase.DOORBRAAK_ASSESSMENT, Phase.DOORBRAAKTEAM]


@dataclass(frozen=True)
class Deadline:
    step: str
    due: datetime.date
    weeks: int

    @property
    def label(self) -> str:
        return STEP_LABELS[self.step]

    def days_left(self, today: datetime.date) -> int:
        return (self.due - today).days


def next_deadline(*, clock_start: datetime.date, phase: str) -> Deadline | None:
    """The next step after ``phase`` on the route, with its due date; None past the route."""
    if phase not in ROUTE or phase == ROUTE[-1]:
        return None
    step = ROUTE[ROUTE.index(phase) + 1]
    weeks = DEFAULT_WEEKS[step]
    return Deadline(step, clock_start + datetime.timedelta(weeks=weeks), weeks)
