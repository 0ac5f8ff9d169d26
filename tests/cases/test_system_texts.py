"""System texts in the journal (cases/texts.py, issue 17): stored as a code with parameters
and the Dutch form as the message; shown in the reader's language on the case page, in the
API and in the access request's export; an older row shows its message."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import AftercareCheckIn, CaseEvent, CaseEventKind, CheckInOutcome, MeetingKind
from cases.services import (
    absence_report_submit,
    care_partner_invite,
    case_close,
    case_consent_record,
    check_in_record,
    meeting_record,
)
from cases.texts import CASE_OPENED, TEXTS, SystemText
from cases.workflow import ClosureReason, Phase
from registration.models import ConsentHow, ConsentParty, ConsentScope, ConsentStatus
from reports.services.subject_access import subject_access_export
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory, consent_give
from ..factories.registration import enrolled_pupil, report_input

pytestmark = pytest.mark.usefixtures("frozen_clock")

OPENED_NL = "Casus geopend na een melding van School A1."
OPENED_EN = "Case opened after a report by School A1."


def _report(actor, school, pupil, days=10):
    return absence_report_submit(
        actor=actor,
        reporting_organisation=school,
        data=report_input(
            pupil, absence_started_on=timezone.localdate() - datetime.timedelta(days=days)
        ),
        channel="form",
    )


def _event(case, kind) -> CaseEvent:
    return CaseEvent.objects.filter(case=case, kind=kind).latest("id")


def in_(language: str, event: CaseEvent) -> str:
    with translation.override(language):
        return event.text


def assert_system_text(event: CaseEvent, code: str, params: dict) -> None:
    """The row holds the code and its parameters; in Dutch it reads as its message, in
    English otherwise (every code these tests write has an English translation)."""
    assert event.data["text"] == {"code": code, "params": params}
    assert in_("nl", event) == event.message
    assert in_("en", event) != event.message


# --- the services store codes ------------------------------------------------------------


def test_the_intake_opens_a_case_with_a_code_and_the_dutch_message(world, zc):
    pupil = enrolled_pupil(world.school)
    # Written by someone reading English: the stored message is Dutch all the same.
    with translation.override("en"):
        case = _report(zc, world.school, pupil).case
    event = _event(case, CaseEventKind.OPENED)
    assert event.message == OPENED_NL
    assert event.data["channel"] == "form" and "report" in event.data
    assert_system_text(event, "cases.opened", {"org": "School A1"})
    assert in_("en", event) == OPENED_EN

    _report(zc, world.school, pupil, days=12)
    joined = _event(case, CaseEventKind.REPORT_JOINED)
    assert joined.message == "Melding van School A1 toegevoegd."
    assert_system_text(joined, "cases.report_joined", {"org": "School A1"})
    assert in_("en", joined) == "Report by School A1 added."


def test_a_signal_that_becomes_absence_stores_the_clocks_start_as_a_date(world, zc):
    pupil = enrolled_pupil(world.school)
    case = absence_report_submit(
        actor=zc,
        reporting_organisation=world.school,
        data=report_input(pupil, kind="at_risk"),
        channel="form",
    ).case
    started = timezone.localdate() - datetime.timedelta(days=3)
    absence_report_submit(
        actor=zc,
        reporting_organisation=world.school,
        data=report_input(pupil, absence_started_on=started),
        channel="form",
    )
    event = _event(case, CaseEventKind.CLOCK_STARTED)
    assert_system_text(event, "cases.clock_started", {"day": started.isoformat()})
    assert f"{started:%d-%m-%Y}" in in_("en", event) and "clock runs" in in_("en", event)


def test_a_new_report_after_closing_reopens_with_a_code(world, zc, lp):
    case = _report(zc, world.school, enrolled_pupil(world.school)).case
    case_close(case=case, reason=ClosureReason.OFFER_STARTED, actor=lp)
    _report(zc, world.school, case.pupil, days=2)
    event = _event(case, CaseEventKind.REOPENED)
    assert_system_text(event, "cases.reopened_by_report", {})
    assert in_("en", event) == "New report within 3 months after closing."
    # The audit log keeps the Dutch reason: append-only evidence, as it was written.
    assert AuditLogEntry.objects.filter(
        object_id=str(case.pk), reason="Nieuwe melding binnen 3 maanden na het sluiten."
    ).exists()


def test_a_pupil_missing_again_at_aftercare_reopens_with_a_code(world, zc, lp):
    case = _report(zc, world.school, enrolled_pupil(world.school)).case
    case_close(case=case, reason=ClosureReason.OFFER_STARTED, actor=lp)
    check_in = AftercareCheckIn.objects.filter(case=case).earliest("due_on")
    check_in_record(check_in=check_in, actor=lp, outcome=CheckInOutcome.MISSING_AGAIN)
    event = _event(case, CaseEventKind.REOPENED)
    assert_system_text(event, "cases.reopened_at_aftercare", {})
    assert in_("en", event) == "At aftercare the pupil turned out to be at home again."


def test_withdrawn_consent_revokes_care_access_with_a_code(world, lp, user_with_role):
    jeugdarts = user_with_role(RoleCode.CARE_PARTNER)
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    consent_give(case.pupil, ConsentScope.SHARE_WITH_CARE_PARTNERS, ConsentParty.PARENTS)
    care_partner_invite(case=case, user=jeugdarts, actor=lp)
    with translation.override("en"):
        case_consent_record(
            case=case,
            actor=lp,
            scope=ConsentScope.SHARE_WITH_CARE_PARTNERS,
            status=ConsentStatus.WITHDRAWN,
            party=ConsentParty.PARENTS,
            stated_on=timezone.localdate(),
            how=ConsentHow.PHONE,
        )
    event = _event(case, CaseEventKind.CARE_ACCESS_REVOKED)
    assert event.message == "Toestemming voor zorgpartners ingetrokken of ontbreekt."
    assert event.data["user"] == jeugdarts.pk
    assert_system_text(event, "cases.care_consent_withdrawn", {})
    assert in_("en", event) == "Consent for care partners withdrawn or missing."
    reasons = set(
        AuditLogEntry.objects.filter(object_type="cases.participant").values_list(
            "reason", flat=True
        )
    )
    assert "Toestemming voor zorgpartners ingetrokken of ontbreekt." in reasons


def test_a_meeting_without_consent_stores_its_kind_as_a_choice(world, lp):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    meeting_record(
        case=case,
        actor=lp,
        kind=MeetingKind.MDO,
        held_on=timezone.localdate(),
        confirmed_without_consent=True,
    )
    event = _event(case, CaseEventKind.MEETING_HELD)
    assert_system_text(event, "cases.meeting_held_without_consent", {"kind": "mdo"})
    assert in_("en", event).endswith("recorded without consent to discuss the pupil in a meeting")


# --- rendering -----------------------------------------------------------------------------


def test_a_row_without_a_code_shows_its_message_in_every_language(world):
    case = CaseFactory(school=world.school)
    old = CaseEvent.objects.create(case=case, kind=CaseEventKind.OPENED, message=OPENED_NL)
    assert in_("nl", old) == in_("en", old) == OPENED_NL


def test_a_code_this_version_no_longer_knows_shows_the_message(world):
    case = CaseFactory(school=world.school)
    gone = CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.NOTE,
        message="Oude systeemtekst",
        data={"text": {"code": "cases.gone", "params": {}}},
    )
    misfit = CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.OPENED,
        message=OPENED_NL,
        data={"text": {"code": "cases.opened", "params": {"organisation": "School A1"}}},
    )
    assert in_("en", gone) == "Oude systeemtekst"
    assert in_("en", misfit) == OPENED_NL


def test_a_code_takes_exactly_its_parameters():
    with pytest.raises(TypeError):
        CASE_OPENED()
    with pytest.raises(TypeError):
        CASE_OPENED(org="School A1", extra="x")
    text = CASE_OPENED(org="School A1")
    assert text == SystemText("cases.opened", {"org": "School A1"})
    assert text.dutch() == OPENED_NL


def test_every_code_is_namespaced_by_its_app():
    assert TEXTS and all(code.split(".")[0] in ("cases", "escalation") for code in TEXTS)


def test_the_case_page_shows_the_journal_in_the_readers_language(world, zc, login):
    case = _report(zc, world.school, enrolled_pupil(world.school)).case
    CaseEvent.objects.create(case=case, kind=CaseEventKind.NOTE, message="Oude aantekening")
    client = login(zc)
    page = reverse("cases:case_detail", args=[case.pk])
    content = client.get(page).content.decode()
    assert OPENED_NL in content and OPENED_EN not in content
    client.cookies["django_language"] = "en"
    content = client.get(page).content.decode()
    assert OPENED_EN in content and OPENED_NL not in content
    assert "Oude aantekening" in content  # an older row: its message, as stored


def test_the_api_gives_the_journal_in_the_requests_language(world, zc, client):
    case = _report(zc, world.school, enrolled_pupil(world.school)).case
    client.force_login(zc)
    url = f"/api/v1/cases/{case.pk}/"
    journal = client.get(url).json()["journal"]
    assert OPENED_NL in [e["message"] for e in journal]
    journal = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["journal"]
    assert OPENED_EN in [e["message"] for e in journal]


def test_the_access_request_export_renders_system_texts(world, zc, user_with_role):
    case = _report(zc, world.school, enrolled_pupil(world.school)).case
    officer = user_with_role(RoleCode.PRIVACY_OFFICER)
    with translation.override("en"):
        export = subject_access_export(pupil=case.pupil, actor=officer, reason="AVG-1")
    (exported,) = json.loads(export.json_bytes())["cases"]
    assert OPENED_EN in [e["message"] for e in exported["journal"]]
