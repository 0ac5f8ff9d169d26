from django.utils.translation import gettext_lazy as _

from .access import has_capability
from .jinja2env import url
from .roles import Capability
from .twofactor import second_factor_passed

# The apps add their menu items and start-page entries without the core importing them or
# naming their URLs: a function ``provider(user) -> list[dict]`` registered in their
# AppConfig.ready(). An item's ``order`` places it among the core's (NAV_ORDER); items
# without one follow the audit log in the order the apps registered.
NAV_PROVIDERS: list = []
HOME_PROVIDERS: list = []
NAV_ORDER = {"start": 0, "organisations": 10, "audit_log": 50, "apps": 60, "api": 100}


def register_nav_provider(func) -> None:
    if func not in NAV_PROVIDERS:
        NAV_PROVIDERS.append(func)


def register_home_provider(func) -> None:
    """``func(user)`` gives the start page's entries of an app: ``{"template": ...}`` for a
    section at the top, or ``{"url", "label", "text"}`` for a link under "Waar u naartoe
    kunt" (before the core's own links); ``order`` sorts each kind."""
    if func not in HOME_PROVIDERS:
        HOME_PROVIDERS.append(func)


def _in_order(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: item.get("order", NAV_ORDER["apps"]))


def home_entries(user) -> tuple[list[dict], list[dict]]:
    """The apps' sections and links for the start page."""
    entries = _in_order([entry for provider in HOME_PROVIDERS for entry in provider(user)])
    return [e for e in entries if "template" in e], [e for e in entries if "template" not in e]


def navigation(request):
    """The main menu: only the places this user can open; ``user_can`` for page links.

    ``current_for`` lists the URL names (or namespaced view names) under which an item is the
    current page.
    """
    user = getattr(request, "user", None)
    # Anonymous, or before the second factor, every place is closed (LoginRequiredMiddleware):
    # no menu.
    if not second_factor_passed(user):
        return {"nav_items": [], "user_can": {}}
    items = [
        {
            "url": url("home"),
            "label": _("Start"),
            "current_for": {"home"},
            "order": NAV_ORDER["start"],
        },
        {
            "url": url("organisation_list"),
            "label": _("Organisaties"),
            "current_for": {"organisation_list", "organisation_detail"},
            "order": NAV_ORDER["organisations"],
        },
    ]
    user_can = {
        "view_personal_data": has_capability(user, Capability.VIEW_PERSONAL_DATA),
        "report": has_capability(user, Capability.SUBMIT_ABSENCE_REPORT),
    }
    user_can["work"] = user_can["view_personal_data"] or has_capability(user, Capability.WORK_CASES)
    if has_capability(user, Capability.VIEW_AUDIT_LOG):
        items.append(
            {
                "url": url("audit_log"),
                "label": _("Auditlog"),
                "current_for": {"audit_log"},
                "order": NAV_ORDER["audit_log"],
            }
        )
    items.append(
        {
            "url": url("api-docs"),
            "label": _("API"),
            "current_for": {"api-docs"},
            "order": NAV_ORDER["api"],
        }
    )
    items = _in_order([*items, *(item for provider in NAV_PROVIDERS for item in provider(user))])
    return {"nav_items": items, "user_can": user_can}
