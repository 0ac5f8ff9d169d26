from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .access import has_capability
from .roles import Capability


def navigation(request):
    """The main menu: only the places this user can open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"url": reverse("home"), "label": _("Start"), "name": "home"},
        {"url": reverse("organisation_list"), "label": _("Organisaties"), "name": "organisations"},
    ]
    if has_capability(user, Capability.VIEW_AUDIT_LOG):
        items.append({"url": reverse("audit_log"), "label": _("Auditlog"), "name": "audit_log"})
    items.append({"url": reverse("api-docs"), "label": _("API"), "name": "api"})
    return {"nav_items": items}
