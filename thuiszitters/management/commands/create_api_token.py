from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from thuiszitters.models import Organisation
from thuiszitters.roles import RoleCode
from thuiszitters.services import api_token_create
from thuiszitters.system import COMMAND


class Command(BaseCommand):
    help = (
        "Create an API token for a school administration system of an organisation (school, "
        "SWV or leerplicht bureau). The key is printed once; only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", type=int, required=True, help="Organisation id.")
        parser.add_argument("--name", required=True, help="What the token is for.")

    def handle(self, *args, organisation: int, name: str, **options):
        org = Organisation.objects.filter(pk=organisation).first()
        if org is None:
            raise CommandError(f"No organisation with id {organisation}.")
        try:
            token, key = api_token_create(
                organisation=org, name=name, actor=COMMAND, role=RoleCode.SCHOOL_SYSTEM
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Token {token.prefix}... (id {token.pk}) for {org.name}.")
        self.stdout.write("Key (shown only now; store it in the school system):")
        self.stdout.write(key)
