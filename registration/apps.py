from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    """Pupils, schools' enrolments, absence reports and consent (DESIGN.md section 5)."""

    name = "registration"
    verbose_name = _("Registratie")

    def ready(self):
        from thuiszitters.api.routes import register_api_route
        from thuiszitters.context_processors import register_home_provider, register_nav_provider

        from . import navigation

        register_nav_provider(navigation.nav_items)
        register_api_route("pupils", "registration.api.PupilViewSet", basename="pupil")
        register_home_provider(navigation.home_entries)
