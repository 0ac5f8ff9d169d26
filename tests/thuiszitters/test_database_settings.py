"""The PostgreSQL options the settings give the application's connections."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT_OPTIONS = "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"


def _options(printed: str = PRINT_OPTIONS, **env):
    """What ``printed`` prints of the development settings with ``env`` (nothing connects)."""
    return subprocess.run(  # noqa: S603 - our own manage.py
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            f"import json; from django.conf import settings; {printed}",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DB_")},
            "DJANGO_SETTINGS_MODULE": "thuiszitters.settings.dev",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(("value", "expected"), [(None, 2), ("0", 0), ("5", 5), ("off", None)])
def test_statements_are_bound_on_the_server_and_prepared(value, expected):
    result = _options(**({} if value is None else {"DB_PREPARE_THRESHOLD": value}))
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == expected


@pytest.mark.parametrize(("value", "expected"), [(None, 600), ("0", 0), ("60", 60)])
def test_connections_stay_open_ten_minutes_unless_told(value, expected):
    # A new connection's first request took 20-30 ms longer (docs/performance.md).
    result = _options(
        **({} if value is None else {"DB_CONN_MAX_AGE": value}),
        printed="print(settings.DATABASES['default']['CONN_MAX_AGE'])",
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().splitlines()[-1]) == expected


def test_a_threshold_that_is_not_a_number_refuses_to_start():
    result = _options(DB_PREPARE_THRESHOLD="soon")
    assert result.returncode != 0
    assert "DB_PREPARE_THRESHOLD must be a number" in result.stderr


def test_a_statement_run_again_keeps_its_plan_on_the_connection(db):
    """With the default threshold the third run of a query is prepared on the server: its
    plan stays with the connection instead of being made again (docs/performance.md)."""
    from django.db import connection

    from thuiszitters.models import Organisation

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL connection option")
    for _ in range(3):
        list(Organisation.objects.filter(name="prepared-statement probe"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"core_organisation"."name" = $1%'],
        )
        assert cursor.fetchone()[0] == 1
