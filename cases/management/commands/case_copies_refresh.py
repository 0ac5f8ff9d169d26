from django.core.management.base import BaseCommand, CommandError

from cases.services import case_copies_refresh


class Command(BaseCommand):
    help = (
        "Check or repair the cases' copies of their reports' sharing (ADR 0019), their pupil's "
        "dates (ADR 0024) and their first contact, meeting and goal (ADR 0025), e.g. after a "
        "database edit past the application."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only count the cases whose copies differ; exit 1 if there are any.",
        )

    def handle(self, *args, check: bool, **options):
        changed = case_copies_refresh(check=check)
        verb = "differ" if check else "repaired"
        for copy, count in changed.items():
            self.stdout.write(f"{copy}: {count} case(s) {verb}")
        if check and any(changed.values()):
            raise CommandError("Some cases' copies differ from their sources; run without --check.")
