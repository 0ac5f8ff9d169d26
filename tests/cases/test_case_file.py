"""The case file as a PDF (``cases:case_file_pdf``, issue 17): for whoever may open the case,
404 for anyone else, only the restricted page's content in the restricted view, tagged
PDF/UA-1, one audit row per download and a query count that does not grow."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.selectors import cases_in_restricted_view
from cases.services import (
    absence_report_submit,
    action_add,
    case_journal_add,
    case_lead_change,
    goal_add,
    meeting_record,
    participant_add,
)
from thuiszitters.models import AuditAction, AuditLogEntry, AuditOutcome
from thuiszitters.roles import RoleCode

from ..factories.registration import enrolled_pupil, report_input
from ..pdfs import assert_tagged_pdf, pdf_read

pytestmark = pytest.mark.usefixtures("frozen_clock")

SECRET_NOTE = "Vertrouwelijke aantekening over thuis"


@pytest.fixture
def case(world, zc, lp):
    pupil = enrolled_pupil(world.school, given_names="Sam", surname="Dossiermaker")
    case = absence_report_submit(
        actor=zc, reporting_organisation=world.school, data=report_input(pupil), channel="form"
    ).case
    case_journal_add(case=case, actor=lp, text=SECRET_NOTE)
    goal_add(case=case, actor=lp, description="Terug naar school in deeltijd")
    participant = participant_add(case=case, actor=lp, role="parent", name="Ouder Dossiermaker")
    meeting_record(
        case=case,
        actor=lp,
        kind="mdo",
        held_on=timezone.localdate(),
        participants=[participant],
        decisions=["Aanmelden bij de zorgaanbieder"],
        confirmed_without_consent=True,
    )
    action_add(
        case=case,
        actor=lp,
        description="Gesprek met de ouders plannen",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        owner_user=lp,
        owner_organisation=world.bureau,
    )
    return case


def _url(case):
    return reverse("cases:case_file_pdf", args=[case.pk])


def _exports(case):
    return AuditLogEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="cases.case", object_id=str(case.pk)
    )


def test_the_lead_downloads_the_whole_case_file_as_a_tagged_pdf(case, lp, login, now):
    response = login(lp).get(_url(case))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="dossier-casus-{case.pk}.pdf"'
    reader, text = pdf_read(response.content)
    title = f"Dossier casus {case.pk} \u2013 Sam Dossiermaker"
    assert_tagged_pdf(reader, title=title)
    text = re.sub(r"\s+", " ", text)
    assert title in text
    printed = timezone.localtime(now).strftime("%d-%m-%Y")
    assert f"Afgedrukt op {printed}" in text and lp.full_name in text
    for heading in (
        "Leerling en casus",
        "Fase en route",
        "Casusregie en betrokkenen",
        "Meldingen in deze casus",
        "Plan van aanpak",
        "Acties",
        "Overleggen en besluiten",
        "Journaal",
    ):
        assert heading in text, heading
    for shown in (
        SECRET_NOTE,
        "Terug naar school in deeltijd",
        "Ouder Dossiermaker",
        "Aanmelden bij de zorgaanbieder",
        "Gesprek met de ouders plannen",
        case.pupil.date_of_birth.strftime("%d-%m-%Y"),
        case.school.name,
    ):
        assert shown in text, shown
    # The route comes from escalation's registered section: the next deadline on the route.
    assert "Volgende termijn" in text and "Stappen op de route" in text
    for number, page in enumerate(reader.pages, start=1):
        page_text = re.sub(r"\s+", " ", page.extract_text())
        assert f"pagina {number} van {len(reader.pages)}" in page_text
        assert "Vertrouwelijk \u2013 bevat persoonsgegevens van een minderjarige" in page_text


def test_the_case_page_links_to_the_pdf(case, lp, login):
    body = login(lp).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert f'href="{_url(case)}"' in body and "Dossier als pdf" in body


def test_every_download_is_one_export_entry_in_the_audit_log(case, lp, login):
    client = login(lp)
    assert not _exports(case).exists()
    client.get(_url(case))
    entry = _exports(case).get()
    assert entry.actor == lp and entry.outcome == AuditOutcome.SUCCESS
    assert entry.changes["export"] == "case_file_pdf" and entry.changes["view"] == "whole"
    assert entry.region_id == case.municipality.region_id
    client.get(_url(case))
    assert _exports(case).count() == 2


def test_an_outsider_gets_404_as_on_the_case_page_and_the_refusal_is_audited(
    world, case, user_with_role, login
):
    stranger = user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.far_school)
    client = login(stranger)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    response = client.get(_url(case))
    assert response.status_code == 404
    assert not _exports(case).exists()
    assert AuditLogEntry.objects.filter(
        action=AuditAction.READ_DENIED, actor=stranger, object_id=str(case.pk)
    ).exists()
    assert client.get(reverse("cases:case_file_pdf", args=[999999])).status_code == 404


@pytest.fixture
def restricted(world, zc, user_with_role):
    """A case the SWV leads without consent (a sickness report, shared with no one): its
    casusregisseur reads it in the restricted view (ADR 0014)."""
    pupil = enrolled_pupil(world.school, given_names="Noor", surname="Beperkt")
    case = absence_report_submit(
        actor=zc,
        reporting_organisation=world.school,
        data=report_input(pupil, kind="sickness"),
        channel="form",
    ).case
    case_journal_add(case=case, actor=zc, text=SECRET_NOTE)
    goal_add(case=case, actor=zc, description="Terug naar school in deeltijd")
    today = timezone.localdate()
    action_add(case=case, actor=zc, description="Taak van de school", due_on=today, owner_user=zc)
    action_add(
        case=case,
        actor=zc,
        description="Taak van het samenwerkingsverband",
        due_on=today,
        owner_organisation=world.swv,
    )
    case_lead_change(case=case, organisation=world.swv, actor=zc, reason="Week 4")
    reader = user_with_role(RoleCode.CASUSREGISSEUR, organisation=world.swv)
    assert cases_in_restricted_view(reader).filter(pk=case.pk).exists()
    return case, reader


def test_the_restricted_view_gives_only_what_the_restricted_page_shows(restricted, login):
    case, reader = restricted
    client = login(reader)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="restricted-view"' in page and f'href="{_url(case)}"' in page

    response = client.get(_url(case))
    assert response.status_code == 200
    reader_pdf, text = pdf_read(response.content)
    text = re.sub(r"\s+", " ", text)
    assert_tagged_pdf(reader_pdf, title=f"Dossier casus {case.pk}")
    assert "Noor Beperkt" in text and "Beperkte weergave" in text
    assert str(case.get_phase_display()) in text and "Volgende termijn" in text
    assert "Taak van het samenwerkingsverband" in text  # its own task, as on the page
    assert case.school.name in text  # the lead sees the school, as on the page
    for hidden in (
        SECRET_NOTE,
        "Journaal",
        "Terug naar school in deeltijd",
        "Taak van de school",
        "Stappen op de route",
        "Casusregie en betrokkenen",
        case.pupil.date_of_birth.strftime("%d-%m-%Y"),
    ):
        assert hidden not in text, hidden
    assert _exports(case).get().changes["view"] == "restricted"


def _grow(case, actor, world, n):
    today = timezone.localdate()
    for i in range(n):
        case_journal_add(case=case, actor=actor, text=f"Regel {i}")
        action_add(
            case=case,
            actor=actor,
            description=f"Taak {i}",
            due_on=today,
            owner_user=actor,
            owner_organisation=world.bureau,
        )
        participant = participant_add(case=case, actor=actor, role="parent", name=f"Ouder {i}")
        meeting_record(
            case=case,
            actor=actor,
            kind="mdo",
            held_on=today,
            participants=[participant],
            decisions=[f"Besluit {i}"],
            confirmed_without_consent=True,
        )
        goal_add(case=case, actor=actor, description=f"Doel {i}")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response


def test_the_query_count_does_not_grow_with_journal_rows_and_actions(world, case, lp, login):
    client = login(lp)
    small, _ = _count(client, _url(case))
    _grow(case, lp, world, 15)
    large, response = _count(client, _url(case))
    assert small == large, f"{small} queries before, {large} with 15 more of each kind"
    _, text = pdf_read(response.content)
    text = re.sub(r"\s+", " ", text)
    for shown in ("Regel 14", "Taak 14", "Besluit 14", "Doel 14", "Ouder 14"):
        assert shown in text, shown
