"""Every read of personal data writes one audit row; every refused one a ``read_denied``.

Walks the personal-data URLs of the deny matrix (``test_deny_matrix.MATRIX``): as a user
who may see the object (one ``read`` row per response, naming the object or the ids of a
list) and, for details, as a user of region A asking for region B's object (one
``read_denied`` row). A URL of the matrix must be classified here, so a new personal-data
page cannot go unaudited.
"""

import pytest
from django.urls import reverse

from cases.services import absence_report_submit
from thuiszitters.models import AuditAction, AuditLogEntry, AuditOutcome
from thuiszitters.roles import RoleCode

from ..factories.registration import enrolled_pupil, report_input
from .test_deny_matrix import MATRIX, _url

# name -> (what the args are built from, the object type of the audit row)
READS = {
    "registration:pupil_list": (None, "registration.pupil"),
    "registration:report_list": (None, "registration.absencereport"),
    "registration:pupil_detail": ("pupil", "registration.pupil"),
    "cases:case_detail": ("case", "cases.case"),
    "cases:journal": ("case", "cases.case"),
    "cases:pupil_case_partial": ("pupil", "registration.pupil"),
    "caselists:case_list": (None, "cases.case"),
    "caselists:my_work": (None, "cases.case"),
    "escalation:case_deadline": ("case", "cases.case"),
    "escalation:case_route": ("case", "cases.case"),
    "pupil-list": (None, "registration.pupil"),
    "pupil-detail": ("pupil", "registration.pupil"),
    "case-list": (None, "cases.case"),
    "case-detail": ("case", "cases.case"),
    "absencereport-list": (None, "registration.absencereport"),
    "absencereport-detail": ("report", "registration.absencereport"),
}
# Personal-data URLs audited and tested elsewhere, or that show none.
ELSEWHERE = {
    "escalation:agenda": "audit_list of the agenda's cases (only doorbraakteam cases)",
    "deadlines:deadline_list": "tests/escalation/test_deadline_list.py (audit_list of the rows)",
    "reportlists:list": "tests/reports/test_lists.py (list_read_record)",
    "reportlists:export": "tests/reports/test_lists.py (export audited)",
    "reportlists:snapshot": "tests/reports/test_lists.py (snapshot_read_record)",
    "reportlists:snapshot_export": "tests/reports/test_lists.py (export audited)",
    "reportlists:snapshots": "dates and counts of frozen lists, no pupil",
    "reportlists:reconcile": "the upload form; the comparison is a POST, audited",
    "subject_access:search": "tests/reports/test_subject_access.py",
    "cases:intake": "the form; a chosen pupil (?leerling=) is an audited read",
    "inbox:inbox": "tests/escalation/test_inbox_groups.py (audit_list of the cases named)",
    "cases:case_form": "tests/cases/test_case_page.py (a closed form of the case page)",
    "cases:case_file_pdf": "tests/cases/test_case_file.py (one export row per download)",
    "caselists:signal_list": "tests/cases/test_signals.py (audit_list of the signals shown)",
    "subject_access:correct": "the privacy officer's correction (subject access)",
}
PERSONAL_DATA_GET = set(READS) | set(ELSEWHERE)
# No personal data of pupils or parents: organisations, staff, settings, aggregates, counts.
NOT_PERSONAL = {
    "auditlogentry-detail",
    "caselists:work_summary",
    "cases_csv:template",
    "cases_csv:upload",
    "convenant:holiday_add",
    "convenant:holiday_delete",
    "convenant:holiday_edit",
    "convenant:holiday_import",
    "convenant:holidays",
    "convenant:swv",
    "membership-detail",
    "organisation-detail",
    "organisation-list",
    "organisation_detail",
    "organisation_list",
    "quarterly:download",
    "quarterly:list",
    "quarterlyreport-detail",
    "quarterlyreport-download",
    "quarterlyreport-list",
    "report-figures",
    "report-list",
    "reports:dashboard",
    "reports:dashboard_export",
    "reports:key_figures",
    "school-detail",
    "school-list",
    "second_factor_reset",
    "user-detail",
}


def _is_candidate(kind):
    """A GET that may show personal data: a page for roles that see it, a list, a detail."""
    from tests.registration.deny_matrix import PERSONAL_DATA_ROLES

    if isinstance(kind, set | frozenset):
        return bool(kind & PERSONAL_DATA_ROLES)
    return kind in ("foreign_detail", "list")


