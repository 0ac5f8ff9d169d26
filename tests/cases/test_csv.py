"""The CSV intake: template, preview, commit, rejected rows, re-upload, tampering, formats."""

import csv
import datetime
import io
import itertools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.csv_import import COLUMN_NAMES, MAX_ROWS, csv_rows
from cases.models import Case
from registration.bsn import bsn_is_valid
from registration.models import AbsenceReport
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories import registration as factories
from ..factories.registration import PupilFactory

pytestmark = pytest.mark.usefixtures("frozen_clock")

_numbers = itertools.count(1)


def enrolled_pupil(school, **kwargs):
    # The factory's BSN sequence can repeat a number; draw unique valid ones here.
    while "bsn" not in kwargs:
        candidate = str(300000000 + next(_numbers))
        if bsn_is_valid(candidate):
            kwargs["bsn"] = candidate
    return factories.enrolled_pupil(school, **kwargs)


def days_ago(n: int, fmt: str = "%Y-%m-%d") -> str:
    today = timezone.localdate()
    return (today - datetime.timedelta(days=n)).strftime(fmt)


def row(pupil=None, **values) -> dict:
    base = {
        "bsn": pupil.bsn if pupil else "",
        # A BSN counts only with the pupil's surname and date of birth.
        "achternaam": pupil.surname if pupil else "",
        "geboortedatum": pupil.date_of_birth.isoformat() if pupil else "",
        "soort": "unauthorised",
        "eerste_verzuimdag": days_ago(20),
        "uren_laatste_4_weken": "12,5",
        "percentage_onderwijstijd": "60",
        "ouders_geinformeerd_op": days_ago(2, "%d-%m-%Y"),
        "ouders_geinformeerd_via": "telefonisch",
        "toelichting": "Komt niet meer",
    }
    base.update(values)
    return base


