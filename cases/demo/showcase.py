"""The first demo pupils, fixed rather than drawn, so every demo login has something to show.

The report showcase fills the two demo zorgcoordinators' schools with every kind of report
and every consent situation; the case showcase after it fills the pages of leerplicht@ and
casusregisseur@ and gives SWV PO every phase.
"""

from ..workflow import Phase

SHOWCASE_USERS = {"po": "zorgcoordinator.po", "vo": "zorgcoordinator.vo"}

# (sector, profile, consent mode)
SHOWCASE = [
    ("po", "unauthorised", "none"),
    ("po", "sickness_short", "given"),
    ("po", "sickness_long", "none"),
    ("po", "medical_psychological", "withdrawn"),
    ("po", "authorised_other", "refused"),
    ("po", "partial", "given"),
    ("po", "suspension", "none"),
    ("po", "exemption", "none"),
    ("po", "at_risk", "given"),
    ("po", "not_enrolled", "none"),
    ("po", "sickness_spread", "given"),
    ("po", "unauthorised_and_sickness", "leerplicht_only"),
    ("po", "sickness_short", "none"),
    ("vo", "unauthorised", "none"),
    ("vo", "sickness_long", "given"),
    ("vo", "medical_psychological", "refused"),
    ("vo", "partial", "given"),
    ("vo", "suspension", "none"),
    ("vo", "at_risk", "leerplicht_only"),
    ("vo", "sickness_short", "given"),
    ("vo", "not_enrolled", "none"),
]

# (sector, phase, lead, clock age in days)
CASE_SHOWCASE = [
    ("po", Phase.SCHOOL, "school", 12),
    ("po", Phase.CASUSREGISSEUR, "swv", 38),
    ("po", Phase.CASUSREGISSEUR, "bureau", 45),
    ("po", Phase.DOORBRAAK_ASSESSMENT, "bureau", 62),
    ("po", Phase.DOORBRAAK_ASSESSMENT, "swv", 66),
    ("po", Phase.DOORBRAAKTEAM, "swv", 95),
    ("po", Phase.DOORBRAAKTEAM, "bureau", 102),
    ("po", Phase.ARBITRATION, "swv", 124),
    ("po", Phase.OM_REFERRAL, "bureau", 150),
    ("po", Phase.CLOSED, "bureau", 165),
    ("po", Phase.CLOSED, "swv", 196),
    ("vo", Phase.CASUSREGISSEUR, "bureau", 40),
    ("vo", Phase.DOORBRAAK_ASSESSMENT, "bureau", 64),
    ("vo", Phase.DOORBRAAKTEAM, "bureau", 100),
    ("vo", Phase.CLOSED, "bureau", 160),
]


def case_showcase(index: int) -> tuple | None:
    """The case showcase entry of pupil number ``index``, if it is one."""
    position = index - len(SHOWCASE)
    return CASE_SHOWCASE[position] if 0 <= position < len(CASE_SHOWCASE) else None
