"""The daily digest: one e-mail per user per day listing the notifications of that day.

Users in ``EmailMode.DIGEST`` (the default, ``NOTIFICATION_EMAIL_DEFAULT``) get their
notification e-mail this way instead of one mail per message. The rows stay the outbox
(ADR 0022) and go through the helpers of ``services.mail``: a claim locks and leases a
user's due rows (the same rules: wanted, unsent, attempts left, not leased or backing off),
one mail lists them, and they are marked sent together only after the relay took it; a
failure backs them off, and after the last attempt they are given up.

Beat sends ``escalation.send_notification_digests`` once a day at
``NOTIFICATION_DIGEST_HOUR``, and every minute with ``retries_only``: a digest that failed,
or whose worker died (its lease ran out), is sent again within minutes, without the
messages that came in since (they wait for the next day's digest).

Two workers at once do not split a user's messages over two mails: the claim takes a lock
on the user row (FOR NO KEY UPDATE, which the inserts of new notifications do not wait for)
before it locks the user's notifications, so a second worker waits the short claim out and
then finds them leased. A message made during a claim may still come in a second mail the
same day, never in none.

Like the single mail it names only the kind, the case number, the step and the date, never
a pupil's name, BSN or school.
"""

import datetime
import hashlib
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from thuiszitters.models import User

from ..models import EmailMode, Notification
from .mail import (
    CHUNK,
    Outgoing,
    deliver,
    due,
    in_mode,
    item_context,
    language_of,
    lease,
    links_context,
)

SUBJECT_TEMPLATE = "escalation/email/digest_subject.txt"
BODY_TEMPLATE = "escalation/email/digest_body.txt"
# Users per claim, and so per SMTP connection (``CHUNK`` mails each).
USERS_PER_CLAIM = CHUNK
# Items named in one digest; the rest are counted, with the link to the inbox.
LISTED = 100


def notification_digests_send(
    now: datetime.datetime | None = None, *, retries_only: bool = False
) -> int:
    """Send each digest user one mail with their due notification e-mails (made up to
    ``now``); returns how many mails the relay took. With ``retries_only``, only
    notifications a digest already tried (beat's minute run). Safe to run twice and at once:
    what was sent or is claimed is not due.

    Call it outside a transaction (from the task), as ``notification_emails_send``.
    """
    now = now or timezone.now()
    sent = 0
    after = 0  # users are taken in pk order, so that each is visited once per run
    while (claim := _claim(now=now, after=after, retries_only=retries_only)) is not None:
        ids, after = claim
        if ids:
            sent += _send(ids, now=now)
    return sent


def _claim(
    *, now: datetime.datetime, after: int, retries_only: bool
) -> tuple[list[int], int] | None:
    """Claim the due digest rows of the next users (pk above ``after``); returns the ids
    and the last user pk looked at, or None when no user is left."""
    rows = Notification.objects.filter(
        due(now), in_mode(EmailMode.DIGEST), created_at__lte=now, user_id__gt=after
    )
    if retries_only:
        rows = rows.filter(email_attempts__gt=0)
    with transaction.atomic():
        users = list(
            rows.order_by("user_id").values_list("user_id", flat=True).distinct()[:USERS_PER_CLAIM]
        )
        if not users:
            return None
        # Waits for a worker that is claiming the same users; ordered, so no deadlock.
        list(
            User.objects.select_for_update(no_key=True)
            .filter(pk__in=users)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Read again after the wait: what the other worker claimed is leased now.
        ids = list(
            rows.select_for_update(skip_locked=True)
            .filter(user_id__in=users)
            .order_by("user_id", "created_at", "id")
            .values_list("pk", flat=True)
        )
        return lease(ids, now=now), users[-1]


def _send(ids: list[int], *, now: datetime.datetime) -> int:
    by_user: dict[int, list[Notification]] = {}
    for notification in (
        Notification.objects.filter(pk__in=ids)
        .select_related("user")
        .order_by("user_id", "created_at", "id")
    ):
        by_user.setdefault(notification.user_id, []).append(notification)
    day = timezone.localdate(now)
    return deliver(
        [
            Outgoing(
                notifications=items,
                build=partial(_message, items, day),
                label=f"Digest e-mail of user {user_id}",
            )
            for user_id, items in by_user.items()
        ]
    )


def notification_digest_render(
    notifications: list[Notification], *, language: str
) -> tuple[str, str]:
    """Subject and body of the digest listing ``notifications``, in ``language``."""
    with translation.override(language):
        context = {
            "items": [item_context(n) for n in notifications[:LISTED]],
            "count": len(notifications),
            "unlisted": max(len(notifications) - LISTED, 0),
            **links_context(),
        }
        subject = render_to_string(SUBJECT_TEMPLATE, context)
        body = render_to_string(BODY_TEMPLATE, context)
    # A header is one line: no newlines from the template (header injection, folding).
    return " ".join(subject.split()), body


def digest_message_id(*, user_id: int, day: datetime.date, notification_ids: list[int]) -> str:
    """The idempotency key of a digest: the same for the same user, day and messages (a
    retry), another for a later digest of the same day with other messages, which a mail
    system must not drop as a duplicate."""
    host = urlsplit(settings.SITE_URL or "").hostname or "localhost"
    items = hashlib.sha256(",".join(map(str, sorted(notification_ids))).encode()).hexdigest()
    return f"<digest-{user_id}-{day:%Y%m%d}-{items[:12]}@{host}>"


def _message(
    notifications: list[Notification], day: datetime.date, connection: BaseEmailBackend | None
) -> EmailMessage:
    user = notifications[0].user
    subject, body = notification_digest_render(notifications, language=language_of(user))
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        connection=connection,
        headers={
            # RFC 3834: no out-of-office replies to a machine.
            "Auto-Submitted": "auto-generated",
            "X-Thuiszitters-Digest": day.isoformat(),
            "Message-ID": digest_message_id(
                user_id=user.pk, day=day, notification_ids=[n.pk for n in notifications]
            ),
        },
    )
