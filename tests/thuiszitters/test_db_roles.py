"""The application's database role cannot undo the audit log (ADR 0018). PostgreSQL only.

The test connects as a role that may create roles (CI's ``postgres``), creates an application
role inside the test's transaction (so it is gone after the rollback, even on failure; its
name carries the test database's name, as parallel workers share the cluster's roles), grants
as ``db_roles_grant`` does, and tries each statement as that role in a savepoint.
"""

import os
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from thuiszitters.audit import audit_record
from thuiszitters.db_roles import RoleError, app_role_grant, app_role_statements
from thuiszitters.models import AuditAction, AuditLogEntry, Region
from thuiszitters.system import COMMAND

from ..factories.organisations import RegionFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles: PostgreSQL"),
    pytest.mark.django_db,
]

AUDIT = "core_auditlogentry"  # literal in the statements below
INSUFFICIENT_PRIVILEGE = "42501"


def _role_name() -> str:
    name = re.sub(r"[^a-z0-9_]", "_", connection.settings_dict["NAME"].lower())
    return f"tz_app_{name}"[:63]


def _cannot_create_roles():
    message = "the test's database user may not create roles"
    if os.environ.get("CI"):  # CI connects as postgres: these tests must run there
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def app_role():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        if not cursor.fetchone()[0]:
            _cannot_create_roles()
        role = _role_name()
        # Rolled back with the test's transaction, like everything below.
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
    app_role_grant(connection=connection, app_role=role)
    return role


def _as(role: str, sql: str, params=None) -> DatabaseError | None:
    """Run ``sql`` as ``role`` in a savepoint that is always rolled back (so are SET LOCAL
    ROLE and whatever the statement did); the error, or None if it succeeded."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{role}"')
            cursor.execute(sql, params)
            transaction.set_rollback(True)
    except DatabaseError as error:
        return error
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user = session_user")
            assert cursor.fetchone()[0], "the role was not reset"
    return None


def _refused(error: DatabaseError | None) -> bool:
    cause = error.__cause__ if error is not None else None
    # psycopg2 names it pgcode, psycopg 3 sqlstate.
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    return code == INSUFFICIENT_PRIVILEGE


def _an_audit_entry() -> AuditLogEntry:
    return audit_record(
        actor=COMMAND, action=AuditAction.EXPORT, object_type="test.role", object_id=1
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditlogentry SET reason = 'rewritten'",
        "DELETE FROM core_auditlogentry",
        "TRUNCATE core_auditlogentry",
        "ALTER TABLE core_auditlogentry ADD COLUMN note text",
        "ALTER TABLE core_auditlogentry DISABLE TRIGGER core_auditlogentry_no_update",
        "ALTER TABLE core_auditlogentry DISABLE TRIGGER ALL",
        "DROP TRIGGER core_auditlogentry_no_delete ON core_auditlogentry",
        "DROP TABLE core_auditlogentry",
        "CREATE TABLE sneaky (id int)",
        "TRUNCATE core_organisation CASCADE",
    ],
    ids=[
        "update",
        "delete",
        "truncate",
        "alter",
        "disable-trigger",
        "disable-all-triggers",
        "drop-trigger",
        "drop-table",
        "create-table",
        "truncate-other",
    ],
)
def test_the_application_role_is_refused(app_role, sql):
    assert AuditLogEntry._meta.db_table == AUDIT
    _an_audit_entry()
    error = _as(app_role, sql)
    assert _refused(error), f"{sql!r} was not refused for lack of privilege: {error!r}"


def test_the_application_role_appends_and_reads_the_audit_log(app_role):
    insert = (
        "INSERT INTO core_auditlogentry (timestamp, actor_email, system_actor, action, "
        "object_type, object_id, client_address, request_id, outcome, changes, reason) "
        "VALUES (now(), '', 'command', 'export', 't', '1', NULL, '', 'success', '{}', '') "
        "RETURNING id"
    )
    assert _as(app_role, insert) is None
    assert _as(app_role, "SELECT count(*) FROM core_auditlogentry") is None


def test_the_application_role_changes_the_application_tables(app_role):
    region = RegionFactory()
    assert (Region._meta.db_table, Region._meta.pk.column) == ("core_region", "organisation_ptr_id")
    assert _as(app_role, "UPDATE core_region SET case_retention_months = 61") is None
    delete = "DELETE FROM core_region WHERE organisation_ptr_id = %s"
    assert _as(app_role, delete, [region.pk]) is None


def test_tables_created_by_later_migrations_are_granted(app_role):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_migration (id bigserial PRIMARY KEY, v int)")
    insert = "INSERT INTO later_migration (v) VALUES (1) RETURNING id"
    assert _as(app_role, insert) is None
    assert _refused(_as(app_role, "DROP TABLE later_migration"))


def test_the_command_grants_and_refuses_the_owner_or_a_superuser(app_role):
    out = StringIO()
    call_command("db_roles_grant", "--app-role", app_role, stdout=out)
    assert f"Granted {app_role}." in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="owner"):
        call_command("db_roles_grant", "--app-role", owner)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("db_roles_grant", "--app-role", app_role + "_missing")
    with pytest.raises(RoleError):
        app_role_statements(app_role='x"; DROP TABLE y; --', database="d")


def test_the_command_creates_a_missing_role_with_a_password(monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        if not cursor.fetchone()[0]:
            _cannot_create_roles()
    role = _role_name()[:58] + "_new"
    # A quote in it: the statement quotes the password itself (no bound parameters there).
    monkeypatch.setenv("TEST_APP_PASSWORD", "s3cret's-not-logged")
    out = StringIO()
    call_command(
        "db_roles_grant", "--app-role", role, "--password-env", "TEST_APP_PASSWORD", stdout=out
    )
    assert "s3cret" not in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolcanlogin, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = %s",
            [role],
        )
        assert cursor.fetchone() == (True, False, False)
    assert _refused(_as(role, "DELETE FROM core_auditlogentry"))
