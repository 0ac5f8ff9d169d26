"""Reads of the inbox: a user's own notifications, grouped per case, and e-mail preferences.

Every read of notifications filters on ``user``: there is no way to reach another user's
notification through these selectors, so views that fetch through them answer 404 for
foreign ids. What a message may say of its case (pupil, school, phase) comes from the
scoping selector ``cases_visible_to`` at the moment of reading (``inbox_cases``): a case the
reader no longer sees is named by its number only.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models import Case as DbCase
from django.db.models.functions import RowNumber

from cases.models import Case
from cases.selectors import cases_in_restricted_view, cases_visible_to
from thuiszitters.models import User

from ..models import (
    EmailMode,
    Notification,
    NotificationEmailSetting,
    NotificationKind,
    NotificationPreference,
    Step,
)
from .deadlines import case_list_next_step


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


# --- The grouped page -----------------------------------------------------------------------

MESSAGES_PER_GROUP = 5


def inbox_groups(notifications: QuerySet[Notification]) -> QuerySet[Notification, dict[str, Any]]:
    """One row per case of ``notifications`` (``case_id`` None: the messages without a case),
    as dicts with ``case_id``, ``total``, ``unread`` and ``latest`` (the newest message's
    time): the groups with unread messages first, then the newest. One query per page."""
    return (
        notifications.order_by()
        .values("case_id")
        .annotate(
            total=Count("id"),
            unread=Count("id", filter=Q(read_at__isnull=True)),
            latest=Max("created_at"),
        )
        .annotate(
            has_unread=DbCase(When(unread__gt=0, then=Value(1)), default=Value(0)),
        )
        .order_by("-has_unread", "-latest", F("case_id").asc(nulls_first=True))
    )


def inbox_group_messages(
    notifications: QuerySet[Notification],
    case_ids: Iterable[int | None],
    per_group: int = MESSAGES_PER_GROUP,
) -> dict[int | None, list[Notification]]:
    """The first ``per_group`` messages of each of these groups (unread first, then newest),
    in one query: a window numbers the messages within their case, whatever the number of
    groups on the page."""
    ids = list(case_ids)
    if not ids:
        return {}
    q = Q(case_id__in=[pk for pk in ids if pk is not None])
    if None in ids:
        q |= Q(case_id__isnull=True)
    rows = (
        notifications.filter(q)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("case_id")],
                order_by=[F("is_unread").desc(), F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(position__lte=per_group)
        .order_by("case_id", "position")
    )
    found: dict[int | None, list[Notification]] = {pk: [] for pk in ids}
    for notification in rows:
        found[notification.case_id].append(notification)
    return found


@dataclass(frozen=True)
class InboxCase:
    """What the reader may know of the case of a message, now: the case with its pupil,
    school and stored next step when they may see it (``case``); else only its number, and
    whether its page opens in the restricted view (``known``: a lead awaiting consent)."""

    pk: int
    case: Case | None = None
    known: bool = False

    @property
    def visible(self) -> bool:
        return self.case is not None

    @property
    def linked(self) -> bool:
        return self.case is not None or self.known

    @property
    def next_step(self) -> "NextStep | None":
        """The stored next step while it is current for the case as it is now: the case
        lists' rule (``case_list_next_step``), annotated in ``inbox_cases``' query."""
        case = self.case
        step = getattr(case, "next_step", "") if case is not None else ""
        if not step:
            return None
        return NextStep(Step(step), case.next_step_due)  # type: ignore[union-attr]


@dataclass(frozen=True)
class NextStep:
    step: Step
    due_on: datetime.date

    def get_step_display(self) -> str:
        return str(self.step.label)


def inbox_cases(user: User, case_ids: Iterable[int | None]) -> dict[int, InboxCase]:
    """Per case id: what ``user`` may know of it now (``InboxCase``). One query for the cases
    the user sees (pupil, school and next step joined); one more only when some are not seen,
    for those whose page the user may open in the restricted view."""
    ids = sorted({pk for pk in case_ids if pk is not None})
    if not ids:
        return {}
    visible = {
        case.pk: case
        for case in case_list_next_step(
            cases_visible_to(user).filter(pk__in=ids).select_related("pupil", "school")
        )
    }
    hidden = [pk for pk in ids if pk not in visible]
    known = (
        set(cases_in_restricted_view(user).filter(pk__in=hidden).values_list("pk", flat=True))
        if hidden
        else set()
    )
    return {pk: InboxCase(pk, visible.get(pk), pk in known) for pk in ids}
