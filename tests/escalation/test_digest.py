"""The daily digest e-mail: by default one mail per user per day listing their new
notifications, sent once, without personal data; users who chose "per bericht" get one mail
per message and no digest. The rows stay the outbox: failures back off and are retried,
a killed worker loses nothing.

Every test here runs with the production default (``NOTIFICATION_EMAIL_DEFAULT = "digest"``),
set explicitly so that no module or conftest default can hide it.
"""

import datetime
import importlib.util
import re
import smtplib
import threading
from collections import Counter
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.workflow import Phase
from escalation.models import EmailMode, Notification, NotificationKind, Step
from escalation.selectors.inbox import email_mode_of
from escalation.services import digest as digest_service
from escalation.services.digest import notification_digests_send
from escalation.services.inbox import notification_preferences_set
from escalation.services.mail import notification_emails_send
from escalation.tasks import send_notification_digests
from thuiszitters.roles import RoleCode
from thuiszitters.settings import env

from ..factories.cases import CaseFactory
from ..factories.escalation import EmailModeFactory, NotificationFactory
from ..factories.registration import enrolled_pupil
from ..factories.users import UserFactory

SITE = "https://thuiszitters.example.nl"
BASE_SETTINGS = Path(__file__).resolve().parents[2] / "thuiszitters" / "settings" / "base.py"
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture(autouse=True)
def _production_default(settings):
    settings.NOTIFICATION_EMAIL_DEFAULT = "digest"
    settings.SITE_URL = SITE


def _cases(world, n: int) -> list:
    return [CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school) for _ in range(n)]


def _wanted(user, cases, **kwargs) -> list[Notification]:
    return [NotificationFactory(user=user, case=c, email_wanted=True, **kwargs) for c in cases]


def _unsent():
    return Notification.objects.filter(email_wanted=True, emailed_at__isnull=True)


