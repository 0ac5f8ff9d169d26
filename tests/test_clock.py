"""The test clock of ``tests/conftest.py``: ``today``, ``now`` and ``frozen_clock``."""

import datetime

import pytest
from django.utils import timezone

from thuiszitters.roles import RoleCode

from .conftest import CLOCK_START


def test_today_is_the_day_of_clock_start(today):
    assert today == CLOCK_START.date() == timezone.localdate()


def test_the_clock_ticks_on_from_clock_start(now):
    assert CLOCK_START <= now <= timezone.now() < CLOCK_START + datetime.timedelta(minutes=5)


def test_fixtures_before_today_in_the_signature_already_run_on_the_clock(user_with_role, today):
    # ``user_with_role`` and ``world`` are set up before ``today`` is asked for, yet their rows
    # carry the test's day.
    user = user_with_role(RoleCode.LEERPLICHT)
    assert timezone.localtime(user.date_joined).date() == today
    assert {m.valid_from for m in user.memberships.all()} == {today}


@pytest.mark.usefixtures("frozen_clock")
def test_the_mark_alone_sets_the_clock():
    assert timezone.localdate() == CLOCK_START.date()


def test_the_clock_can_be_moved_on(frozen_clock, today):
    frozen_clock.shift(datetime.timedelta(days=1))
    assert timezone.localdate() == today + datetime.timedelta(days=1)


def test_without_the_fixtures_the_clock_is_real():
    assert abs(timezone.now() - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)
