"""The batch writers (``thuiszitters.bulk``) store exactly what they are given, on
PostgreSQL (one array literal per column) and on SQLite (``bulk_create``)."""

import datetime

import pytest
from django.utils import timezone

from cases.models import CaseEvent
from escalation.models import Notification
from thuiszitters.bulk import insert_columns

from ..factories.cases import CaseFactory
from ..factories.users import UserFactory

pytestmark = pytest.mark.django_db

AWKWARD = [
    "plain",
    "",
    "NULL",
    'quote " in it',
    'back\\slash and \\" both',
    "comma, {braces} and 'single'",
    "new\nline\ttab",
    "zoë, Ĳsselmeer, 😀",
]


def test_awkward_values_come_back_as_they_went_in(world):
    case = CaseFactory(school=world.school)
    at = timezone.now().replace(microsecond=123456)
    data = [
        {"text": text, "n": i, "none": None, "list": [1, "a"]} for i, text in enumerate(AWKWARD)
    ]

    insert_columns(
        CaseEvent,
        {
            "case_id": case.pk,
            "at": at,
            "actor_id": None,
            "kind": "note",
            "message": AWKWARD,
            "data": data,
        },
        len(AWKWARD),
    )

    rows = list(
        CaseEvent.objects.filter(case=case, kind="note")
        .order_by("id")
        .values_list("message", "data", "at", "actor_id")
    )
    assert [r[0] for r in rows] == AWKWARD
    assert [r[1] for r in rows] == data
    assert {r[2] for r in rows} == {at}
    assert {r[3] for r in rows} == {None}


def test_conflicts_are_skipped_when_asked(world):
    user = UserFactory()
    columns = {
        "user_id": user.pk,
        "kind": "deadline_warning",
        "event_key": ["a", "b"],
        "step": "",
        "due_on": [datetime.date(2026, 3, 18), None],
        "email_wanted": [True, False],
    }
    insert_columns(Notification, columns, 2, ignore_conflicts=True)
    insert_columns(Notification, {**columns, "event_key": ["b", "c"]}, 2, ignore_conflicts=True)

    assert sorted(Notification.objects.values_list("event_key", "due_on", "email_wanted")) == [
        ("a", datetime.date(2026, 3, 18), True),
        ("b", None, False),  # the first "b" stayed
        ("c", None, False),
    ]


def test_a_column_of_the_wrong_length_or_name_is_refused(world):
    with pytest.raises(ValueError, match="2 values for 3 rows"):
        insert_columns(Notification, {"event_key": ["a", "b"]}, 3)
    with pytest.raises(ValueError, match="no fields"):
        insert_columns(Notification, {"nonsense": 1}, 1)
