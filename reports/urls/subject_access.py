"""The privacy officer's access requests (``/privacy/inzage/``)."""

from django.urls import path

from ..views import subject_access as views

app_name = "subject_access"
urlpatterns = [
    path("", views.subject_access_search, name="search"),
    path("<int:pk>/pdf/", views.subject_access_download, {"output": "pdf"}, name="pdf"),
    path("<int:pk>/json/", views.subject_access_download, {"output": "json"}, name="json"),
    path("<int:pk>/correctie/", views.subject_access_correct, name="correct"),
]
