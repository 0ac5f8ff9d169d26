"""The quarterly OOGO report: request, render in the task, frozen figures, list and download.

The day is fixed (16 November 2026) so that the factories' cases fall in known quarters:
a case in phase ``doorbraakteam`` started 13 weeks ago (17 August), so it is a narrow
thuiszitter at the end of Q3 as well as now; one in ``casusregisseur`` started on 12 October.
The Celery task runs in-process (``task_always_eager``) when the commit hook fires.
"""

import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from cases.workflow import Phase
from registration.bsn import bsn_is_valid
from registration.models import Pupil
from reports.models import FiguresSnapshot, QuarterlyReport, QuarterlyReportStatus
from reports.periods import Quarter
from reports.scopes import report_scopes_for
from reports.selectors import Period, figures
from reports.services import (
    figures_freeze,
    figures_freeze_ended_quarter,
    quarterly_report_request,
    quarterly_reports_watchdog,
    scope_of_organisation,
)
from reports.suppression import suppressed
from reports.tasks import freeze_quarter, render_quarterly
from thuiszitters import queue
from thuiszitters.celery import app
from thuiszitters.models import AuditAction, AuditLogEntry, Organisation, OrganisationKind
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.registration import enrolled_pupil
from ..pdfs import assert_tagged_pdf

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 16)
Q4 = Quarter(2026, 4)
Q3 = Quarter(2026, 3)
LIST = reverse("quarterly:list")
REQUEST = reverse("quarterly:request")


@pytest.fixture(autouse=True)
def _today():
    moment = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture(autouse=True)
def _eager_celery():
    """``.delay`` runs the task in this process (and raises what it raises)."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def _bsns(count: int) -> list[str]:
    numbers = (str(n) for n in range(712_345_000, 712_399_999) if bsn_is_valid(str(n)))
    return [next(numbers) for _ in range(count)]


def _pupil(school, i: int, bsn: str) -> Pupil:
    return enrolled_pupil(
        school,
        given_names=f"Geheimvoornaam{chr(65 + i)}",
        surname=f"Verborgenachternaam{chr(65 + i)}",
        bsn=bsn,
        date_of_birth=datetime.date(2015, 3, 1 + i),
    )


@pytest.fixture
def cases(world):
    """Six narrow thuiszitters (unauthorised, 13 weeks) and two broad-only ones (sickness,
    5 weeks) at the SWV PO of region A."""
    bsns = _bsns(8)
    made = [
        CaseFactory(
            phase=Phase.DOORBRAAKTEAM, school=world.school, pupil=_pupil(world.school, i, bsns[i])
        )
        for i in range(6)
    ]
    made += [
        CaseFactory(
            phase=Phase.CASUSREGISSEUR,
            school=world.school,
            pupil=_pupil(world.school, i, bsns[i]),
            report__kind="sickness",
        )
        for i in range(6, 8)
    ]
    return made


@pytest.fixture
def director(user_with_role):
    return user_with_role(RoleCode.SWV_DIRECTOR)


def _scope(user, organisation):
    return next(s for s in report_scopes_for(user) if s.organisation_id == organisation.pk)


def _request_and_render(user, scope, quarter, capture) -> QuarterlyReport:
    with capture(execute=True) as callbacks:
        report = quarterly_report_request(actor=user, scope=scope, quarter=quarter)
    assert len(callbacks) == 1
    report.refresh_from_db()
    return report


def _text(report: QuarterlyReport) -> tuple[PdfReader, str]:
    with report.pdf.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _summary_line(text: str) -> list[str]:
    """narrow, change, broad, change of the summary's first row."""
    match = re.search(r"Thuiszitters op de\s+peildatum\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", text)
    assert match, text[:2000]
    return list(match.groups())


def _personal_data(case_list) -> list[str]:
    found = []
    for case in case_list:
        pupil = case.pupil
        found += [pupil.given_names, pupil.surname, pupil.bsn]
        found += [f"{pupil.date_of_birth:%d-%m-%Y}", pupil.date_of_birth.isoformat()]
    return found


# --- Request and render -------------------------------------------------------------------


