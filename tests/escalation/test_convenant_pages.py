"""The functional administrator's convenant pages: scope, the version form, the holiday
calendar with its import, query budgets, and the demo seeder's convenants and holidays."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.demo import DEMO_SWV_PO, seed_demo_convenants, seed_sample_holidays
from escalation.models import (
    Casusregie,
    CountMode,
    EscalationPolicy,
    HolidaySource,
    PolicyVersion,
    SchoolHoliday,
)
from escalation.services.holidays import holiday_create
from escalation.services.policy import VERSION_FIELDS, policy_version_create
from thuiszitters.demo import demo_region_seed
from thuiszitters.models import AuditAction, AuditLogEntry, Samenwerkingsverband
from thuiszitters.roles import RoleCode

from ..factories.users import SETUP, member

D = datetime.date
NOT_ADMINS = [r for r in RoleCode.values if r not in (RoleCode.FUNCTIONAL_ADMIN,)]


@pytest.fixture
def admin(user_with_role):
    return user_with_role(RoleCode.FUNCTIONAL_ADMIN, full_name="Beheerder Bea")


@pytest.fixture
def admin_client(admin, login):
    return login(admin)


def _holiday(world, name="Herfstvakantie", first=None, last=None, source="manual", region=None):
    first = first or D(2025, 10, 18)
    return holiday_create(
        region=region or world.region,
        actor=SETUP,
        name=name,
        starts_on=first,
        ends_on=last or first + datetime.timedelta(days=8),
        source=source,
    )


def _form_data(version: PolicyVersion | None = None, **overrides) -> dict:
    """What the SWV page's form posts when nothing is changed, plus ``overrides``."""
    data = {}
    source = version or PolicyVersion()
    for name in VERSION_FIELDS:
        field = PolicyVersion._meta.get_field(name)
        value = getattr(source, field.attname)
        data[name] = "" if value is None else value
    data["casusregisseurs"] = [u.pk for u in version.casusregisseurs.all()] if version else []
    data["reason"] = "Afspraak in het OOGO"
    data.update(overrides)
    return data


