"""Reconciling our thuiszitterslijst with another organisation's list: reading the file,
matching (BSN, else surname and date of birth), the three groups, coverage, and the page."""

import csv
import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reports.reconciliation import (
    MAX_ROWS,
    list_parse,
    match,
    person,
    surname_key,
)
from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.registration import enrolled_pupil

pytestmark = pytest.mark.usefixtures("frozen_clock")

RECONCILE = reverse("reportlists:reconcile")
RECONCILE_EXPORT = reverse("reportlists:reconcile_export")
DOB = datetime.date(2014, 3, 12)
BSN = "123456782"  # passes the elfproef
OTHER_BSN = "012345672"  # another valid one


def ours(ref, surname, *, prefix="", given="Sanne", dob=DOB, bsn=""):
    return person(
        ref,
        given_names=given,
        surname_prefix=prefix,
        surname=surname,
        bsn=bsn,
        date_of_birth=dob,
    )


def parse(*lines: str):
    return list_parse("\r\n".join(lines))


# --- reading the file -----------------------------------------------------------------------


def test_semicolons_with_bom_and_dutch_headers():
    parsed = list_parse(
        "\ufeffBSN;Achternaam;Voornamen;Geboortedatum;School\r\n"
        f"{BSN};de Vries;Sanne;12-03-2014;Het Anker\r\n"
    )
    (row,) = parsed.rows
    assert (row.bsn, row.name, row.date_of_birth, row.school) == (
        BSN,
        "Sanne de Vries",
        DOB,
        "Het Anker",
    )
    assert not row.errors


def test_commas_and_english_headers_and_iso_dates():
    parsed = parse("Last name,First name,Date of birth", "Vries,Sanne,2014-03-12")
    (row,) = parsed.rows
    assert row.surname_keys == {"vries"}
    assert row.date_of_birth == DOB
    assert parsed.columns == {
        "surname": "Last name",
        "given_names": "First name",
        "date_of_birth": "Date of birth",
    }


def test_one_name_column_and_other_columns_ignored():
    parsed = parse(
        "Naam;Geb. datum;Opmerking",
        "de Vries, Sanne;12/03/2014;x",
        "Sanne van der Berg;12.03.2014;y",
    )
    first, second = parsed.rows
    assert first.name == "Sanne de Vries"
    assert first.surname_keys == {"vries"}
    assert "berg" in second.surname_keys
    assert second.date_of_birth == DOB


def test_bsn_without_its_leading_zero_is_restored():
    (row,) = parse("bsn", "12345672").rows  # 012345672 passes the elfproef
    assert row.bsn == "012345672"
    assert not row.errors


def test_bad_rows_get_errors_by_column_and_take_no_part():
    parsed = parse(
        "BSN;Achternaam;Geboortedatum",
        "123456789;Jansen;01-01-2014",  # fails the elfproef
        ";Pietersen;31-02-2014",  # no such date
        ";;01-01-2014",  # neither BSN nor surname
        ";Bakker;",  # no date of birth
        f"{BSN};Vries;12-03-2014",
        f"{BSN};de Vries;12-03-2014",  # the same pupil again
        ";;",  # empty lines are skipped
    )
    errors = {row.number: row.errors for row in parsed.rows}
    assert set(errors[2]) == {"bsn"}
    assert set(errors[3]) == {"geboortedatum"}
    assert set(errors[4]) == {"achternaam"}
    assert set(errors[5]) == {"geboortedatum"}
    assert errors[6] == {}
    assert errors[7] == {"regel": ["Deze leerling staat ook op regel 6."]}
    assert [r.number for r in parsed.valid] == [6]
    assert len(parsed.rejected) == 5


def test_a_file_without_identifying_columns_is_refused():
    with pytest.raises(ValidationError, match="BSN"):
        parse("Voornaam;School", "Sanne;Het Anker")
    with pytest.raises(ValidationError):
        list_parse("")
    with pytest.raises(ValidationError, match="geen regels"):
        parse("BSN;Naam")


def test_more_than_the_maximum_number_of_rows_is_refused():
    lines = ["Achternaam;Geboortedatum"] + ["Jansen;01-01-2014"] * (MAX_ROWS + 1)
    with pytest.raises(ValidationError, match=str(MAX_ROWS)):
        parse(*lines)


# --- matching -------------------------------------------------------------------------------


