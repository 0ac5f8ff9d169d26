"""Make the audit log append-only in PostgreSQL: UPDATE and DELETE raise.

TRUNCATE stays possible for the test runner's flush; the application never truncates.
SQLite (development and the newcomer's test run) relies on the model and queryset guards.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_auditlogentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditlogentry is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_auditlogentry_no_update
    BEFORE UPDATE ON core_auditlogentry
    FOR EACH ROW EXECUTE FUNCTION core_auditlogentry_append_only();
CREATE TRIGGER core_auditlogentry_no_delete
    BEFORE DELETE ON core_auditlogentry
    FOR EACH ROW EXECUTE FUNCTION core_auditlogentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditlogentry_no_update ON core_auditlogentry;
DROP TRIGGER IF EXISTS core_auditlogentry_no_delete ON core_auditlogentry;
DROP FUNCTION IF EXISTS core_auditlogentry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A plain cursor: the "%" in RAISE must not be read as a query parameter.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_create_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
