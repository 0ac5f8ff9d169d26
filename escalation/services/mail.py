"""E-mailing notifications: each wanted e-mail at least once, marked sent once, never lost.

The notification row is the outbox entry of its e-mail (ADR 0022): it is written in the
transaction of the event, and ``notification_emails_send`` (the Celery task
``escalation.send_notification_emails``, sent after that commit and by beat every minute)
delivers it:

1. Claim: one short transaction locks due rows with ``SELECT ... FOR UPDATE SKIP LOCKED``
   (another worker skips them), counts an attempt and sets a lease
   (``email_not_before`` = now + ``NOTIFICATION_EMAIL_LEASE_SECONDS``). The commit ends
   the transaction before any mail leaves (STYLE 7).
2. Send, over one SMTP connection per chunk: each message carries a Message-ID made from
   the notification (the idempotency key: a mail server or client that sees it twice can
   drop the second). After each chunk the rows the relay took are marked sent
   (``emailed_at``); a message that failed gets a back-off, and after
   ``NOTIFICATION_EMAIL_MAX_ATTEMPTS`` it is given up with the reason in ``email_error``
   (the admin can retry it).

A worker killed while sending leaves its claimed rows leased: when the lease ends the next
run sends them again. So a mail may reach the relay twice (at most one chunk's worth), but
none is lost, and the outbox marks each sent once.

Only notifications of users who want each message at once (``EmailMode.EACH``) go this
way; the others wait for the daily digest (``services.digest``), which claims, backs off and
marks sent with the same helpers.

The mail names only the kind, the case number, the step and the due date, with links to the
case page and the inbox: never a pupil's name, BSN or other personal data, because mail
leaves the system unencrypted and lands in shared mailboxes.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from thuiszitters.models import User

from ..models import EmailMode, Notification, NotificationEmailSetting, NotificationKind

logger = logging.getLogger(__name__)

SUBJECT_TEMPLATE = "escalation/email/notification_subject.txt"
BODY_TEMPLATE = "escalation/email/notification_body.txt"
# Rows claimed per transaction, and messages per SMTP connection (and per "sent" update: a
# worker killed mid-chunk resends at most this many).
CLAIM_SIZE = 500
CHUNK = 50


def language_of(user: User) -> str:
    """The recipient's language when the user model has one (and it is offered), else the
    site's language (Dutch)."""
    language = getattr(user, "language", "") or ""
    offered = {code for code, _name in settings.LANGUAGES}
    return language if language in offered else settings.LANGUAGE_CODE


def _absolute(path: str) -> str:
    return f"{(settings.SITE_URL or '').rstrip('/')}{path}"


def item_context(notification: Notification) -> dict[str, object]:
    """What a mail may say of one notification (nothing personal); call it inside the
    recipient's language: the display values are translated when they are read."""
    return {
        "kind": notification.get_kind_display(),
        "case_id": notification.case_id,
        "step": notification.get_step_display() if notification.step else "",
        "due_on": notification.due_on,
        # A step taken by hand carries the day it was taken, not a deadline.
        "by_hand": notification.kind == NotificationKind.ESCALATED_BY_HAND,
        "case_url": (
            _absolute(reverse("cases:case_detail", args=[notification.case_id]))
            if notification.case_id
            else ""
        ),
    }


def links_context() -> dict[str, str]:
    return {
        "inbox_url": _absolute(reverse("inbox:inbox")),
        "preferences_url": _absolute(reverse("inbox:preferences")),
    }


def notification_email_render(notification: Notification, *, language: str) -> tuple[str, str]:
    """Subject and body of the e-mail for ``notification``, in ``language``."""
    with translation.override(language):
        context = {**item_context(notification), **links_context()}
        subject = render_to_string(SUBJECT_TEMPLATE, context)
        body = render_to_string(BODY_TEMPLATE, context)
    # A header is one line: no newlines from the template (header injection, folding).
    return " ".join(subject.split()), body


def due(now: datetime.datetime | None = None) -> Q:
    """Notifications whose e-mail may be tried now: wanted, not sent, attempts left, and
    neither leased nor backing off."""
    now = now or timezone.now()
    return Q(
        Q(email_not_before__isnull=True) | Q(email_not_before__lte=now),
        email_wanted=True,
        emailed_at__isnull=True,
        email_attempts__lt=settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS,
    )


def in_mode(mode: str) -> Q:
    """Notifications of the users whose e-mail arrives in ``mode``; a user without a setting
    has ``NOTIFICATION_EMAIL_DEFAULT``. A subquery, not a join: the claim's row lock stays
    on the notification."""
    if mode == settings.NOTIFICATION_EMAIL_DEFAULT:
        chose_otherwise = NotificationEmailSetting.objects.exclude(mode=mode).values("user_id")
        return ~Q(user_id__in=chose_otherwise)
    return Q(user_id__in=NotificationEmailSetting.objects.filter(mode=mode).values("user_id"))


