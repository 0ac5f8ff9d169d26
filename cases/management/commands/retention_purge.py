import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.services.retention import retention_purge
from thuiszitters.system import COMMAND


class Command(BaseCommand):
    help = (
        "Delete the closed cases past their retention date, with their reports and the "
        "pupils nothing else holds, through the service the daily Celery beat task calls."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Purge as if this day (YYYY-MM-DD) were today.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; remove nothing."
        )

    def handle(self, *args, as_of=None, dry_run=False, **options):
        day = timezone.localdate()
        if as_of:
            try:
                day = datetime.date.fromisoformat(as_of)
            except ValueError as error:
                raise CommandError("--as-of takes a date as YYYY-MM-DD.") from error
        result = retention_purge(as_of=day, actor=COMMAND, dry_run=dry_run)
        for label, count in result.deleted.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(self.style.SUCCESS(result.summary()))
