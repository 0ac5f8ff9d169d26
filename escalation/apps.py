from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    """Convenant policy, deadlines, the periodic sweep and notifications (DESIGN.md 5)."""

    name = "escalation"
    verbose_name = _("Escalatie")

    def ready(self):
        from thuiszitters.context_processors import register_nav_provider
        from thuiszitters.demo import register_demo_seeder

        from .demo import seed_demo_convenants, seed_sample_holidays
        from .demo_route import seed_demo_route
        from .navigation import nav_items

        register_demo_seeder(seed_sample_holidays)
        register_demo_seeder(seed_demo_convenants)
        # After the convenants: the route's due dates follow them.
        register_demo_seeder(seed_demo_route)
        register_nav_provider(nav_items)
