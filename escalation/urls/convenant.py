"""The functional administrator's convenant pages, mounted at ``/beheer/convenant/``."""

from django.urls import path

from ..views import convenant as v

app_name = "convenant"

urlpatterns = [
    path("", v.overview, name="overview"),
    path("samenwerkingsverband/<int:pk>/", v.swv_detail, name="swv"),
    path("regio/<int:pk>/vakanties/", v.holiday_list, name="holidays"),
    path("regio/<int:pk>/vakanties/nieuw/", v.holiday_add, name="holiday_add"),
    path("regio/<int:pk>/vakanties/importeren/", v.holiday_import, name="holiday_import"),
    path("vakanties/<int:pk>/wijzigen/", v.holiday_edit, name="holiday_edit"),
    path("vakanties/<int:pk>/verwijderen/", v.holiday_delete_view, name="holiday_delete"),
]
