"""The strict Content-Security-Policy breaks nothing: the admin's login, the API's Swagger UI
and browsable pages, and the application's htmx pages load without a CSP violation."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page):
    found = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return found


def test_swagger_ui_and_the_admin_login_run_under_the_policy(page, violations, db):
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Thuiszitters API")
    expect(page.get_by_text("/api/v1/pupils/search/").first).to_be_visible()
    page.goto("/admin/login/")  # (the admin signs in through the application's login)
    expect(page.get_by_role("button").last).to_be_visible()
    assert violations == []


def test_the_pages_and_the_browsable_api_run_under_the_policy(
    page,
    log_in,
    demo,
    violations,
):
    log_in("zorgcoordinator.po@demo.test", demo)
    for path in ("/", "/leerlingen/", "/werk/casussen/", "/api/v1/pupils/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert violations == []
