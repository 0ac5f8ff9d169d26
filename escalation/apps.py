from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    """Convenant policy, deadlines, the periodic sweep and notifications (DESIGN.md 5)."""

    name = "escalation"
    verbose_name = _("Escalatie")

    def ready(self):
        from cases.case_file import register_case_file_section
        from cases.selectors import register_next_step
        from cases.services import register_forward_move
        from thuiszitters.api.routes import register_api_route
        from thuiszitters.context_processors import register_nav_provider

        from . import texts  # noqa: F401 - registers the route's journal texts
        from .case_file import case_file_route_section
        from .demo import demo_register
        from .navigation import nav_items
        from .route import WEEK_STEPS
        from .selectors.deadlines import case_list_next_step, next_step_label
        from .services.steps import case_move_forward

        # Convenants before the demo's cases, whose route follows them.
        demo_register()
        register_nav_provider(nav_items)
        # The cases API with the route's deadlines and steps.
        register_api_route("cases", "escalation.api.EscalationCaseViewSet", basename="case")
        register_forward_move(WEEK_STEPS, case_move_forward)
        # The phase and route section of the case file PDF.
        register_case_file_section(case_file_route_section, order=10)
        # The case lists' "Volgende stap" column and sort.
        register_next_step(case_list_next_step, next_step_label)
