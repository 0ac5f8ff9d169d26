import os

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from thuiszitters.db_roles import RoleError, app_role_grant


class Command(BaseCommand):
    help = (
        "As the owner, after migrate: grant the application's database role what it needs "
        "(read and write the tables, only INSERT and SELECT the audit log), also for tables "
        "later migrations create. PostgreSQL only. See docs/adr/0018-database-roles.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--app-role", required=True, help="The role web, worker and beat connect as."
        )
        parser.add_argument(
            "--password-env",
            help="Create the role if it is missing, with the password in this environment "
            "variable (an existing role keeps its password).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, app_role, password_env=None, database=DEFAULT_DB_ALIAS, **options):
        password = None
        if password_env:
            password = os.environ.get(password_env)
            if not password:
                raise CommandError(f"{password_env} is empty or not set.")
        connection = connections[database]
        try:
            with transaction.atomic(using=database):
                done = app_role_grant(connection=connection, app_role=app_role, password=password)
        except RoleError as error:
            raise CommandError(str(error)) from error
        for statement in done:
            self.stdout.write(statement)
        self.stdout.write(self.style.SUCCESS(f"Granted {app_role}."))
