"""System checks of the database settings this workload needs (docs/deployment.md)."""

from typing import Any

from django.core.checks import Tags, Warning, register
from django.db import connections


def database_jit(alias: str = "default") -> str | None:
    """PostgreSQL's ``jit`` setting of the application's connection (None elsewhere)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        return str(cursor.fetchone()[0])


@register(Tags.database)
def check_jit_off(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Warning]:
    """Runs with ``manage.py check --database default`` (Django skips database checks else)."""
    warnings = []
    for alias in databases or ():
        if database_jit(alias) == "on":
            warnings.append(
                Warning(
                    "PostgreSQL's JIT is on for the application's connections.",
                    hint="Leave DB_JIT unset (off), or set jit=off for the application's role: "
                    "JIT compilation costs hundreds of ms per list and report request.",
                    id="thuiszitters.W010",
                )
            )
    return warnings
