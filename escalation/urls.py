from django.urls import path

from . import views

app_name = "escalation"

urlpatterns = [
    path("casus/<int:pk>/termijn/", views.case_deadline, name="case_deadline"),
]
