"""Deny-matrix entries of the "Termijnen" page: for the roles that see cases (personal data),
never with the region-B case's deadline, which is stored (as the sweep would) so that the
page would show it if the scoping let it through."""

from escalation.models import CaseDeadline
from escalation.services.deadlines import deadlines_compute
from thuiszitters.roles import RoleCode

from ..cases.deny_matrix import ensure_foreign_case

CASE_ROLES = frozenset(
    {
        RoleCode.ZORGCOORDINATOR,
        RoleCode.LEERPLICHT,
        RoleCode.CASUSREGISSEUR,
        RoleCode.SWV_CONSULTANT,
        RoleCode.DOORBRAAKTEAM,
        RoleCode.CARE_PARTNER,
    }
)

ENTRIES = {"deadlines:deadline_list": (None, CASE_ROLES)}


def add_foreign(world, foreign):
    case = ensure_foreign_case(world, foreign)
    if not CaseDeadline.objects.filter(case=case).exists():
        deadlines_compute([case.pk])
    marker = f'data-case="{case.pk}"'
    if marker not in foreign["secrets"]:
        foreign["secrets"].append(marker)
