"""A real worker process killed with SIGKILL mid-task, on PostgreSQL: the outbox loses nothing.

- E-mail (``escalation.services.mail``): a worker killed mid-send leaves its claimed rows
  leased and the chunk it was sending unmarked. After the lease the next worker sends them
  again: every notification reaches the relay at least once, is marked sent once, and the
  relay sees at most one chunk twice.
- Sweep (``escalation.services.sweep``): a worker killed inside its second batch, the first
  committed, leaves whole batches; the next sweep finishes the route, each (case, round,
  step) once. A test-only trigger holds the batch at its insert (``RowGate``), so the kill
  lands at the same point every run: a sweep pass takes a fifth of a second. Both in one
  task and fanned out per SWV (``escalation.sweep_swv``).

The worker is ``celery -A thuiszitters worker --pool=solo`` in a process of its own
(``tests/worker_process.py``), on the test database, sharing a filesystem broker with this
process; it mails through a file-per-message backend that pauses per message.
"""

import datetime
import time
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.workflow import Phase
from escalation.models import Escalation, Notification
from escalation.services.mail import CHUNK, message_id, notification_emails_send
from escalation.services.policy import policy_version_create
from escalation.tasks import send_notification_emails, sweep
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.escalation import NotificationFactory
from ..factories.users import SETUP, member
from ..worker_process import (
    MAIL_DELAY_ENV,
    RowGate,
    WorkerPool,
    backend_gone,
    mail_files,
    read_mail,
    wait_for,
)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a worker process needs a shared PostgreSQL"
    ),
]

LEASE_SECONDS = 6
NOTIFICATIONS = 300
KILL_AFTER = 60  # messages the relay took before the kill: inside the second chunk
SWEEP_CASES = 30
ROUTE = (Phase.CASUSREGISSEUR, Phase.DOORBRAAK_ASSESSMENT, Phase.DOORBRAAKTEAM)


@pytest.fixture
def workers(tmp_path, settings):
    settings.NOTIFICATION_EMAIL_LEASE_SECONDS = LEASE_SECONDS
    # Mail per message (not the default daily digest), in the workers and in this process.
    settings.NOTIFICATION_EMAIL_DEFAULT = "each"
    pool = WorkerPool(
        tmp_path,
        NOTIFICATION_EMAIL_LEASE_SECONDS=str(LEASE_SECONDS),
        NOTIFICATION_EMAIL_DEFAULT="each",
    )
    yield pool
    pool.close()


def _pk_of(path) -> tuple[int, str]:
    message = read_mail(path)
    return int(message["X-Thuiszitters-Notification"]), message["Message-ID"]


def test_a_worker_killed_mid_send_loses_no_mail_and_repeats_at_most_one_chunk(workers):
    pks = {n.pk for n in NotificationFactory.create_batch(NOTIFICATIONS, email_wanted=True)}

    first = workers.start(**{MAIL_DELAY_ENV: "0.02"})
    send_notification_emails.delay()
    reached = wait_for(
        lambda: len(mail_files(workers.mail)) >= KILL_AFTER, timeout=40, interval=0.01
    )
    assert reached, f"the worker sent nothing in time\n{workers.logs_tail()}"
    workers.kill(first)
    killed_at = timezone.now()
    time.sleep(0.3)  # a statement the worker sent just before it died ends on the server

    at_kill = len(mail_files(workers.mail))
    sent_at_kill = Notification.objects.filter(emailed_at__isnull=False).count()
    leased = Notification.objects.filter(
        emailed_at__isnull=True, email_attempts=1, email_not_before__gt=killed_at
    ).count()
    assert at_kill < NOTIFICATIONS, f"the kill came too late: {at_kill} messages already sent"
    # Marked sent chunk by chunk, after the relay took the chunk: whole chunks only.
    assert sent_at_kill % CHUNK == 0 and sent_at_kill <= at_kill, (
        f"{sent_at_kill} marked sent, {at_kill} taken by the relay at the kill"
    )
    # Every row the dead worker claimed and did not mark is leased, none is free to take.
    assert leased == NOTIFICATIONS - sent_at_kill > 0, (
        f"{leased} leased of {NOTIFICATIONS - sent_at_kill} claimed and unmarked"
    )
    assert notification_emails_send() == 0, "a leased row was sent again inside its lease"

    # The next worker, after the lease: the task (the beat of every minute, sooner) runs
    # until every row is sent; one run should do.
    lease_end = Notification.objects.aggregate(end=Max("email_not_before"))["end"]
    second = workers.start(**{MAIL_DELAY_ENV: "0"})
    wait = (lease_end - timezone.now()).total_seconds()
    assert wait <= LEASE_SECONDS, f"leased until {lease_end}, {wait:.0f}s from now"
    time.sleep(max(wait, 0) + 0.5)
    started = time.monotonic()
    runs = 0
    while runs < 5 and Notification.objects.filter(emailed_at__isnull=True).exists():
        send_notification_emails.delay()
        runs += 1
        assert workers.settle(timeout=60), f"the task did not end\n{workers.logs_tail()}"
    elapsed = time.monotonic() - started
    assert second.poll() is None, workers.logs_tail()

    lost = Notification.objects.filter(emailed_at__isnull=True).count()
    assert lost == 0, f"{lost} of {NOTIFICATIONS} never marked sent\n{workers.logs_tail()}"
    relayed = [_pk_of(path) for path in mail_files(workers.mail)]
    counts = Counter(pk for pk, _id in relayed)
    missing = pks - set(counts)
    assert not missing, f"{len(missing)} notifications never reached the relay"
    assert set(counts) <= pks
    duplicates = len(relayed) - len(counts)
    summary = (
        f"{len(relayed)} messages for {NOTIFICATIONS} notifications: {duplicates} twice; "
        f"at the kill {at_kill} taken, {sent_at_kill} marked; {runs} rerun(s), {elapsed:.1f}s"
    )
    # What the relay took and was not marked went again, exactly once, and nothing else.
    assert duplicates == at_kill - sent_at_kill <= CHUNK, summary
    assert max(counts.values()) <= 2, summary
    # The idempotency key is the same on the resend: a relay or client can drop the second.
    assert all(mid == message_id(Notification(pk=pk)) for pk, mid in relayed), summary
    # Each row counted the attempt of the dead worker and, when unmarked, the rerun's.
    attempts = Counter(Notification.objects.values_list("email_attempts", flat=True))
    expected = Counter({1: sent_at_kill, 2: NOTIFICATIONS - sent_at_kill})
    assert attempts == +expected, f"{dict(attempts)}; {summary}"
    print(summary)


