"""Deny-matrix entries of the API's absence reports and pupils: region B never leaks."""

from ..registration.deny_matrix import PERSONAL_DATA_ROLES
from .deny_matrix import ensure_foreign_case

ENTRIES = {
    # Every authenticated caller may list; the scoping leaves only its own reports.
    "absencereport-list": (None, "list"),
    "absencereport-detail": (lambda f: [f["report"].pk], "foreign_detail"),
    "pupil-list": (None, PERSONAL_DATA_ROLES),
    "pupil-detail": (lambda f: [f["pupil"].pk], "foreign_detail"),
    "pupil-search": (None, "post_only"),  # a BSN goes in the body, never in the URL
}


def add_foreign(world, foreign):
    ensure_foreign_case(world, foreign)  # a region-B pupil with a report and a case
