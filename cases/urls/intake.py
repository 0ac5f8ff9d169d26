"""The ``cases`` namespace: the intake, the case page (its closed forms, the journal's older
entries and its PDF) and the pupil page's case partial."""

from django.urls import path

from ..views import case_file, case_page, intake

app_name = "cases"

urlpatterns = [
    path("melden/", intake.intake, name="intake"),
    path("melden/controleren/", intake.intake_validate, name="intake_validate"),
    path("<int:pk>/", case_page.case_detail, name="case_detail"),
    path("<int:pk>/dossier.pdf", case_file.case_file_pdf, name="case_file_pdf"),
    path("<int:pk>/formulier/<slug:name>/", case_page.case_form, name="case_form"),
    path("<int:pk>/journaal/bladeren/", case_page.journal, name="journal"),
    path("leerling/<int:pupil_pk>/", case_page.pupil_case_partial, name="pupil_case_partial"),
]
