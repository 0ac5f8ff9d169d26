"""Production settings refuse insecure values; with good values the deploy check passes."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_urlsafe(64)


def _run(env_overrides, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
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
    ],
)
def test_production_refuses_to_start_with_insecure_settings(env, message):
    result = _run(env, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_production_deploy_check_passes_with_secure_settings():
    result = _run({"SECRET_KEY": GOOD_KEY}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_demo_seed():
    result = _run({"SECRET_KEY": GOOD_KEY}, "seed_demo")
    assert result.returncode != 0
    assert "seed_demo is disabled" in result.stderr
