"""The pages of cases: ``intake`` (the intake form), ``case_page`` (the case page, its POST
views and the pupil page's case partial), ``case_file`` (the case file as a PDF),
``csv_upload`` (intake by CSV file) and ``lists`` (work lists)."""
