from .intake import IntakeResult, absence_report_submit

__all__ = ["IntakeResult", "absence_report_submit"]
