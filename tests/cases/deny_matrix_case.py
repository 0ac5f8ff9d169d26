"""Deny-matrix entries of the case page's POST views: a GET answers 405; a POST on a
region-B case answers 404 before anything else (tests/cases/test_case_page.py)."""

from .deny_matrix import ensure_foreign_case


def _case(f):
    return [f["case"].pk]


def _case_and_one(f):
    return [f["case"].pk, 1]


ENTRIES = {
    f"case:{name}": (_case, "post_only")
    for name in (
        "transition",
        "close",
        "reopen",
        "journal_add",
        "wishes",
        "goal_add",
        "action_add",
        "meeting_add",
        "arrangement_add",
        "participant_add",
        "care_partner_invite",
        "details",
        "consent",
        "lead_change",
    )
} | {
    "case:action_status": (_case_and_one, "post_only"),
    "case:participant_remove": (_case_and_one, "post_only"),
}


def add_foreign(world, foreign):
    ensure_foreign_case(world, foreign)
