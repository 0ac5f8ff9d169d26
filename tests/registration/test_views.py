"""The pupil list, the pupil page with its consent form, and the report history."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.services import absence_report_submit
from registration.models import Consent
from tests.page_text import shows
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.registration import GuardianFactory, report_input
from ..factories.registration import enrolled_pupil as _enrolled_pupil

pytestmark = pytest.mark.usefixtures("frozen_clock")


def enrolled_pupil(school, **kwargs):
    """A pupil without BSN unless given: the factory's BSN sequence can repeat a number."""
    kwargs.setdefault("bsn", None)
    return _enrolled_pupil(school, **kwargs)


def report(actor, organisation, pupil, **overrides):
    return absence_report_submit(
        actor=actor,
        reporting_organisation=organisation,
        data=report_input(pupil, **overrides),
        channel="form",
    )


def test_pupil_list_shows_own_pupils_with_age_school_and_signals(world, zc, zc_client):
    # Names with an apostrophe, as many Dutch surnames have: the page escapes them.
    own = enrolled_pupil(world.school, given_names="Lotte", surname="van 't Hof")
    other = enrolled_pupil(world.school2, given_names="Lotte", surname="van 't Veld")
    report(zc, world.school, own, hours_missed_last_4_weeks=17)
    body = zc_client.get(reverse("registration:pupil_list")).content.decode()
    assert shows(body, own.full_name) and not shows(body, other.full_name)
    assert shows(body, world.school.name)
    assert "16 uur of meer" in body  # the DUO signal
    assert reverse("registration:pupil_detail", args=[own.pk]) in body


def test_pupil_list_of_a_large_scope_says_more_than_and_keeps_paging(world, zc_client, monkeypatch):
    from registration import views
    from thuiszitters import pagination

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(pagination, "COUNT_BOUND", 3)
    for i in range(7):
        enrolled_pupil(world.school, surname=f"Telling{i}")
    url = reverse("registration:pupil_list")
    body = zc_client.get(url).content.decode()
    assert "Meer dan 4 leerlingen" in body and "Pagina 1<" in body and 'rel="next"' in body
    body = zc_client.get(url, {"page": 3}).content.decode()
    assert "7 leerlingen" in body and "Pagina 3 van 4" in body


def test_pupil_list_searches_by_name_bsn_and_date_of_birth(world, zc_client):
    a = enrolled_pupil(world.school, given_names="Daan", surname="Smit")
    b = enrolled_pupil(
        world.school, given_names="Mila", surname="Jong", surname_prefix="de", bsn="111222333"
    )
    url = reverse("registration:pupil_list")

    def names(q):
        # A BSN goes by POST (no BSN in a URL); a name by GET.
        send = zc_client.post if q.isdigit() else zc_client.get
        body = send(url, {"q": q}).content.decode()
        return {p.given_names for p in (a, b) if shows(body, p.full_name)}

    assert names("smit") == {"Daan"}
    assert names(b.bsn) == {"Mila"}
    assert names(b.date_of_birth.strftime("%d-%m-%Y")) <= {"Mila", "Daan"}
    assert "Mila" in names(b.date_of_birth.strftime("%d-%m-%Y"))
    assert names("niemand") == set()


