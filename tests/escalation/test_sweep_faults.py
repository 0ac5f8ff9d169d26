"""The sweep under faults: two at once, one killed halfway and restarted, one repeated. All
end in the same escalations, each (case, round, step) once, each notification once.

The parallel runs need real row locks: PostgreSQL only. Interruption and repetition run on
every database.
"""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from cases.models import CaseEvent
from cases.workflow import Phase
from escalation.models import Escalation, Notification
from escalation.services import sweep as sweep_module
from escalation.services.mail import notification_emails_send
from escalation.services.policy import policy_version_create
from escalation.services.sweep import escalation_sweep
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.users import SETUP, member

CASES = 24
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture(autouse=True)
def _each_message_at_once(settings):
    """The mail of these sweeps is counted per message (not the default daily digest)."""
    settings.NOTIFICATION_EMAIL_DEFAULT = "each"


def make_cases(world) -> list:
    """Cases at 13 weeks in phase school: three steps due each (the sweep was down)."""
    today = timezone.localdate()
    coordinator = member(world.swv, RoleCode.DOORBRAAKTEAM)
    policy_version_create(swv=world.swv, actor=SETUP, doorbraakteam_coordinator=coordinator)
    return [
        CaseFactory(
            school=world.school,
            clock_start=today - datetime.timedelta(days=91 + i % 5),
            age_days=0,
        )
        for i in range(CASES)
    ]


def outcome():
    """What the sweeps left: the escalations, the journal's phase changes, notifications."""
    return (
        sorted(Escalation.objects.values_list("case_id", "route_round", "step", "due_on")),
        CaseEvent.objects.filter(kind="phase_changed").count(),
        sorted(Notification.objects.values_list("user_id", "event_key")),
    )


def check_complete(cases):
    escalations, phase_changes, notifications = outcome()
    assert len(escalations) == len(set(escalations)) == 3 * len(cases)
    assert phase_changes == 3 * len(cases)
    assert len(notifications) == len(set(notifications))
    for case in cases:
        case.refresh_from_db()
        assert case.phase == Phase.DOORBRAAKTEAM


def test_a_sweep_killed_halfway_and_restarted_ends_like_one_clean_sweep(world, monkeypatch):
    cases = make_cases(world)
    real = sweep_module.cases_transition_by_timer
    calls = {"n": 0}

    def dies_on_the_third_batch(steps, **kwargs):
        calls["n"] += 1
        applied = real(steps, **kwargs)
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return applied

    monkeypatch.setattr(sweep_module, "cases_transition_by_timer", dies_on_the_third_batch)
    with pytest.raises(SystemExit):
        escalation_sweep(batch_size=5)
    half = len(outcome()[0])
    assert 0 < half < 3 * CASES
    monkeypatch.setattr(sweep_module, "cases_transition_by_timer", real)
    escalation_sweep(batch_size=5)
    check_complete(cases)


def test_a_repeated_sweep_changes_nothing_and_mail_goes_once(
    world, django_capture_on_commit_callbacks
):
    cases = make_cases(world)
    escalation_sweep()
    first = outcome()
    escalation_sweep()
    assert outcome() == first
    check_complete(cases)
    wanted = Notification.objects.filter(email_wanted=True).count()
    assert wanted > 0
    assert notification_emails_send() == wanted
    assert notification_emails_send() == 0
    assert len(mail.outbox) == wanted


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_make_each_escalation_once(restore_roles, world):
    cases = make_cases(world)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            escalation_sweep(batch_size=4)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    # A case one sweep skipped while the other held it is taken by the next sweep.
    escalation_sweep()
    check_complete(cases)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_mail_workers_at_once_send_each_mail_once(restore_roles, world):
    make_cases(world)
    escalation_sweep()
    wanted = Notification.objects.filter(email_wanted=True).count()
    barrier = threading.Barrier(2)
    sent = []

    def run():
        try:
            barrier.wait(timeout=10)
            sent.append(notification_emails_send(limit=7))
            sent.append(notification_emails_send())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(sent) == wanted == len(mail.outbox)


def test_a_big_sweep_fans_out_per_swv_and_the_tasks_end_like_one_sweep(world, monkeypatch):
    """Beat's sweep with more cases due than ``fan_out``: each SWV's route goes to a task
    of its own; those tasks, run in any order, leave what one sweep would have."""
    from escalation import tasks

    cases = make_cases(world)
    coordinator = member(world.far_swv, RoleCode.DOORBRAAKTEAM)
    policy_version_create(swv=world.far_swv, actor=SETUP, doorbraakteam_coordinator=coordinator)
    today = timezone.localdate()
    far = [
        CaseFactory(school=world.far_school, clock_start=today - datetime.timedelta(days=92))
        for _ in range(3)
    ]
    sent = []
    monkeypatch.setattr(tasks.sweep_swv, "apply_async", lambda kwargs, **kw: sent.append(kwargs))

    result = escalation_sweep(fan_out=len(cases))
    assert result.total == 0  # the route was left to the tasks
    assert sorted(s["swv_id"] for s in sent) == sorted([world.swv.pk, world.far_swv.pk])
    assert not Escalation.objects.exists()

    far_task, *_ = [k for k in sent if k["swv_id"] == world.far_swv.pk]
    tasks.sweep_swv.run(**far_task)
    assert set(Escalation.objects.values_list("case_id", flat=True)) == {c.pk for c in far}
    for kwargs in sent:
        tasks.sweep_swv.run(**kwargs)  # the far one again: a redelivery changes nothing
    check_complete(cases + far)
    first = outcome()
    escalation_sweep()  # nothing left for a sweep after them
    assert outcome() == first


def test_a_small_sweep_does_not_fan_out(world, monkeypatch):
    from escalation import tasks

    cases = make_cases(world)
    monkeypatch.setattr(tasks.sweep_swv, "apply_async", lambda *a, **kw: pytest.fail("fanned out"))
    escalation_sweep(fan_out=len(cases) + 1)
    check_complete(cases)


def test_the_deadlines_the_sweep_stores_are_those_a_fresh_computation_gives(world):
    """The sweep stores each moved case's next deadline from what it read before the step
    (no second read): the same rows as computing them again from the database."""
    from escalation.models import CaseDeadline
    from escalation.services.deadlines import DEADLINE_COLUMNS, deadlines_compute

    cases = make_cases(world)
    today = timezone.localdate()
    cases += [
        CaseFactory(school=world.school, clock_start=today - datetime.timedelta(days=days))
        for days in (29, 57, 200, 400)  # one step, two, and the OM's months as well
    ]
    escalation_sweep()
    stored = sorted(CaseDeadline.objects.values_list(*DEADLINE_COLUMNS))
    assert len(stored) == len(cases)
    assert {row[DEADLINE_COLUMNS.index("step")] for row in stored} >= {"om_referral"}

    deadlines_compute([c.pk for c in cases])
    assert sorted(CaseDeadline.objects.values_list(*DEADLINE_COLUMNS)) == stored
