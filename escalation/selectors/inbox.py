"""Reads of the inbox: a user's own notifications and e-mail preferences, nothing else.

Every read filters on ``user``: there is no way to reach another user's notification
through these selectors, so views that fetch through them answer 404 for foreign ids.
"""

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from thuiszitters.models import User

from ..models import (
    EmailMode,
    Notification,
    NotificationEmailSetting,
    NotificationKind,
    NotificationPreference,
)


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's notifications, unread first, then newest first (``is_unread`` annotated)."""
    return (
        Notification.objects.filter(user_id=user.pk)
        .annotate(is_unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-is_unread", "-created_at", "-id")
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def preferences_of(user: User) -> dict[str, bool]:
    """For every kind: whether the user wants it by e-mail too (default: yes)."""
    stored = dict(
        NotificationPreference.objects.filter(user_id=user.pk).values_list("kind", "email")
    )
    return {kind: stored.get(kind, True) for kind in NotificationKind.values}


def email_mode_of(user: User) -> EmailMode:
    """How the user's notification e-mail arrives: their choice, else the site's default."""
    chosen = (
        NotificationEmailSetting.objects.filter(user_id=user.pk)
        .values_list("mode", flat=True)
        .first()
    )
    return EmailMode(chosen or settings.NOTIFICATION_EMAIL_DEFAULT)