def make_csv(rows, delimiter=";", bom=False, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, delimiter=delimiter, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode(encoding)


def upload_file(content: bytes, name="meldingen.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def zc(world, user_with_role):
    return user_with_role(RoleCode.ZORGCOORDINATOR)


@pytest.fixture
def client_zc(login, zc):
    return login(zc)


def preview(client, content: bytes):
    return client.post(reverse("cases_csv:upload"), {"file": upload_file(content)})


def payload_of(response) -> str:
    return re.search(rb'name="payload" value="([^"]+)"', response.content).group(1).decode()


def counts(response) -> dict[str, int]:
    found = re.findall(rb'data-count="(\w+)">(\d+)<', response.content)
    return {k.decode(): int(v) for k, v in found}


def statuses(response) -> list[str]:
    return [s.decode() for s in re.findall(rb'data-status="(\w+)"', response.content)]


def test_template_download_has_the_header_and_an_example_row(client_zc):
    response = client_zc.get(reverse("cases_csv:template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert lines[0] == COLUMN_NAMES
    assert len(lines) == 2 and lines[1][COLUMN_NAMES.index("soort")] == "unauthorised"


def test_upload_page_documents_the_layout(client_zc):
    response = client_zc.get(reverse("cases_csv:upload"))
    assert response.status_code == 200
    for name in COLUMN_NAMES:
        assert name.encode() in response.content
    assert reverse("cases_csv:template").encode() in response.content


def test_preview_shows_valid_and_invalid_rows_and_saves_nothing(world, client_zc):
    good = enrolled_pupil(world.school)
    elsewhere = enrolled_pupil(world.far_school, surname="Buitenregio")
    content = make_csv(
        [
            row(good),
            row(good, uren_laatste_4_weken="200", eerste_verzuimdag=days_ago(10)),
            row(elsewhere),
            row(good, soort="onzin", eerste_verzuimdag="31-02-2025"),
            row(
                None,
                voornamen=good.given_names,
                achternaam=good.surname,
                geboortedatum=good.date_of_birth.strftime("%d-%m-%Y"),
                eerste_verzuimdag=days_ago(30),
            ),
        ]
    )
    response = preview(client_zc, content)
    assert response.status_code == 200
    assert statuses(response) == ["valid", "invalid", "invalid", "invalid", "valid"]
    assert counts(response) == {"valid": 2, "invalid": 3, "duplicate": 0}
    html = response.content.decode()
    assert "Het aantal uren ligt tussen 0 en 160" in html
    assert "Geen leerling van uw organisatie gevonden" in html
    assert "Onbekende soort verzuim" in html and "Geen geldige datum" in html
    # A pupil outside the scope is never named: only what the uploader typed comes back.
    assert html.count("Buitenregio") == 1
    assert not AbsenceReport.objects.exists()


def test_commit_imports_the_valid_rows_and_returns_the_rejected_with_a_reason(world, client_zc):
    pupils = [enrolled_pupil(world.school) for _ in range(3)]
    content = make_csv(
        [
            row(pupils[0]),
            row(pupils[1], ouders_geinformeerd_op=""),
            row(pupils[2], kenmerk="LAS-7"),
        ]
    )
    token = payload_of(preview(client_zc, content))
    result = client_zc.post(reverse("cases_csv:commit"), {"payload": token})
    assert result.status_code == 200
    assert counts(result) == {"imported": 2, "already_imported": 0, "rejected": 1}
    reports = AbsenceReport.objects.order_by("id")
    assert [r.pupil_id for r in reports] == [pupils[0].pk, pupils[2].pk]
    assert {r.channel for r in reports} == {"csv"}
    assert reports[1].client_key == "LAS-7"
    assert reports[0].client_key.startswith("csv:") and len(reports[0].client_key) == 68
    assert Case.objects.count() == 2

    download = client_zc.post(reverse("cases_csv:rejected"), {"payload": payload_of(result)})
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    text = download.content.decode("utf-8").lstrip("\ufeff")
    lines = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(lines) == 1
    assert lines[0]["bsn"] == pupils[1].bsn
    assert lines[0]["reden"].startswith("ouders_geinformeerd_op: ")
    export = AuditLogEntry.objects.get(action="export")
    assert export.organisation_id == world.school.pk and export.changes == {"rejected_rows": 1}


def test_reuploading_the_same_file_imports_nothing_twice(world, client_zc):
    pupils = [enrolled_pupil(world.school) for _ in range(2)]
    content = make_csv([row(pupils[0]), row(pupils[1], kenmerk="K-2"), row(pupils[0])])
    first = preview(client_zc, content)
    assert statuses(first) == ["valid", "valid", "duplicate"]
    done = client_zc.post(reverse("cases_csv:commit"), {"payload": payload_of(first)})
    assert counts(done) == {"imported": 2, "already_imported": 1, "rejected": 0}
    assert AbsenceReport.objects.count() == 2

    again = preview(client_zc, content)
    assert statuses(again) == ["duplicate", "duplicate", "duplicate"]
    assert b"Al eerder ge" in again.content
    # Committing a stale preview of the same file is harmless too.
    redo = client_zc.post(reverse("cases_csv:commit"), {"payload": payload_of(first)})
    assert counts(redo) == {"imported": 0, "already_imported": 3, "rejected": 0}
    assert AbsenceReport.objects.count() == 2 and Case.objects.count() == 2


def test_corrected_rejected_file_imports_only_the_fixed_rows(world, client_zc):
    ok, bad = enrolled_pupil(world.school), enrolled_pupil(world.school)
    content = make_csv([row(ok), row(bad, percentage_onderwijstijd="150")])
    result = client_zc.post(
        reverse("cases_csv:commit"), {"payload": payload_of(preview(client_zc, content))}
    )
    download = client_zc.post(reverse("cases_csv:rejected"), {"payload": payload_of(result)})
    fixed = download.content.decode("utf-8").replace(";150;", ";50;").encode()
    result = client_zc.post(
        reverse("cases_csv:commit"), {"payload": payload_of(preview(client_zc, fixed))}
    )
    assert counts(result) == {"imported": 1, "already_imported": 0, "rejected": 0}
    assert sorted(AbsenceReport.objects.values_list("pupil_id", flat=True)) == [ok.pk, bad.pk]


def test_a_tampered_payload_is_refused(world, client_zc):
    pupil = enrolled_pupil(world.school)
    token = payload_of(preview(client_zc, make_csv([row(pupil)])))
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client_zc.post(reverse("cases_csv:commit"), {"payload": tampered})
    assert response.status_code == 400
    assert b"verlopen of gewijzigd" in response.content
    assert not AbsenceReport.objects.exists()
    assert client_zc.post(reverse("cases_csv:rejected"), {"payload": tampered}).status_code == 400


def test_a_payload_of_another_user_is_refused(world, client_zc, user_with_role, login):
    pupil = enrolled_pupil(world.school)
    token = payload_of(preview(client_zc, make_csv([row(pupil)])))
    colleague = login(user_with_role(RoleCode.ZORGCOORDINATOR))
    assert colleague.post(reverse("cases_csv:commit"), {"payload": token}).status_code == 400
    assert not AbsenceReport.objects.exists()


@pytest.mark.parametrize(
    ("delimiter", "bom", "encoding"),
    [
        (";", False, "utf-8"),
        (",", False, "utf-8"),
        (";", True, "utf-8"),
        (",", True, "utf-8"),
        (";", False, "cp1252"),
    ],
)
def test_semicolon_comma_bom_and_excel_encoding(world, client_zc, delimiter, bom, encoding):
    pupil = enrolled_pupil(world.school)
    content = make_csv(
        [row(pupil, toelichting="Geïnformeerd, met zorg", uren_laatste_4_weken="12.5")],
        delimiter=delimiter,
        bom=bom,
        encoding=encoding,
    )
    response = preview(client_zc, content)
    assert statuses(response) == ["valid"], response.content.decode()
    client_zc.post(reverse("cases_csv:commit"), {"payload": payload_of(response)})
    report = AbsenceReport.objects.get()
    assert report.reason == "Geïnformeerd, met zorg"
    assert str(report.hours_missed_last_4_weeks) == "12.5"


def test_an_oversized_file_is_refused_with_a_clear_error(world, client_zc):
    content = make_csv([row(None)]) + b"x" * (2 * 1024 * 1024)
    response = preview(client_zc, content)
    assert response.status_code == 400
    assert "groter dan 2 MB" in response.content.decode()


def test_too_many_rows_or_a_bad_layout_is_refused(world, client_zc):
    pupil = enrolled_pupil(world.school)
    many = make_csv([row(pupil)] * (MAX_ROWS + 1))
    assert "meer dan" in preview(client_zc, many).content.decode()
    bad_header = b"naam;datum\nPiet;2025-01-01\n"
    response = preview(client_zc, bad_header)
    assert response.status_code == 400
    assert "Onbekende kolommen: naam, datum" in response.content.decode()
    assert "Het bestand bevat geen regels" in preview(client_zc, make_csv([])).content.decode()


def test_formula_cells_are_guarded_in_the_rejected_file(world, zc):
    from cases.csv_import import rejected_csv

    text = rejected_csv([["=HYPERLINK(1)", *[""] * (len(COLUMN_NAMES) - 1), "reden"]])
    assert "'=HYPERLINK(1)" in text
    parsed = csv_rows(user=zc, organisation=world.school, text=text, validate=False)
    assert parsed[0].values["bsn"] == "=HYPERLINK(1)"  # read back as written


def test_only_reporters_see_the_pages(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    assert client.get(reverse("cases_csv:upload")).status_code == 404
    assert client.get(reverse("cases_csv:template")).status_code == 404
    assert client.post(reverse("cases_csv:commit"), {"payload": "x"}).status_code == 404


def test_leerplicht_reports_for_its_bureau(world, user_with_role, login):
    client = login(user_with_role(RoleCode.LEERPLICHT))
    pupil = enrolled_pupil(world.school)  # lives in m1, served by the bureau
    # Leerplicht reports absoluut verzuim only; other kinds come from the school.
    response = preview(client, make_csv([row(pupil)]))
    assert statuses(response) == ["invalid"]
    assert "alleen absoluut verzuim" in response.content.decode()
    pupil = PupilFactory(municipality=world.m1, bsn="111222333")  # not enrolled anywhere
    response = preview(client, make_csv([row(pupil, soort="not_enrolled")]))
    assert statuses(response) == ["valid"]
    client.post(reverse("cases_csv:commit"), {"payload": payload_of(response)})
    assert AbsenceReport.objects.get().reporting_organisation_id == world.bureau.pk


def test_each_row_is_imported_on_its_own(world, zc, monkeypatch):
    """A row that fails inside the intake does not take the others with it."""
    from django.core.exceptions import ValidationError

    from cases import csv_import

    pupils = [enrolled_pupil(world.school) for _ in range(3)]
    real = csv_import.absence_report_submit

    def flaky(**kwargs):
        if kwargs["data"].pupil.pk == pupils[1].pk:
            raise ValidationError({"pupil": ["Iets ging mis."]})
        return real(**kwargs)

    monkeypatch.setattr(csv_import, "absence_report_submit", flaky)
    text = make_csv([row(p) for p in pupils]).decode()
    result = csv_import.csv_import(user=zc, organisation=world.school, text=text)
    assert len(result.imported) == 2 and len(result.rejected) == 1
    assert result.rejected[0].reason == "leerling: Iets ging mis."
    assert AbsenceReport.objects.count() == 2


def test_a_user_reporting_for_several_organisations_chooses_one(world, user_with_role, login):
    user = user_with_role(RoleCode.ZORGCOORDINATOR)
    user_with_role(RoleCode.ZORGCOORDINATOR, world.school2, user=user)
    client = login(user)
    page = client.get(reverse("cases_csv:upload")).content.decode()
    assert 'name="organisation"' in page and "School A2" in page
    pupil = enrolled_pupil(world.school2)
    content = make_csv([row(pupil)])
    refused = client.post(
        reverse("cases_csv:upload"),
        {"file": upload_file(content), "organisation": world.far_school.pk},
    )
    assert refused.status_code == 400
    response = client.post(
        reverse("cases_csv:upload"),
        {"file": upload_file(content), "organisation": world.school2.pk},
    )
    assert statuses(response) == ["valid"]
    client.post(reverse("cases_csv:commit"), {"payload": payload_of(response)})
    assert AbsenceReport.objects.get().reporting_organisation_id == world.school2.pk


def _identified(pupil, **values) -> dict:
    # BSN with surname and date of birth: a BSN alone does not identify a known pupil.
    return row(
        pupil,
        achternaam=pupil.surname,
        geboortedatum=pupil.date_of_birth.isoformat(),
        **values,
    )


def test_a_kenmerk_reused_for_another_pupil_is_rejected_with_a_reason(world, client_zc):
    first, second, third = (enrolled_pupil(world.school) for _ in range(3))
    done = client_zc.post(
        reverse("cases_csv:commit"),
        {"payload": payload_of(preview(client_zc, make_csv([_identified(first, kenmerk="K-1")])))},
    )
    assert counts(done) == {"imported": 1, "already_imported": 0, "rejected": 0}

    content = make_csv([_identified(second, kenmerk="K-1"), _identified(third, kenmerk="K-3")])
    again = preview(client_zc, content)
    assert statuses(again) == ["invalid", "valid"]
    assert "Het kenmerk K-1 hoort al bij een andere melding" in again.content.decode()
    result = client_zc.post(reverse("cases_csv:commit"), {"payload": payload_of(again)})
    assert counts(result) == {"imported": 1, "already_imported": 0, "rejected": 1}
    assert sorted(AbsenceReport.objects.values_list("pupil_id", flat=True)) == [first.pk, third.pk]
    download = client_zc.post(reverse("cases_csv:rejected"), {"payload": payload_of(result)})
    lines = list(
        csv.DictReader(io.StringIO(download.content.decode().lstrip("\ufeff")), delimiter=";")
    )
    assert [line["bsn"] for line in lines] == [second.bsn]
    assert lines[0]["reden"].startswith("kenmerk: Het kenmerk K-1 hoort al bij een andere")


def test_a_kenmerk_on_two_different_rows_of_one_file_rejects_the_second(world, client_zc):
    first, second = enrolled_pupil(world.school), enrolled_pupil(world.school)
    content = make_csv(
        [
            _identified(first, kenmerk="K-2"),
            _identified(second, kenmerk="K-2"),
            _identified(first, kenmerk="K-2"),  # the same report again: a duplicate
        ]
    )
    shown = preview(client_zc, content)
    assert statuses(shown) == ["valid", "invalid", "duplicate"]
    assert "Dit kenmerk staat ook op regel 2, met andere gegevens" in shown.content.decode()
    result = client_zc.post(reverse("cases_csv:commit"), {"payload": payload_of(shown)})
    assert counts(result) == {"imported": 1, "already_imported": 1, "rejected": 1}
    assert list(AbsenceReport.objects.values_list("pupil_id", flat=True)) == [first.pk]
