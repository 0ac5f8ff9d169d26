"""Every menu through the apps' providers (``NAV_PROVIDERS``, ``HOME_PROVIDERS``): the core
names none of the apps' URLs, and the menu and the start page keep their order."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from thuiszitters.roles import RoleCode

ROOT = Path(settings.BASE_DIR)
APP_NAMESPACES = re.compile(
    r"""(reverse\(|\{% url )["'](cases|case|caselists|csv|registration|escalation|convenant|"""
    r"""inbox|reports|reportlists|quarterly):"""
)


def test_the_core_names_no_url_of_an_app():
    core = [
        p
        for p in (ROOT / "thuiszitters").rglob("*.py")
        if "demo" not in p.name and "migrations" not in p.parts
    ]
    templates = [*(ROOT / "templates" / "core").glob("*.html"), ROOT / "templates" / "base.html"]
    found = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in [*core, *templates]
        for m in APP_NAMESPACES.finditer(p.read_text())
    ]
    assert found == []


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            RoleCode.ZORGCOORDINATOR,
            [
                "Start",
                "Organisaties",
                "Mijn werk",
                "Casussen",
                "Signalen",
                "Termijnen",
                "Leerlingen",
                "Meldingen",
                "Melden",
                "Berichten",
                "API",
            ],
        ),
        (
            RoleCode.FUNCTIONAL_ADMIN,
            # The core's audit log, then escalation's and reports' items as registered.
            [
                "Start",
                "Organisaties",
                "Auditlog",
                "Convenant",
                "Berichten",
                "Cijfers",
                "Kwartaalrapportage",
                "API",
            ],
        ),
        (RoleCode.SWV_DIRECTOR, None),
    ],
)
def test_the_menu_keeps_its_order(world, user_with_role, login, role, expected):
    response = login(user_with_role(role)).get(reverse("home"))
    labels = [str(item["label"]) for item in response.context["nav_items"]]
    if expected is None:  # no personal data: none of the pupils' or cases' pages
        assert {
            "Mijn werk",
            "Casussen",
            "Termijnen",
            "Leerlingen",
            "Meldingen",
            "Melden",
        }.isdisjoint(labels)
        assert labels[:2] == ["Start", "Organisaties"] and labels[-1] == "API"
    else:
        assert labels == expected


def test_the_start_page_shows_the_apps_entries_before_the_cores(world, user_with_role, login):
    body = login(user_with_role(RoleCode.ZORGCOORDINATOR)).get(reverse("home")).content.decode()
    assert 'id="mijn-werk"' in body and reverse("caselists:work_summary") in body
    where_to = body[body.index('id="waar-naartoe"') :]
    places = [
        where_to.index(f'href="{url}"')
        for url in (
            reverse("cases:intake"),
            reverse("registration:pupil_list"),
            reverse("registration:report_list"),
            reverse("organisation_list"),
            reverse("api-docs"),
        )
    ]
    assert places == sorted(places)
    assert "Meld verzuim of zorgen over een leerling" in body
    director = login(user_with_role(RoleCode.SWV_DIRECTOR)).get(reverse("home")).content.decode()
    assert 'id="mijn-werk"' not in director and reverse("cases:intake") not in director
