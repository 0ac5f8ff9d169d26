from django.urls import path

from . import views_csv

app_name = "cases_csv"

urlpatterns = [
    path("", views_csv.upload, name="upload"),
    path("sjabloon/", views_csv.template, name="template"),
    path("importeren/", views_csv.commit, name="commit"),
    path("afgewezen/", views_csv.rejected, name="rejected"),
]
