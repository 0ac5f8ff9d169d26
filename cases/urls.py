from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("melden/", views.intake, name="intake"),
    path("melden/controleren/", views.intake_validate, name="intake_validate"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("leerling/<int:pupil_pk>/", views.pupil_case_partial, name="pupil_case_partial"),
]
