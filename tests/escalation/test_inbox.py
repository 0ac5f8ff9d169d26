"""The inbox: own notifications only, unread first, marking read (htmx and plain POST), the
menu's unread badge and the e-mail preferences."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.workflow import Phase
from escalation.models import Notification, NotificationKind, NotificationPreference
from escalation.selectors.inbox import notifications_of, preferences_of, unread_count
from escalation.services.inbox import (
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_all_read,
)
from tests.page_text import shows
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.escalation import NotificationFactory
from ..factories.registration import enrolled_pupil
from ..factories.users import UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.usefixtures("frozen_clock")


def _hours_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=n)


def _rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-notification="(\d+)"', response.content.decode())]


@pytest.fixture
def me(world, user_with_role):
    return user_with_role(RoleCode.CASUSREGISSEUR)


@pytest.fixture
def other(world, user_with_role):
    return user_with_role(RoleCode.CASUSREGISSEUR)


# --- The list -------------------------------------------------------------------------------


def test_the_inbox_shows_own_notifications_unread_first(world, me, other, login, now):
    # A surname no other text on the page has (a random one once matched the user's name).
    pupil = enrolled_pupil(world.school, surname="Inboxvreemdenberg")
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school, pupil=pupil)
    read_new = NotificationFactory(user=me, case=case, created_at=_hours_ago(1), read_at=now)
    unread_old = NotificationFactory(user=me, case=case, created_at=_hours_ago(5))
    unread_new = NotificationFactory(
        user=me, case=case, created_at=_hours_ago(2), kind=NotificationKind.DEADLINE_PASSED
    )
    theirs = NotificationFactory(user=other, case=case)

    response = login(me).get(reverse("inbox:inbox"))

    assert response.status_code == 200
    assert _rows(response) == [unread_new.pk, unread_old.pk, read_new.pk]
    assert theirs.pk not in _rows(response)
    html = response.content.decode()
    assert html.count('data-unread="true"') == 2
    assert html.count(">Nieuw<") == 2
    assert "U heeft 2 ongelezen berichten." in html
    assert f'href="{reverse("cases:case_detail", args=[case.pk])}"' in html
    assert "Een termijn is verstreken: de casus is opgeschaald" in html
    # The reader sees the case now: the group names its pupil, school and phase.
    assert shows(html, case.pupil.full_name)
    assert "School A1" in html and "Fase: Casusregisseur" in html


def test_the_inbox_is_paginated_and_empty_without_notifications(world, me, login):
    client = login(me)
    assert "U heeft nog geen berichten." in client.get(reverse("inbox:inbox")).content.decode()

    # Per case (the default): 25 groups a page.
    for _ in range(26):
        NotificationFactory(user=me, case=CaseFactory(school=world.school))
    first = client.get(reverse("inbox:inbox"))
    second = client.get(reverse("inbox:inbox"), {"page": 2}, **HTMX)
    assert first.content.decode().count("data-group=") == 25
    assert second.content.decode().count("data-group=") == 1
    assert "<html" not in second.content.decode()  # the list partial for htmx
    assert set(_rows(first)).isdisjoint(_rows(second))

    # Per message: 25 messages a page.
    NotificationFactory.create_batch(4, user=me)
    flat = client.get(reverse("inbox:inbox"), {"view": "message"})
    flat2 = client.get(reverse("inbox:inbox"), {"view": "message", "page": 2})
    assert len(_rows(flat)) == 25
    assert len(_rows(flat2)) == 5
    assert set(_rows(flat)).isdisjoint(_rows(flat2))


@pytest.mark.parametrize("count", [1, 25])
def test_the_inbox_costs_the_same_queries_for_1_and_25(world, me, login, count, now):
    client = login(me)
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    NotificationFactory(user=me, case=case)
    client.get(reverse("inbox:inbox"))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("inbox:inbox"))
    budget = len(one)  # (read before the next request resets the log)
    NotificationFactory.create_batch(count - 1, user=me, case=case)
    NotificationFactory.create_batch(count - 1, user=me, read_at=now)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("inbox:inbox"))
    # The case's group and "Algemeen", at most five messages each.
    assert len(_rows(response)) == min(count, 5) + min(count - 1, 5)
    assert len(many) == budget, [q["sql"] for q in many]
    assert len(many) <= 11, len(many)


# --- The badge ------------------------------------------------------------------------------


def test_the_badge_is_empty_without_unread_notifications(me, login, now):
    NotificationFactory(user=me, read_at=now)
    response = login(me).get(reverse("inbox:unread_count"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.fullmatch(r'<span class="app-badge"[^>]*></span>\s*', html)
    assert 'hx-trigger="inbox-changed from:body"' in html
    assert "no-cache" in response["Cache-Control"]


def test_the_badge_counts_own_unread_with_a_text_alternative(me, other, login, now):
    NotificationFactory.create_batch(3, user=me)
    NotificationFactory(user=me, read_at=now)
    NotificationFactory.create_batch(2, user=other)
    html = login(me).get(reverse("inbox:unread_count"), **HTMX).content.decode()
    assert '<span aria-hidden="true">3</span>' in html
    assert '<span class="app-visually-hidden">3 ongelezen</span>' in html


def test_the_badge_caps_the_number_it_shows(me, login):
    NotificationFactory.create_batch(100, user=me)
    html = login(me).get(reverse("inbox:unread_count")).content.decode()
    assert '<span aria-hidden="true">99+</span>' in html
    assert "100 ongelezen" in html


def test_a_menu_item_with_a_badge_url_loads_its_badge():
    html = render_to_string(
        "base.html",
        {
            "nav_items": [
                {"url": "/berichten/", "label": "Berichten", "badge_url": "/berichten/ongelezen/"},
                {"url": "/", "label": "Start"},
            ]
        },
    )
    assert (
        'Berichten <span class="app-badge" hx-get="/berichten/ongelezen/" hx-trigger="load" '
        'hx-swap="outerHTML"></span></a>'
    ) in html
    assert html.count('class="app-badge"') == 1
    assert "htmx.min.js" in html


# --- Marking read ---------------------------------------------------------------------------


def test_mark_read_with_a_plain_post_goes_back(me, login):
    notification = NotificationFactory(user=me)
    back = reverse("inbox:inbox") + "?page=2"

    response = login(me).post(reverse("inbox:mark_read", args=[notification.pk]), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_never_redirects_off_site(me, login):
    notification = NotificationFactory(user=me)
    response = login(me).post(
        reverse("inbox:mark_read", args=[notification.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("inbox:inbox")


def test_mark_read_with_htmx_swaps_the_row_and_refreshes_the_badge(me, login):
    notification = NotificationFactory(user=me)

    response = login(me).post(reverse("inbox:mark_read", args=[notification.pk]), **HTMX)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "inbox-changed"
    html = response.content.decode()
    assert html.lstrip().startswith("<tr")
    assert f'data-notification="{notification.pk}"' in html
    assert 'data-unread="true"' not in html
    assert "Markeer als gelezen" not in html
    assert unread_count(me) == 0


def test_another_users_notification_is_404_and_stays_unread(me, other, login):
    theirs = NotificationFactory(user=other)
    client = login(me)

    assert client.post(reverse("inbox:mark_read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("inbox:mark_read", args=[theirs.pk]), **HTMX).status_code == 404
    assert client.post(reverse("inbox:mark_read", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_only_by_post(me, login):
    notification = NotificationFactory(user=me)
    client = login(me)
    assert client.get(reverse("inbox:mark_read", args=[notification.pk])).status_code == 405
    assert client.get(reverse("inbox:mark_all_read")).status_code == 405


def test_mark_all_read_marks_only_own(me, other, login):
    NotificationFactory.create_batch(2, user=me)
    NotificationFactory(user=other)

    response = login(me).post(reverse("inbox:mark_all_read"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("inbox:inbox")
    assert "2 berichten zijn als gelezen gemarkeerd." in response.content.decode()
    assert unread_count(me) == 0
    assert unread_count(other) == 1


def test_mark_all_read_with_htmx_returns_the_list(me, login):
    NotificationFactory.create_batch(2, user=me)

    response = login(me).post(reverse("inbox:mark_all_read"), {"page": "1"}, **HTMX)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "inbox-changed"
    html = response.content.decode()
    assert "<html" not in html
    assert "U heeft geen ongelezen berichten." in html
    assert len(_rows(response)) == 2


def test_the_services_guard_ownership_and_keep_the_first_reading(me, other):
    notification = NotificationFactory(user=me)
    with pytest.raises(PermissionDenied):
        notification_mark_read(notification=notification, user=other)

    first = notification_mark_read(notification=notification, user=me).read_at
    stale = Notification.objects.get(pk=notification.pk)
    stale.read_at = None  # a second tab that loaded it before
    assert notification_mark_read(notification=stale, user=me).read_at == first
    assert notifications_mark_all_read(user=me) == 0


def test_notifications_of_is_scoped_to_the_user(me, other):
    mine = NotificationFactory(user=me)
    NotificationFactory(user=other)
    assert list(notifications_of(me)) == [mine]


# --- Preferences ----------------------------------------------------------------------------


def test_preferences_default_to_email_for_every_kind(me, login):
    assert preferences_of(me) == dict.fromkeys(NotificationKind.values, True)

    html = login(me).get(reverse("inbox:preferences")).content.decode()

    for kind in NotificationKind:
        assert str(kind.label) in html
        assert re.search(rf'<input type="checkbox" name="email_{kind.value}"[^>]* checked', html)
    assert html.count("Ook per e-mail") == len(NotificationKind)


def test_saving_preferences_stores_them_and_cancels_pending_mail(me, login):
    pending = NotificationFactory(
        user=me, kind=NotificationKind.DEADLINE_WARNING, email_wanted=True
    )
    other_kind = NotificationFactory(
        user=me, kind=NotificationKind.DEADLINE_PASSED, email_wanted=True
    )
    keep = {k: "on" for k in NotificationKind.values if k != NotificationKind.DEADLINE_WARNING}

    response = login(me).post(
        reverse("inbox:preferences"),
        {"email_mode": "digest", **{f"email_{k}": v for k, v in keep.items()}},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:preferences")
    expected = dict.fromkeys(NotificationKind.values, True)
    expected[NotificationKind.DEADLINE_WARNING] = False
    assert preferences_of(me) == expected
    assert NotificationPreference.objects.filter(user=me).count() == len(NotificationKind)
    pending.refresh_from_db()
    other_kind.refresh_from_db()
    assert pending.email_wanted is False
    assert other_kind.email_wanted is True

    html = login(me).get(reverse("inbox:preferences")).content.decode()
    assert not re.search(r'name="email_deadline_warning"[^>]* checked', html)


def test_preferences_set_turns_email_on_again_and_refuses_unknown_kinds(me):
    notification_preferences_set(user=me, email_by_kind={NotificationKind.ARBITRATION: False})
    notification_preferences_set(user=me, email_by_kind={NotificationKind.ARBITRATION: True})
    assert preferences_of(me)[NotificationKind.ARBITRATION] is True
    assert NotificationPreference.objects.filter(user=me).count() == 1

    with pytest.raises(ValidationError):
        notification_preferences_set(user=me, email_by_kind={"onbekend": True})


def test_preferences_are_per_user(me, other):
    notification_preferences_set(user=other, email_by_kind={NotificationKind.ARBITRATION: False})
    assert preferences_of(me)[NotificationKind.ARBITRATION] is True


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client):
    user = UserFactory()
    notification = NotificationFactory(user=user)
    for url in (
        reverse("inbox:inbox"),
        reverse("inbox:unread_count"),
        reverse("inbox:preferences"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(reverse("inbox:mark_read", args=[notification.pk]))
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None
