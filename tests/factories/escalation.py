"""Escalation rows for tests: ``NotificationFactory(user=..., case=..., email_wanted=True)``,
``EmailModeFactory(user=..., mode=EmailMode.EACH)`` for a user's choice of e-mail."""

import datetime

import factory
from django.utils import timezone

from escalation.models import (
    EmailMode,
    Notification,
    NotificationEmailSetting,
    NotificationKind,
    Step,
)

from .users import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    """A deadline warning a week ahead, without a case unless given, not wanted by e-mail."""

    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = NotificationKind.DEADLINE_WARNING
    event_key = factory.Sequence(lambda n: f"test:{n}")
    case = None
    step = Step.CASUSREGISSEUR
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    email_wanted = False


class EmailModeFactory(factory.django.DjangoModelFactory):
    """A user's choice how notification e-mail arrives: each message at once unless given
    (without a row the user has ``NOTIFICATION_EMAIL_DEFAULT``, the daily digest)."""

    class Meta:
        model = NotificationEmailSetting

    user = factory.SubFactory(UserFactory)
    mode = EmailMode.EACH
