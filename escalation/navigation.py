"""The menu items of escalation, added to the core menu (``register_nav_provider``)."""

from django.utils.translation import gettext_lazy as _

from thuiszitters.access import has_capability
from thuiszitters.jinja2env import url
from thuiszitters.roles import Capability

# Among the core's items (``NAV_ORDER``): with the work lists of cases (its ``WORK_ORDER``),
# after them, as escalation registers after cases.
DEADLINES_ORDER = 20


def nav_items(user) -> list[dict]:
    items = []
    if has_capability(user, Capability.VIEW_PERSONAL_DATA):  # who sees cases (the case list)
        items.append(
            {
                "url": url("deadlines:deadline_list"),
                "label": _("Termijnen"),
                "current_for": {"deadlines:deadline_list"},
                "order": DEADLINES_ORDER,
            }
        )
    if has_capability(user, Capability.SIT_ON_DOORBRAAKTEAM) or has_capability(
        user, Capability.LEAD_AS_CASUSREGISSEUR
    ):
        items.append(
            {
                "url": url("escalation:agenda"),
                "label": _("Doorbraakteam"),
                "current_for": {"agenda"},
            }
        )
    if has_capability(user, Capability.MANAGE_REGION):
        items.append(
            {
                "url": url("convenant:overview"),
                "label": _("Convenant"),
                "current_for": {"overview", "swv", "holidays"},
            }
        )
    items.append(
        {
            "url": url("inbox:inbox"),
            "label": _("Berichten"),
            "badge_url": url("inbox:unread_count"),
            "current_for": {"inbox", "preferences"},
        }
    )
    return items
