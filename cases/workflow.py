"""The phases of a case (DESIGN.md 4.2) and the table of allowed transitions.

``case_transition`` in ``cases/services/workflow.py`` is the one place that changes a phase:
it locks the case, checks this table and writes the journal. Escalation decides *when* and
calls it; people call it through the case page and the API.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    SCHOOL = "school", _("School")
    CASUSREGISSEUR = "casusregisseur", _("Casusregisseur")
    DOORBRAAK_ASSESSMENT = "doorbraak_assessment", _("Doorbraaktoets")
    DOORBRAAKTEAM = "doorbraakteam", _("Doorbraakteam")
    ARBITRATION = "arbitration", _("Arbitrage")
    OM_REFERRAL = "om_referral", _("Openbaar Ministerie")
    CLOSED = "closed", _("Gesloten")


# from -> the phases a case may move to. Closing is allowed from every open phase; a closed
# case only reopens (a privileged transition, see REOPEN_RESETS).
TRANSITIONS: dict[str, frozenset[str]] = {
    Phase.SCHOOL: frozenset({Phase.CASUSREGISSEUR, Phase.CLOSED}),
    Phase.CASUSREGISSEUR: frozenset(
        {Phase.DOORBRAAK_ASSESSMENT, Phase.DOORBRAAKTEAM, Phase.CLOSED}
    ),
    Phase.DOORBRAAK_ASSESSMENT: frozenset(
        {Phase.CASUSREGISSEUR, Phase.DOORBRAAKTEAM, Phase.CLOSED}
    ),
    # To the OM straight from the doorbraakteam when the parents refuse binding arbitration.
    Phase.DOORBRAAKTEAM: frozenset(
        {Phase.CASUSREGISSEUR, Phase.ARBITRATION, Phase.OM_REFERRAL, Phase.CLOSED}
    ),
    Phase.ARBITRATION: frozenset({Phase.DOORBRAAKTEAM, Phase.OM_REFERRAL, Phase.CLOSED}),
    Phase.OM_REFERRAL: frozenset({Phase.CLOSED}),
    Phase.CLOSED: frozenset({Phase.SCHOOL}),
}

# Forward moves on the route are escalations: the escalation app takes them (the timer, or a
# person with a reason) and records each one. People move a case back by hand here.
ROUTE_ORDER = (
    Phase.SCHOOL,
    Phase.CASUSREGISSEUR,
    Phase.DOORBRAAK_ASSESSMENT,
    Phase.DOORBRAAKTEAM,
    Phase.ARBITRATION,
    Phase.OM_REFERRAL,
)


def is_escalation(from_phase: str, to_phase: str) -> bool:
    return (
        from_phase in ROUTE_ORDER
        and to_phase in ROUTE_ORDER
        and ROUTE_ORDER.index(to_phase) > ROUTE_ORDER.index(from_phase)
    )


# What reopening a closed case resets (it stays the same case, with its history).
REOPEN_RESETS = (
    "closed_at",
    "closed_reason",
    "closed_note",
    "retention_until",
    "first_offer_started_on",
)
# A new report within 3 calendar months of the closing day (that day included) reopens the
# closed case, as the route counts its 3 months (escalation.route.three_months_on).
REOPEN_WINDOW_MONTHS = 3


def reopen_window_start(today: datetime.date) -> datetime.date:
    """The first closing day whose case a new report made ``today`` reopens."""
    return today - relativedelta(months=REOPEN_WINDOW_MONTHS)


class ClosureReason(models.TextChoices):
    OFFER_STARTED = "offer_started", _("Passend aanbod gestart")
    BACK_AT_SCHOOL = "back_at_school", _("Weer op school (meer dan 50%)")
    MOVED_AWAY = "moved_away", _("Verhuisd buiten de regio")
    TURNED_18 = "turned_18", _("18 jaar geworden")
    OTHER = "other", _("Anders (met toelichting)")


# Closing with one of these schedules aftercare check-ins.
OFFER_REASONS = frozenset({ClosureReason.OFFER_STARTED, ClosureReason.BACK_AT_SCHOOL})
AFTERCARE_MONTHS = (3, 6, 12)


def is_allowed(from_phase: str, to_phase: str) -> bool:
    return to_phase in TRANSITIONS.get(from_phase, frozenset())
