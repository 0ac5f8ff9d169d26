"""Deny-matrix entries of the convenant pages: only the functional administrator, and only
for the own region; region B's convenant, calendar and holidays stay hidden (404)."""

import datetime

from escalation.services.holidays import holiday_create
from escalation.services.policy import policy_version_create
from thuiszitters.roles import RoleCode

from ..factories.users import SETUP

ADMIN_ONLY = frozenset({RoleCode.FUNCTIONAL_ADMIN})

ENTRIES = {
    "convenant:overview": (None, ADMIN_ONLY),
    "convenant:swv": (lambda f: [f["swv"].pk], "foreign_detail"),
    "convenant:holidays": (lambda f: [f["region"].pk], "foreign_detail"),
    "convenant:holiday_add": (lambda f: [f["region"].pk], "foreign_detail"),
    "convenant:holiday_import": (lambda f: [f["region"].pk], "foreign_detail"),
    "convenant:holiday_edit": (lambda f: [f["holiday"].pk], "foreign_detail"),
    "convenant:holiday_delete": (lambda f: [f["holiday"].pk], "foreign_detail"),
}


def add_foreign(world, foreign):
    """Region B's calendar with one holiday, and a convenant of the far SWV."""
    foreign.setdefault("region", world.region_b)
    if "holiday" not in foreign:
        foreign["holiday"] = holiday_create(
            region=world.region_b,
            actor=SETUP,
            name="Vreemde vakantie",
            starts_on=datetime.date(2025, 10, 11),
            ends_on=datetime.date(2025, 10, 19),
        )
        policy_version_create(swv=world.far_swv, actor=SETUP, reason="Vreemde reden")
