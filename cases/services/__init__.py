from .casefile import (
    action_add,
    action_status_set,
    arrangement_record,
    care_partner_invite,
    case_consent_record,
    case_details_update,
    case_journal_add,
    case_lead_change,
    check_in_record,
    goal_add,
    meeting_record,
    participant_add,
    participant_remove,
)
from .intake import IntakeResult, absence_report_submit
from .workflow import case_close, case_reopen, case_transition

__all__ = [
    "IntakeResult",
    "absence_report_submit",
    "action_add",
    "action_status_set",
    "arrangement_record",
    "care_partner_invite",
    "case_close",
    "case_consent_record",
    "case_details_update",
    "case_journal_add",
    "case_lead_change",
    "case_reopen",
    "case_transition",
    "check_in_record",
    "goal_add",
    "meeting_record",
    "participant_add",
    "participant_remove",
]
