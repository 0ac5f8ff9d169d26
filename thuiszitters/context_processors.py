from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .access import has_capability
from .roles import Capability

# Higher apps add their menu items without the core importing them: a function
# ``provider(user) -> list[dict]`` registered in their AppConfig.ready().
NAV_PROVIDERS: list = []


def register_nav_provider(func) -> None:
    if func not in NAV_PROVIDERS:
        NAV_PROVIDERS.append(func)


def navigation(request):
    """The main menu: only the places this user can open; ``user_can`` for page links.

    ``current_for`` lists the URL names (or namespaced view names) under which an item is the
    current page.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_can": {}}
    items = [
        {"url": reverse("home"), "label": _("Start"), "current_for": {"home"}},
        {
            "url": reverse("organisation_list"),
            "label": _("Organisaties"),
            "current_for": {"organisation_list", "organisation_detail"},
        },
    ]
    user_can = {
        "view_personal_data": has_capability(user, Capability.VIEW_PERSONAL_DATA),
        "report": has_capability(user, Capability.SUBMIT_ABSENCE_REPORT),
    }
    user_can["work"] = user_can["view_personal_data"] or has_capability(user, Capability.WORK_CASES)
    if user_can["work"]:
        items.append(
            {
                "url": reverse("caselists:my_work"),
                "label": _("Mijn werk"),
                "current_for": {"my_work", "work_summary"},
            }
        )
    if user_can["view_personal_data"]:
        items.append(
            {
                "url": reverse("caselists:case_list"),
                "label": _("Casussen"),
                "current_for": {"case_list"},
            }
        )
    if user_can["view_personal_data"]:
        items.append(
            {
                "url": reverse("registration:pupil_list"),
                "label": _("Leerlingen"),
                "current_for": {"pupil_list", "pupil_detail", "consent_record"},
            }
        )
        items.append(
            {
                "url": reverse("registration:report_list"),
                "label": _("Meldingen"),
                "current_for": {"report_list"},
            }
        )
    if user_can["report"]:
        items.append(
            {
                "url": reverse("cases:intake"),
                "label": _("Melden"),
                "current_for": {"intake", "intake_validate"},
            }
        )
    if has_capability(user, Capability.VIEW_AUDIT_LOG):
        items.append(
            {"url": reverse("audit_log"), "label": _("Auditlog"), "current_for": {"audit_log"}}
        )
    for provider in NAV_PROVIDERS:
        items.extend(provider(user))
    items.append({"url": reverse("api-docs"), "label": _("API"), "current_for": {"api-docs"}})
    return {"nav_items": items, "user_can": user_can}
