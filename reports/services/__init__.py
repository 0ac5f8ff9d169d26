"""The services of reports: the few things this app writes (it reads everything else).

``quarterly`` (the quarterly OOGO report and the frozen figures; re-exported here) and
``lists`` (the thuiszitterslijst, its snapshots and the reconciliation; imported from
``reports.services.lists``)."""

from .quarterly import (
    figures_freeze,
    figures_freeze_ended_quarter,
    quarterly_report_open,
    quarterly_report_render,
    quarterly_report_request,
    quarterly_report_retry,
    quarterly_reports_watchdog,
    scope_of_organisation,
)

__all__ = [
    "figures_freeze",
    "figures_freeze_ended_quarter",
    "quarterly_report_open",
    "quarterly_report_render",
    "quarterly_report_request",
    "quarterly_report_retry",
    "quarterly_reports_watchdog",
    "scope_of_organisation",
]
