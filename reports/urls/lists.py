"""The thuiszitterslijst and the reconciliation (``/rapportages/lijsten/``)."""

from django.urls import path

from ..views import lists as v

app_name = "reportlists"
urlpatterns = [
    path("", v.thuiszitterslijst, name="list"),
    path("vaststellen/", v.freeze, name="freeze"),
    path("export/", v.export, name="export"),
    path("vastgesteld/", v.snapshots, name="snapshots"),
    path("<int:pk>/", v.snapshot, name="snapshot"),
    path("<int:pk>/export/<str:fmt>/", v.snapshot_export, name="snapshot_export"),
    path("vergelijken/", v.reconcile, name="reconcile"),
    path("vergelijken/export/", v.reconcile_export, name="reconcile_export"),
]
