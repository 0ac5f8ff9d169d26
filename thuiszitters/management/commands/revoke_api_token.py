from django.core.management.base import BaseCommand, CommandError

from thuiszitters.models import ApiToken
from thuiszitters.services import api_token_revoke
from thuiszitters.system import COMMAND


class Command(BaseCommand):
    help = "Revoke an API token at once (by id or by its prefix, e.g. tz_AbC123)."

    def add_arguments(self, parser):
        parser.add_argument("token", help="Token id or prefix.")
        parser.add_argument("--reason", required=True, help="Why (recorded in the audit log).")

    def handle(self, *args, token: str, reason: str, **options):
        lookup: dict[str, object] = {"pk": int(token)} if token.isdigit() else {"prefix": token}
        found = ApiToken.objects.filter(**lookup).first()
        if found is None:
            raise CommandError(f"No token {token}.")
        api_token_revoke(token=found, actor=COMMAND, reason=reason)
        self.stdout.write(f"Revoked {found.prefix}... ({found.name}, {found.organisation}).")
