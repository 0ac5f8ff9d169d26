"""Deny-matrix entries of the work lists: my work, the case list and the home summary, and
the header's search."""

from thuiszitters.roles import RoleCode

from ..registration.deny_matrix import PERSONAL_DATA_ROLES
from .deny_matrix import ensure_foreign_case

# Every role with work_cases also holds view_personal_data, so both pages open for the same
# roles; the others get 404.
ENTRIES = {
    "caselists:my_work": (None, PERSONAL_DATA_ROLES),
    "caselists:case_list": (None, PERSONAL_DATA_ROLES),
    "caselists:work_summary": (None, PERSONAL_DATA_ROLES),
    # The preventive list: those who work cases (not the doorbraakteam or care partners).
    "caselists:signal_list": (
        None,
        PERSONAL_DATA_ROLES - {RoleCode.DOORBRAAKTEAM, RoleCode.CARE_PARTNER},
    ),
    # The header's search posts (no BSN in a URL); its POSTs are in the write matrix.
    "search:search": (None, "post_only"),
}


def add_foreign(world, foreign):
    ensure_foreign_case(world, foreign)
