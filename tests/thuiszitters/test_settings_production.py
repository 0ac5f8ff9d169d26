"""Production settings refuse insecure values; with good values the deploy check passes."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_urlsafe(64)
GOOD_AUDIT_KEY = secrets.token_urlsafe(48)


def _run(env_overrides, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "AUDIT_HASH_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "thuiszitters.settings.production",
            "ALLOWED_HOSTS": "example.org",
        }
    )
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY must be set"),
        (
            {"SECRET_KEY": "dev-only-insecure-secret-key-do-not-use-in-production"},
            "SECRET_KEY must be set",
        ),
        ({"SECRET_KEY": "short"}, "at least 50 characters"),
        ({"SECRET_KEY": "a" * 60}, "at least 50 characters"),
        ({"SECRET_KEY": GOOD_KEY, "DEBUG": "true"}, "DEBUG must be off"),
        ({"SECRET_KEY": GOOD_KEY, "DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"SECRET_KEY": GOOD_KEY}, "AUDIT_HASH_KEY must be set"),
        ({"SECRET_KEY": GOOD_KEY, "AUDIT_HASH_KEY": GOOD_KEY}, "AUDIT_HASH_KEY must be set"),
        ({"SECRET_KEY": GOOD_KEY, "AUDIT_HASH_KEY": "short"}, "AUDIT_HASH_KEY must be set"),
    ],
)
def test_production_refuses_to_start_with_insecure_settings(env, message):
    result = _run(env, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_production_deploy_check_passes_with_secure_settings():
    result = _run(
        {"SECRET_KEY": GOOD_KEY, "AUDIT_HASH_KEY": GOOD_AUDIT_KEY},
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_demo_seed():
    result = _run({"SECRET_KEY": GOOD_KEY, "AUDIT_HASH_KEY": GOOD_AUDIT_KEY}, "seed_demo")
    assert result.returncode != 0
    assert "seed_demo is disabled" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SESSION_IDLE_TIMEOUT_MINUTES": "0"}, "SESSION_IDLE_TIMEOUT_MINUTES must be above 0"),
        (
            {"SESSION_IDLE_TIMEOUT_MINUTES": "600", "SESSION_COOKIE_AGE": "28800"},
            "SESSION_IDLE_TIMEOUT_MINUTES must be above 0 and within SESSION_COOKIE_AGE",
        ),
        ({"SESSION_COOKIE_AGE": str(24 * 3600)}, "SESSION_COOKIE_AGE must be above 0"),
    ],
)
def test_production_refuses_insecure_session_limits(env, message):
    keys = {"SECRET_KEY": GOOD_KEY, "AUDIT_HASH_KEY": secrets.token_urlsafe(48)}
    result = _run({**keys, **env}, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_production_enforces_the_content_security_policy():
    """Production runs the same headers middleware and enforces the CSP (not report-only)."""
    keys = {"SECRET_KEY": GOOD_KEY, "AUDIT_HASH_KEY": secrets.token_urlsafe(48)}
    code = (
        "from django.conf import settings as s; import json; print(json.dumps({"
        "'m': s.MIDDLEWARE, 'csp': s.CONTENT_SECURITY_POLICY, "
        "'ro': getattr(s, 'CONTENT_SECURITY_POLICY_REPORT_ONLY', None), "
        "'idle': s.SESSION_IDLE_TIMEOUT_MINUTES}))"
    )
    result = _run(keys, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ("CSPMiddleware", "SecurityHeadersMiddleware", "NoStoreMiddleware"):
        assert f"thuiszitters.middleware.{name}" in values["m"]
    assert "thuiszitters.middleware.IdleTimeoutMiddleware" in values["m"]
    assert values["ro"] is None
    assert values["csp"]["DIRECTIVES"]["script-src"] == ["'self'"]
    assert values["idle"] == 30
