"""The cases API: ``absence_reports`` (``/api/v1/absence-reports/``) and ``cases`` (the cases
resource that ``escalation.api`` extends and the router serves at ``/api/v1/cases/``)."""