def _make_due_cases(world, count: int) -> list:
    """Cases at 13 weeks in phase school (today's real date: the worker has no time
    machine): three steps due each, as after a sweep that did not run."""
    today = timezone.localdate()
    coordinator = member(world.swv, RoleCode.DOORBRAAKTEAM)
    policy_version_create(swv=world.swv, actor=SETUP, doorbraakteam_coordinator=coordinator)
    return [
        CaseFactory(
            school=world.school,
            clock_start=today - datetime.timedelta(days=91 + i % 5),
            age_days=0,
        )
        for i in range(count)
    ]


@pytest.mark.parametrize(
    "fan_out",
    [
        pytest.param("0", id="one-task"),
        # More than 10 cases due: the sweep sends each SWV's route as a task of its own
        # (escalation.sweep_swv), and that task is the one killed.
        pytest.param("10", id="fanned-out-per-swv"),
    ],
)
def test_a_sweep_killed_mid_batch_ends_like_one_clean_sweep(
    restore_roles, world, workers, settings, fan_out
):
    if fan_out != "0" and not hasattr(settings, "ESCALATION_SWEEP_FAN_OUT"):
        pytest.skip("the sweep has no fan-out (ESCALATION_SWEEP_FAN_OUT)")
    workers.env["ESCALATION_SWEEP_FAN_OUT"] = fan_out
    cases = _make_due_cases(world, SWEEP_CASES)
    ids = [case.pk for case in cases]
    expected = 3 * SWEEP_CASES

    # The first pass (every case to casusregisseur) commits; the second is held inside its
    # batch transaction, its cases moved on, while it inserts their escalations: killed there.
    with RowGate(Escalation, "step", Phase.DOORBRAAK_ASSESSMENT) as gate:
        first = workers.start()
        sweep.delay()
        waiting = wait_for(gate.waiting, timeout=40)
        assert waiting, f"the sweep never reached its second batch\n{workers.logs_tail()}"
        [(backend, statement)] = waiting
        assert statement.lstrip().upper().startswith("INSERT"), statement
        assert Escalation._meta.db_table in statement, statement
        workers.kill(first)
        gate.open()
        # The dead worker's session ends on the server, its transaction rolled back.
        assert wait_for(lambda: backend_gone(backend), timeout=10)

    at_kill = Counter(Escalation.objects.values_list("step", flat=True))
    phases = Counter(Case.objects.filter(pk__in=ids).values_list("phase", flat=True))
    # Whole batches only: the first pass is in, nothing of the killed second one.
    assert at_kill == {Phase.CASUSREGISSEUR: SWEEP_CASES}, dict(at_kill)
    assert phases == {Phase.CASUSREGISSEUR: SWEEP_CASES}, dict(phases)

    workers.start()
    started = time.monotonic()
    sweep.delay()
    # Twice: a task the sweep sends (fan-out) is queued behind the first heartbeat.
    for _ in range(2):
        assert workers.settle(timeout=60), f"the sweep did not end\n{workers.logs_tail()}"
    elapsed = time.monotonic() - started

    rows = list(Escalation.objects.values_list("case_id", "route_round", "step"))
    rounds = dict(Case.objects.filter(pk__in=ids).values_list("pk", "route_round"))
    twice = {key: n for key, n in Counter(rows).items() if n > 1}
    summary = (
        f"{len(rows)} escalations (expected {expected}), {sum(at_kill.values())} at the kill; "
        f"the rerun took {elapsed:.1f}s"
    )
    assert not twice, f"{len(twice)} (case, round, step) more than once; {summary}"
    assert len(rows) == expected, summary
    assert set(rows) == {(pk, rounds[pk], step) for pk in ids for step in ROUTE}, summary
    assert CaseEvent.objects.filter(kind="phase_changed").count() == expected, summary
    phases = Counter(Case.objects.filter(pk__in=ids).values_list("phase", flat=True))
    assert phases == {Phase.DOORBRAAKTEAM: SWEEP_CASES}, f"{dict(phases)}; {summary}"
    notifications = list(Notification.objects.values_list("user_id", "event_key"))
    assert len(notifications) == len(set(notifications)), summary
    print(summary)
