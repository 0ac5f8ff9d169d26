"""Notification e-mails: each wanted one sent once, without personal data, in the right
language; a failing message does not cost the others."""

import datetime
import smtplib
import threading
from collections import Counter
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from cases.workflow import Phase
from escalation.models import Notification, NotificationKind, Step
from escalation.services import mail as mail_service
from escalation.services.mail import (
    language_of,
    notification_email_retry,
    notification_emails_send,
)
from escalation.tasks import send_notification_emails
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.escalation import NotificationFactory
from ..factories.registration import enrolled_pupil
from ..factories.users import UserFactory

SITE = "https://thuiszitters.example.nl"


@pytest.fixture(autouse=True)
def _each_message_at_once(settings):
    """This module tests the mail per message; users get the daily digest by default
    (tested with that default in test_digest.py)."""
    settings.NOTIFICATION_EMAIL_DEFAULT = "each"


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE + "/"  # a trailing slash must not double in the links
    return SITE


class RefusingBackend(LocmemBackend):
    """The in-memory outbox, but the relay refuses the addresses in ``refused``."""

    refused: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            bad = set(message.to) & self.refused
            if bad:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(bad, (550, b"no such user")))
        return super().send_messages(messages)


class DownBackend(LocmemBackend):
    """A relay that cannot be reached at all."""

    def open(self):
        raise ConnectionRefusedError("relay down")


@pytest.mark.django_db
def test_a_wanted_email_is_sent_once_even_when_run_twice(site):
    notification = NotificationFactory(email_wanted=True)

    assert notification_emails_send() == 1
    assert notification_emails_send() == 0
    assert send_notification_emails() == 0  # the task, as the sweep sends it

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [notification.user.email]
    assert message.extra_headers["X-Thuiszitters-Notification"] == str(notification.pk)
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert notification.read_at is None  # e-mail does not count as read


@pytest.mark.django_db
def test_only_wanted_emails_are_sent(site):
    wanted = NotificationFactory(email_wanted=True)
    unwanted = NotificationFactory(email_wanted=False)
    already = NotificationFactory(email_wanted=True)
    Notification.objects.filter(pk=already.pk).update(emailed_at=already.created_at)

    assert notification_emails_send() == 1

    assert [m.to for m in mail.outbox] == [[wanted.user.email]]
    unwanted.refresh_from_db()
    assert unwanted.emailed_at is None


@pytest.mark.django_db
def test_the_limit_leaves_the_rest_for_the_next_run(site):
    NotificationFactory.create_batch(3, email_wanted=True)

    assert notification_emails_send(limit=2) == 2
    assert notification_emails_send(limit=2) == 1
    assert len(mail.outbox) == 3
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.django_db
def test_no_email_to_a_deactivated_account(site):
    notification = NotificationFactory(email_wanted=True, user=UserFactory(is_active=False))

    assert notification_emails_send() == 0

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_wanted is False  # not retried on every run
    assert notification.emailed_at is None


@pytest.mark.django_db
def test_the_email_names_no_personal_data(world, user_with_role, site):
    pupil = enrolled_pupil(
        world.school, given_names="Fenna Jozefien", surname="Zwartsenberg", bsn="111222333"
    )
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school, pupil=pupil)
    recipient = user_with_role(RoleCode.CASUSREGISSEUR, full_name="Rianne Ontvangerstra")
    notification = NotificationFactory(
        user=recipient,
        case=case,
        kind=NotificationKind.DEADLINE_WARNING,
        step=Step.DOORBRAAK_ASSESSMENT,
        email_wanted=True,
    )

    assert notification_emails_send() == 1

    message = mail.outbox[0]
    text = f"{message.subject}\n{message.body}"
    for personal in (
        "Fenna",
        "Jozefien",
        "Zwartsenberg",
        pupil.bsn,
        pupil.date_of_birth.strftime("%d-%m-%Y"),
        pupil.date_of_birth.isoformat(),
        world.school.name,
        "Rianne",
        "Ontvangerstra",
    ):
        assert personal not in text, personal
    # What it does say: the kind, the case number, the step, the due date and two links.
    assert message.subject == f"Casus {case.pk}: Een termijn verstrijkt binnenkort"
    assert "Een termijn verstrijkt binnenkort" in message.body
    assert f"Casus {case.pk}" in message.body
    assert "Stap: Doorbraaktoets" in message.body
    assert f"Uiterlijk op: {notification.due_on:%d-%m-%Y}" in message.body
    assert f"{SITE}{reverse('cases:case_detail', args=[case.pk])}" in message.body
    assert f"{SITE}{reverse('inbox:inbox')}" in message.body
    assert f"{SITE}//" not in message.body
    assert "{" not in message.body and "&amp;" not in message.body


