"""End-to-end tests: Playwright driving Debian's Chromium against pytest-django's live server.

Without /usr/bin/chromium these tests are skipped, unless E2E_REQUIRED=1 (CI) makes a
missing browser a failure. Playwright's own browser download is never used.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
TIMEOUT_MS = 10_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    # Under pytest-xdist (``--dist loadgroup``, as bin/test runs) all browser tests go to one
    # worker: one Chromium and one live server, while the other workers run the rest.
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.xdist_group("browser"))
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("E2E_REQUIRED") == "1":
        raise pytest.UsageError(f"E2E_REQUIRED=1 but no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' ORM calls are safe
    # because they never overlap with the browser's requests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    # Assertions wait as long as actions (their own default is 5 s): on a busy machine a live
    # check whose answer is dropped and asked again (static/js/live-check.js) takes longer.
    expect.set_options(timeout=TIMEOUT_MS)
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    """Log in through the form and return once the signed-in page after it has loaded."""
    from django.urls import reverse
    from playwright.sync_api import expect

    login_path = reverse("login")

    def do(email: str, password: str):
        page.goto(login_path)
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord").fill(password)
        page.get_by_role("button", name="Inloggen").click()
        # A glob such as "**/" also matches the login page itself and would not wait: wait
        # until the browser has left it (a refused login stays there and times out here), then
        # for the logout button that only a signed-in page has.
        page.wait_for_url(lambda url: urlsplit(url).path != login_path)
        expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
        return page

    return do
