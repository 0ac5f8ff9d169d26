from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Aggregates, dashboards, lists and the quarterly OOGO report (DESIGN.md 5)."""

    name = "reports"
    verbose_name = _("Rapportages")

    def ready(self):
        from thuiszitters.api.routes import register_api_route
        from thuiszitters.context_processors import register_home_provider, register_nav_provider

        from .navigation import home_entries, nav_items

        register_nav_provider(nav_items)
        register_home_provider(home_entries)
        # The longer prefix first: the router tries its patterns in order.
        register_api_route(
            "reports/quarterly", "reports.api.QuarterlyReportViewSet", basename="quarterlyreport"
        )
        register_api_route("reports", "reports.api.ReportViewSet", basename="report")
