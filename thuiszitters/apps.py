from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "thuiszitters"
    label = "core"
    verbose_name = _("Kern: organisaties, gebruikers en audit")
