"""The menu items and start-page entries of registration (``register_nav_provider``,
``register_home_provider``): pupils and reports, from the cached memberships."""

from django.utils.translation import gettext_lazy as _

from thuiszitters.access import has_capability
from thuiszitters.jinja2env import url
from thuiszitters.roles import Capability

# Among the core's items (``NAV_ORDER``): after cases' work lists, before its intake.
ORDER = 30


# The pages, with the URL names under which each is the current page and its start-page text.
PAGES = (
    (
        "registration:pupil_list",
        _("Leerlingen"),
        {"pupil_list", "pupil_detail", "consent_record"},
        _("De leerlingen die u mag zien, met hun signalen, toestemming en casus."),
    ),
    (
        "registration:report_list",
        _("Meldingen"),
        {"report_list"},
        _("Alle verzuimmeldingen die u mag zien, te filteren op soort en datum."),
    ),
)


def nav_items(user) -> list[dict]:
    if not has_capability(user, Capability.VIEW_PERSONAL_DATA):
        return []
    return [
        {"url": url(name), "label": label, "current_for": current, "order": ORDER}
        for name, label, current, _text in PAGES
    ]


def home_entries(user) -> list[dict]:
    if not has_capability(user, Capability.VIEW_PERSONAL_DATA):
        return []
    return [
        {"url": url(name), "label": label, "text": text, "order": ORDER}
        for name, label, _current, text in PAGES
    ]
