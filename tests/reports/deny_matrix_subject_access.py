"""Deny-matrix entries of the privacy officer's access requests (``/privacy/inzage/``): the
search page for the privacy officer only (403 for everyone else); the downloads take POST
only (GET is 405), and a region-B pupil is 404 to the officer (tests/reports/
test_subject_access.py and the write matrix post to them)."""

from thuiszitters.roles import RoleCode

from ..registration.deny_matrix import ensure_foreign_pupil

ENTRIES = {
    "subject_access:search": (None, frozenset({RoleCode.PRIVACY_OFFICER})),
    "subject_access:pdf": (lambda f: [f["pupil"].pk], "post_only"),
    "subject_access:json": (lambda f: [f["pupil"].pk], "post_only"),
    "subject_access:correct": (lambda f: [f["pupil"].pk], "foreign_detail"),
}


def add_foreign(world, foreign):
    ensure_foreign_pupil(world, foreign)
