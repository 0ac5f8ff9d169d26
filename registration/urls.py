from django.urls import path

from . import views

app_name = "registration"

urlpatterns = [
    path("", views.pupil_list, name="pupil_list"),
    path("meldingen/", views.report_list, name="report_list"),
    path("<int:pk>/", views.pupil_detail, name="pupil_detail"),
    path("<int:pk>/toestemming/", views.consent_record_view, name="consent_record"),
    path("<int:pk>/correctie/", views.pupil_correct_view, name="pupil_correct"),
]