def test_every_personal_data_url_of_the_matrix_is_classified():
    for name, (_build, kind) in MATRIX.items():
        if _is_candidate(kind):
            assert name in PERSONAL_DATA_GET | NOT_PERSONAL, f"classify {name} here"
    assert set(READS) <= set(MATRIX)


@pytest.fixture
def own(world, user_with_role):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    pupil = enrolled_pupil(world.school, bsn=None)
    result = absence_report_submit(
        actor=zc,
        reporting_organisation=world.school,
        data=report_input(pupil, hours_missed_last_4_weeks=12),
        channel="form",
    )
    return {"user": zc, "pupil": pupil, "report": result.report, "case": result.case}


def _reads():
    return AuditLogEntry.objects.filter(action=AuditAction.READ)


@pytest.mark.parametrize("name", sorted(READS))
def test_a_personal_data_read_writes_exactly_one_audit_row(own, login, name):
    source, object_type = READS[name]
    client = login(own["user"])
    url = reverse(name, args=[own[source].pk] if source else None)
    before = set(_reads().values_list("pk", flat=True))
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    rows = list(_reads().exclude(pk__in=before))
    assert len(rows) == 1, f"{name}: {len(rows)} audit rows"
    row = rows[0]
    assert row.object_type == object_type and row.actor == own["user"]
    if source:
        assert row.object_id == str(own[source].pk)
    else:
        assert (
            str(own["pupil"].pk if "pupil" in object_type else own["case"].pk)
            in str(row.changes["ids"])
            or str(own["report"].pk) in row.changes["ids"]
        )


@pytest.mark.parametrize("name", sorted(n for n, (source, _t) in READS.items() if source))
def test_a_refused_read_writes_one_read_denied_row(world, foreign, own, login, name):
    client = login(own["user"])
    before = AuditLogEntry.objects.count()
    response = client.get(_url(name, foreign))
    assert response.status_code in (403, 404)
    rows = list(AuditLogEntry.objects.order_by("id")[before:])
    assert [(r.action, r.outcome) for r in rows] == [
        (AuditAction.READ_DENIED, AuditOutcome.DENIED)
    ], name
    assert rows[0].object_type == READS[name][1] and rows[0].actor == own["user"]


def test_a_read_of_a_pupil_of_another_region_is_visible_to_both_regions(world, user_with_role):
    """A pupil living in region B, at a school of region A: region B's administrators see who
    of region A read their pupil, region A's see it too."""
    from thuiszitters.audit import audit_read
    from thuiszitters.selectors import audit_entries_visible_to

    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    pupil = enrolled_pupil(world.school, bsn=None, municipality=world.m_b)
    audit_read(actor=zc, obj=pupil)
    rows = AuditLogEntry.objects.filter(object_type="registration.pupil", object_id=str(pupil.pk))
    assert sorted(rows.values_list("region_id", flat=True)) == sorted(
        [world.region.pk, world.region_b.pk]
    )
    admin_a = user_with_role(RoleCode.FUNCTIONAL_ADMIN)
    admin_b = user_with_role(RoleCode.FUNCTIONAL_ADMIN, organisation=world.region_b)
    for admin in (admin_a, admin_b):
        visible = audit_entries_visible_to(admin).filter(object_type="registration.pupil")
        assert visible.filter(object_id=str(pupil.pk)).count() == 1


def test_the_intake_search_and_a_chosen_pupil_are_audited_reads(own, login):
    client = login(own["user"])
    url = reverse("cases:intake")
    pupil = own["pupil"]
    before = set(_reads().values_list("pk", flat=True))
    assert client.get(url, {"q": pupil.surname}).status_code == 200
    found = list(_reads().exclude(pk__in=before))
    assert len(found) == 1 and str(pupil.pk) in found[0].changes["ids"]
    assert pupil.surname not in str(found[0].changes)
    before = set(_reads().values_list("pk", flat=True))
    assert client.get(url, {"leerling": pupil.pk}).status_code == 200
    chosen = list(_reads().exclude(pk__in=before))
    assert [(r.object_type, r.object_id) for r in chosen] == [("registration.pupil", str(pupil.pk))]
