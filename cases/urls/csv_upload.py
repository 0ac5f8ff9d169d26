from django.urls import path

from ..views import csv_upload

app_name = "cases_csv"

urlpatterns = [
    path("", csv_upload.upload, name="upload"),
    path("sjabloon/", csv_upload.template, name="template"),
    path("importeren/", csv_upload.commit, name="commit"),
    path("afgewezen/", csv_upload.rejected, name="rejected"),
]
