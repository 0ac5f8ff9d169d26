"""The ``search`` namespace: the search in the header of every page (POST only)."""

from django.urls import path

from ..views import search

app_name = "search"

urlpatterns = [
    path("", search.search, name="search"),
]
