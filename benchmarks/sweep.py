"""Time the escalation sweep over 100,000 open cases and count its queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thuiszitters_bench \
        .venv/bin/python benchmarks/seed_pupils.py --pupils 100000 --migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thuiszitters_bench \
        .venv/bin/python benchmarks/sweep.py --open-cases 100000

``seed_demo --pupils N`` gives about one case per twelve pupils. To sweep N open cases this
script opens a plain case (phase school, lead at the school, clock start spread over the last
130 days) for enrolled pupils without one until N cases are open: benchmark data, written in
bulk, not through the intake. It then measures, each with its query count:

1. the backfill of every stored deadline (``manage.py escalation_deadlines``' service);
2. the catch-up sweep: the first sweep after the backfill, with every missed step due;
3. the steady sweep right after it (nothing due: what beat runs every 15 minutes);
4. the next day's sweep (``--as-of`` tomorrow): one day of deadlines.

Results are recorded in docs/performance.md.
"""

import argparse
import datetime
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuiszitters.settings.dev")


def top_up(target: int) -> int:
    import random

    from django.db import transaction
    from django.utils import timezone

    from cases.models import Case, LeadAssignment
    from registration.models import Enrolment

    have = Case.objects.open().count()
    if have >= target:
        return 0
    today = timezone.localdate()
    rng = random.Random(2026)  # noqa: S311 - benchmark data, not secrets
    rows = (
        Enrolment.objects.filter(end__isnull=True, pupil__cases__isnull=True)
        .values_list("pupil_id", "school_id", "school__swv_id", "pupil__municipality_id")
        .order_by("pupil_id")[: target - have]
    )
    cases = [
        Case(
            pupil_id=pupil,
            school_id=school,
            swv_id=swv,
            municipality_id=municipality,
            lead_organisation_id=school,
            clock_start=today - datetime.timedelta(days=rng.randint(0, 130)),
        )
        for pupil, school, swv, municipality in rows
    ]
    with transaction.atomic():
        Case.objects.bulk_create(cases, batch_size=5000)
        LeadAssignment.objects.bulk_create(
            [LeadAssignment(case=c, organisation_id=c.lead_organisation_id) for c in cases],
            batch_size=5000,
        )
    return len(cases)


def measure(label: str, call):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = call()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label}: {seconds:.2f} s, {len(queries)} queries, peak {peak / 2**20:.0f} MiB; {result}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open-cases", type=int, default=100_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from cases.models import Case
    from escalation.services.deadlines import deadlines_compute
    from escalation.services.sweep import escalation_sweep

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    added = top_up(args.open_cases)
    print(f"open cases: {Case.objects.open().count()} ({added} added for the benchmark)")
    ids = list(Case.objects.open().order_by("pk").values_list("pk", flat=True))
    measure("backfill of the stored deadlines", lambda: f"{deadlines_compute(ids)} rows")
    measure("catch-up sweep", lambda: escalation_sweep().summary())
    measure("steady sweep (nothing due)", lambda: escalation_sweep().summary())
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    measure("next day's sweep", lambda: escalation_sweep(as_of=tomorrow).summary())


if __name__ == "__main__":
    main()
