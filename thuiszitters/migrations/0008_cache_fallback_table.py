"""The table of the database cache that stands in while Redis is down (thuiszitters/cache.py).

``createcachetable`` makes every DatabaseCache table named in ``settings.CACHES`` (the
``fallback`` alias), and skips tables that exist; running it here means ``migrate`` is the
only step a deploy or a test database needs.
"""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_tables(apps, schema_editor):
    for params in settings.CACHES.values():
        if params["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
            table = schema_editor.quote_name(params["LOCATION"])
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_audit_action_read_denied"),
    ]

    operations = [
        migrations.RunPython(create_cache_tables, drop_cache_tables, elidable=False),
    ]
