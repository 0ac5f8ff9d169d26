"""Deny-matrix entries of cases: the intake, a case of region B and its pupil's partial."""

from cases.services import absence_report_submit
from thuiszitters.roles import RoleCode

from ..factories.registration import report_input
from ..factories.users import member
from ..registration.deny_matrix import ensure_foreign_pupil

REPORTING_ROLES = frozenset(
    {RoleCode.ZORGCOORDINATOR, RoleCode.LEERPLICHT, RoleCode.SWV_CONSULTANT}
)

ENTRIES = {
    "cases:intake": (None, REPORTING_ROLES),
    "cases:intake_validate": (None, "post_only"),
    "cases:case_detail": (lambda f: [f["case"].pk], "foreign_detail"),
    "cases:case_form": (lambda f: [f["case"].pk, "meeting"], "foreign_detail"),
    "cases:journal": (lambda f: [f["case"].pk], "foreign_detail"),
    "cases:case_file_pdf": (lambda f: [f["case"].pk], "foreign_detail"),
    "cases:pupil_case_partial": (lambda f: [f["pupil"].pk], "foreign_detail"),
}


def ensure_foreign_case(world, foreign):
    """The open case of the region-B pupil, opened by a report of the far school."""
    if "case" not in foreign:
        pupil = ensure_foreign_pupil(world, foreign)
        reporter = member(world.far_school, RoleCode.ZORGCOORDINATOR)
        result = absence_report_submit(
            actor=reporter,
            reporting_organisation=world.far_school,
            data=report_input(pupil, reason="Vreemde toelichting"),
            channel="form",
        )
        foreign["report"] = result.report
        foreign["case"] = result.case
        foreign["secrets"].append("Vreemde toelichting")
    return foreign["case"]


def add_foreign(world, foreign):
    ensure_foreign_case(world, foreign)
