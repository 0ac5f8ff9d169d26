from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    """Convenant policy, deadlines, the periodic sweep and notifications (DESIGN.md 5)."""

    name = "escalation"
    verbose_name = _("Escalatie")