def _claim(limit: int) -> list[int]:
    """Lock up to ``limit`` due rows of users who want each message at once (skipping rows
    another worker holds) and lease them; returns their ids."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(due(now), in_mode(EmailMode.EACH))
            .order_by("created_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        return lease(ids, now=now)


def lease(ids: list[int], *, now: datetime.datetime) -> list[int]:
    """Count an attempt for the locked rows ``ids`` and lease them; returns the ids to send.
    Rows of users who can no longer log in are dropped. Inside the claim's transaction."""
    if not ids:
        return []
    # No e-mail to a deactivated account or an API service account.
    gone = Q(user__is_active=False) | Q(user__is_service_account=True)
    dropped = set(Notification.objects.filter(gone, pk__in=ids).values_list("pk", flat=True))
    if dropped:
        Notification.objects.filter(pk__in=dropped).update(email_wanted=False)
    claimed = [pk for pk in ids if pk not in dropped]
    Notification.objects.filter(pk__in=claimed).update(
        email_attempts=F("email_attempts") + 1,
        email_not_before=now
        + datetime.timedelta(seconds=settings.NOTIFICATION_EMAIL_LEASE_SECONDS),
    )
    return claimed


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next attempt: 1, 2, 4 ... minutes, at most an hour."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _sent(ids: list[int]) -> None:
    if ids:
        Notification.objects.filter(pk__in=ids).update(
            emailed_at=timezone.now(), email_not_before=None, email_error=""
        )


def _failed(notifications: Iterable[Notification], reason: str) -> None:
    """Back off the rows whose e-mail did not leave; give up after the last attempt."""
    now = timezone.now()
    for notification in notifications:
        # Read after the claim: the attempt that just failed is counted.
        attempts = notification.email_attempts
        last = attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS
        Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            email_not_before=None if last else now + backoff(attempts),
            email_error=(f"given up: {reason}" if last else reason)[:200],
        )
        if last:
            logger.error(
                "Notification e-mail %s given up after %s attempts: %s",
                notification.pk,
                attempts,
                reason,
            )


def notification_email_retry(ids: Iterable[int]) -> int:
    """Give notifications whose e-mail was given up their attempts back (the admin's
    action); the next run sends them."""
    return Notification.objects.filter(
        pk__in=list(ids), email_wanted=True, emailed_at__isnull=True
    ).update(email_attempts=0, email_not_before=None, email_error="")


def message_id(notification: Notification) -> str:
    """The idempotency key of a notification's e-mail, the same on every attempt."""
    host = urlsplit(settings.SITE_URL or "").hostname or "localhost"
    return f"<notification-{notification.pk}@{host}>"


def _message(notification: Notification, connection: BaseEmailBackend | None) -> EmailMessage:
    subject, body = notification_email_render(notification, language=language_of(notification.user))
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.user.email],
        connection=connection,
        headers={
            # RFC 3834: no out-of-office replies to a machine.
            "Auto-Submitted": "auto-generated",
            "X-Thuiszitters-Notification": str(notification.pk),
            "Message-ID": message_id(notification),
        },
    )


def notification_emails_send(limit: int | None = None) -> int:
    """Send the due notification e-mails of users who want each message at once: all of
    them, or at most ``limit``; returns how many the relay took. Safe to call twice and at
    once (see the module docstring).

    Call it outside a transaction (from the task): inside one, the claim would only be a
    savepoint and the mail would leave before the caller's commit.
    """
    total = 0
    while limit is None or total < limit:
        size = CLAIM_SIZE if limit is None else min(CLAIM_SIZE, limit - total)
        ids = _claim(size)
        if not ids:
            break
        total += _send(ids)
    return total


def _send(ids: list[int]) -> int:
    notifications = list(
        Notification.objects.filter(pk__in=ids).select_related("user").order_by("created_at", "id")
    )
    return deliver(
        [
            Outgoing(
                notifications=[notification],
                build=partial(_message, notification),
                label=f"Notification e-mail {notification.pk}",
            )
            for notification in notifications
        ]
    )


@dataclass(frozen=True)
class Outgoing:
    """One e-mail and the claimed notifications it carries: one, or a user's digest."""

    notifications: list[Notification]
    build: Callable[[BaseEmailBackend], EmailMessage]
    label: str


def deliver(mails: list[Outgoing]) -> int:
    """Send ``mails`` in chunks over one SMTP connection each; after each chunk mark the
    notifications of the mails the relay took sent, and back off the others. Returns how
    many mails the relay took."""
    sent = 0
    for start in range(0, len(mails), CHUNK):
        chunk = mails[start : start + CHUNK]
        done: list[Outgoing] = []
        failed: list[tuple[Outgoing, str]] = []
        try:
            with get_connection(fail_silently=False) as connection:
                for outgoing in chunk:
                    try:
                        outgoing.build(connection).send(fail_silently=False)
                    except OSError as exc:  # smtplib.SMTPException and socket errors
                        logger.warning(
                            "%s could not be sent; it is tried again later.",
                            outgoing.label,
                            exc_info=True,
                        )
                        failed.append((outgoing, type(exc).__name__))
                    else:
                        done.append(outgoing)
        except Exception as exc:
            # The relay refused the connection, or a template broke: what did not leave
            # backs off; the error goes up only if it is not the relay's.
            tried = {id(o) for o in done} | {id(o) for o, _reason in failed}
            left = [o for o in chunk if id(o) not in tried]
            _sent(_ids(done))
            _failed([n for o in left for n in o.notifications], type(exc).__name__)
            _failed_each(failed)
            if not isinstance(exc, OSError):
                raise
            logger.warning("Mail relay unavailable; e-mail is tried again later.", exc_info=True)
            return sent + len(done)
        _sent(_ids(done))
        _failed_each(failed)
        sent += len(done)
    return sent


def _ids(mails: list[Outgoing]) -> list[int]:
    return [n.pk for o in mails for n in o.notifications]


def _failed_each(failed: list[tuple[Outgoing, str]]) -> None:
    for outgoing, reason in failed:
        _failed(outgoing.notifications, reason)
