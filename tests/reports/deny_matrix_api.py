"""Deny-matrix entries of ``/api/v1/reports/``: aggregates only for roles with
``view_aggregates``, and never a region-B report job."""

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
    "report-list": (None, AGGREGATE_ROLES),
    "report-figures": (None, AGGREGATE_ROLES),
    "quarterlyreport-list": (None, AGGREGATE_ROLES),
    "quarterlyreport-detail": (lambda f: [f["api_quarterly_report"].pk], "foreign_detail"),
    "quarterlyreport-download": (lambda f: [f["api_quarterly_report"].pk], "foreign_detail"),
}


def add_foreign(world, foreign):
    foreign["api_quarterly_report"] = QuarterlyReport.objects.create(
        scope_kind=ScopeKind.SWV,
        organisation=world.far_swv,
        year=2026,
        quarter=1,
        status=QuarterlyReportStatus.DONE,
        requested_by=foreign["user"],
    )