def test_surname_keys_ignore_case_diacritics_and_tussenvoegsels():
    assert surname_key("van der Berg") == surname_key("BERG") == "berg"
    assert surname_key("Çelik") == surname_key("celik")
    assert surname_key("Jansen-de Vries") == surname_key("jansen - de vries")
    assert surname_key("'t Hart") == "hart"
    assert surname_key("De") == "de"  # only a prefix: keep it


def test_bsn_match_wins_even_when_the_names_differ():
    our = [ours(1, "Vries", prefix="de", bsn=BSN)]
    theirs = parse("BSN;Achternaam;Geboortedatum", f"{BSN};Janssen;01-01-2013").valid
    result = match(our, theirs)
    assert [(m.ours.ref, m.theirs.number, m.on_bsn) for m in result.both] == [(1, 2, True)]
    assert result.only_ours == [] and result.only_theirs == []


def test_name_and_date_of_birth_match_with_diacritics_and_tussenvoegsel():
    our = [
        ours(1, "Berg", prefix="van der", given="Zoë"),
        ours(2, "Çelik", given="Ayşe", dob=datetime.date(2012, 1, 5)),
        ours(3, "Hart", prefix="'t", given="Bram", dob=datetime.date(2011, 6, 1)),
    ]
    theirs = parse(
        "Naam;Geboortedatum",
        "BERG, Zoe van der;12-03-2014",
        "Ayse Celik;2012-01-05",
        "Hart, Bram;01-06-2011",
    ).valid
    result = match(our, theirs)
    assert sorted((m.ours.ref, m.on_bsn) for m in result.both) == [
        (1, False),
        (2, False),
        (3, False),
    ]


def test_the_same_name_on_another_date_of_birth_is_not_a_match():
    our = [ours(1, "Vries", prefix="de")]
    theirs = parse("Achternaam;Geboortedatum", "de Vries;13-03-2014").valid
    result = match(our, theirs)
    assert result.both == []
    assert [p.ref for p in result.only_ours] == [1]
    assert [r.number for r in result.only_theirs] == [2]


def test_two_different_bsns_never_match_on_name():
    our = [ours(1, "Vries", bsn=BSN)]
    theirs = parse("BSN;Achternaam;Geboortedatum", f"{OTHER_BSN};Vries;12-03-2014").valid
    assert match(our, theirs).both == []


def test_a_bsn_on_one_side_only_still_matches_on_name():
    our = [ours(1, "Vries")]
    theirs = parse("BSN;Achternaam;Geboortedatum", f"{BSN};Vries;12-03-2014").valid
    assert [m.ours.ref for m in match(our, theirs).both] == [1]


def test_three_groups_and_coverage():
    our = [
        ours(1, "Vries", bsn=BSN),
        ours(2, "Jansen", dob=datetime.date(2013, 1, 1)),
        ours(3, "Bakker", dob=datetime.date(2012, 2, 2)),
    ]
    theirs = parse(
        "BSN;Achternaam;Geboortedatum",
        f"{BSN};Vries;12-03-2014",
        ";JANSEN;01-01-2013",
        ";Smit;03-03-2013",
    ).valid
    result = match(our, theirs)
    assert sorted(m.ours.ref for m in result.both) == [1, 2]
    assert [p.ref for p in result.only_ours] == [3]
    assert [r.number for r in result.only_theirs] == [4]
    assert result.coverage == 50  # 2 on both of 4 pupils on either list
    assert match([], []).coverage is None


def test_a_name_match_does_not_take_the_partner_of_a_bsn_match():
    our = [ours(1, "Vries", bsn=BSN), ours(2, "Vries")]
    theirs = parse(
        "BSN;Achternaam;Geboortedatum",
        ";Vries;12-03-2014",  # first in the file, but must pair with ours 2
        f"{BSN};Vries;12-03-2014",
    ).valid
    pairs = {m.theirs.number: m.ours.ref for m in match(our, theirs).both}
    assert pairs == {2: 2, 3: 1}


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def consultant(user_with_role):
    return user_with_role(RoleCode.SWV_CONSULTANT)


def upload(client, text: str, **data):
    today = timezone.localdate()
    file = SimpleUploadedFile("leerplicht.csv", text.encode("utf-8"), content_type="text/csv")
    payload = {"on": today.isoformat(), "source": "Leerplicht", "file": file, **data}
    return client.post(RECONCILE, payload)