def test_a_requested_report_is_rendered_by_the_task_with_the_figures_and_nothing_personal(
    world, cases, director, django_capture_on_commit_callbacks
):
    scope = _scope(director, world.swv)
    report = _request_and_render(director, scope, Q4, django_capture_on_commit_callbacks)

    assert report.status == QuarterlyReportStatus.DONE
    assert report.from_snapshot is False
    # The storage adds a suffix when an earlier test left a file of the same name.
    assert re.search(rf"/oogo-swv-po-a-2026-Q4-{report.pk}(_\w+)?\.pdf$", report.pdf.name)
    assert report.size_bytes == report.pdf.size > 1000
    assert report.started_at <= report.finished_at
    reader, text = _text(report)
    assert report.pages == len(reader.pages) >= 5
    # Tagged for screen readers (PDF/UA-1): marked content, a structure tree, the language
    # and a title shown in the window.
    assert_tagged_pdf(reader, title="Kwartaalrapportage thuiszitters voor het OOGO")

    # A4 portrait (595 x 842 points) and "pagina X van Y" on every page.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    for number, page in enumerate(reader.pages, start=1):
        assert f"pagina {number} van {report.pages}" in page.extract_text()

    assert "Kwartaalrapportage thuiszitters voor het OOGO" in text
    assert "SWV PO A" in text and "Q4 2026" in text
    # Six narrow and eight broad thuiszitters now; none of them was there at the end of Q3
    # except the six (started 17 August), so the change is +0 narrow and +2 broad.
    narrow, narrow_change, broad, broad_change = _summary_line(text)
    assert (narrow, broad) == ("6", "8")
    assert (narrow_change, broad_change) == ("0", "+2")
    # The two sickness cases are a small number: shown as <5, never as 2.
    assert "<5" in text
    assert "Ziekte <5" in text
    assert "<5: een aantal van 1 tot en met 4." in text
    # The legend at the foot of every page.
    for page in reader.pages:
        assert "x: verborgen om een ander aantal te beschermen" in page.extract_text()
    assert "Berekend op 16 november 2026" in text
    for secret in _personal_data(cases):
        assert secret not in text, secret


