from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from thuiszitters.demo import DEFAULT_SEED, demo_region_seed


class Command(BaseCommand):
    help = "Create the fictional demo region (deterministic per --seed, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed.")
        parser.add_argument(
            "--pupils",
            type=int,
            default=None,
            help="Number of demo pupils (default: a few hundred).",
        )

    def handle(self, *args, seed: int, pupils: int | None, **options):
        if not settings.ALLOW_DEMO_SEED:
            raise CommandError(
                "seed_demo is disabled in this environment (set ALLOW_DEMO_SEED=true to allow)."
            )
        result = demo_region_seed(seed=seed, pupils=pupils)
        self.stdout.write(f"Demo region ready (seed {seed}): {result.created} objects created.")
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        width = max(len(login.email) for login in result.logins)
        for login in result.logins:
            self.stdout.write(f"  {login.email:<{width}}  {login.role:<17} {login.organisation}")