@pytest.mark.django_db
def test_a_refused_message_does_not_lose_the_others(settings, site, frozen_clock):
    settings.EMAIL_BACKEND = "tests.escalation.test_mail.RefusingBackend"
    first, refused, last = NotificationFactory.create_batch(3, email_wanted=True)
    RefusingBackend.refused = {refused.user.email}
    try:
        assert notification_emails_send() == 2
    finally:
        RefusingBackend.refused = set()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.user.email, last.user.email])
    refused.refresh_from_db()
    assert refused.emailed_at is None
    assert (refused.email_attempts, refused.email_error) == (1, "SMTPRecipientsRefused")
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2

    assert notification_emails_send() == 0  # backing off: a minute after the first attempt
    frozen_clock.shift(datetime.timedelta(minutes=1, seconds=1))
    assert notification_emails_send() == 1
    assert len(mail.outbox) == 3
    refused.refresh_from_db()
    assert (refused.emailed_at is not None, refused.email_error) == (True, "")


@pytest.mark.django_db
def test_an_unreachable_relay_keeps_every_email_for_later(settings, site, frozen_clock):
    settings.EMAIL_BACKEND = "tests.escalation.test_mail.DownBackend"
    NotificationFactory.create_batch(2, email_wanted=True)

    assert notification_emails_send() == 0  # logged, not raised: the task is not a failure

    waiting = Notification.objects.filter(emailed_at__isnull=True, email_wanted=True)
    assert (
        sorted(waiting.values_list("email_attempts", "email_error"))
        == [(1, "ConnectionRefusedError")] * 2
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    frozen_clock.shift(datetime.timedelta(minutes=1, seconds=1))
    assert notification_emails_send() == 2


@pytest.mark.django_db
def test_an_email_is_given_up_after_the_last_attempt_and_the_admin_can_retry(
    settings, site, frozen_clock
):
    settings.EMAIL_BACKEND = "tests.escalation.test_mail.DownBackend"
    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 3
    notification = NotificationFactory(email_wanted=True)
    waits = []
    for _attempt in range(3):
        notification_emails_send()
        notification.refresh_from_db()
        if notification.email_not_before:
            waits.append(notification.email_not_before - timezone.now())
        frozen_clock.shift(datetime.timedelta(hours=1))

    notification.refresh_from_db()
    assert notification.email_attempts == 3
    assert notification.email_error == "given up: ConnectionRefusedError"
    assert [round(w.total_seconds() / 60) for w in waits] == [1, 2]  # backing off, doubling
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_emails_send() == 0  # given up stays given up

    assert notification_email_retry([notification.pk]) == 1
    assert notification_emails_send() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_every_attempt_carries_the_same_message_id(settings, site, frozen_clock):
    settings.EMAIL_BACKEND = "tests.escalation.test_mail.RefusingBackend"
    notification = NotificationFactory(email_wanted=True)
    other = NotificationFactory(email_wanted=True)
    RefusingBackend.refused = {notification.user.email}
    try:
        notification_emails_send()
    finally:
        RefusingBackend.refused = set()
    frozen_clock.shift(datetime.timedelta(minutes=2))
    notification_emails_send()

    ids = {
        m.extra_headers["X-Thuiszitters-Notification"]: m.extra_headers["Message-ID"]
        for m in mail.outbox
    }
    assert ids == {
        str(notification.pk): f"<notification-{notification.pk}@thuiszitters.example.nl>",
        str(other.pk): f"<notification-{other.pk}@thuiszitters.example.nl>",
    }


class DyingBackend(LocmemBackend):
    """A worker killed after ``survive`` messages: SystemExit, as a kill looks to the code
    that did not run (nothing after it happens)."""

    survive = 0

    def send_messages(self, messages):
        if len(mail.outbox) >= self.survive:
            raise SystemExit("worker killed")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_worker_killed_while_sending_loses_nothing(settings, site, frozen_clock):
    """Killed halfway through its second chunk: what it claimed waits out the lease, then
    the next run sends the rest. Each e-mail reaches the relay at least once (the killed
    chunk's first messages twice) and is marked sent once."""
    settings.EMAIL_BACKEND = "tests.escalation.test_mail.DyingBackend"
    notifications = NotificationFactory.create_batch(mail_service.CHUNK + 30, email_wanted=True)
    DyingBackend.survive = mail_service.CHUNK + 10
    with pytest.raises(SystemExit):
        notification_emails_send()
    assert Notification.objects.filter(emailed_at__isnull=False).count() == mail_service.CHUNK

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_emails_send() == 0  # still leased to the dead worker
    frozen_clock.shift(datetime.timedelta(seconds=settings.NOTIFICATION_EMAIL_LEASE_SECONDS + 1))
    assert notification_emails_send() == 30

    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    reached = Counter(m.extra_headers["X-Thuiszitters-Notification"] for m in mail.outbox)
    assert set(reached) == {str(n.pk) for n in notifications}  # none lost
    assert sorted(reached.values()) == [1] * (mail_service.CHUNK + 20) + [2] * 10


@pytest.mark.django_db
def test_the_email_is_dutch_whatever_language_the_caller_has(site):
    NotificationFactory(email_wanted=True)

    with translation.override("en"):
        notification_emails_send()
        assert translation.get_language() == "en"  # restored after the message

    message = mail.outbox[0]
    assert message.subject == "Een termijn verstrijkt binnenkort"  # no case: no number
    assert "Uiterlijk op:" in message.body
    assert "Stap: Casusregie naar de casusregisseur" in message.body


@pytest.mark.django_db
def test_the_email_is_in_the_recipients_language_when_known(monkeypatch, world, site):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    NotificationFactory(
        case=case, step=Step.DOORBRAAK_ASSESSMENT, email_wanted=True
    )  # the user model has no language yet: pretend it says English
    monkeypatch.setattr(mail_service, "language_of", lambda user: "en")

    notification_emails_send()

    message = mail.outbox[0]
    assert message.subject.startswith(f"Case {case.pk}: ")
    assert f"Case {case.pk}" in message.body
    assert "Due by:" in message.body
    assert "Doorbraak assessment" in message.body


def test_language_of_a_user():
    assert language_of(SimpleNamespace(language="en")) == "en"
    assert language_of(SimpleNamespace(language="xx")) == "nl"  # not offered
    assert language_of(SimpleNamespace(language="")) == "nl"
    assert language_of(SimpleNamespace()) == "nl"  # the user model has no language field


# --- Two workers at once: PostgreSQL only (SQLite has no row locks to skip). ---------------


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results, errors


def _drain(limit):
    """A worker that keeps claiming small batches until nothing is left."""
    total = 0
    while sent := notification_emails_send(limit=limit):
        total += sent
    return total


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_email_once(site):
    notifications = NotificationFactory.create_batch(40, email_wanted=True)

    results, errors = _race([lambda: _drain(3) for _ in range(4)])

    assert errors == []
    assert sum(results) == 40
    ids = [m.extra_headers["X-Thuiszitters-Notification"] for m in mail.outbox]
    assert sorted(ids) == sorted(str(n.pk) for n in notifications)  # each once
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_step_by_hand_gives_the_day_it_was_taken(world, site):
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    notification = NotificationFactory(
        case=case,
        kind=NotificationKind.ESCALATED_BY_HAND,
        step=Step.DOORBRAAKTEAM,
        email_wanted=True,
    )

    notification_emails_send()

    body = mail.outbox[0].body
    assert f"Gezet op: {notification.due_on:%d-%m-%Y}" in body
    assert "Uiterlijk op" not in body
