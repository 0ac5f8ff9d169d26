"""The case page (cases/views/case_page.py): one screen, a fixed query count, every POST through
its service with field errors on failure, read-only when closed, scoped and audited."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Action,
    ActionStatus,
    AftercareCheckIn,
    Arrangement,
    Case,
    CaseEvent,
    Decision,
    Meeting,
    Participant,
)
from cases.services import (
    absence_report_submit,
    action_add,
    arrangement_record,
    care_partner_invite,
    case_close,
    case_consent_record,
    case_journal_add,
    meeting_record,
    participant_add,
)
from tests.page_text import shows
from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.registration import enrolled_pupil, report_input
from .deny_matrix import ensure_foreign_case
from .deny_matrix_case import ENTRIES

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def case(world, zc):
    pupil = enrolled_pupil(world.school, given_names="Sam", surname="Casuspagina")
    return absence_report_submit(
        actor=zc, reporting_organisation=world.school, data=report_input(pupil), channel="form"
    ).case


def _url(name, case, *extra):
    return reverse(f"case:{name}", args=[case.pk, *extra])


def _page(case):
    return reverse("cases:case_detail", args=[case.pk])


def _form(case, name):
    return reverse("cases:case_form", args=[case.pk, name])


def _give_care_consent(case, actor, status="given"):
    today = timezone.localdate()
    case_consent_record(
        case=case,
        actor=actor,
        scope="share_with_care_partners",
        status=status,
        party="parents",
        stated_on=today,
        how="phone",
    )


# --- the page ---------------------------------------------------------------------------


def grow(case, actor, world, n):
    """``n`` items of every kind the case page and the case file show."""
    today = timezone.localdate()
    for i in range(n):
        case_journal_add(case=case, actor=actor, text=f"Aantekening {i}")
        participant = participant_add(case=case, actor=actor, role="parent", name=f"Ouder {i}")
        action_add(
            case=case,
            actor=actor,
            description=f"Actie {i}",
            due_on=today - datetime.timedelta(days=1),
            owner_user=actor,
            owner_organisation=world.bureau,
        )
        meeting_record(
            case=case,
            actor=actor,
            kind="mdo",
            held_on=today,
            participants=[participant],
            decisions=[f"Besluit {i}"],
            confirmed_without_consent=True,
        )
        arrangement_record(
            case=case,
            actor=actor,
            kind="variawet",
            start_on=today,
            share_percent=50,
            cost_total=Decimal(100),
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response


def test_the_page_does_not_grow_with_items_of_any_kind(world, case, lp, login):
    client = login(lp)
    grow(case, lp, world, 1)
    small, _ = _count(client, _page(case))
    grow(case, lp, world, 24)
    large, response = _count(client, _page(case))
    assert small == large, f"{small} queries for 1 item of each kind, {large} for 25"
    body = response.content.decode()
    for text in ("Aantekening 23", "Ouder 23", "Actie 23", "Besluit 23", "€ 50,00"):
        assert text in body
    assert "te laat" in body  # overdue actions are highlighted


# The case page's exact budget with an item of every kind. The growth test above cannot see a
# lazy read of a single object's field (the same extra query for 1 item and for 25); this
# one does. The queries: session, user, second factor, memberships; the case in the user's
# scope with its pupil, school, municipality and lead; the audit row; goals, actions,
# meetings with their decisions and participants, arrangements, journal, participants,
# consent, lead history, reports (issue 14).
CASE_PAGE_QUERIES = 17


def test_the_page_reads_in_an_exact_number_of_queries(world, case, lp, login):
    client = login(lp)
    grow(case, lp, world, 1)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_page(case))
    assert response.status_code == 200
    tables = [re.findall(r'(?:FROM|INTO|UPDATE) "(\w+)"', q["sql"])[:1] for q in ctx]
    assert len(ctx) == CASE_PAGE_QUERIES, " ".join(t[0] if t else "?" for t in tables)


def test_every_get_of_the_page_is_audited_once(case, lp, login):
    client = login(lp)
    reads = AuditLogEntry.objects.filter(
        action=AuditAction.READ, object_type="cases.case", object_id=str(case.pk)
    )
    before = reads.count()
    client.get(_page(case))
    assert reads.count() == before + 1
    client.post(_url("journal_add", case), {"journal-kind": "note", "journal-text": "x"}, **HTMX)
    assert reads.count() == before + 1


def test_header_shows_phase_weeks_lead_and_the_deadline_partial(case, lp, login):
    body = login(lp).get(_page(case)).content.decode()
    assert ("School" in body and "weken geleden" in body) or "week geleden" in body
    assert reverse("escalation:case_deadline", args=[case.pk]) in body
    assert shows(body, case.lead_organisation.name)


# --- POST views: happy path and one error path each ------------------------------------


def test_journal_add(case, lp, login):
    client = login(lp)
    response = client.post(
        _url("journal_add", case),
        {"journal-kind": "conversation", "journal-text": "Gesprek met moeder"},
        **HTMX,
    )
    assert response.status_code == 200
    assert 'id="section-journal"' in response.content.decode()
    assert "Gesprek met moeder" in response.content.decode()
    assert case.events.filter(kind="conversation", message="Gesprek met moeder").exists()
    # Plain POST redirects back; an empty text is an error on the field (422, page again).
    response = client.post(_url("journal_add", case), {"journal-kind": "note", "journal-text": ""})
    assert response.status_code == 422
    assert 'id="id_journal-text_error"' in response.content.decode()


def test_journal_add_plain_post_redirects_back(case, lp, login):
    response = login(lp).post(
        _url("journal_add", case), {"journal-kind": "note", "journal-text": "Notitie"}
    )
    assert response.status_code == 302
    assert response["Location"] == _page(case) + "#section-journal"


def test_wishes_and_error_on_a_closed_case(case, lp, login):
    client = login(lp)
    data = {"wishes-parents_wishes": "Terug naar de eigen school", "wishes-pupil_wishes": "Rust"}
    assert client.post(_url("wishes", case), data, **HTMX).status_code == 200
    case.refresh_from_db()
    assert case.parents_wishes == "Terug naar de eigen school"
    case_close(case=case, reason="moved_away", actor=lp)
    response = client.post(_url("wishes", case), {**data, "wishes-pupil_wishes": "Anders"}, **HTMX)
    assert response.status_code == 200
    assert "gesloten" in response.content.decode()
    case.refresh_from_db()
    assert case.pupil_wishes == "Rust"


def test_goal_add(case, lp, login):
    client = login(lp)
    client.post(_url("goal_add", case), {"goal-description": "Twee dagen naar school"}, **HTMX)
    assert case.goals.filter(description="Twee dagen naar school").exists()
    response = client.post(_url("goal_add", case), {"goal-measure": "Gemeten"}, **HTMX)
    assert 'id="id_goal-description_error"' in response.content.decode()
    assert 'value="Gemeten"' in response.content.decode()


def test_action_add(world, case, lp, login, today):
    client = login(lp)
    due = today + datetime.timedelta(days=7)
    data = {
        "action-description": "Bel de jeugdarts",
        "action-owner": f"org:{world.bureau.pk}",
        "action-due_on": due.isoformat(),
    }
    response = client.post(_url("action_add", case), data, **HTMX)
    assert "Bel de jeugdarts" in response.content.decode()
    action = case.actions.get()
    assert (action.owner_organisation_id, action.due_on) == (world.bureau.pk, due)
    response = client.post(
        _url("action_add", case), {**data, "action-owner": "", "action-description": "Typ"}, **HTMX
    )
    assert 'id="id_action-owner_error"' in response.content.decode()
    assert "Typ" in response.content.decode()
    assert case.actions.count() == 1


def test_action_status(world, case, lp, login, today):
    action = action_add(
        case=case, actor=lp, description="Bellen", due_on=today, owner_organisation=world.bureau
    )
    client = login(lp)
    response = client.post(_url("action_status", case, action.pk), {"status": "done"}, **HTMX)
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    response = client.post(_url("action_status", case, action.pk), {"status": "weg"}, **HTMX)
    assert response.status_code == 200
    assert "Onbekende status" in response.content.decode()
    assert client.post(_url("action_status", case, 999999), {"status": "done"}).status_code == 404


def _give_meeting_consent(case, actor):
    case_consent_record(
        case=case,
        actor=actor,
        scope="meeting_participation",
        status="given",
        party="parents",
        stated_on=timezone.localdate(),
        how="phone",
    )


def test_meeting_add_with_decisions_and_an_action(world, case, lp, login, today):
    _give_meeting_consent(case, lp)
    participant = participant_add(case=case, actor=lp, role="parent", name="Moeder")
    client = login(lp)
    data = {
        "meeting-kind": "mdo",
        "meeting-held_on": today.isoformat(),
        "meeting-notes": "Goed gesprek",
        "meeting-parents_present": "on",
        "meeting-participants": [participant.pk],
        "meeting-decisions": "Start met twee ochtenden\nJeugdarts kijkt mee",
        "meeting-action_description": "Rooster maken",
        "meeting-action_owner": f"user:{lp.pk}",
        "meeting-action_due_on": (today + datetime.timedelta(days=5)).isoformat(),
    }
    response = client.post(_url("meeting_add", case), data, **HTMX)
    body = response.content.decode()
    assert "Start met twee ochtenden" in body
    assert 'id="section-plan"' in body and 'hx-swap-oob="true"' in body
    assert "Rooster maken" in body
    meeting = Meeting.objects.get(case=case)
    assert meeting.parents_present and list(meeting.participants.all()) == [participant]
    assert [d.text for d in meeting.decisions.all()] == [
        "Start met twee ochtenden",
        "Jeugdarts kijkt mee",
    ]
    action = Action.objects.get(case=case)
    assert action.decision == meeting.decisions.first() and action.owner_user == lp
    # A meeting in the future is refused by the service; what was typed stays.
    future = {**data, "meeting-held_on": (today + datetime.timedelta(days=3)).isoformat()}
    response = client.post(_url("meeting_add", case), {**future, "meeting-notes": "Bewaard"})
    assert response.status_code == 422
    assert 'id="id_meeting-held_on_error"' in response.content.decode()
    assert "Bewaard" in response.content.decode()
    assert Meeting.objects.filter(case=case).count() == 1


def test_arrangement_add(case, lp, login, today):
    client = login(lp)
    data = {
        "arrangement-kind": "onderwijszorgarrangement",
        "arrangement-start_on": today.isoformat(),
        "arrangement-share_percent": "60",
        "arrangement-is_suitable_offer": "on",
        "arrangement-cost_total": "1000",
        "arrangement-municipality_share_percent": "50",
    }
    response = client.post(_url("arrangement_add", case), data, **HTMX)
    assert "€ 500,00" in response.content.decode()
    arrangement = Arrangement.objects.get(case=case)
    assert arrangement.cost_swv == Decimal("500.00")
    response = client.post(
        _url("arrangement_add", case), {**data, "arrangement-share_percent": "150"}, **HTMX
    )
    assert 'id="id_arrangement-share_percent_error"' in response.content.decode()
    assert Arrangement.objects.filter(case=case).count() == 1


def test_the_arrangement_form_defaults_to_half_for_the_municipality(case, lp, login):
    body = login(lp).get(_form(case, "arrangement"), **HTMX).content.decode()
    assert 'name="arrangement-municipality_share_percent" value="50"' in body


def test_closed_forms_load_when_opened_not_with_the_page(case, lp, login):
    client = login(lp)
    body = client.get(_page(case)).content.decode()
    assert 'name="arrangement-' not in body and 'name="meeting-' not in body
    assert f'hx-get="{_form(case, "meeting")}"' in body  # loaded when its <details> opens
    assert f'href="{_form(case, "meeting")}"' in body  # and a page of its own without JS
    reads = AuditLogEntry.objects.filter(action="read", object_id=str(case.pk)).count()
    partial = client.get(_form(case, "meeting"), **HTMX).content.decode()
    assert AuditLogEntry.objects.filter(action="read", object_id=str(case.pk)).count() == reads + 1
    assert 'name="meeting-kind"' in partial and f'action="{_url("meeting_add", case)}"' in partial
    assert "<html" not in partial
    page = client.get(_form(case, "meeting")).content.decode()
    assert "<html" in page and 'name="meeting-kind"' in page
    assert client.get(reverse("cases:case_form", args=[case.pk, "nothing"])).status_code == 404


def test_a_closed_form_is_refused_to_readers_and_strangers(case, lp, user_with_role, login):
    reader = user_with_role(RoleCode.SWV_DIRECTOR)
    assert login(reader).get(_form(case, "meeting")).status_code in (403, 404)


def test_participant_add_and_remove(case, lp, login):
    client = login(lp)
    client.post(
        _url("participant_add", case), {"participant-role": "parent", "participant-name": "Vader"}
    )
    participant = case.participants.get(name="Vader")
    response = client.post(_url("participant_add", case), {"participant-role": "parent"}, **HTMX)
    assert 'id="id_participant-name_error"' in response.content.decode()
    response = client.post(_url("participant_remove", case, participant.pk), **HTMX)
    assert response.status_code == 200
    participant.refresh_from_db()
    assert participant.removed_at is not None
    # Removed once; a second time it is no longer there.
    assert client.post(_url("participant_remove", case, participant.pk)).status_code == 404


def test_an_mdo_without_consent_asks_for_a_confirmation(case, lp, login, today):
    client = login(lp)
    field = 'name="meeting-confirmed_without_consent"'
    assert field not in client.get(_page(case)).content.decode()  # only after the warning
    data = {"meeting-kind": "mdo", "meeting-held_on": today.isoformat(), "meeting-notes": "Rond"}
    response = client.post(_url("meeting_add", case), data, **HTMX)
    body = response.content.decode()
    assert 'id="id_meeting-confirmed_without_consent_error"' in body and field in body
    assert 'type="checkbox"' in re.search(rf"<input[^>]*{field}[^>]*>", body).group(0)
    assert not Meeting.objects.filter(case=case).exists()
    response = client.post(
        _url("meeting_add", case), {**data, "meeting-confirmed_without_consent": "on"}, **HTMX
    )
    assert response.status_code == 200 and Meeting.objects.filter(case=case).count() == 1
    event = case.events.get(kind="meeting_held")
    assert "zonder toestemming" in event.message
    # With the consent: no warning.
    _give_meeting_consent(case, lp)
    response = client.post(_url("meeting_add", case), data, **HTMX)
    assert "confirmed_without_consent_error" not in response.content.decode()
    assert Meeting.objects.filter(case=case).count() == 2


def test_adding_a_colleague_with_an_account_as_participant(world, case, lp, user_with_role, login):
    colleague = user_with_role(RoleCode.LEERPLICHT, full_name="Kim Collega")
    stranger = user_with_role(
        RoleCode.ZORGCOORDINATOR, organisation=world.vo_school, full_name="Stef Vreemd"
    )
    client = login(lp)
    body = client.get(_form(case, "participant"), **HTMX).content.decode()
    options = re.search(r'name="participant-user".*?</select>', body, re.S).group(0)
    assert f'value="{colleague.pk}">Kim Collega<' in options and "Stef Vreemd" not in options
    refused = client.post(
        _url("participant_add", case),
        {"participant-role": "other", "participant-user": stranger.pk},
        **HTMX,
    )
    assert 'id="id_participant-user_error"' in refused.content.decode()
    response = client.post(
        _url("participant_add", case),
        {"participant-role": "leerplicht", "participant-user": colleague.pk},
        **HTMX,
    )
    assert response.status_code == 200
    listed = re.search(r'data-testid="participants">(.*?)</ul>', response.content.decode(), re.S)
    assert listed is not None and "Kim Collega" in listed.group(1)
    assert case.participants.get().user == colleague


def test_care_partner_invite_needs_the_consent(case, lp, user_with_role, login):
    partner = user_with_role(RoleCode.CARE_PARTNER)
    client = login(lp)
    data = {"care-user": partner.pk, "care-role": "jeugdarts"}
    response = client.post(_url("care_partner_invite", case), data, **HTMX)
    assert "geen toestemming om te delen met zorgpartners" in response.content.decode()
    assert not case.participants.filter(user=partner).exists()
    _give_care_consent(case, lp)
    response = client.post(_url("care_partner_invite", case), data, **HTMX)
    assert response.status_code == 200
    assert case.participants.filter(user=partner, removed_at__isnull=True).exists()


def test_details(case, lp, login):
    client = login(lp)
    data = {
        "details-situation_level": "complex",
        "details-lead_mode": "co_creation",
        "details-daytime_activity": "at_home",
        "details-causes": ["bullying", "school_anxiety"],
        "details-waiting_list_for": "youth_care",
        "details-waiting_since": "2025-01-06",
    }
    client.post(_url("details", case), data, **HTMX)
    case.refresh_from_db()
    assert case.situation_level == "complex"
    assert case.causes == ["bullying", "school_anxiety"]
    assert case.waiting_since == datetime.date(2025, 1, 6)
    response = client.post(_url("details", case), {**data, "details-causes": ["onzin"]}, **HTMX)
    assert 'id="id_details-causes_error"' in response.content.decode()


def test_consent(case, lp, login, today):
    client = login(lp)
    data = {
        "consent-scope": "share_with_care_partners",
        "consent-status": "given",
        "consent-party": "parents",
        "consent-stated_on": today.isoformat(),
        "consent-how": "phone",
    }
    response = client.post(_url("consent", case), data, **HTMX)
    assert response.status_code == 200
    case.pupil.refresh_from_db()
    assert case.pupil.shared_with_care_partners
    response = client.post(_url("consent", case), {**data, "consent-stated_on": ""}, **HTMX)
    assert 'id="id_consent-stated_on_error"' in response.content.decode()


def test_lead_change(world, case, lp, login):
    client = login(lp)
    data = {"lead-organisation": world.bureau.pk, "lead-user": lp.pk, "lead-reason": "Week 4"}
    response = client.post(_url("lead_change", case), data, **HTMX)
    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.lead_organisation_id, case.lead_user_id) == (world.bureau.pk, lp.pk)
    assert case.lead_history.count() == 2
    # The person does not work at the SWV: the service's error on the field.
    response = client.post(
        _url("lead_change", case), {**data, "lead-organisation": world.swv.pk}, **HTMX
    )
    assert 'id="id_lead-user_error"' in response.content.decode()
    case.refresh_from_db()
    assert case.lead_organisation_id == world.bureau.pk


def test_transition_back_on_the_route(world, lp, login):
    """The phase form moves a case back; forward is escalation (the route section)."""
    case = CaseFactory(phase="doorbraakteam", school=world.school)
    client = login(lp)
    page = client.get(_page(case)).content.decode()
    assert f'hx-get="{_form(case, "transition")}"' in page and 'name="transition-' not in page
    form = client.get(_form(case, "transition"), **HTMX).content.decode()
    assert 'value="casusregisseur"' in form and 'value="arbitration"' not in form
    response = client.post(
        _url("transition", case), {"transition-to_phase": "casusregisseur"}, **HTMX
    )
    assert 'id="id_transition-reason_error"' in response.content.decode()
    forward = client.post(
        _url("transition", case),
        {"transition-to_phase": "arbitration", "transition-reason": "x"},
        **HTMX,
    )
    assert 'id="id_transition-to_phase_error"' in forward.content.decode()
    response = client.post(
        _url("transition", case),
        {"transition-to_phase": "casusregisseur", "transition-reason": "Terug naar regie"},
        **HTMX,
    )
    assert response["HX-Redirect"] == _page(case)
    case.refresh_from_db()
    assert case.phase == "casusregisseur"


def test_no_phase_form_where_there_is_no_way_back(world, lp, login):
    """A case in its first phase has no phase behind it: no form on the page, none to load."""
    case = CaseFactory(phase="school", school=world.school)
    client = login(lp)
    assert _form(case, "transition") not in client.get(_page(case)).content.decode()
    assert client.get(_form(case, "transition"), **HTMX).status_code == 404


def test_close_and_reopen(case, lp, zc, login):
    client = login(lp)
    response = client.post(_url("close", case), {"close-reason": "other"}, **HTMX)
    assert 'id="id_close-note_error"' in response.content.decode()
    response = client.post(_url("close", case), {"close-reason": "offer_started"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.phase == "closed"
    assert AftercareCheckIn.objects.filter(case=case).count() == 3
    # Only a user who may lead reopens; the zorgcoordinator gets 403.
    assert login(zc).post(_url("reopen", case), {"reopen-reason": "Weer thuis"}).status_code == 403
    client = login(lp)
    client.post(_url("reopen", case), {"reopen-reason": "Weer thuis"})
    case.refresh_from_db()
    assert case.phase == "school"


# --- read-only, care partners, scope -----------------------------------------------------


def test_a_closed_case_is_read_only(case, lp, login):
    case_close(case=case, reason="offer_started", actor=lp)
    body = login(lp).get(_page(case)).content.decode()
    assert "Gesloten" in body
    assert reverse("case:journal_add", args=[case.pk]) not in body
    assert _form(case, "reopen") in body  # leerplicht may reopen
    reopen = login(lp).get(_form(case, "reopen"), **HTMX).content.decode()
    assert reverse("case:reopen", args=[case.pk]) in reopen
    assert body.count("Nazorgcontact") >= 3
    response = login(lp).post(
        _url("journal_add", case), {"journal-kind": "note", "journal-text": "x"}
    )
    assert response.status_code == 422
    assert not case.events.filter(message="x").exists()


def test_a_care_partner_sees_the_case_while_the_consent_stands(case, lp, user_with_role, login):
    partner = user_with_role(RoleCode.CARE_PARTNER)
    _give_care_consent(case, lp)
    care_partner_invite(case=case, user=partner, actor=lp)
    client = login(partner)
    response = client.get(_page(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Casuspagina" in body
    assert reverse("case:journal_add", args=[case.pk]) not in body  # read-only
    response = client.post(_url("journal_add", case), {"journal-kind": "note", "journal-text": "x"})
    assert response.status_code == 403
    _give_care_consent(case, lp, status="withdrawn")
    assert client.get(_page(case)).status_code == 404


def test_another_schools_zorgcoordinator_gets_404(world, case, user_with_role, login):
    other = login(user_with_role(RoleCode.ZORGCOORDINATOR, world.school2))
    assert other.get(_page(case)).status_code == 404
    response = other.post(_url("journal_add", case), {"journal-kind": "note", "journal-text": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_posts_on_a_foreign_case_are_404_before_anything_else(world, lp, login, name):
    foreign = {"secrets": []}
    foreign_case = ensure_foreign_case(world, foreign)
    build, _kind = ENTRIES[name]
    url = reverse(name, args=build({"case": foreign_case}))
    events = CaseEvent.objects.filter(case=foreign_case).count()
    assert login(lp).post(url, {}).status_code == 404
    assert CaseEvent.objects.filter(case=foreign_case).count() == events


def test_models_untouched_by_failed_posts(case, lp, login, today):
    """Nothing half-written when a meeting's action fails after the meeting was saved."""
    client = login(lp)
    data = {
        "meeting-kind": "mdo",
        "meeting-held_on": today.isoformat(),
        "meeting-decisions": "Besluit",
        "meeting-action_description": "Iets",
    }
    response = client.post(_url("meeting_add", case), data, **HTMX)
    assert 'id="id_meeting-action_owner_error"' in response.content.decode()
    assert not Meeting.objects.filter(case=case).exists()
    assert not Decision.objects.filter(meeting__case=case).exists()
    assert Case.objects.get(pk=case.pk).phase == "school"
    assert not Participant.objects.filter(case=case).exists()


@pytest.mark.parametrize("url", ["/casussen/{}/", "/api/v1/cases/{}/"])
def test_a_case_number_beyond_any_id_is_404_and_a_denied_read(lp, login, url):
    """Thirty digits: PostgreSQL finds no row; SQLite (the newcomer's database) raised
    OverflowError comparing it, a 500."""
    before = AuditLogEntry.objects.count()
    response = login(lp).get(url.format("9" * 30))
    assert response.status_code == 404
    rows = AuditLogEntry.objects.order_by("id")[before:]
    assert [r.action for r in rows] == [AuditAction.READ_DENIED]
