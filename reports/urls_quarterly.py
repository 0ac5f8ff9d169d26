"""The quarterly OOGO reports (``/rapportages/kwartaal/``)."""

app_name = "quarterly"
urlpatterns: list = []
