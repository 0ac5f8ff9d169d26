"""Deny-matrix entries of the CSV intake: only reporting roles; steps 2 and 3 are POST only."""

from .deny_matrix import REPORTING_ROLES, ensure_foreign_case

ENTRIES = {
    "cases_csv:upload": (None, REPORTING_ROLES),
    "cases_csv:template": (None, REPORTING_ROLES),
    "cases_csv:commit": (None, "post_only"),
    "cases_csv:rejected": (None, "post_only"),
}


def add_foreign(world, foreign):
    ensure_foreign_case(world, foreign)
