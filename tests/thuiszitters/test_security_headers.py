"""Security headers on personal-data pages and API responses, with production's flags.

Production uses the same middleware and policy as here (``test_settings_production`` checks
that); these tests switch on production's HTTPS settings and request over HTTPS.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from thuiszitters.roles import RoleCode

from ..factories.registration import enrolled_pupil

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_FLAGS = {
    "DEBUG": False,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}


@pytest.fixture
def production(settings):
    for name, value in PRODUCTION_FLAGS.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def zc_client(world, user_with_role, login):
    return login(user_with_role(RoleCode.ZORGCOORDINATOR))


def csp_of(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def assert_strict_headers(response, *, inline_styles: bool = False) -> None:
    csp = csp_of(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == (["'self'", "'unsafe-inline'"] if inline_styles else ["'self'"])
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "Content-Security-Policy-Report-Only" not in response
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
        assert f"{feature}=()" in permissions
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_personal_data_page_carries_every_header(production, world, zc_client):
    pupil = enrolled_pupil(world.school)
    response = zc_client.get(reverse("registration:pupil_detail", args=[pupil.pk]), secure=True)
    assert response.status_code == 200
    assert_strict_headers(response)
    assert "no-store" in response["Cache-Control"]


def test_an_htmx_partial_with_personal_data_is_not_stored(production, world, zc_client):
    pupil = enrolled_pupil(world.school)
    url = reverse("cases:pupil_case_partial", args=[pupil.pk])
    response = zc_client.get(url, secure=True, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_an_api_response_carries_every_header(production, world, zc_client):
    pupil = enrolled_pupil(world.school)
    response = zc_client.get(f"/api/v1/pupils/{pupil.pk}/", secure=True)
    assert response.status_code == 200
    # DRF's browsable API and Swagger UI carry inline style attributes: styles only.
    assert_strict_headers(response, inline_styles=True)
    assert "no-store" in response["Cache-Control"]


def test_an_api_error_to_an_anonymous_caller_is_not_stored_either(production, db, client):
    response = client.get("/api/v1/pupils/", secure=True)
    assert response.status_code in (401, 403)
    assert "no-store" in response["Cache-Control"]
    assert "Permissions-Policy" in response


def test_the_login_page_has_the_policy(production, db, client):
    login = client.get(reverse("login"), secure=True)
    assert login.status_code == 200
    assert_strict_headers(login)


def test_static_files_keep_their_caching_for_a_signed_in_user(production, world, zc_client):
    production.WHITENOISE_USE_FINDERS = True  # (read when the client's handler starts)
    static = zc_client.get("/static/css/app.css", secure=True)
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")


def test_admin_and_api_docs_run_under_the_policy(production, db, client, world, user_with_role):
    admin = client.get("/admin/login/", secure=True)
    assert "script-src 'self'" in admin["Content-Security-Policy"]
    docs = client.get("/api/docs/", secure=True)
    assert docs.status_code == 200
    body = docs.content.decode()
    # Swagger UI's start script is a file of its own (the split view): no inline script.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert "<style" not in body
    script = client.get("/api/docs/?script=", secure=True)
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


# Rendered by WeasyPrint into PDFs only, never served to a browser.
NOT_SERVED = {"templates/reports/pdf", "templates/cases/pdf"}
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"), "script"),
    (re.compile(r"<style"), "style element"),
    (re.compile(r"\sstyle="), "style attribute"),
    (re.compile(r"\son[a-z]+="), "event handler attribute"),
    (re.compile(r"\shx-on"), "hx-on (needs eval)"),
    (re.compile(r"javascript:"), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    """The CSP allows no inline script or style: the templates must not need one."""
    found = []
    for path in sorted(ROOT.glob("templates/**/*.html")):
        relative = path.relative_to(ROOT).as_posix()
        if any(relative.startswith(prefix) for prefix in NOT_SERVED):
            continue
        text = path.read_text()
        found += [f"{relative}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert found == []


def test_htmx_is_told_not_to_inject_its_indicator_style():
    base = (ROOT / "templates" / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base
