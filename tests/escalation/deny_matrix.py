"""Deny-matrix entries of escalation's pages: a region-B case's deadline and route stay
hidden, its forms answer a GET with 405 (a POST on a foreign case is 404 before anything else,
tests/escalation/test_route_page.py), and the doorbraakteam's agenda is for the team and the
casusregisseurs only, without foreign cases."""

from thuiszitters.roles import RoleCode

from ..cases.deny_matrix import ensure_foreign_case


def _case(f):
    return [f["case"].pk]


AGENDA_ROLES = frozenset({RoleCode.DOORBRAAKTEAM, RoleCode.CASUSREGISSEUR, RoleCode.LEERPLICHT})

ENTRIES = {
    "escalation:case_deadline": (_case, "foreign_detail"),
    "escalation:case_route": (_case, "foreign_detail"),
    "escalation:agenda": (None, AGENDA_ROLES),
    **{
        f"escalation:{name}": (_case, "post_only")
        for name in (
            "escalate",
            "assessment",
            "arbitration_start",
            "arbitration_conclude",
            "om_referral",
            "team_meeting",
        )
    },
}


def add_foreign(world, foreign):
    ensure_foreign_case(world, foreign)
