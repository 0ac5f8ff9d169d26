from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    """Convenant policy, deadlines, the periodic sweep and notifications (DESIGN.md 5)."""

    name = "escalation"
    verbose_name = _("Escalatie")

    def ready(self):
        from cases.services import register_forward_move
        from thuiszitters.api.routes import register_api_route
        from thuiszitters.context_processors import register_nav_provider

        from .demo import demo_register
        from .navigation import nav_items
        from .route import WEEK_STEPS
        from .services.steps import case_move_forward

        # Convenants before the demo's cases, whose route follows them.
        demo_register()
        register_nav_provider(nav_items)
        # The cases API with the route's deadlines and steps.
        register_api_route("cases", "escalation.api.EscalationCaseViewSet", basename="case")
        register_forward_move(WEEK_STEPS, case_move_forward)
