"""Deny-matrix entries of the quarterly OOGO report pages: the list only for roles with
``view_aggregates`` (404 for the others), a region-B report is never listed nor downloaded
(its file exists: the 404 is the scoping, not a missing file), and the request is POST only."""

from django.core.files.base import ContentFile

from reports.models import QuarterlyReport, QuarterlyReportStatus, ScopeKind
from thuiszitters.roles import RoleCode

AGGREGATE_ROLES = frozenset(
    {
        RoleCode.LEERPLICHT,
        RoleCode.SWV_CONSULTANT,
        RoleCode.SWV_DIRECTOR,
        RoleCode.POLICY,
        RoleCode.FUNCTIONAL_ADMIN,
    }
)

ENTRIES = {
    "quarterly:list": (None, AGGREGATE_ROLES),
    "quarterly:request": (None, "post_only"),
    "quarterly:download": (lambda f: [f["quarterly_report"].pk], "foreign_detail"),
    "quarterly:retry": (lambda f: [f["quarterly_report"].pk], "post_only"),
}


def add_foreign(world, foreign):
    report = QuarterlyReport.objects.create(
        scope_kind=ScopeKind.SWV,
        organisation=world.far_swv,
        year=2026,
        quarter=2,
        status=QuarterlyReportStatus.DONE,
        requested_by=foreign["user"],
        pages=1,
        size_bytes=9,
    )
    report.pdf.save("oogo-vreemd.pdf", ContentFile(b"%PDF-vreemd"), save=True)
    foreign["quarterly_report"] = report
    foreign["secrets"].append("oogo-vreemd")
