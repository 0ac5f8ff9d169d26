"""Deny-matrix entries of ``/api/v1/cases/``: the list, the case file and every action.

The actions are POST-only (a GET answers 405); ``tests/cases/test_api_cases.py`` POSTs to
each of them as every role and as the outsiders of region A.
"""

from ..registration.deny_matrix import PERSONAL_DATA_ROLES
from .deny_matrix import ensure_foreign_case

CASE_ACTIONS = ("transition", "close", "reopen", "journal", "actions", "lead", "consent")


def _case(f):
    return [f["case"].pk]


ENTRIES = {
    "case-list": (None, PERSONAL_DATA_ROLES),
    "case-detail": (_case, "foreign_detail"),
    **{f"case-{name}": (_case, "post_only") for name in CASE_ACTIONS},
}


def add_foreign(world, foreign):
    ensure_foreign_case(world, foreign)
