from django.core.management.base import BaseCommand

from cases.models import Case
from escalation.services.deadlines import deadlines_compute, stale_case_ids


class Command(BaseCommand):
    help = (
        "Backfill the stored deadlines: by default only the missing and stale ones; with "
        "--all every open case's (after an import or a restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Recompute every open case.")

    def handle(self, *args, all=False, **options):
        ids = (
            list(Case.objects.open().order_by("pk").values_list("pk", flat=True))
            if all
            else stale_case_ids()
        )
        written = deadlines_compute(ids)
        self.stdout.write(self.style.SUCCESS(f"{written} deadlines computed."))
