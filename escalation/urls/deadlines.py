"""The "Termijnen" page, mounted at ``/termijnen/``."""

from django.urls import path

from ..views import deadlines as v

app_name = "deadlines"

urlpatterns = [
    path("", v.deadline_list, name="deadline_list"),
]
