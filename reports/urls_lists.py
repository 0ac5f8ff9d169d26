"""The thuiszitterslijst and the reconciliation (``/rapportages/lijsten/``)."""

app_name = "reportlists"
urlpatterns: list = []