def test_the_request_is_audited_and_the_task_is_sent_only_after_the_commit(
    world, director, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(render_quarterly, "apply_async", lambda kwargs, **kw: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = quarterly_report_request(
            actor=director, scope=_scope(director, world.swv), quarter=Q4
        )
    assert sent == []  # nothing before the commit
    assert report.status == QuarterlyReportStatus.QUEUED
    entry = AuditLogEntry.objects.get(object_type="reports.quarterlyreport")
    assert (entry.action, entry.object_id, entry.actor) == (
        AuditAction.CREATE,
        str(report.pk),
        director,
    )
    assert entry.organisation_id == world.swv.pk
    for callback in callbacks:
        callback()
    assert sent == [{"report_id": report.pk}]


def test_only_a_scope_of_the_actor_and_a_started_quarter(world, director):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        quarterly_report_request(
            actor=director, scope=scope_of_organisation(world.far_swv), quarter=Q4
        )
    with pytest.raises(ValidationError):
        quarterly_report_request(
            actor=director, scope=_scope(director, world.swv), quarter=Q4.next()
        )
    assert not QuarterlyReport.objects.exists()


def test_the_task_is_safe_to_run_twice(world, cases, director, django_capture_on_commit_callbacks):
    report = _request_and_render(
        director, _scope(director, world.swv), Q4, django_capture_on_commit_callbacks
    )
    name, finished = report.pdf.name, report.finished_at
    assert render_quarterly(report.pk) == "skipped"
    assert render_quarterly(report.pk + 1000) == "skipped"  # gone: nothing to do
    report.refresh_from_db()
    assert (report.pdf.name, report.finished_at) == (name, finished)


def test_a_render_that_died_long_ago_is_taken_over_a_running_one_is_not(
    world, director, monkeypatch
):
    from django.utils import timezone

    monkeypatch.setattr(render_quarterly, "apply_async", lambda *a, **kw: None)
    report = quarterly_report_request(actor=director, scope=_scope(director, world.swv), quarter=Q4)
    started = timezone.now() - datetime.timedelta(minutes=5)
    QuarterlyReport.objects.filter(pk=report.pk).update(
        status=QuarterlyReportStatus.RENDERING, started_at=started
    )
    assert render_quarterly(report.pk) == "skipped"
    QuarterlyReport.objects.filter(pk=report.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert render_quarterly(report.pk) == QuarterlyReportStatus.DONE


def test_a_failure_marks_the_report_failed_without_a_file(
    world, director, django_capture_on_commit_callbacks, monkeypatch
):
    from reports import pdf

    def broken(html):
        raise RuntimeError("Geheimvoornaam kapot")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    report = _request_and_render(
        director, _scope(director, world.swv), Q4, django_capture_on_commit_callbacks
    )
    assert report.status == QuarterlyReportStatus.FAILED
    assert "RuntimeError" in report.error
    assert "Geheimvoornaam" not in report.error  # the message is not copied
    assert not report.pdf
    assert report.finished_at is not None
    assert render_quarterly(report.pk) == "skipped"  # a failed report is not tried again


def _queued(world, director, monkeypatch, sent=None):
    monkeypatch.setattr(
        render_quarterly,
        "apply_async",
        lambda kwargs, **kw: sent.append(kwargs["report_id"]) if sent is not None else None,
    )
    return quarterly_report_request(actor=director, scope=_scope(director, world.swv), quarter=Q4)


def test_the_watchdog_sends_a_queued_report_again_once_its_message_is_overdue(
    world, director, monkeypatch, django_capture_on_commit_callbacks
):
    """The broker was down when the report was requested: the message never left."""
    from django.utils import timezone

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(render_quarterly, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        report = quarterly_report_request(
            actor=director, scope=_scope(director, world.swv), quarter=Q4
        )  # no error for the user: the row is the outbox entry
    sent: list[int] = []
    monkeypatch.setattr(render_quarterly, "apply_async", lambda kwargs, **kw: sent.append(kwargs))
    # The broker is back; beat's watchdog runs in the worker, a process that did not see the
    # outage (this one pauses publishing for a few seconds after it).
    monkeypatch.setattr(queue, "_paused_until", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        assert quarterly_reports_watchdog() == 0  # within the grace: maybe still on its way
    later = timezone.now() + datetime.timedelta(seconds=121)
    with django_capture_on_commit_callbacks(execute=True):
        assert quarterly_reports_watchdog(now=later) == 1
    assert sent == [{"report_id": report.pk}]
    with django_capture_on_commit_callbacks(execute=True):
        assert quarterly_reports_watchdog(now=later) == 0  # sent: not again within the grace


def test_the_watchdog_requeues_a_render_whose_worker_died_then_gives_up(
    world, cases, director, monkeypatch, django_capture_on_commit_callbacks, settings
):
    from django.utils import timezone

    settings.REPORT_RENDER_MAX_ATTEMPTS = 2
    sent: list[int] = []
    report = _queued(world, director, monkeypatch, sent)
    lease = datetime.timedelta(seconds=settings.REPORT_RENDER_LEASE_SECONDS + 1)
    for attempt in (1, 2):
        # A worker takes it and dies mid-render: the row says rendering, nothing finishes.
        QuarterlyReport.objects.filter(pk=report.pk).update(
            status=QuarterlyReportStatus.RENDERING,
            started_at=timezone.now() - lease,
            attempts=attempt,
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert quarterly_reports_watchdog() == 1
        report.refresh_from_db()
        if attempt == 1:
            assert (report.status, sent) == (QuarterlyReportStatus.QUEUED, [report.pk])
    assert report.status == QuarterlyReportStatus.FAILED
    assert "2 keer afgebroken" in report.error
    assert sent == [report.pk]  # given up: not sent again


def test_a_failed_report_can_be_made_again_from_the_list(
    world, cases, director, login, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import pdf

    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: (_ for _ in ()).throw(OSError("disk")))
    client = login(director)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, scope_of_organisation(world.swv).key)
    report = QuarterlyReport.objects.get()
    assert report.status == QuarterlyReportStatus.FAILED
    page = client.get(LIST)
    assert reverse("quarterly:retry", args=[report.pk]) in page.content.decode()

    monkeypatch.setattr(pdf, "html_to_pdf", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quarterly:retry", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.error, report.attempts) == (QuarterlyReportStatus.DONE, "", 1)
    assert AuditLogEntry.objects.filter(
        object_type="reports.quarterlyreport", reason="quarterly report retried"
    ).exists()
    # Done now: no second retry, and no one else's report.
    assert client.post(reverse("quarterly:retry", args=[report.pk])).status_code == 404


def test_a_report_of_another_scope_cannot_be_retried(world, director, user_with_role, login):
    other = user_with_role(RoleCode.SWV_DIRECTOR, world.far_swv)
    report = QuarterlyReport.objects.create(
        scope_kind="swv",
        organisation=world.far_swv,
        year=2026,
        quarter=4,
        requested_by=other,
        status=QuarterlyReportStatus.FAILED,
    )
    client = login(director)
    assert client.post(reverse("quarterly:retry", args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert report.status == QuarterlyReportStatus.FAILED


# --- Frozen figures -----------------------------------------------------------------------


def test_a_past_quarter_with_a_snapshot_shows_the_frozen_figures(
    world, cases, director, django_capture_on_commit_callbacks
):
    scope = _scope(director, world.swv)
    snapshot, created = figures_freeze(scope=scope, quarter=Q3)
    assert created and snapshot.figures["totals"]["narrow"] == 6
    # Later: three more narrow thuiszitters that were already at home at the end of Q3.
    for _ in range(3):
        CaseFactory(phase=Phase.ARBITRATION, school=world.school)
    assert figures(scope, Period.of_quarter(Q3))["totals"]["narrow"] == 9

    report = _request_and_render(director, scope, Q3, django_capture_on_commit_callbacks)
    assert report.status == QuarterlyReportStatus.DONE
    assert report.from_snapshot is True
    _reader, text = _text(report)
    assert _summary_line(text)[0] == "6"
    assert "Bevroren kwartaalcijfers" in text
    assert "30 september 2026" in text  # the standing counts are of the quarter's last day


def test_the_trend_shows_a_frozen_quarter_as_it_was_frozen(world, cases, director):
    scope = _scope(director, world.swv)
    figures_freeze(scope=scope, quarter=Q3)
    for _ in range(3):
        CaseFactory(phase=Phase.ARBITRATION, school=world.school)
    by_quarter = {t["quarter"]: t for t in figures(scope, Period.of_quarter(Q4))["trend"]}
    # Q3 as its own report showed it; Q4, not frozen, as the cases are now.
    assert by_quarter[str(Q3)]["narrow"] == 6
    assert (
        by_quarter[str(Q4)]["narrow"] == figures(scope, Period.of_quarter(Q4))["totals"]["narrow"]
    )


def test_a_past_quarter_without_a_snapshot_is_computed_and_says_so(
    world, cases, director, django_capture_on_commit_callbacks
):
    report = _request_and_render(
        director, _scope(director, world.swv), Q3, django_capture_on_commit_callbacks
    )
    assert report.from_snapshot is False
    _reader, text = _text(report)
    assert "niet bevroren" in text


def test_freezing_is_idempotent_and_only_for_an_ended_quarter(world, cases):
    scope = scope_of_organisation(world.swv)
    first, created = figures_freeze(scope=scope, quarter=Q3)
    CaseFactory(phase=Phase.ARBITRATION, school=world.school)
    again, created_again = figures_freeze(scope=scope, quarter=Q3)
    assert created and not created_again
    assert again.pk == first.pk and again.figures == first.figures
    with pytest.raises(ValueError):
        figures_freeze(scope=scope, quarter=Q4)


def test_the_beat_task_freezes_the_previous_quarter_of_every_swv_municipality_and_region(
    world, cases
):
    kinds = [OrganisationKind.SWV, OrganisationKind.MUNICIPALITY, OrganisationKind.REGION]
    expected = Organisation.objects.filter(kind__in=kinds).count()
    assert freeze_quarter() == expected
    assert freeze_quarter() == 0
    assert figures_freeze_ended_quarter(today=TODAY) == 0
    frozen = FiguresSnapshot.objects.filter(year=2026, quarter=3)
    assert frozen.count() == expected
    swv = frozen.get(organisation=world.swv)
    assert swv.scope_kind == "swv" and swv.figures["totals"]["narrow"] == 6
    assert frozen.get(organisation=world.m1).scope_kind == "municipality"
    assert frozen.get(organisation=world.region).figures["totals"]["narrow"] == 6
    # The first day of the next quarter freezes Q4.
    assert figures_freeze_ended_quarter(today=datetime.date(2027, 1, 1)) == expected


# --- Pages ---------------------------------------------------------------------------------


def _post(client, scope_key, quarter="2026-Q4"):
    return client.post(REQUEST, {"scope": scope_key, "quarter": quarter})


def test_the_request_page_queues_a_report_and_the_list_offers_its_download(
    world, cases, director, login, django_capture_on_commit_callbacks
):
    client = login(director)
    page = client.get(LIST)
    assert page.status_code == 200
    assert [c[0] for c in page.context["form"].fields["quarter"].choices][:2] == [
        "2026-Q4",
        "2026-Q3",
    ]
    assert len(page.context["form"].fields["quarter"].choices) == 8
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, f"swv-{world.swv.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?scope=swv-{world.swv.pk}"
    report = QuarterlyReport.objects.get()
    assert report.status == QuarterlyReportStatus.DONE
    page = client.get(response["Location"])
    assert "wordt gemaakt" in page.content.decode()
    assert reverse("quarterly:download", args=[report.pk]).encode() in page.content
    assert b'hx-trigger="every' not in page.content  # nothing pending: no polling


def test_the_list_polls_while_a_report_is_pending(world, director, login, monkeypatch):
    monkeypatch.setattr(render_quarterly, "apply_async", lambda *a, **kw: None)
    client = login(director)
    _post(client, f"swv-{world.swv.pk}")
    page = client.get(LIST)
    assert b'hx-trigger="every 3s"' in page.content
    partial = client.get(LIST, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content
    assert b'data-status="queued"' in partial.content
    assert b'hx-trigger="every 3s"' in partial.content


def test_the_request_page_refuses_a_scope_the_user_does_not_have(world, director, login):
    client = login(director)
    assert _post(client, f"swv-{world.far_swv.pk}").status_code == 404
    assert _post(client, f"swv-{world.swv_vo.pk}").status_code == 404  # same region
    assert _post(client, f"municipality-{world.m1.pk}").status_code == 404
    assert not QuarterlyReport.objects.exists()


def test_the_request_page_refuses_a_quarter_outside_the_list(world, director, login):
    client = login(director)
    response = _post(client, f"swv-{world.swv.pk}", quarter="2027-Q1")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "Kies een kwartaal" in follow.content.decode()
    assert not QuarterlyReport.objects.exists()


def test_roles_without_aggregates_get_404(world, user_with_role, login):
    client = login(user_with_role(RoleCode.ZORGCOORDINATOR))
    assert client.get(LIST).status_code == 404
    assert client.post(REQUEST, {"scope": f"swv-{world.swv.pk}"}).status_code == 404


def test_a_foreign_scope_in_the_query_string_is_404(world, director, login):
    assert login(director).get(f"{LIST}?scope=swv-{world.far_swv.pk}").status_code == 404


def test_the_download_is_for_users_of_the_scope_only_and_audited(
    world, cases, director, user_with_role, login, django_capture_on_commit_callbacks
):
    report = _request_and_render(
        director, _scope(director, world.swv), Q4, django_capture_on_commit_callbacks
    )
    url = reverse("quarterly:download", args=[report.pk])

    vo_director = user_with_role(RoleCode.SWV_DIRECTOR, world.swv_vo)
    far_director = user_with_role(RoleCode.SWV_DIRECTOR, world.far_swv)
    policy_b = user_with_role(RoleCode.POLICY, world.m_b)
    for outsider in (vo_director, far_director, policy_b):
        assert login(outsider).get(url).status_code == 404
    assert not AuditLogEntry.objects.filter(action=AuditAction.EXPORT).exists()

    consultant = user_with_role(RoleCode.SWV_CONSULTANT)  # a colleague: same scope
    response = login(consultant).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    assert report.pdf.name.rsplit("/", 1)[-1] in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    entry = AuditLogEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.actor, entry.object_id, entry.organisation_id) == (
        consultant,
        str(report.pk),
        world.swv.pk,
    )


def test_a_report_that_is_not_done_cannot_be_downloaded(world, director, login, monkeypatch):
    monkeypatch.setattr(render_quarterly, "apply_async", lambda *a, **kw: None)
    report = quarterly_report_request(actor=director, scope=_scope(director, world.swv), quarter=Q4)
    url = reverse("quarterly:download", args=[report.pk])
    assert login(director).get(url).status_code == 404


def test_the_list_shows_only_the_users_scopes_with_a_fixed_number_of_queries(
    world, director, user_with_role, login, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(render_quarterly, "apply_async", lambda *a, **kw: None)
    far_director = user_with_role(RoleCode.SWV_DIRECTOR, world.far_swv)
    foreign = quarterly_report_request(
        actor=far_director, scope=_scope(far_director, world.far_swv), quarter=Q4
    )
    client = login(director)

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LIST, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert f'data-report="{foreign.pk}"'.encode() not in response.content
        return len(ctx.captured_queries)

    quarterly_report_request(actor=director, scope=_scope(director, world.swv), quarter=Q4)
    one = count_queries()
    for _ in range(24):
        quarterly_report_request(actor=director, scope=_scope(director, world.swv), quarter=Q3)
    assert count_queries() == one
    with django_assert_max_num_queries(one):
        client.get(LIST, headers={"HX-Request": "true"})


# --- The demo region ------------------------------------------------------------------------


def test_the_demo_regions_pdf_renders_with_its_figures_and_no_personal_data(
    django_capture_on_commit_callbacks,
):
    """Acceptance: the PDF of the demo region renders in CI; its text has the expected
    figures and no pupil names or BSNs."""
    from thuiszitters.demo import demo_region_seed
    from thuiszitters.models import User

    demo_region_seed()
    director = User.objects.get(email="directeur.po@demo.test")
    scope = report_scopes_for(director)[0]
    assert scope.kind == "swv"
    report = _request_and_render(director, scope, Q4, django_capture_on_commit_callbacks)
    assert report.status == QuarterlyReportStatus.DONE, report.error
    reader, text = _text(report)
    assert report.pages == len(reader.pages)

    expected = suppressed(figures(scope, Period.of_quarter(Q4)))
    narrow, _change, broad, _change2 = _summary_line(text)
    assert (narrow, broad) == (str(expected["totals"]["narrow"]), str(expected["totals"]["broad"]))
    assert scope.name in text
    for target in expected["targets"]:
        assert target["label"] in text.replace("\n", " ")

    pupils = Pupil.objects.filter(cases__swv_id=scope.organisation_id).distinct()
    assert pupils.exists()
    words = set(re.findall(r"\w+", text))
    for pupil in pupils:
        assert pupil.full_name not in text
        assert pupil.surname not in words or pupil.surname in scope.name, pupil.surname
        if pupil.bsn:
            assert pupil.bsn not in text


# --- The PDF renderer loads nothing from outside --------------------------------------------


def test_the_url_fetcher_refuses_the_network_and_files_outside_the_report_templates():
    from reports.pdf import TEMPLATE_DIR, RefusedURL, url_fetcher

    fetcher = url_fetcher()
    for url in (
        "http://example.invalid/logo.png",
        "https://example.invalid/font.woff2",
        "ftp://example.invalid/x",
        "file:///etc/passwd",
        f"{TEMPLATE_DIR.as_uri()}/../../../thuiszitters/settings/base.py",
    ):
        with pytest.raises((RefusedURL, ValueError)):
            fetcher.fetch(url)
    response = fetcher.fetch("data:text/plain,hallo")
    assert response.read() == b"hallo"
    response.close()
    css = fetcher.fetch((TEMPLATE_DIR / "report.css").as_uri())
    assert b"DejaVu Sans" in css.read()
    css.close()


def test_a_remote_image_in_the_html_is_not_fetched(monkeypatch):
    import urllib.request

    from reports.pdf import html_to_pdf

    opened = []
    real_open = urllib.request.OpenerDirector.open

    def spy(self, url, *args, **kwargs):
        opened.append(getattr(url, "full_url", url))
        return real_open(self, url, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    rendered = html_to_pdf(
        '<p>Tekst</p><img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname">'
    )
    assert rendered.pages == 1 and rendered.content.startswith(b"%PDF")
    assert opened == []


def test_css_strings_are_escaped():
    from reports.pdf import css_string

    assert css_string('SWV "De Brug" </style>') == '"SWV \\22 De Brug\\22  \\3c /style\\3e "'
