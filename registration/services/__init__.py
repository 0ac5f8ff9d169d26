"""Services of registration: pupils, enrolments, consent, and the validation of a report.

Writing a report and joining it to a case is the intake service in ``cases``; it calls
``absence_report_validate`` and ``absence_report_create`` here.
"""

from .consent import (
    ConsentAgeChange,
    ConsentStanding,
    consent_birthdays_refresh,
    consent_new,
    consent_record,
    consent_standing,
    pupil_consent_state,
    report_sharing_refresh,
)
from .pupils import (
    DEFAULT_ABSENCE_MAX_MONTHS_BACK,
    IDENTITY_REFUSED,
    MAX_AGE,
    MIN_AGE,
    GuardianInput,
    enrolment_alerts_pending,
    enrolment_create,
    enrolment_new,
    guardian_add,
    guardian_new,
    pupil_create,
    pupil_identify,
    pupil_new,
    pupil_register_check,
    pupil_register_for_report,
)
from .reports import (
    REPORT_FIELDS,
    ReportInput,
    ReportPlacement,
    absence_max_months_back,
    absence_report_create,
    absence_report_date_errors,
    absence_report_validate,
    absence_start_errors,
)

__all__ = [
    "DEFAULT_ABSENCE_MAX_MONTHS_BACK",
    "IDENTITY_REFUSED",
    "MAX_AGE",
    "MIN_AGE",
    "REPORT_FIELDS",
    "ConsentAgeChange",
    "ConsentStanding",
    "GuardianInput",
    "ReportInput",
    "ReportPlacement",
    "absence_max_months_back",
    "absence_report_create",
    "absence_report_date_errors",
    "absence_report_validate",
    "absence_start_errors",
    "consent_birthdays_refresh",
    "consent_new",
    "consent_record",
    "consent_standing",
    "enrolment_alerts_pending",
    "enrolment_create",
    "enrolment_new",
    "guardian_add",
    "guardian_new",
    "pupil_consent_state",
    "pupil_create",
    "pupil_identify",
    "pupil_new",
    "pupil_register_check",
    "pupil_register_for_report",
    "report_sharing_refresh",
]
