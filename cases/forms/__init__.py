"""Forms of cases: ``intake`` (the intake form and the pupil search) and ``case_page`` (the
case page's forms)."""