class CountingBackend(LocmemBackend):
    """The in-memory outbox, counting the SMTP connections opened."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()


class RefusingBackend(LocmemBackend):
    refused: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            bad = set(message.to) & self.refused
            if bad:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(bad, (550, b"no such user")))
        return super().send_messages(messages)


class DownBackend(LocmemBackend):
    def open(self):
        raise ConnectionRefusedError("relay down")


class DyingBackend(LocmemBackend):
    """A worker killed after ``survive`` messages (SystemExit: nothing after it runs)."""

    survive = 0

    def send_messages(self, messages):
        if len(mail.outbox) >= self.survive:
            raise SystemExit("worker killed")
        return super().send_messages(messages)


def test_the_production_default_is_the_digest():
    assert env.REGISTRY["NOTIFICATION_EMAIL_DEFAULT"].default == "digest"
    assert env.REGISTRY["NOTIFICATION_DIGEST_HOUR"].default == 7


def test_by_default_three_notifications_make_one_digest_and_no_single_mail(world):
    user = UserFactory()
    cases = _cases(world, 3)
    notifications = _wanted(user, cases)
    assert email_mode_of(user) == EmailMode.DIGEST  # never chose

    assert notification_emails_send() == 0
    assert mail.outbox == []
    assert _unsent().count() == 3  # waiting for the digest, not given up or dropped

    assert notification_digests_send() == 1

    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Dagelijks overzicht: 3 nieuwe berichten"
    for case in cases:
        assert f"Casus {case.pk}\n" in message.body
        assert f"{SITE}{reverse('cases:case_detail', args=[case.pk])}" in message.body
    assert message.body.count("Een termijn verstrijkt binnenkort") == 3
    assert f"{SITE}{reverse('inbox:inbox')}" in message.body
    assert f"{SITE}{reverse('inbox:preferences')}" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    for notification in notifications:
        notification.refresh_from_db()
        assert notification.emailed_at is not None
        assert (notification.email_attempts, notification.email_not_before) == (1, None)
        assert notification.read_at is None  # a mail is not reading


def test_a_user_who_chose_each_message_gets_single_mails_and_no_digest(world):
    each = EmailModeFactory(mode=EmailMode.EACH).user
    digest = UserFactory()
    _wanted(each, _cases(world, 3))
    _wanted(digest, _cases(world, 2))

    assert notification_digests_send() == 1
    assert [m.to for m in mail.outbox] == [[digest.email]]
    assert Notification.objects.filter(user=each, emailed_at__isnull=True).count() == 3

    assert notification_emails_send() == 3
    assert [m.to for m in mail.outbox[1:]] == [[each.email]] * 3
    assert all("X-Thuiszitters-Notification" in m.extra_headers for m in mail.outbox[1:])
    assert not _unsent().exists()
    assert notification_digests_send() == 0


def test_with_each_as_the_default_a_user_who_chose_the_digest_still_gets_it(world, settings):
    settings.NOTIFICATION_EMAIL_DEFAULT = "each"
    chose_digest = EmailModeFactory(mode=EmailMode.DIGEST).user
    default = UserFactory()
    _wanted(chose_digest, _cases(world, 2))
    _wanted(default, _cases(world, 1))

    assert notification_emails_send() == 1
    assert [m.to for m in mail.outbox] == [[default.email]]
    assert notification_digests_send() == 1
    assert mail.outbox[1].to == [chose_digest.email]


def test_a_digest_run_twice_sends_once(world):
    user = UserFactory()
    _wanted(user, _cases(world, 3))
    NotificationFactory(user=user, email_wanted=False)  # in the inbox only
    already = NotificationFactory(user=user, email_wanted=True)
    Notification.objects.filter(pk=already.pk).update(emailed_at=timezone.now())

    assert notification_digests_send() == 1
    assert notification_digests_send() == 0
    assert send_notification_digests() == 0  # the task, as beat sends it
    assert send_notification_digests(retries_only=True) == 0

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Dagelijks overzicht: 3 nieuwe berichten"


def test_a_notification_made_later_waits_for_the_next_digest(world, frozen_clock):
    user = UserFactory()
    _wanted(user, _cases(world, 2))
    notification_digests_send()
    later = _wanted(user, _cases(world, 1))[0]

    assert send_notification_digests(retries_only=True) == 0  # not a retry: no second mail
    frozen_clock.shift(datetime.timedelta(days=1))
    assert notification_digests_send() == 1

    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "Dagelijks overzicht: 1 nieuw bericht"
    assert f"Casus {later.case_id}\n" in mail.outbox[1].body
    assert mail.outbox[0].extra_headers["Message-ID"] != mail.outbox[1].extra_headers["Message-ID"]


def test_a_notification_made_after_now_is_left_for_the_next_run(world):
    user = UserFactory()
    _wanted(user, _cases(world, 1))
    earlier = timezone.now() - datetime.timedelta(minutes=5)

    assert notification_digests_send(now=earlier) == 0
    assert notification_digests_send() == 1


def test_many_users_one_digest_each_over_one_connection(world, settings):
    settings.EMAIL_BACKEND = "tests.escalation.test_digest.CountingBackend"
    CountingBackend.opened = 0
    users = UserFactory.create_batch(4)
    case = _cases(world, 1)[0]
    for i, user in enumerate(users):
        for n in range(i + 1):
            NotificationFactory(user=user, case=case, email_wanted=True, event_key=f"k{n}")

    assert notification_digests_send() == 4

    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    counts = {m.to[0]: m.subject for m in mail.outbox}
    assert counts[users[0].email] == "Dagelijks overzicht: 1 nieuw bericht"
    assert counts[users[3].email] == "Dagelijks overzicht: 4 nieuwe berichten"
    assert CountingBackend.opened == 1
    assert not _unsent().exists()


def test_the_digest_names_no_personal_data(world, user_with_role):
    pupil = enrolled_pupil(
        world.school, given_names="Fenna Jozefien", surname="Zwartsenberg", bsn="111222333"
    )
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school, pupil=pupil)
    recipient = user_with_role(RoleCode.CASUSREGISSEUR, full_name="Rianne Ontvangerstra")
    warning = NotificationFactory(
        user=recipient,
        case=case,
        kind=NotificationKind.DEADLINE_WARNING,
        step=Step.DOORBRAAK_ASSESSMENT,
        email_wanted=True,
    )
    by_hand = NotificationFactory(
        user=recipient,
        case=case,
        kind=NotificationKind.ESCALATED_BY_HAND,
        step=Step.DOORBRAAKTEAM,
        due_on=timezone.localdate(),
        email_wanted=True,
    )

    assert notification_digests_send() == 1

    message = mail.outbox[0]
    text = f"{message.subject}\n{message.body}\n{message.extra_headers}"
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
    # What it does say: per message the kind, the case number, the step and the date.
    assert message.subject == "Dagelijks overzicht: 2 nieuwe berichten"
    assert "1. Een termijn verstrijkt binnenkort\n" in message.body
    assert "2. Een casus is met de hand opgeschaald\n" in message.body
    assert message.body.count(f"Casus {case.pk}\n") == 2
    assert "Stap: Doorbraaktoets" in message.body
    assert f"Uiterlijk op: {warning.due_on:%d-%m-%Y}" in message.body
    assert f"Gezet op: {by_hand.due_on:%d-%m-%Y}" in message.body
    assert f"{SITE}{reverse('cases:case_detail', args=[case.pk])}" in message.body
    assert f"{SITE}//" not in message.body
    assert "{" not in message.body and "&amp;" not in message.body


def test_a_long_digest_lists_the_first_messages_and_counts_the_rest(world, monkeypatch):
    monkeypatch.setattr(digest_service, "LISTED", 2)
    user = UserFactory()
    _wanted(user, _cases(world, 3))

    assert notification_digests_send() == 1

    body = mail.outbox[0].body
    assert "1. " in body and "2. " in body and "3. " not in body
    assert "En nog 1 bericht, in Thuiszitters." in body
    assert not _unsent().exists()  # all three sent: the inbox has them


def test_the_digest_is_in_the_recipients_language_when_known(world, monkeypatch):
    case = _cases(world, 1)[0]
    NotificationFactory(case=case, step=Step.DOORBRAAK_ASSESSMENT, email_wanted=True)
    monkeypatch.setattr(digest_service, "language_of", lambda user: "en")

    notification_digests_send()

    message = mail.outbox[0]
    assert message.subject == "Daily summary: 1 new message"
    assert f"Case {case.pk}\n" in message.body
    assert "Due by:" in message.body
    assert "Doorbraak assessment" in message.body


def test_no_digest_to_a_deactivated_account(world):
    notification = _wanted(UserFactory(is_active=False), _cases(world, 1))[0]

    assert notification_digests_send() == 0

    assert mail.outbox == []
    notification.refresh_from_db()
    assert (notification.email_wanted, notification.emailed_at) == (False, None)


def test_a_relay_failure_backs_off_the_digest_and_the_minute_run_retries_it(
    world, settings, frozen_clock
):
    settings.EMAIL_BACKEND = "tests.escalation.test_digest.DownBackend"
    user = UserFactory()
    _wanted(user, _cases(world, 3))

    assert notification_digests_send() == 0  # logged, not raised

    rows = list(_unsent().values_list("email_attempts", "email_error", "email_not_before"))
    assert len(rows) == 3
    for attempts, error, not_before in rows:
        assert (attempts, error) == (1, "ConnectionRefusedError")
        assert round((not_before - timezone.now()).total_seconds() / 60) == 1  # backing off
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = _wanted(user, _cases(world, 1))[0]
    assert send_notification_digests(retries_only=True) == 0  # still backing off

    frozen_clock.shift(datetime.timedelta(minutes=1, seconds=1))
    assert send_notification_digests(retries_only=True) == 1

    [message] = mail.outbox
    assert message.subject == "Dagelijks overzicht: 3 nieuwe berichten"  # not the later one
    assert f"Casus {later.case_id}\n" not in message.body
    assert list(_unsent().values_list("pk", flat=True)) == [later.pk]  # for tomorrow
    assert not Notification.objects.exclude(email_error="").exists()


def test_a_refused_digest_does_not_cost_the_others_and_keeps_its_message_id(
    world, settings, frozen_clock
):
    settings.EMAIL_BACKEND = "tests.escalation.test_digest.RefusingBackend"
    refused, fine = UserFactory.create_batch(2)
    _wanted(refused, _cases(world, 2))
    _wanted(fine, _cases(world, 1))
    RefusingBackend.refused = {refused.email}
    try:
        assert notification_digests_send() == 1
        first_ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
        assert (
            Notification.objects.filter(user=refused, email_error="SMTPRecipientsRefused").count()
            == 2
        )
    finally:
        RefusingBackend.refused = set()
    frozen_clock.shift(datetime.timedelta(minutes=2))
    assert notification_digests_send(retries_only=True) == 1

    assert [m.to for m in mail.outbox] == [[fine.email], [refused.email]]
    day = timezone.localdate().strftime("%Y%m%d")
    pattern = rf"<digest-{refused.pk}-{day}-[0-9a-f]{{12}}@thuiszitters\.example\.nl>"
    assert re.fullmatch(pattern, mail.outbox[1].extra_headers["Message-ID"])
    assert mail.outbox[1].extra_headers["Message-ID"] not in first_ids
    assert not _unsent().exists()


def test_a_digest_is_given_up_after_the_last_attempt(world, settings, frozen_clock):
    settings.EMAIL_BACKEND = "tests.escalation.test_digest.DownBackend"
    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 2
    _wanted(UserFactory(), _cases(world, 2))

    notification_digests_send()
    frozen_clock.shift(datetime.timedelta(minutes=2))
    notification_digests_send(retries_only=True)

    assert (
        sorted(_unsent().values_list("email_attempts", "email_error"))
        == [(2, "given up: ConnectionRefusedError")] * 2
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    frozen_clock.shift(datetime.timedelta(hours=1))
    assert notification_digests_send() == 0  # given up stays given up
    assert mail.outbox == []


def test_a_worker_killed_while_sending_digests_loses_nothing(settings, world, frozen_clock):
    """Killed after 2 of 5 digests reached the relay: the rows stay leased, and after the
    lease the minute run sends all 5 again, the 2 with the same Message-ID as before."""
    settings.EMAIL_BACKEND = "tests.escalation.test_digest.DyingBackend"
    DyingBackend.survive = 2
    users = UserFactory.create_batch(5)
    case = _cases(world, 1)[0]
    for user in users:
        NotificationFactory(user=user, case=case, email_wanted=True)
        NotificationFactory(user=user, case=case, email_wanted=True)
    with pytest.raises(SystemExit):
        notification_digests_send()
    first = {m.to[0]: m.extra_headers["Message-ID"] for m in mail.outbox}
    assert len(first) == 2 and _unsent().count() == 10

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_notification_digests(retries_only=True) == 0  # leased to the dead worker
    frozen_clock.shift(datetime.timedelta(seconds=settings.NOTIFICATION_EMAIL_LEASE_SECONDS + 1))
    assert send_notification_digests(retries_only=True) == 5

    assert not _unsent().exists()
    reached = Counter(m.to[0] for m in mail.outbox)
    assert set(reached) == {u.email for u in users}  # none lost
    assert sorted(reached.values()) == [1, 1, 1, 2, 2]
    for message in mail.outbox[2:]:
        if message.to[0] in first:
            assert message.extra_headers["Message-ID"] == first[message.to[0]]


# --- The choice on the preferences page -------------------------------------------------------


def test_the_preferences_page_switches_between_digest_and_each_message(
    world, user_with_role, login
):
    me = user_with_role(RoleCode.CASUSREGISSEUR)
    client = login(me)
    html = client.get(reverse("inbox:preferences")).content.decode()
    fieldset = re.search(r"<fieldset[^>]*data-email-mode.*?</fieldset>", html, re.S).group(0)
    assert "<legend" in fieldset and "Hoe wilt u e-mail ontvangen?" in fieldset
    assert re.search(r'<input type="radio" name="email_mode" value="digest"[^>]* checked', fieldset)
    assert not re.search(r'value="each"[^>]* checked', fieldset)
    assert "Dagelijks overzicht" in fieldset and "Per bericht" in fieldset
    assert "rond 7:00 uur" in fieldset
    every_kind = {f"email_{kind}": "on" for kind in NotificationKind.values}
    pending = _wanted(me, _cases(world, 2))

    response = client.post(reverse("inbox:preferences"), {"email_mode": "each", **every_kind})

    assert response.status_code == 302
    assert email_mode_of(me) == EmailMode.EACH
    html = client.get(reverse("inbox:preferences")).content.decode()
    assert re.search(r'name="email_mode" value="each"[^>]* checked', html)
    assert notification_digests_send() == 0
    assert notification_emails_send() == 2  # what waited for the digest leaves at once
    assert {m.extra_headers["X-Thuiszitters-Notification"] for m in mail.outbox} == {
        str(n.pk) for n in pending
    }

    client.post(reverse("inbox:preferences"), {"email_mode": "digest", **every_kind})
    assert email_mode_of(me) == EmailMode.DIGEST


def test_the_preferences_page_refuses_an_unknown_mode(world, user_with_role, login):
    me = user_with_role(RoleCode.CASUSREGISSEUR)
    every_kind = {f"email_{kind}": "on" for kind in NotificationKind.values}

    response = login(me).post(reverse("inbox:preferences"), {"email_mode": "weekly", **every_kind})

    assert response.status_code == 200  # the form again, with the error
    assert 'id="id_email_mode_error"' in response.content.decode()
    assert email_mode_of(me) == EmailMode.DIGEST


# --- Beat ---------------------------------------------------------------------------------------


def _base_settings(monkeypatch, **environ):
    """``thuiszitters/settings/base.py`` read afresh with ``environ``."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "thuiszitters.settings._digest_probe", BASE_SETTINGS
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_beat_sends_the_digest_daily_at_the_configured_hour(settings, monkeypatch):
    from thuiszitters.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["escalation-send-notification-digests"]
    assert entry["task"] == "escalation.send_notification_digests"
    assert entry["schedule"] == crontab(minute=0, hour=settings.NOTIFICATION_DIGEST_HOUR)
    assert app.tasks["escalation.send_notification_digests"].name == send_notification_digests.name
    retries = settings.CELERY_BEAT_SCHEDULE["escalation-send-notification-digest-retries"]
    assert (retries["task"], retries["schedule"], retries["kwargs"]) == (
        "escalation.send_notification_digests",
        60.0,
        {"retries_only": True},
    )

    six = _base_settings(monkeypatch, NOTIFICATION_DIGEST_HOUR="6")
    schedule = six.CELERY_BEAT_SCHEDULE["escalation-send-notification-digests"]["schedule"]
    assert (schedule.hour, schedule.minute) == ({6}, {0})
    assert six.NOTIFICATION_DIGEST_HOUR == 6


