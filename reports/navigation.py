"""The menu items and start-page entries of reports (``register_nav_provider``,
``register_home_provider``): from the cached memberships only, so they cost no query."""

from django.utils.translation import gettext_lazy as _

from thuiszitters.access import memberships_of
from thuiszitters.jinja2env import url
from thuiszitters.models import OrganisationKind
from thuiszitters.roles import Capability

_AGGREGATES = f"core.{Capability.VIEW_AGGREGATES}"
_PERSONAL = f"core.{Capability.VIEW_PERSONAL_DATA}"
_WORK = f"core.{Capability.WORK_CASES}"
_SUBJECT_ACCESS = f"core.{Capability.ANSWER_SUBJECT_ACCESS}"
_LIST_KINDS = {
    OrganisationKind.SWV,
    OrganisationKind.MUNICIPALITY,
    OrganisationKind.LEERPLICHT_BUREAU,
    OrganisationKind.REGION,
}


def nav_items(user) -> list[dict]:
    items = _subject_access_items(user)
    memberships = [m for m in memberships_of(user) if _AGGREGATES in m.capabilities]
    if not memberships:
        return items
    items += [
        {
            "url": url("reports:dashboard"),
            "label": _("Cijfers"),
            "current_for": {"reports:dashboard"},
        }
    ]
    if any(_PERSONAL in m.capabilities and m.kind in _LIST_KINDS for m in memberships):
        items.append(
            {
                "url": url("reportlists:list"),
                "label": _("Thuiszitterslijst"),
                "current_for": {
                    "reportlists:list",
                    "reportlists:snapshots",
                    "reportlists:snapshot",
                    "reportlists:reconcile",
                },
            }
        )
    items.append(
        {
            "url": url("quarterly:list"),
            "label": _("Kwartaalrapportage"),
            "current_for": {"quarterly:list"},
        }
    )
    return items


def home_entries(user) -> list[dict]:
    """The dashboard on the start page, for who may see the figures (the SWV director first
    of all: the menu's "Cijfers" alone was easy to miss). Who works with figures and not
    with cases (a director, a policy officer) gets the key figures themselves."""
    memberships = memberships_of(user)
    if not any(_AGGREGATES in m.capabilities for m in memberships):
        return []
    if not any(_WORK in m.capabilities for m in memberships):
        return [
            {
                "template": "reports/_home_figures.html",
                "stylesheet": "css/reports.css",
                "order": 0,
            }
        ]
    return [
        {
            "url": url("reports:dashboard"),
            "label": _("Dashboard met cijfers"),
            "text": _(
                "Open casussen, thuiszitters, nieuwe en gesloten casussen en escalaties per "
                "kwartaal, voor uw organisatie."
            ),
        }
    ]


def _subject_access_items(user) -> list[dict]:
    if not any(_SUBJECT_ACCESS in m.capabilities for m in memberships_of(user)):
        return []
    return [
        {
            "url": url("subject_access:search"),
            "label": _("Inzageverzoek"),
            "current_for": {"subject_access:search"},
        }
    ]
