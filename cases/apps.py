from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """The case file: lead, plan, meetings, arrangements, journal, closure (DESIGN.md 5)."""

    name = "cases"
    verbose_name = _("Casussen")

    def ready(self):
        from thuiszitters.demo import register_demo_seeder

        from .demo import seed_care_partner_invitations, seed_pupils

        register_demo_seeder(seed_pupils)
        register_demo_seeder(seed_care_partner_invitations)
