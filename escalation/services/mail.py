"""E-mailing notifications: each wanted e-mail once, without personal data.

``notification_emails_send`` runs in the Celery task ``escalation.send_notification_emails``
(after the commit that created notifications, and from each sweep for stragglers). It works
in two steps so that a notification is e-mailed at most once, also with several workers:

1. Claim: one short transaction locks the unsent rows with ``SELECT ... FOR UPDATE SKIP
   LOCKED`` (another worker skips them, or finds them claimed after the commit) and sets
   their ``emailed_at``. The commit ends the transaction before any mail leaves (STYLE 7).
2. Send: one message per notification, outside the transaction. A message that fails gets
   its claim back (``emailed_at`` empty again), so the next run tries it again; the others
   stay marked as sent.

A worker that dies between the two steps loses those e-mails rather than sending them
twice; the notifications themselves stay in the users' inboxes.

The mail names only the kind, the case number, the step and the due date, with links to the
case page and the inbox: never a pupil's name, BSN or other personal data, because mail
leaves the system unencrypted and lands in shared mailboxes.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from thuiszitters.models import User

from ..models import Notification, NotificationKind

logger = logging.getLogger(__name__)

SUBJECT_TEMPLATE = "escalation/email/notification_subject.txt"
BODY_TEMPLATE = "escalation/email/notification_body.txt"


def language_of(user: User) -> str:
    """The recipient's language when the user model has one (and it is offered), else the
    site's language (Dutch)."""
    language = getattr(user, "language", "") or ""
    offered = {code for code, _name in settings.LANGUAGES}
    return language if language in offered else settings.LANGUAGE_CODE


def _absolute(path: str) -> str:
    return f"{(settings.SITE_URL or '').rstrip('/')}{path}"


def notification_email_render(notification: Notification, *, language: str) -> tuple[str, str]:
    """Subject and body of the e-mail for ``notification``, in ``language``."""
    with translation.override(language):
        # Inside the override: the display values are translated when they are read.
        context = {
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
            "inbox_url": _absolute(reverse("inbox:inbox")),
            "preferences_url": _absolute(reverse("inbox:preferences")),
        }
        subject = render_to_string(SUBJECT_TEMPLATE, context)
        body = render_to_string(BODY_TEMPLATE, context)
    # A header is one line: no newlines from the template (header injection, folding).
    return " ".join(subject.split()), body


def _claim(limit: int) -> list[int]:
    """Lock up to ``limit`` unsent rows (skipping rows another worker holds) and mark them
    as sent; returns their ids. Rows of users who can no longer log in are dropped."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(email_wanted=True, emailed_at__isnull=True)
            .order_by("created_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        # No e-mail to a deactivated account or an API service account.
        gone = Q(user__is_active=False) | Q(user__is_service_account=True)
        dropped = set(Notification.objects.filter(gone, pk__in=ids).values_list("pk", flat=True))
        if dropped:
            Notification.objects.filter(pk__in=dropped).update(email_wanted=False)
        claimed = [pk for pk in ids if pk not in dropped]
        Notification.objects.filter(pk__in=claimed).update(emailed_at=now)
    return claimed


def _release(ids: Iterable[int]) -> None:
    """Give back the claims of notifications whose e-mail did not leave."""
    ids = list(ids)
    if ids:
        Notification.objects.filter(pk__in=ids).update(emailed_at=None)


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
        },
    )


def notification_emails_send(limit: int = 500) -> int:
    """Send the wanted, unsent notification e-mails (at most ``limit``); returns how many
    left. Safe to call twice and at once: each notification is e-mailed at most once.

    Call it outside a transaction (from the task): inside one, the claim would only be a
    savepoint and the mail would leave before the caller's commit.
    """
    ids = _claim(limit)
    if not ids:
        return 0
    notifications = list(
        Notification.objects.filter(pk__in=ids).select_related("user").order_by("created_at", "id")
    )
    sent: set[int] = set()
    try:
        with get_connection(fail_silently=False) as connection:
            for notification in notifications:
                try:
                    _message(notification, connection).send(fail_silently=False)
                except OSError:  # smtplib.SMTPException and socket errors
                    logger.warning(
                        "Notification e-mail %s could not be sent; it is tried again later.",
                        notification.pk,
                        exc_info=True,
                    )
                else:
                    sent.add(notification.pk)
    finally:
        # Whatever stopped the loop (the relay refusing the connection, a bug in a
        # template), the notifications not sent go back to the queue.
        _release(pk for pk in ids if pk not in sent)
    return len(sent)
