"""The phases of a case (DESIGN.md 4.2) as data.

The table of allowed transitions and the one locked service that changes a phase follow with
the case workspace; until then a case is opened in phase ``school`` by the intake.
"""

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


OPEN_PHASES = [p for p in Phase.values if p != Phase.CLOSED]
