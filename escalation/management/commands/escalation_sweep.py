import datetime

from django.core.management.base import BaseCommand, CommandError

from escalation.services.sweep import escalation_sweep


class Command(BaseCommand):
    help = "Run the escalation sweep once, through the service the Celery beat task calls."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", help="Evaluate deadlines as if this day (YYYY-MM-DD) were today."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; keep nothing."
        )

    def handle(self, *args, as_of=None, dry_run=False, **options):
        day = None
        if as_of:
            try:
                day = datetime.date.fromisoformat(as_of)
            except ValueError as error:
                raise CommandError("--as-of takes a date as YYYY-MM-DD.") from error
        result = escalation_sweep(as_of=day, dry_run=dry_run)
        for line in result.lines:
            self.stdout.write(line)
        if result.total > len(result.lines):
            self.stdout.write(f"... and {result.total - len(result.lines)} more")
        self.stdout.write(self.style.SUCCESS(result.summary()))
