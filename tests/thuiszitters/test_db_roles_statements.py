"""The grants ``db_roles_grant`` issues, checked without PostgreSQL (test_db_roles.py runs them)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from thuiszitters.db_roles import RoleError, app_role_statements


def test_the_audit_log_is_append_only_for_the_application_and_later_tables_are_granted():
    statements = app_role_statements(app_role="thuiszitters_app", database="thuiszitters")
    text = "\n".join(statements)
    audit = '"public"."core_auditlogentry"'
    assert f'GRANT SELECT, INSERT ON TABLE {audit} TO "thuiszitters_app"' in text
    revoked = "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
    assert f'REVOKE {revoked} ON TABLE {audit} FROM "thuiszitters_app"' in text
    assert "ALTER DEFAULT PRIVILEGES" in text
    # The revoke comes after the grant on all tables, or the grant would undo it.
    grant_all = next(i for i, s in enumerate(statements) if "ON ALL TABLES" in s)
    revoke = next(i for i, s in enumerate(statements) if s.startswith("REVOKE UPDATE"))
    assert grant_all < revoke


@pytest.mark.parametrize("name", ['x"; DROP TABLE y; --', "App", "", "1abc"])
def test_a_role_name_that_would_need_quoting_is_refused(name):
    with pytest.raises(RoleError):
        app_role_statements(app_role=name, database="d")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite answer")
def test_the_command_says_roles_are_for_postgresql():
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("db_roles_grant", "--app-role", "thuiszitters_app")