# --- scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in NOT_ADMINS if r != RoleCode.SCHOOL_SYSTEM])
def test_the_pages_do_not_exist_for_other_roles(world, user_with_role, login, role):
    client = login(user_with_role(role))
    holiday = _holiday(world)
    urls = [
        reverse("convenant:overview"),
        reverse("convenant:swv", args=[world.swv.pk]),
        reverse("convenant:holidays", args=[world.region.pk]),
        reverse("convenant:holiday_add", args=[world.region.pk]),
        reverse("convenant:holiday_import", args=[world.region.pk]),
        reverse("convenant:holiday_edit", args=[holiday.pk]),
        reverse("convenant:holiday_delete", args=[holiday.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("convenant:holiday_delete", args=[holiday.pk])).status_code == 404
    assert SchoolHoliday.objects.filter(pk=holiday.pk).exists()


def test_objects_of_another_region_are_404(world, admin_client):
    policy_version_create(swv=world.far_swv, actor=SETUP)
    foreign = _holiday(world, name="Vreemde vakantie", region=world.region_b)
    for url in [
        reverse("convenant:swv", args=[world.far_swv.pk]),
        reverse("convenant:holidays", args=[world.region_b.pk]),
        reverse("convenant:holiday_add", args=[world.region_b.pk]),
        reverse("convenant:holiday_import", args=[world.region_b.pk]),
        reverse("convenant:holiday_edit", args=[foreign.pk]),
        reverse("convenant:holiday_delete", args=[foreign.pk]),
        reverse("convenant:swv", args=[world.school.pk]),  # not an SWV at all
    ]:
        assert admin_client.get(url).status_code == 404, url
    response = admin_client.post(
        reverse("convenant:swv", args=[world.far_swv.pk]), _form_data(reason="Overname")
    )
    assert response.status_code == 404
    assert (
        admin_client.post(reverse("convenant:holiday_delete", args=[foreign.pk])).status_code == 404
    )
    assert SchoolHoliday.objects.filter(pk=foreign.pk).exists()
    assert PolicyVersion.objects.filter(policy__swv=world.far_swv).count() == 1


def test_overview_lists_the_regions_swvs_with_the_version_in_force(world, admin_client):
    policy_version_create(swv=world.swv, actor=SETUP, count_mode=CountMode.PAUSE_HOLIDAYS)
    policy_version_create(
        swv=world.swv,
        actor=SETUP,
        reason="Strakker",
        doorbraakteam_weeks=10,
        count_mode=CountMode.PAUSE_HOLIDAYS,
    )
    _holiday(world, source=HolidaySource.SAMPLE)
    response = admin_client.get(reverse("convenant:overview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "SWV PO A" in html
    assert "SWV VO A" in html
    assert "SWV PO Ver" not in html
    assert "SWV PO B (buur)" not in html
    assert "4 / 8 / 10 weken" in html
    assert "2, sinds" in html
    assert "Weken buiten de schoolvakanties" in html
    assert "Nog geen convenant vastgesteld" in html  # the VO SWV
    assert "voorbeeldgegevens" in html
    assert reverse("convenant:holidays", args=[world.region.pk]) in html


# --- the SWV page and its version form --------------------------------------------------------


def test_swv_page_shows_settings_history_and_a_prefilled_form(world, admin, admin_client):
    policy_version_create(swv=world.swv, actor=SETUP, reason="Eerste afspraak")
    policy_version_create(
        swv=world.swv,
        actor=admin,
        reason="Klok stil in vakanties",
        count_mode=CountMode.PAUSE_HOLIDAYS,
        warning_days=5,
    )
    response = admin_client.get(reverse("convenant:swv", args=[world.swv.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Versie 2, vastgesteld op" in html
    assert "Eerste afspraak" in html
    assert "Klok stil in vakanties" in html
    assert "Beheerder Bea" in html
    assert "Systeem" in html
    form = response.context["form"]
    assert form["warning_days"].value() == 5
    assert form["count_mode"].value() == CountMode.PAUSE_HOLIDAYS
    assert form["reason"].value() in (None, "")
    # Only the region's neighbouring SWVs may arbitrate.
    assert list(form.fields["neighbour_swv"].queryset) == [world.other_swv]


def test_a_new_version_is_made_audited_and_applies(world, admin, admin_client, user_with_role):
    casusregisseur = user_with_role(RoleCode.CASUSREGISSEUR)
    doorbraak = user_with_role(RoleCode.DOORBRAAKTEAM)
    url = reverse("convenant:swv", args=[world.swv.pk])
    response = admin_client.post(
        url,
        _form_data(
            casusregisseur_weeks=3,
            count_mode=CountMode.PAUSE_HOLIDAYS,
            casusregie=Casusregie.APPOINTED,
            casusregisseur_organisation=world.swv.pk,
            casusregisseurs=[casusregisseur.pk],
            doorbraakteam_coordinator=doorbraak.pk,
            neighbour_swv=world.other_swv.pk,
            target_offer_percent=85,
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == url
    version = PolicyVersion.objects.get(policy__swv=world.swv)
    assert version.number == 1
    assert version.created_by == admin
    assert version.reason == "Afspraak in het OOGO"
    assert version.casusregisseur_weeks == 3
    assert version.casusregisseur_organisation_id == world.swv.pk
    assert list(version.casusregisseurs.all()) == [casusregisseur]
    assert version.doorbraakteam_coordinator == doorbraak
    assert version.neighbour_swv_id == world.other_swv.pk
    assert version.target_offer_percent == 85
    assert AuditLogEntry.objects.filter(
        object_type="escalation.policyversion", object_id=str(version.pk), action="create"
    ).exists()

    # The next form starts from this version; changing one field keeps the others.
    page = admin_client.get(url)
    assert page.context["form"]["casusregisseurs"].value() == [casusregisseur.pk]
    response = admin_client.post(
        url, _form_data(version, warning_days=3, reason="Eerder waarschuwen")
    )
    assert response.status_code == 302
    latest = PolicyVersion.objects.filter(policy__swv=world.swv).order_by("-number").first()
    assert (latest.number, latest.warning_days, latest.casusregisseur_weeks) == (2, 3, 3)
    assert list(latest.casusregisseurs.all()) == [casusregisseur]


def test_reason_is_required(world, admin_client):
    url = reverse("convenant:swv", args=[world.swv.pk])
    response = admin_client.post(url, _form_data(reason=""))
    assert response.status_code == 422
    assert response.context["form"].errors["reason"]
    assert not EscalationPolicy.objects.exists()


def test_weeks_must_rise(world, admin_client):
    url = reverse("convenant:swv", args=[world.swv.pk])
    response = admin_client.post(url, _form_data(doorbraak_assessment_weeks=3))
    assert response.status_code == 422
    assert "De termijnen lopen op" in " ".join(response.context["form"].non_field_errors())
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"casusregisseur_weeks": 0}, "casusregisseur_weeks"),
        ({"target_offer_percent": 101}, "target_offer_percent"),
        ({"count_mode": "weekly"}, "count_mode"),
        ({"casusregie": Casusregie.APPOINTED}, "casusregisseur_organisation"),
        ({"om_referral_months": 0}, "om_referral_months"),
        ({"om_referral_months": 13}, "om_referral_months"),
    ],
)
def test_field_errors_come_back_on_their_field(world, admin_client, overrides, field):
    url = reverse("convenant:swv", args=[world.swv.pk])
    response = admin_client.post(url, _form_data(**overrides))
    assert response.status_code == 422
    assert response.context["form"].errors[field], response.context["form"].errors
    assert not PolicyVersion.objects.exists()


def test_the_months_to_the_om_are_a_setting_with_help(world, admin_client):
    url = reverse("convenant:swv", args=[world.swv.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="om_referral_months"' in page and "kalendermaanden" in page
    response = admin_client.post(url, _form_data(om_referral_months=4))
    assert response.status_code == 302
    assert PolicyVersion.objects.get(policy__swv=world.swv).om_referral_months == 4
    settings = admin_client.get(url).content.decode()
    assert "4 maanden na de start van het doorbraakteam" in settings


def test_people_outside_the_region_cannot_be_chosen(world, admin_client):
    foreign_casusregisseur = member(world.other_swv, RoleCode.CASUSREGISSEUR)
    foreign_doorbraak = member(world.other_swv, RoleCode.DOORBRAAKTEAM)
    url = reverse("convenant:swv", args=[world.swv.pk])
    response = admin_client.post(
        url,
        _form_data(
            casusregie=Casusregie.APPOINTED,
            casusregisseur_organisation=world.other_swv.pk,
            casusregisseurs=[foreign_casusregisseur.pk],
            doorbraakteam_coordinator=foreign_doorbraak.pk,
            neighbour_swv=world.far_swv.pk,
        ),
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    for field in (
        "casusregisseur_organisation",
        "casusregisseurs",
        "doorbraakteam_coordinator",
        "neighbour_swv",
    ):
        assert errors[field], field
    assert not PolicyVersion.objects.exists()


def test_casusregisseur_of_another_organisation_is_refused_by_the_service(
    world, admin_client, user_with_role
):
    other = member(world.bureau, RoleCode.LEERPLICHT)
    url = reverse("convenant:swv", args=[world.swv.pk])
    response = admin_client.post(
        url,
        _form_data(
            casusregie=Casusregie.APPOINTED,
            casusregisseur_organisation=world.swv.pk,
            casusregisseurs=[other.pk],
        ),
    )
    assert response.status_code == 422
    assert "voert geen casusregie" in response.context["form"].errors["casusregisseurs"][0]


# --- the holiday calendar ---------------------------------------------------------------------


def test_holiday_list_marks_sample_rows(world, admin_client):
    _holiday(world, name="Echte herfst")
    _holiday(world, name="Kerst (demo)", first=D(2025, 12, 20), source=HolidaySource.SAMPLE)
    _holiday(world, name="Vreemde vakantie", region=world.region_b)
    response = admin_client.get(reverse("convenant:holidays", args=[world.region.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Echte herfst" in html
    assert "Kerst (demo)" in html
    assert "Vreemde" not in html
    assert html.count('data-sample="true"') == 1
    assert "voorbeeldgegevens" in html


def test_add_edit_and_delete_a_holiday(world, admin, admin_client):
    add = reverse("convenant:holiday_add", args=[world.region.pk])
    assert admin_client.get(add).status_code == 200
    response = admin_client.post(
        add, {"name": "Herfstvakantie", "starts_on": "2025-10-18", "ends_on": "2025-10-26"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("convenant:holidays", args=[world.region.pk])
    holiday = SchoolHoliday.objects.get(region=world.region)
    assert holiday.source == HolidaySource.MANUAL

    edit = reverse("convenant:holiday_edit", args=[holiday.pk])
    page = admin_client.get(edit)
    assert page.status_code == 200
    assert page.context["form"]["starts_on"].value() == D(2025, 10, 18)
    response = admin_client.post(
        edit, {"name": "Herfst", "starts_on": "2025-10-18", "ends_on": "2025-10-27"}
    )
    assert response.status_code == 302
    holiday.refresh_from_db()
    assert (holiday.name, holiday.ends_on) == ("Herfst", D(2025, 10, 27))

    delete = reverse("convenant:holiday_delete", args=[holiday.pk])
    confirm = admin_client.get(delete)
    assert confirm.status_code == 200
    assert "Herfst verwijderen?" in confirm.content.decode()
    assert SchoolHoliday.objects.filter(pk=holiday.pk).exists()  # GET never deletes
    response = admin_client.post(delete)
    assert response.status_code == 302
    assert not SchoolHoliday.objects.filter(pk=holiday.pk).exists()
    actions = set(
        AuditLogEntry.objects.filter(
            object_type="escalation.schoolholiday", actor=admin
        ).values_list("action", flat=True)
    )
    assert actions == {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE}


def test_holiday_form_errors_are_per_field(world, admin_client):
    _holiday(world)
    add = reverse("convenant:holiday_add", args=[world.region.pk])
    response = admin_client.post(add, {"name": "", "starts_on": "2026-02-22", "ends_on": "x"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"name", "ends_on"}

    response = admin_client.post(
        add, {"name": "Omgekeerd", "starts_on": "2026-02-22", "ends_on": "2026-02-14"}
    )
    assert response.status_code == 422
    assert "voor de eerste dag" in response.context["form"].errors["ends_on"][0]

    response = admin_client.post(
        add, {"name": "Dubbel", "starts_on": "2025-10-18", "ends_on": "2025-10-19"}
    )
    assert response.status_code == 422
    assert "Herfstvakantie" in response.context["form"].errors["starts_on"][0]
    assert response.context["form"]["name"].value() == "Dubbel"  # what was typed stays


def test_import_page_imports_a_csv(world, admin_client):
    url = reverse("convenant:holiday_import", args=[world.region.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "naam;eerste dag;laatste dag" in page.content.decode()
    upload = _upload(
        "vakanties.csv",
        "naam;eerste dag;laatste dag\nHerfst;2025-10-18;2025-10-26\nKerst;20-12-2025;04-01-2026\n",
    )
    response = admin_client.post(url, {"file": upload}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("convenant:holidays", args=[world.region.pk])
    assert "2 vakantie(s) toegevoegd" in response.content.decode()
    assert SchoolHoliday.objects.filter(region=world.region, source=HolidaySource.CSV).count() == 2


def test_import_page_shows_the_errors_per_line_and_saves_nothing(world, admin_client):
    url = reverse("convenant:holiday_import", args=[world.region.pk])
    upload = _upload(
        "vakanties.ics",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Goed\r\nDTSTART;VALUE=DATE:20251018\r\n"
        "DTEND;VALUE=DATE:20251027\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Fout\r\n"
        "DTSTART;VALUE=DATE:20251220\r\nDTEND;VALUE=DATE:20251220\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n",
    )
    response = admin_client.post(url, {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Regel 7: DTEND (20-12-2025) ligt niet na DTSTART (20-12-2025)." in html
    assert not SchoolHoliday.objects.exists()


def test_import_page_needs_a_file(world, admin_client):
    url = reverse("convenant:holiday_import", args=[world.region.pk])
    response = admin_client.post(url, {})
    assert response.status_code == 422
    assert response.context["form"].errors["file"]


def _upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="application/octet-stream")


# --- query budgets ----------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def _grow(world, admin, start: int, n: int) -> None:
    """n more versions of both SWVs of region A, and n more holidays."""
    doorbraak = member(world.swv, RoleCode.DOORBRAAKTEAM)
    casusregisseur = member(world.swv, RoleCode.CASUSREGISSEUR)
    for i in range(start, start + n):
        for swv in (world.swv, world.swv_vo):
            policy_version_create(
                swv=swv,
                actor=admin,
                reason=f"Versie {i}",
                warning_days=i % 20,
                casusregie=Casusregie.APPOINTED,
                casusregisseur_organisation=world.swv,
                casusregisseurs=[casusregisseur],
                doorbraakteam_coordinator=doorbraak,
                neighbour_swv=world.other_swv if swv == world.swv else None,
            )
        _holiday(world, name=f"Vakantie {i}", first=D(2020, 1, 1) + datetime.timedelta(weeks=i))


@pytest.mark.parametrize("name", ["overview", "swv", "holidays"])
def test_query_count_does_not_grow_with_versions_or_holidays(world, admin, admin_client, name):
    args = {"overview": None, "swv": [world.swv.pk], "holidays": [world.region.pk]}[name]
    url = reverse(f"convenant:{name}", args=args)
    _grow(world, admin, 0, 1)
    small = _count(admin_client, url)
    _grow(world, admin, 1, 24)
    large = _count(admin_client, url)
    assert small == large, f"{url}: {small} queries for 1, {large} for 25"
    assert large <= 14, f"{url}: {large} queries"


# --- demo data --------------------------------------------------------------------------------


def test_demo_seeds_sample_holidays_and_convenants_once(db):
    demo_region_seed(pupils=0)
    po = Samenwerkingsverband.objects.get(code=DEMO_SWV_PO)
    version = PolicyVersion.objects.get(policy__swv=po)
    assert version.count_mode == CountMode.PAUSE_HOLIDAYS
    # The SWV's demo casusregisseur is appointed, so the sweep hands them cases at week 4.
    assert version.casusregie == Casusregie.APPOINTED
    assert version.casusregisseur_organisation_id == po.pk
    assert [u.email for u in version.casusregisseurs.all()] == ["casusregisseur@demo.test"]
    assert version.neighbour_swv.code == "PO 99-02"
    assert version.doorbraakteam_coordinator.email == "doorbraakteam@demo.test"
    others = PolicyVersion.objects.exclude(policy__swv=po)
    assert others.count() == 3
    assert {(v.number, v.count_mode) for v in others} == {(1, CountMode.CALENDAR)}
    # No demo casusregisseur there: leerplicht leads.
    assert {v.casusregie for v in others} == {Casusregie.NONE_AGREED}
    lingemond = po.region
    holidays = SchoolHoliday.objects.filter(region=lingemond)
    assert holidays.count() == 10
    assert set(holidays.values_list("source", flat=True)) == {HolidaySource.SAMPLE}

    class Result:
        created = 0

    result = Result()
    seed_sample_holidays(seed=1, pupils=None, result=result)
    seed_demo_convenants(seed=1, pupils=None, result=result)
    assert result.created == 0
    assert PolicyVersion.objects.count() == 4


def test_a_demo_convenant_of_an_earlier_seed_appoints_the_casusregisseur_once(db, monkeypatch):
    # As seeded before the demo appointed its casusregisseurs: leerplicht leads.
    monkeypatch.setattr("escalation.demo.convenants._casusregisseurs", lambda swv: {})
    demo_region_seed(pupils=0)
    po = Samenwerkingsverband.objects.get(code=DEMO_SWV_PO)
    first = PolicyVersion.objects.get(policy__swv=po)
    assert first.casusregie == Casusregie.NONE_AGREED
    monkeypatch.undo()

    class Result:
        created = 0

    result = Result()
    for _run in range(2):
        seed_demo_convenants(seed=1, pupils=None, result=result)
    assert result.created == 1
    versions = list(PolicyVersion.objects.filter(policy__swv=po).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    second = versions[1]
    assert second.casusregie == Casusregie.APPOINTED
    assert second.casusregisseur_organisation_id == po.pk
    assert [u.email for u in second.casusregisseurs.all()] == ["casusregisseur@demo.test"]
    # Everything else carries over from version 1.
    assert (second.count_mode, second.neighbour_swv_id, second.doorbraakteam_coordinator_id) == (
        first.count_mode,
        first.neighbour_swv_id,
        first.doorbraakteam_coordinator_id,
    )
    assert PolicyVersion.objects.exclude(policy__swv=po).count() == 3