def test_upload_shows_three_groups_coverage_and_an_intake_link(world, consultant, login):
    both = CaseFactory(school=world.school, phase="casusregisseur")
    ours_only = CaseFactory(school=world.school, phase="casusregisseur")
    # Known to the SWV (a report shared with it), but not at home long enough for our list.
    known = CaseFactory(school=world.school, phase="school").pupil
    text = "\ufeff" + "\r\n".join(
        [
            "Achternaam;Voornamen;Geboortedatum;BSN",
            f"{both.pupil.surname.upper()};{both.pupil.given_names};"
            f"{both.pupil.date_of_birth:%d-%m-%Y};",
            f"{known.surname};{known.given_names};{known.date_of_birth:%Y-%m-%d};{known.bsn}",
            "Onbekend;Piet;01-01-2015;",
            "Kapot;Jan;31-02-2015;",
        ]
    )
    client = login(consultant)
    response = upload(client, text)

    assert response.status_code == 200
    content = response.content.decode()
    counts = dict(re.findall(r'data-count="(\w+)">([^<]+)<', content))
    assert counts == {
        "coverage": "25%",
        "both": "1",
        "only_ours": "1",
        "only_theirs": "2",
        "rejected": "1",
    }
    assert f'data-case="{both.pk}"' in content
    assert f'data-case="{ours_only.pk}"' in content
    intake = reverse("cases:intake") + f"?leerling={known.pk}"
    assert f'data-testid="intake-link" href="{intake}"' in content
    assert reverse("cases:case_detail", args=[known.cases.get().pk]) in content
    assert 'data-testid="search-link" href="/casussen/melden/?q=Piet%20Onbekend' in content
    assert "Geen geldige datum" in content

    entry = AuditLogEntry.objects.get(object_type="reports.reconciliation")
    assert entry.action == AuditAction.READ
    assert entry.organisation_id == world.swv.pk
    assert entry.changes["both"] == 1 and entry.changes["only_theirs"] == 2
    assert both.pupil.surname not in str(entry.changes)


def test_a_pupil_the_user_may_not_see_gets_no_intake_link(world, consultant, login):
    stranger = enrolled_pupil(world.far_school, surname="Vreemd")
    text = f"BSN;Achternaam;Geboortedatum\n{stranger.bsn};Vreemd;{stranger.date_of_birth:%d-%m-%Y}"
    response = upload(login(consultant), text)
    assert response.status_code == 200
    assert f"leerling={stranger.pk}".encode() not in response.content
    assert b'data-testid="search-link"' in response.content


def test_an_unreadable_file_is_a_field_error_and_nothing_is_audited(world, consultant, login):
    response = upload(login(consultant), "Voornaam;School\nSanne;Het Anker")
    assert response.status_code == 400
    assert b"De kopregel mist de kolommen" in response.content
    assert not AuditLogEntry.objects.filter(object_type="reports.reconciliation").exists()


def test_a_file_over_2_mb_is_refused(world, consultant, login):
    text = "Achternaam;Geboortedatum\n" + "x" * (2 * 1024 * 1024)
    response = upload(login(consultant), text)
    assert response.status_code == 400
    assert b"groter dan 2 MB" in response.content


def test_the_comparison_downloads_as_csv_audited_and_the_payload_is_bound(
    world, consultant, login, user_with_role
):
    case = CaseFactory(school=world.school, phase="casusregisseur")
    client = login(consultant)
    text = f"Naam,Geboortedatum\n{case.pupil.full_name},{case.pupil.date_of_birth:%d-%m-%Y}"
    page = upload(client, text).content.decode()
    payload = re.search(r'name="payload" value="([^"]+)"', page).group(1)

    response = client.post(RECONCILE_EXPORT, {"payload": payload, "fmt": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Uitkomst"
    assert rows[1][:3] == ["Op beide lijsten", case.pupil.full_name, case.pupil.full_name]
    export = AuditLogEntry.objects.get(action=AuditAction.EXPORT)
    assert export.object_type == "reports.reconciliation"
    assert export.changes["rows"] == 1

    assert client.post(RECONCILE_EXPORT, {"payload": payload + "x"}).status_code == 400
    colleague = login(user_with_role(RoleCode.SWV_CONSULTANT))
    assert colleague.post(RECONCILE_EXPORT, {"payload": payload}).status_code == 400


def test_directors_do_not_reach_the_reconciliation(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    assert client.get(RECONCILE).status_code == 404
    assert upload(client, "BSN\n123456782").status_code == 404
    assert client.post(RECONCILE_EXPORT, {"payload": "x"}).status_code == 404
