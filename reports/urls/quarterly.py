"""The quarterly OOGO reports (``/rapportages/kwartaal/``)."""

from django.urls import path

from ..views import quarterly as views

app_name = "quarterly"
urlpatterns = [
    path("", views.quarterly_list, name="list"),
    path("aanvragen/", views.quarterly_request, name="request"),
    path("<int:pk>/download/", views.quarterly_download, name="download"),
    path("<int:pk>/opnieuw/", views.quarterly_retry, name="retry"),
]
