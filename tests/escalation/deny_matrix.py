"""Deny-matrix entries of escalation: a region-B case's deadline stays hidden."""

from ..cases.deny_matrix import ensure_foreign_case

ENTRIES = {
    "escalation:case_deadline": (lambda f: [f["case"].pk], "foreign_detail"),
}


def add_foreign(world, foreign):
    ensure_foreign_case(world, foreign)
