"""The menu items and start-page entries of cases (``register_nav_provider``,
``register_home_provider``): the work lists and the intake, from the cached memberships."""

from django.utils.translation import gettext_lazy as _

from thuiszitters.access import has_capability
from thuiszitters.jinja2env import url
from thuiszitters.roles import Capability

# Among the core's items (``NAV_ORDER``): the work before registration's pupils and
# reports, the intake after them.
WORK_ORDER, INTAKE_ORDER = 20, 40


def _may_work(user) -> bool:
    return has_capability(user, Capability.VIEW_PERSONAL_DATA) or has_capability(
        user, Capability.WORK_CASES
    )


def nav_items(user) -> list[dict]:
    items = []
    if _may_work(user):
        items.append(
            {
                "url": url("caselists:my_work"),
                "label": _("Mijn werk"),
                "current_for": {"my_work", "work_summary"},
                "order": WORK_ORDER,
            }
        )
    if has_capability(user, Capability.VIEW_PERSONAL_DATA):
        items.append(
            {
                "url": url("caselists:case_list"),
                "label": _("Casussen"),
                "current_for": {"case_list"},
                "order": WORK_ORDER,
            }
        )
    if has_capability(user, Capability.VIEW_PERSONAL_DATA) and has_capability(
        user, Capability.WORK_CASES
    ):
        items.append(
            {
                "url": url("caselists:signal_list"),
                "label": _("Signalen"),
                "current_for": {"signal_list"},
                "order": WORK_ORDER,
            }
        )
    if has_capability(user, Capability.SUBMIT_ABSENCE_REPORT):
        items.append(
            {
                "url": url("cases:intake"),
                "label": _("Melden"),
                "current_for": {"intake", "intake_validate"},
                "order": INTAKE_ORDER,
            }
        )
    return items


def home_entries(user) -> list[dict]:
    entries = []
    if _may_work(user):
        entries.append({"template": "cases/_home_work.html", "order": WORK_ORDER})
    if has_capability(user, Capability.SUBMIT_ABSENCE_REPORT):
        entries.append(
            {
                "url": url("cases:intake"),
                "label": _("Verzuim melden"),
                "text": _(
                    "Meld verzuim of zorgen over een leerling; de melding opent een casus of "
                    "komt bij de open casus."
                ),
                "order": 0,
            }
        )
    return entries
