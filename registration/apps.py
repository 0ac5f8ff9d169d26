from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    """Pupils, schools' enrolments, absence reports and consent (DESIGN.md section 5)."""

    name = "registration"
    verbose_name = _("Registratie")
