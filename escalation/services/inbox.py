"""The user's side of notifications: reading them, choosing which also come by e-mail, and
how that e-mail arrives (a daily digest or each message at once).

Only the owner changes a notification; views fetch through ``notifications_of(user)`` first
(another user's id is a 404), and the services check again so admin actions or commands
cannot mark someone else's messages by mistake.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuiszitters.models import User

from ..models import (
    EmailMode,
    Notification,
    NotificationEmailSetting,
    NotificationKind,
    NotificationPreference,
)


def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    """Mark one of the user's notifications as read; reading it again changes nothing."""
    if notification.user_id != user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        now = timezone.now()
        changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        if changed:
            notification.read_at = now
        else:  # read meanwhile (another tab): keep the first moment
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user as read; returns how many."""
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_case_read(*, user: User, case_id: int) -> int:
    """Mark the user's unread notifications of one case as read; returns how many.

    Only the user's own: other people's messages of the case stay as they are. Whether the
    user may still see the case does not matter: these are their messages. Not audited,
    like marking one message read: it changes only the user's own inbox."""
    return Notification.objects.filter(
        user_id=user.pk, case_id=case_id, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(
    *, user: User, email_by_kind: dict[str, bool], email_mode: str | None = None
) -> dict[str, bool]:
    """Store for each given kind whether the user wants it by e-mail too, and with
    ``email_mode`` how the e-mail arrives; returns the kinds.

    Turning e-mail off also cancels the e-mails of that kind not sent yet. Turning it on
    applies to new notifications only: old ones are not mailed afterwards.
    """
    if email_mode is not None:
        notification_email_mode_set(user=user, mode=email_mode)
    unknown = sorted(set(email_by_kind) - set(NotificationKind.values))
    if unknown:
        raise ValidationError(
            _("Onbekende soort bericht: %(kinds)s."), params={"kinds": ", ".join(unknown)}
        )
    choices = {kind: bool(wanted) for kind, wanted in email_by_kind.items()}
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user_id=user.pk, kind=kind, email=wanted)
            for kind, wanted in choices.items()
        ],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["email"],
    )
    off = [kind for kind, wanted in choices.items() if not wanted]
    if off:
        Notification.objects.filter(
            user_id=user.pk, kind__in=off, email_wanted=True, emailed_at__isnull=True
        ).update(email_wanted=False)
    return choices


def notification_email_mode_set(*, user: User, mode: str) -> EmailMode:
    """Store how the user's notification e-mail arrives; returns it.

    Applies to e-mail not sent yet too: a switch to each message at once sends the waiting
    ones within a minute, a switch to the digest keeps them for the next digest. Not audited,
    like the choice per kind: it concerns the user's own mail, no one else's data.
    """
    if mode not in EmailMode.values:
        raise ValidationError(
            _("Onbekende manier van e-mail ontvangen: %(mode)s."), params={"mode": mode}
        )
    NotificationEmailSetting.objects.update_or_create(
        user_id=user.pk, defaults={"mode": mode, "changed_at": timezone.now()}
    )
    return EmailMode(mode)
