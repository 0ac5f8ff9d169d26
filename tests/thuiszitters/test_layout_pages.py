"""Layout (issue 17) over plain HTTP: the favicon, the director's way to the dashboard, the
folding menu's button and the tables' scroll regions in the markup."""

import re

from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from thuiszitters.roles import RoleCode

WRAPPER = re.compile(r'<div class="app-table-wrapper"[^>]*>')
DASHBOARD_LINK = re.compile(
    r'<a class="utrecht-link" href="/rapportages/">Dashboard met cijfers</a>'
)
KEY_FIGURES_LINK = re.compile(
    r'<a class="utrecht-link" href="/rapportages/">Naar het dashboard met alle cijfers</a>'
)


def test_favicon_ico_leads_to_the_svg_icon_without_login(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("img/favicon.svg")
    path = finders.find("img/favicon.svg")
    assert path
    with open(path, encoding="utf-8") as svg:
        assert svg.read().lstrip().startswith("<svg")


def test_every_page_links_the_favicon_and_the_menu_button(world, user_with_role, login):
    html = login(user_with_role(RoleCode.LEERPLICHT)).get(reverse("home")).content.decode()
    assert f'<link rel="icon" href="{static("img/favicon.svg")}" type="image/svg+xml">' in html
    assert 'aria-controls="hoofdmenu"' in html
    assert 'id="hoofdmenu"' in html
    assert f'src="{static("js/menu.js")}"' in html


def test_the_director_finds_the_key_figures_and_the_dashboard_on_the_start_page(
    world, user_with_role, login
):
    director = login(user_with_role(RoleCode.SWV_DIRECTOR)).get(reverse("home")).content.decode()
    assert f'hx-get="{reverse("reports:key_figures")}"' in director
    assert KEY_FIGURES_LINK.search(director)
    # Who works with cases keeps the link (the start page has their work first).
    consultant = login(user_with_role(RoleCode.SWV_CONSULTANT)).get(reverse("home"))
    assert DASHBOARD_LINK.search(consultant.content.decode())
    assert reverse("reports:key_figures") not in consultant.content.decode()
    school = login(user_with_role(RoleCode.ZORGCOORDINATOR)).get(reverse("home"))
    assert not DASHBOARD_LINK.search(school.content.decode())
    assert reverse("reports:key_figures") not in school.content.decode()
