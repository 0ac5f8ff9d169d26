from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "thuiszitters"
    label = "core"
    verbose_name = _("Kern: organisaties, gebruikers en audit")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 - registers the system checks
        from .batch import register_lookups
        from .middleware import session_clocks_start

        # Session bookkeeping only: the idle and absolute timeouts count from sign-in.
        user_logged_in.connect(session_clocks_start, dispatch_uid="session_clocks_start")
        register_lookups()


class AdminConfig(DjangoAdminConfig):
    """The technical administration, on a site that only a verified session may use."""

    default_site = "thuiszitters.admin_site.AdminSite"
