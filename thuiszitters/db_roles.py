"""The application's database role on PostgreSQL (ADR 0018).

Migrations run as the owner of the tables; web, worker and beat connect as a separate role
that may read and write the application's tables but only INSERT and SELECT the audit log.
Not being the owner, it cannot ALTER, TRUNCATE or DROP a table, nor disable or drop the audit
log's triggers. ``app_role_grant`` runs as the owner after every ``migrate``
(``manage.py db_roles_grant``): it grants on the tables there are, and sets the owner's
default privileges so that tables a later migration creates are granted at once.
"""

import re
from typing import cast

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

# Tables the application may only append to and read (the rest it may change too).
APPEND_ONLY_TABLES = ("core_auditlogentry",)
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(Exception):
    """The role cannot be used as the application's role."""


def app_role_statements(*, app_role: str, database: str, schema: str = "public") -> list[str]:
    """The grants, in order (the role name validated, every name quoted)."""
    if not ROLE_NAME.match(app_role):
        raise RoleError(f"Role names are lower-case letters, digits and _: {app_role!r}")
    role, db, ns = f'"{app_role}"', '"' + database.replace('"', '""') + '"', f'"{schema}"'
    statements = [
        f"GRANT CONNECT ON DATABASE {db} TO {role}",
        f"GRANT USAGE ON SCHEMA {ns} TO {role}",
        # Nobody but the owner creates tables (PostgreSQL before 15 let everyone).
        f"REVOKE CREATE ON SCHEMA {ns} FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA {ns} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {ns} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {ns} TO {role}",
        # Tables and sequences the owner creates later (the next migrations).
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ns} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ns} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    for table in APPEND_ONLY_TABLES:
        statements += [
            f'REVOKE ALL ON TABLE {ns}."{table}" FROM PUBLIC',
            f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE {ns}."{table}" '
            f"FROM {role}",
            f'GRANT SELECT, INSERT ON TABLE {ns}."{table}" TO {role}',
        ]
    return statements


def app_role_grant(
    *, connection: BaseDatabaseWrapper, app_role: str, password: str | None = None
) -> list[str]:
    """Grant ``app_role`` what the application needs, as the owner; returns the statements.

    With ``password``, a missing role is created (LOGIN, nothing more); an existing role
    keeps its password. Refuses a role that is a superuser, the connected owner itself, or
    the owner of any table here: such a role could undo every refusal.
    """
    if connection.vendor != "postgresql":
        raise RoleError("Database roles apply to PostgreSQL only.")
    if not ROLE_NAME.match(app_role):
        raise RoleError(f"Role names are lower-case letters, digits and _: {app_role!r}")
    done: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        owner, database = cursor.fetchone()
        if app_role == owner:
            raise RoleError("The application's role must not be the owner that migrates.")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [app_role])
        row = cursor.fetchone()
        if row is None:
            if password is None:
                raise RoleError(f"Role {app_role} does not exist; create it or give a password.")
            create = (
                f'CREATE ROLE "{app_role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
                "NOREPLICATION NOBYPASSRLS PASSWORD %s"
            )
            # A utility statement takes no bound parameters: the password is quoted here.
            ops = cast(PostgresOperations, connection.ops)
            cursor.execute(ops.compose_sql(create, [password]))
            done.append(f'CREATE ROLE "{app_role}" LOGIN ... PASSWORD ***')
        elif row[0]:
            raise RoleError(f"Role {app_role} is a superuser; the application's role must not be.")
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE tableowner = %s AND schemaname = 'public'",
            [app_role],
        )
        if cursor.fetchone()[0]:
            raise RoleError(f"Role {app_role} owns tables; reassign them to the owner first.")
        for statement in app_role_statements(app_role=app_role, database=database):
            cursor.execute(statement)
            done.append(statement)
    return done
