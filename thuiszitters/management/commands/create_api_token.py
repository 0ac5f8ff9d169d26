from django.core.management.base import BaseCommand, CommandError

from thuiszitters.models import Organisation
from thuiszitters.roles import RoleCode
from thuiszitters.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a system of an organisation; the key is printed once."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", type=int, required=True, help="Organisation id.")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--role",
            default=RoleCode.SCHOOL_SYSTEM,
            choices=RoleCode.values,
            help="Role of the token's service account (default: school_system).",
        )

    def handle(self, *args, organisation: int, name: str, role: str, **options):
        org = Organisation.objects.filter(pk=organisation).first()
        if org is None:
            raise CommandError(f"No organisation with id {organisation}.")
        token, key = api_token_create(organisation=org, name=name, actor=None, role=role)
        self.stdout.write(f"Token {token.prefix}… for {org.name} ({role}).")
        self.stdout.write("Key (shown only now; store it in the school system):")
        self.stdout.write(key)