@pytest.mark.parametrize(
    "environ",
    [{"NOTIFICATION_DIGEST_HOUR": "24"}, {"NOTIFICATION_EMAIL_DEFAULT": "weekly"}],
)
def test_settings_refuse_an_impossible_hour_or_mode(monkeypatch, environ):
    with pytest.raises(ImproperlyConfigured):
        _base_settings(monkeypatch, **environ)


# --- Two workers at once: PostgreSQL only (SQLite has no row locks). -------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_digest_workers_send_each_user_one_digest(monkeypatch):
    monkeypatch.setattr(digest_service, "USERS_PER_CLAIM", 2)
    users = UserFactory.create_batch(9)
    for user in users:
        NotificationFactory.create_batch(3, user=user, email_wanted=True)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(notification_digests_send())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sum(results) == 9
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)  # each once
    assert all(m.subject == "Dagelijks overzicht: 3 nieuwe berichten" for m in mail.outbox)
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_the_service_refuses_an_unknown_mode_and_stores_nothing(world):
    user = UserFactory()
    with pytest.raises(ValidationError):
        notification_preferences_set(
            user=user, email_by_kind={NotificationKind.ARBITRATION: False}, email_mode="weekly"
        )
    assert email_mode_of(user) == EmailMode.DIGEST
    assert not user.notification_preferences.exists()  # the whole change rolled back

    notification_preferences_set(user=user, email_by_kind={}, email_mode=EmailMode.EACH)
    assert email_mode_of(user) == EmailMode.EACH
    notification_preferences_set(user=user, email_by_kind={})  # no mode given: kept
    assert email_mode_of(user) == EmailMode.EACH
