"""The dashboard of an SWV, a municipality or the region (``/rapportages/``)."""

from django.urls import path

from ..views import dashboard as views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("kerncijfers/", views.key_figures, name="key_figures"),
    path("export/<slug:table>.<slug:fmt>/", views.dashboard_export, name="dashboard_export"),
]
