"""Deny-matrix entries of the route's API actions on ``/api/v1/cases/`` (the router's basename
stays ``case``, so ``case-list``, ``case-detail`` and the case actions keep their entries in
``tests/cases/deny_matrix_api_cases.py``).

The actions are POST-only (a GET answers 405); ``tests/escalation/test_api.py`` POSTs to each
of them as every role of region A on a region-B case.
"""

from ..cases.deny_matrix import ensure_foreign_case

ROUTE_ACTIONS = ("escalate", "assessment", "arbitration", "arbitration-conclude", "om-referral")


def _case(f):
    return [f["case"].pk]


ENTRIES = {f"case-{name}": (_case, "post_only") for name in ROUTE_ACTIONS}


def add_foreign(world, foreign):
    ensure_foreign_case(world, foreign)
