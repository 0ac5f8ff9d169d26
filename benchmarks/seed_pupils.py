"""Time ``manage.py seed_demo --pupils N`` on the configured database and count the rows.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python benchmarks/seed_pupils.py \
        --pupils 100000 --migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thuiszitters_bench \
        .venv/bin/python benchmarks/seed_pupils.py --pupils 100000 --migrate

Seeds the demo region first without pupils (its users' password hashing is not what is
measured), then times the command with ``--pupils N``, then times a second run, which must
write nothing. Use an empty database: the counts are of whole tables. Results are recorded
in docs/performance.md.
"""

import argparse
import os
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuiszitters.settings.dev")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--migrate", action="store_true", help="Apply migrations first.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cases.models import Case, CaseEvent, CaseReport
    from registration.models import (
        AbsenceReport,
        Consent,
        Enrolment,
        Guardian,
        Pupil,
    )
    from thuiszitters.models import AuditLogEntry, User

    if args.migrate:
        call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")

    def timed(label: str, pupils: int) -> None:
        started = time.perf_counter()
        out = StringIO()
        call_command("seed_demo", "--seed", str(args.seed), "--pupils", str(pupils), stdout=out)
        seconds = time.perf_counter() - started
        print(f"{label}: {seconds:.1f} s; {out.getvalue().splitlines()[0]}")

    timed("region without pupils", 0)
    timed(f"seed_demo --pupils {args.pupils}", args.pupils)
    timed("second run (idempotent)", args.pupils)

    for model in (
        Pupil,
        Guardian,
        Enrolment,
        AbsenceReport,
        Consent,
        Case,
        CaseReport,
        CaseEvent,
        User,
        AuditLogEntry,
    ):
        print(f"  {model._meta.label:<28} {model.objects.count():>9}")
    kinds = AbsenceReport.objects.values_list("kind").order_by("kind")
    counts: dict[str, int] = {}
    for (kind,) in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    print("  reports by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))


if __name__ == "__main__":
    main()
