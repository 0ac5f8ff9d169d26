"""Deny-matrix entry of the pupil page's correction form (POST only; a region-B pupil is
never reached: tests/registration/test_corrections.py and the write matrix post to it)."""

from .deny_matrix import ensure_foreign_pupil

ENTRIES = {
    "registration:pupil_correct": (lambda f: [f["pupil"].pk], "post_only"),
}


def add_foreign(world, foreign):
    ensure_foreign_pupil(world, foreign)
