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
4. the next day's sweep (``--as-of`` tomorrow): one day of deadlines;
5. a busy day: the sweep ``--days-ahead`` days later (default 9: about 30,000 escalations
   on 100,000 open cases), and the same sweep repeated, which must write nothing.

With ``--workers N`` (N > 1) the catch-up and the busy day run as beat runs a big day: the
sweep fans out one ``escalation.sweep_swv`` task per SWV (``ESCALATION_SWEEP_FAN_OUT``),
and N worker processes take them; the time is the sweep's plus the tasks', end to end.

With ``--compare-sql`` (PostgreSQL) each step is also replayed by hand-written SQL that
writes exactly the rows the step wrote, on a copy of the database from before the step, and
the two databases are compared row for row (``benchmarks/sweep_sql.py``).

Each line gives the wall time (no tracing inside the timer: tracemalloc made it 4.5x
slower), the queries, the process's peak RSS so far, and the rows each table gained.

Results are recorded in docs/performance.md.
"""

import argparse
import datetime
import os
import sys
import time
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
        .values_list(
            "pupil_id",
            "school_id",
            "school__swv_id",
            "pupil__municipality_id",
            "pupil__date_of_birth",
            "pupil__startkwalificatie_on",
        )
        .order_by("pupil_id")[: target - have]
    )
    cases = [
        Case(
            pupil_id=pupil,
            pupil_born_on=born,
            pupil_startkwalificatie_on=qualified,
            school_id=school,
            swv_id=swv,
            municipality_id=municipality,
            lead_organisation_id=school,
            clock_start=today - datetime.timedelta(days=rng.randint(0, 130)),
        )
        for pupil, school, swv, municipality, born, qualified in rows
    ]
    with transaction.atomic():
        Case.objects.bulk_create(cases, batch_size=5000)
        LeadAssignment.objects.bulk_create(
            [LeadAssignment(case=c, organisation_id=c.lead_organisation_id) for c in cases],
            batch_size=5000,
        )
    return len(cases)


TABLES = (
    ("escalations", "escalation.Escalation"),
    ("journal", "cases.CaseEvent"),
    ("audit", "core.AuditLogEntry"),
    ("leads", "cases.LeadAssignment"),
    ("notifications", "escalation.Notification"),
)


def _counts() -> dict[str, int]:
    from django.apps import apps

    return {name: apps.get_model(label).objects.count() for name, label in TABLES}


def measure(label: str, call) -> float:
    import resource

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before = _counts()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = call()
    seconds = time.perf_counter() - started
    after = _counts()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    written = ", ".join(f"{k} +{after[k] - before[k]}" for k in after)
    print(
        f"{label}: {seconds:.2f} s, {len(queries)} queries, peak RSS {peak:.0f} MiB; {result}\n"
        f"    rows: {written}",
        flush=True,
    )
    return seconds


def _swv_task(kwargs: dict) -> tuple[int, int, int]:
    from escalation import tasks
    from escalation.services.sweep import escalation_sweep_swv

    day = datetime.date.fromisoformat(kwargs["as_of"]) if kwargs.get("as_of") else None
    result = escalation_sweep_swv(swv_id=kwargs["swv_id"], as_of=day)
    del tasks  # imported so that the task module's setup has run in the worker
    return result.total, result.warned, result.monitoring


def fanned_out(as_of: datetime.date | None, workers: int) -> str:
    """The sweep with its SWV tasks taken by ``workers`` processes (forked, as a worker
    pool's are); the SWV tasks' messages are collected instead of sent to a broker."""
    import multiprocessing

    from django.db import connections

    from escalation.services import sweep as sweep_module

    sent: list[dict] = []
    real = sweep_module.enqueue
    sweep_module.enqueue = lambda task, **kwargs: bool(sent.append(kwargs)) or True
    try:
        result = sweep_module.escalation_sweep(as_of=as_of, fan_out=1)
    finally:
        sweep_module.enqueue = real
    connections.close_all()  # the children open their own
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        done = pool.map(_swv_task, sent)
    return (
        f"{sum(d[0] for d in done)} escalations, {sum(d[1] for d in done)} warnings, "
        f"{sum(d[2] for d in done)} monitoring reminders by {len(sent)} SWV tasks in "
        f"{workers} processes; {result.summary()}"
    )


def step(label: str, call, compare: bool) -> None:
    """``measure``, and with ``compare`` the same rows by hand-written SQL beside it."""
    from django.db import connection

    if not compare:
        measure(label, call)
        return
    import sweep_sql

    url = os.environ["DATABASE_URL"]
    connection.close()  # a template database must have no other sessions
    copy = sweep_sql.clone(url, f"{connection.settings_dict['NAME']}_sql")
    seconds = measure(label, call)
    connection.close()
    replayed = sweep_sql.replay(label, url, copy)
    sweep_sql.drop(copy)
    ratio = seconds / replayed.seconds if replayed.seconds else float("inf")
    print(
        f"    the same rows in SQL: {replayed.summary()}; the application {ratio:.1f}x", flush=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open-cases", type=int, default=100_000)
    parser.add_argument("--days-ahead", type=int, default=9, help="The busy day's --as-of.")
    parser.add_argument(
        "--compare-sql",
        action="store_true",
        help="Replay each step's rows by hand-written SQL and compare (PostgreSQL).",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="Processes that take the fanned-out SWV tasks of the catch-up and the busy day.",
    )
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
    compare = args.compare_sql
    step("backfill of the stored deadlines", lambda: f"{deadlines_compute(ids)} rows", compare)
    if args.workers > 1:
        step(
            f"catch-up sweep, fanned out to {args.workers} processes",
            lambda: fanned_out(None, args.workers),
            compare,
        )
    else:
        step("catch-up sweep", lambda: escalation_sweep().summary(), compare)
    step("steady sweep (nothing due)", lambda: escalation_sweep().summary(), False)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    step("next day's sweep", lambda: escalation_sweep(as_of=tomorrow).summary(), compare)
    busy = timezone.localdate() + datetime.timedelta(days=args.days_ahead)
    if args.workers > 1:
        step(
            f"busy day (+{args.days_ahead} days), fanned out to {args.workers} processes",
            lambda: fanned_out(busy, args.workers),
            compare,
        )
    else:
        step(
            f"busy day (+{args.days_ahead} days)",
            lambda: escalation_sweep(as_of=busy).summary(),
            compare,
        )
    step("the same day again", lambda: escalation_sweep(as_of=busy).summary(), False)


if __name__ == "__main__":
    main()