def test_roles_without_personal_data_get_404_on_the_lists(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    assert client.get(reverse("registration:pupil_list")).status_code == 404
    assert client.get(reverse("registration:report_list")).status_code == 404


def test_pupil_page_shows_everything_and_is_audited(world, zc, zc_client):
    pupil = enrolled_pupil(world.school)
    GuardianFactory(pupil=pupil, name="Anna Ouder")
    report(zc, world.school, pupil, reason="zorgen")
    response = zc_client.get(reverse("registration:pupil_detail", args=[pupil.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert shows(body, pupil.full_name) and "Anna Ouder" in body and shows(body, world.school.name)
    assert "leerplichtig" in body.lower()
    assert "Ontbreekt van: ouder(s) of verzorger(s)" in body
    assert "Ongeoorloofd (relatief) verzuim" in body
    assert f'hx-get="{reverse("cases:pupil_case_partial", args=[pupil.pk])}"' in body
    assert "<noscript>" in body
    reads = AuditLogEntry.objects.filter(
        action="read", object_type="registration.pupil", object_id=str(pupil.pk)
    )
    assert reads.count() == 1


def test_another_schools_coordinator_gets_404_on_the_pupil(world, user_with_role, login):
    pupil = enrolled_pupil(world.school)
    other = login(user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.school2))
    assert other.get(reverse("registration:pupil_detail", args=[pupil.pk])).status_code == 404
    response = other.post(
        reverse("registration:consent_record", args=[pupil.pk]), {"consent-scope": "x"}
    )
    assert response.status_code == 404


def _consent_post(**overrides):
    today = timezone.localdate()
    data = {
        "consent-scope": "share_with_leerplicht",
        "consent-status": "given",
        "consent-party": "parents",
        "consent-stated_on": today.isoformat(),
        "consent-how": "form",
        "consent-note": "getekend bij het gesprek",
    }
    data.update({f"consent-{k}": v for k, v in overrides.items()})
    return data


def test_consent_is_recorded_and_then_the_report_is_shared(
    world, zc, zc_client, user_with_role, login
):
    pupil = enrolled_pupil(world.school)  # 10 years old: the parents consent
    result = report(zc, world.school, pupil, kind="sickness")
    leerplicht = login(user_with_role(RoleCode.LEERPLICHT))
    listing = reverse("registration:report_list")
    assert not shows(leerplicht.get(listing).content.decode(), pupil.full_name)

    zc_client.force_login(zc)
    response = zc_client.post(
        reverse("registration:consent_record", args=[pupil.pk]), _consent_post()
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:pupil_detail", args=[pupil.pk])
    consent = Consent.objects.get()
    assert (consent.scope, consent.status, consent.recorded_by) == (
        "share_with_leerplicht",
        "given",
        zc,
    )
    result.report.refresh_from_db()
    assert result.report.shared_with_leerplicht
    page = zc_client.get(response["Location"]).content.decode()
    assert "De verklaring is vastgelegd" in page and "Toestemming geldt" in page

    leerplicht = login(user_with_role(RoleCode.LEERPLICHT))
    assert shows(leerplicht.get(listing).content.decode(), pupil.full_name)


def test_consent_errors_are_shown_on_the_fields_and_nothing_is_saved(world, zc_client, today):
    pupil = enrolled_pupil(world.school)
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    url = reverse("registration:consent_record", args=[pupil.pk])
    response = zc_client.post(url, _consent_post(how=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_consent-how_error"' in body
    assert "getekend bij het gesprek" in body  # the note is kept
    # A rule of the service (no statements dated in the future) lands on its field too.
    body = zc_client.post(url, _consent_post(stated_on=tomorrow)).content.decode()
    assert 'id="id_consent-stated_on_error"' in body
    assert "Deze datum ligt in de toekomst" in body
    assert not Consent.objects.exists()


def test_consent_record_is_post_only(world, zc_client):
    pupil = enrolled_pupil(world.school)
    url = reverse("registration:consent_record", args=[pupil.pk])
    assert zc_client.get(url).status_code == 405


def test_report_history_filters_on_kind_and_dates(world, zc, zc_client, today):
    a = enrolled_pupil(world.school, given_names="Eerste")
    b = enrolled_pupil(world.school, given_names="Tweede")
    report(zc, world.school, a, kind="sickness", reported_on=today - datetime.timedelta(days=1))
    report(zc, world.school, b, kind="unauthorised")
    url = reverse("registration:report_list")
    body = zc_client.get(url).content.decode()
    assert shows(body, a.full_name) and shows(body, b.full_name)
    body = zc_client.get(url, {"kind": "sickness"}).content.decode()
    assert shows(body, a.full_name) and not shows(body, b.full_name)
    body = zc_client.get(url, {"since": today.isoformat()}).content.decode()
    assert not shows(body, a.full_name) and shows(body, b.full_name)
    bad = zc_client.get(url, {"since": today.isoformat(), "until": "2000-01-01"})
    assert "De einddatum ligt voor de begindatum" in bad.content.decode()
    # Each field of the filter form with its label, and an error next to its field.
    bad = zc_client.get(url, {"since": "gisteren"}).content.decode()
    assert '<label class="utrecht-form-label" for="id_since">Gemeld vanaf</label>' in bad
    assert re.search(r'id="id_since_error">\s*<p><span class="app-visually-hidden">Fout: ', bad)
    described = r'<input [^>]*aria-invalid="true" aria-describedby="[^"]*id_since_error"'
    assert re.search(described, bad)


def test_navigation_shows_the_new_pages_by_capability(world, zc_client, user_with_role, login):
    body = zc_client.get(reverse("home")).content.decode()
    assert reverse("registration:pupil_list") in body and reverse("cases:intake") in body
    director = login(user_with_role(RoleCode.SWV_DIRECTOR))
    body = director.get(reverse("home")).content.decode()
    assert reverse("registration:pupil_list") not in body and reverse("cases:intake") not in body


DASH = "\N{EN DASH}"  # an empty cell, and between two dates


def _table_rows(body: str) -> list[list[str]]:
    """The text of each cell, row by row, of the page's table bodies."""
    rows = []
    for tbody in re.findall(r"<tbody.*?</tbody>", body, re.S):
        for row in re.findall(r"<tr.*?</tr>", tbody, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def test_the_report_table_shows_each_reports_cells(world, zc, zc_client, today):
    """The history and the pupil page share one table (a Jinja2 template, ADR 0020)."""
    pupil = enrolled_pupil(world.school, given_names="Sanne", surname="van 't Erf")
    report(zc, world.school, pupil, kind="sickness", hours_missed_last_4_weeks=None)
    report(
        zc,
        world.school,
        pupil,
        kind="unauthorised",
        hours_missed_last_4_weeks=12,
        parents_informed_how="letter",
        absence_ended_on=today - datetime.timedelta(days=3),
    )
    day = lambda n: (today - datetime.timedelta(days=n)).strftime("%d-%m-%Y")  # noqa: E731
    history = zc_client.get(reverse("registration:report_list")).content.decode()
    page = zc_client.get(reverse("registration:pupil_detail", args=[pupil.pk])).content.decode()
    school = me = world.school.name  # reported by the school itself
    sickness = [day(0), "Ziekte", day(10), DASH, f"{day(2)}, telefonisch", me]
    unauthorised = [
        day(0),
        "Ongeoorloofd (relatief) verzuim",
        f"{day(10)} {DASH} {day(3)}",
        "12,0",  # localised, as Django templates print numbers
        f"{day(2)}, per brief",
        me,
    ]
    in_page = _table_rows(page)
    assert sickness in in_page and unauthorised in in_page
    with_pupil = [
        [*row[:1], pupil.full_name, *row[1:-1], school, row[-1]] for row in (sickness, unauthorised)
    ]
    in_history = _table_rows(history)
    assert with_pupil[0] in in_history and with_pupil[1] in in_history
    assert reverse("registration:pupil_detail", args=[pupil.pk]) in history
    assert "app-table--compact" in page and "app-table--compact" not in history


def test_the_pupil_list_shows_a_pupils_cells(world, zc_client):
    pupil = enrolled_pupil(world.school, given_names="Daan", surname="d'Ancona")
    rows = _table_rows(zc_client.get(reverse("registration:pupil_list")).content.decode())
    row = next(r for r in rows if r[0] == pupil.full_name)
    assert row[1] == pupil.date_of_birth.strftime("%d-%m-%Y")
    assert row[3] == world.school.name and row[4] == DASH
