"""The services of reports: the few things this app writes (it reads everything else)."""

from .quarterly import (
    figures_freeze,
    figures_freeze_ended_quarter,
    quarterly_report_open,
    quarterly_report_render,
    quarterly_report_request,
    scope_of_organisation,
)

__all__ = [
    "figures_freeze",
    "figures_freeze_ended_quarter",
    "quarterly_report_open",
    "quarterly_report_render",
    "quarterly_report_request",
    "scope_of_organisation",
]
