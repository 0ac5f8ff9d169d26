"""Deny-matrix entries of the dashboard (``/rapportages/``) and its downloads.

Every role with ``view_aggregates`` has a scope in the matrix's region A (leerplicht: the
municipality its bureau serves; policy: its municipality; the functional administrator: the
region), so those five get 200 and the others 404. Region B's SWV, school and case exist
and must not show up in any figure or school name.
"""

from thuiszitters.roles import RoleCode

from ..cases.deny_matrix import ensure_foreign_case

# The roles holding view_aggregates (thuiszitters/roles.py).
AGGREGATE_ROLES = frozenset(
    {
        RoleCode.LEERPLICHT,
        RoleCode.SWV_CONSULTANT,
        RoleCode.SWV_DIRECTOR,
        RoleCode.POLICY,
        RoleCode.FUNCTIONAL_ADMIN,
    }
)

ENTRIES = {
    "reports:dashboard": (None, AGGREGATE_ROLES),
    "reports:key_figures": (None, AGGREGATE_ROLES),
    "reports:dashboard_export": (lambda f: ["school", "csv"], AGGREGATE_ROLES),
}


def add_foreign(world, foreign):
    ensure_foreign_case(world, foreign)
