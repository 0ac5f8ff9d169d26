"""The dashboard of an SWV, a municipality or the region (``/rapportages/``)."""

app_name = "reports"
urlpatterns: list = []
