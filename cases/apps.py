from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """The case file: lead, plan, meetings, arrangements, journal, closure (DESIGN.md 5)."""

    name = "cases"
    verbose_name = _("Casussen")

    def ready(self):
        from thuiszitters.api.routes import register_api_route
        from thuiszitters.context_processors import register_home_provider, register_nav_provider
        from thuiszitters.demo import register_demo_seeder

        from . import navigation, texts  # noqa: F401 - registers the journal's system texts
        from .demo import seed_care_partner_invitations, seed_pupils

        register_nav_provider(navigation.nav_items)
        register_api_route(
            "absence-reports",
            "cases.api.absence_reports.AbsenceReportViewSet",
            basename="absencereport",
        )
        register_home_provider(navigation.home_entries)
        register_demo_seeder(seed_pupils)
        register_demo_seeder(seed_care_partner_invitations)
