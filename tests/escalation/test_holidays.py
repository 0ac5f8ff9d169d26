"""The holiday calendar services: checks, audit, recompute, CSV and iCalendar import, samples."""

import builtins
import datetime
import socket
import urllib.request

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from escalation.models import CaseDeadline, CountMode, HolidaySource, SchoolHoliday
from escalation.services.deadlines import deadlines_compute
from escalation.services.holidays import (
    holiday_create,
    holiday_delete,
    holiday_update,
    holidays_import,
    holidays_sample_add,
    parse_ics,
    sample_holidays,
)
from escalation.services.policy import policy_version_create
from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.users import SETUP, member

D = datetime.date


@pytest.fixture
def admin(user_with_role):
    return user_with_role(RoleCode.FUNCTIONAL_ADMIN)


AUTUMN = (D(2025, 10, 18), D(2025, 10, 26))


def _add(world, admin, name="Herfstvakantie", first=AUTUMN[0], last=AUTUMN[1]):
    return holiday_create(
        region=world.region, actor=admin, name=name, starts_on=first, ends_on=last
    )


def _messages(exc_info) -> list[str]:
    return exc_info.value.messages


def _audit(holiday, action):
    return AuditLogEntry.objects.filter(
        object_type="escalation.schoolholiday", object_id=str(holiday.pk), action=action
    )


# --- create, update, delete -----------------------------------------------------------------


def test_create_adds_the_holiday_and_audits_it(world, admin):
    holiday = _add(world, admin)
    assert (holiday.name, holiday.starts_on, holiday.ends_on, holiday.source) == (
        "Herfstvakantie",
        D(2025, 10, 18),
        D(2025, 10, 26),
        HolidaySource.MANUAL,
    )
    entry = _audit(holiday, AuditAction.CREATE).get()
    assert entry.actor == admin
    assert entry.region_id == world.region.pk
    assert entry.changes["after"]["starts_on"] == "2025-10-18"


@pytest.mark.parametrize(
    ("name", "first", "last", "field", "fragment"),
    [
        ("", D(2025, 10, 18), D(2025, 10, 26), "name", "naam"),
        ("  ", D(2025, 10, 18), D(2025, 10, 26), "name", "naam"),
        ("Omgekeerd", D(2025, 10, 26), D(2025, 10, 18), "ends_on", "voor de eerste"),
        ("Te lang", D(2025, 7, 1), D(2025, 10, 29), "ends_on", "hoogstens 120"),
    ],
)
def test_create_refuses_a_wrong_holiday(world, admin, name, first, last, field, fragment):
    with pytest.raises(ValidationError) as exc_info:
        holiday_create(region=world.region, actor=admin, name=name, starts_on=first, ends_on=last)
    assert fragment in " ".join(exc_info.value.message_dict[field])
    assert not SchoolHoliday.objects.exists()


def test_120_days_is_allowed(world, admin):
    holiday_create(
        region=world.region,
        actor=admin,
        name="Lang",
        starts_on=D(2025, 1, 1),
        ends_on=D(2025, 1, 1) + datetime.timedelta(days=119),
    )


def test_one_holiday_per_first_day(world, admin):
    _add(world, admin)
    with pytest.raises(ValidationError) as exc_info:
        _add(world, admin, name="Ander", last=D(2025, 10, 19))
    assert "Herfstvakantie" in exc_info.value.message_dict["starts_on"][0]


@pytest.mark.parametrize("role", [RoleCode.SWV_DIRECTOR, RoleCode.LEERPLICHT, RoleCode.POLICY])
def test_only_the_regions_administrator_changes_the_calendar(world, admin, user_with_role, role):
    holiday = _add(world, admin)
    other = user_with_role(role)
    with pytest.raises(PermissionDenied):
        _add(world, other, first=D(2025, 12, 20), last=D(2026, 1, 4))
    with pytest.raises(PermissionDenied):
        holiday_update(holiday=holiday, actor=other, name="X")
    with pytest.raises(PermissionDenied):
        holiday_delete(holiday=holiday, actor=other)
    with pytest.raises(PermissionDenied):
        holidays_import(
            region=world.region,
            actor=other,
            content=b"naam;eerste dag;laatste dag\n",
            filename="a.csv",
        )


def test_an_administrator_of_another_region_is_refused(world, admin):
    foreign_admin = member(world.region_b, RoleCode.FUNCTIONAL_ADMIN)
    with pytest.raises(PermissionDenied):
        _add(world, foreign_admin)
    holiday = _add(world, admin)
    with pytest.raises(PermissionDenied):
        holiday_delete(holiday=holiday, actor=foreign_admin)
    assert SchoolHoliday.objects.filter(pk=holiday.pk).exists()


def test_update_changes_and_audits_before_and_after(world, admin):
    holiday = _add(world, admin)
    holiday_update(holiday=holiday, actor=admin, ends_on=D(2025, 10, 27), name=" Herfst ")
    holiday.refresh_from_db()
    assert (holiday.name, holiday.ends_on) == ("Herfst", D(2025, 10, 27))
    changes = _audit(holiday, AuditAction.UPDATE).get().changes
    assert changes["before"] == {"name": "Herfstvakantie", "ends_on": "2025-10-26"}
    assert changes["after"] == {"name": "Herfst", "ends_on": "2025-10-27"}


def test_update_without_change_writes_nothing(world, admin):
    holiday = _add(world, admin)
    holiday_update(holiday=holiday, actor=admin, name=holiday.name)
    assert not _audit(holiday, AuditAction.UPDATE).exists()


def test_update_checks_like_create(world, admin):
    holiday = _add(world, admin)
    other = _add(world, admin, name="Kerst", first=D(2025, 12, 20), last=D(2026, 1, 4))
    with pytest.raises(ValidationError) as exc_info:
        holiday_update(holiday=other, actor=admin, starts_on=D(2025, 10, 18))
    assert "starts_on" in exc_info.value.message_dict
    with pytest.raises(ValidationError):
        holiday_update(holiday=holiday, actor=admin, ends_on=D(2025, 10, 1))
    with pytest.raises(TypeError):
        holiday_update(holiday=holiday, actor=admin, region=world.region_b)


def test_saving_a_sample_holiday_confirms_it(world, admin):
    holiday = holiday_create(
        region=world.region,
        actor=admin,
        name="Meivakantie",
        starts_on=D(2026, 4, 25),
        ends_on=D(2026, 5, 3),
        source=HolidaySource.SAMPLE,
    )
    holiday_update(holiday=holiday, actor=admin, name="Meivakantie")
    holiday.refresh_from_db()
    assert holiday.source == HolidaySource.MANUAL
    changes = _audit(holiday, AuditAction.UPDATE).get().changes
    assert changes["after"] == {"source": HolidaySource.MANUAL}


def test_delete_removes_and_audits(world, admin):
    holiday = _add(world, admin)
    pk = holiday.pk
    holiday_delete(holiday=holiday, actor=admin)
    assert not SchoolHoliday.objects.filter(pk=pk).exists()
    entry = AuditLogEntry.objects.get(
        object_type="escalation.schoolholiday", object_id=str(pk), action=AuditAction.DELETE
    )
    assert entry.changes["before"]["name"] == "Herfstvakantie"
    assert entry.actor == admin


# --- the deadlines follow -------------------------------------------------------------------


def test_a_holiday_change_moves_the_deadline_of_an_open_case(world, admin):
    policy_version_create(swv=world.swv, actor=SETUP, count_mode=CountMode.PAUSE_HOLIDAYS)
    case = CaseFactory(phase="school", school=world.school)
    deadlines_compute([case.pk])
    before = CaseDeadline.objects.get(case=case).due_on
    assert before == case.clock_start + datetime.timedelta(weeks=4)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    holiday = _add(world, admin, first=tomorrow, last=tomorrow + datetime.timedelta(days=6))
    assert CaseDeadline.objects.get(case=case).due_on == before + datetime.timedelta(days=7)

    holiday_update(holiday=holiday, actor=admin, ends_on=tomorrow + datetime.timedelta(days=8))
    assert CaseDeadline.objects.get(case=case).due_on == before + datetime.timedelta(days=9)

    holiday_delete(holiday=holiday, actor=admin)
    assert CaseDeadline.objects.get(case=case).due_on == before


def test_a_calendar_week_convenant_ignores_holidays(world, admin):
    case = CaseFactory(phase="school", school=world.school)
    deadlines_compute([case.pk])
    before = CaseDeadline.objects.get(case=case).due_on
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    _add(world, admin, first=tomorrow, last=tomorrow + datetime.timedelta(days=6))
    assert CaseDeadline.objects.get(case=case).due_on == before


def test_an_import_moves_the_deadline_too(world, admin):
    policy_version_create(swv=world.swv, actor=SETUP, count_mode=CountMode.PAUSE_HOLIDAYS)
    case = CaseFactory(phase="school", school=world.school)
    deadlines_compute([case.pk])
    before = CaseDeadline.objects.get(case=case).due_on
    first = timezone.localdate() + datetime.timedelta(days=2)
    content = f"naam;eerste dag;laatste dag\nKort;{first};{first + datetime.timedelta(days=2)}\n"
    holidays_import(region=world.region, actor=admin, content=content.encode(), filename="k.csv")
    assert CaseDeadline.objects.get(case=case).due_on == before + datetime.timedelta(days=3)


# --- CSV import -----------------------------------------------------------------------------


def _import(world, admin, content: str | bytes, filename="vakanties.csv"):
    data = content.encode() if isinstance(content, str) else content
    return holidays_import(region=world.region, actor=admin, content=data, filename=filename)


def _rows(world):
    return list(
        SchoolHoliday.objects.filter(region=world.region)
        .order_by("starts_on")
        .values_list("name", "starts_on", "ends_on", "source")
    )


def test_csv_with_semicolons_and_both_date_forms(world, admin):
    result = _import(
        world,
        admin,
        "\ufeffNaam;Eerste dag;Laatste dag\r\n"
        "Herfstvakantie 2025;2025-10-18;2025-10-26\r\n"
        "\r\n"
        "Kerstvakantie 2025-2026;20-12-2025;04-01-2026\r\n",
    )
    assert result.file_format == "csv"
    assert len(result.created) == 2
    assert _rows(world) == [
        ("Herfstvakantie 2025", D(2025, 10, 18), D(2025, 10, 26), "csv"),
        ("Kerstvakantie 2025-2026", D(2025, 12, 20), D(2026, 1, 4), "csv"),
    ]
    entries = AuditLogEntry.objects.filter(
        object_type="escalation.schoolholiday", action=AuditAction.CREATE
    )
    assert entries.count() == 2
    assert all(e.reason == "Geïmporteerd uit vakanties.csv" for e in entries)


def test_csv_with_commas_any_column_order_and_windows_1252(world, admin):
    content = (
        "laatste_dag,naam,eerste_dag,opmerking\n2026-02-22,Voorjaarsvakantie café,2026-02-14,x\n"
    )
    result = _import(world, admin, content.encode("cp1252"))
    assert len(result.created) == 1
    assert _rows(world) == [
        ("Voorjaarsvakantie café", D(2026, 2, 14), D(2026, 2, 22), "csv"),
    ]


def test_csv_needs_its_header(world, admin):
    with pytest.raises(ValidationError) as exc_info:
        _import(world, admin, "Herfstvakantie;2025-10-18;2025-10-26\n")
    text = " ".join(_messages(exc_info))
    assert "kopregel" in text
    assert "naam;eerste dag;laatste dag" in text


def test_csv_errors_are_listed_per_line_and_nothing_is_saved(world, admin):
    with pytest.raises(ValidationError) as exc_info:
        _import(
            world,
            admin,
            "naam;eerste dag;laatste dag\n"
            "Goed;2025-10-18;2025-10-26\n"
            "Datum fout;31-02-2025;2025-03-05\n"
            ";2025-12-20;2026-01-04\n"
            "Omgekeerd;2026-02-22;2026-02-14\n"
            "Geen einde;2026-04-25;\n"
            "Heel lang;2026-01-01;2026-12-31\n",
        )
    assert _messages(exc_info) == [
        "Regel 3: de eerste dag '31-02-2025' is geen datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ).",
        "Regel 4: geef de naam van de vakantie.",
        "Regel 5: de laatste dag ligt voor de eerste dag.",
        "Regel 6: de laatste dag ontbreekt.",
        "Regel 7: een vakantie duurt hoogstens 120 dagen; deze duurt er 365.",
    ]
    assert not SchoolHoliday.objects.exists()


def test_import_skips_exact_duplicates_and_refuses_to_replace(world, admin):
    _add(world, admin, name="Herfstvakantie 2025")
    result = _import(
        world,
        admin,
        "naam;eerste dag;laatste dag\n"
        "Herfstvakantie 2025;18-10-2025;26-10-2025\n"
        "Kerstvakantie;2025-12-20;2026-01-04\n"
        "Kerstvakantie;2025-12-20;2026-01-04\n",
    )
    assert [r.line for r in result.skipped] == [2, 4]
    assert [h.name for h in result.created] == ["Kerstvakantie"]

    with pytest.raises(ValidationError) as exc_info:
        _import(
            world,
            admin,
            "naam;eerste dag;laatste dag\n"
            "Herfstvakantie 2025;2025-10-18;2025-10-27\n"
            "Voorjaar;2026-02-14;2026-02-22\n"
            "Voorjaar anders;2026-02-14;2026-02-21\n",
        )
    assert _messages(exc_info) == [
        "Regel 2: op die dag begint al Herfstvakantie 2025 (18-10-2025 t/m 26-10-2025); "
        "pas die aan of verwijder hem eerst.",
        "Regel 4: op 14-02-2026 begint ook de vakantie van regel 3.",
    ]
    assert SchoolHoliday.objects.get(starts_on=D(2025, 10, 18)).ends_on == D(2025, 10, 26)
    assert not SchoolHoliday.objects.filter(starts_on=D(2026, 2, 14)).exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "leeg"),
        (b"naam;eerste dag;laatste dag\n", "geen vakanties"),
        (b"x" * 1_000_001, "1 MB"),
    ],
)
def test_unusable_files(world, admin, content, fragment):
    with pytest.raises(ValidationError) as exc_info:
        _import(world, admin, content)
    assert fragment in " ".join(_messages(exc_info))


# --- iCalendar import -----------------------------------------------------------------------

ICS = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//Test//NL\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:1@test\r\n"
    "SUMMARY:Herfstvakantie 2025 regio midden\\, voor\r\n"
    "  basisscholen\r\n"
    "DTSTART;VALUE=DATE:20251018\r\n"
    "DTEND;VALUE=DATE:20251027\r\n"
    "BEGIN:VALARM\r\n"
    "ACTION:DISPLAY\r\n"
    "SUMMARY:Herinnering\r\n"
    "TRIGGER:-P1D\r\n"
    "END:VALARM\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "SUMMARY:Kerstvakantie\r\n"
    "DTSTART;VALUE=DATE:2025\r\n"
    "\t1220\r\n"
    "DTEND;VALUE=DATE:20260105\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "SUMMARY:Studiedag\r\n"
    "DTSTART;VALUE=DATE:20260311\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "SUMMARY:Meivakantie\r\n"
    "DTSTART;VALUE=DATE:20260425\r\n"
    "DURATION:P9D\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "SUMMARY:Afgelast\r\n"
    "STATUS:CANCELLED\r\n"
    "DTSTART;VALUE=DATE:20260601\r\n"
    "DTEND;VALUE=DATE:20260602\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_ics_dtend_is_exclusive_and_folded_lines_are_unfolded(world, admin):
    result = _import(world, admin, ICS, filename="vakanties.ics")
    assert result.file_format == "ics"
    assert _rows(world) == [
        (
            "Herfstvakantie 2025 regio midden, voor basisscholen",
            D(2025, 10, 18),
            D(2025, 10, 26),
            "ics",
        ),
        ("Kerstvakantie", D(2025, 12, 20), D(2026, 1, 4), "ics"),
        ("Studiedag", D(2026, 3, 11), D(2026, 3, 11), "ics"),
        ("Meivakantie", D(2026, 4, 25), D(2026, 5, 3), "ics"),
    ]


def test_ics_is_recognised_by_its_content_too(world, admin):
    result = _import(world, admin, ICS.replace("\r\n", "\n"), filename="kalender")
    assert result.file_format == "ics"
    assert len(result.created) == 4


def test_folded_lines_are_read_and_errors_keep_the_line_of_the_event():
    # Folds with a space or a tab, CRLF, LF and lone CR line ends, and white space after
    # BEGIN:VEVENT, in one file.
    rows, errors = parse_ics(
        "BEGIN:VCALENDAR\r\n"
        "BEGIN:VEVENT\r\n"
        "SUMMARY:Herfst\r\n"
        " vakantie\r\n"
        "DTSTART;VALUE=DATE:2025\n"
        "\t1018\n"
        "DTEND;VALUE=DATE:20251027\r"
        "END:VEVENT\r\n"
        "\r\n"
        "BEGIN:VEVENT \r\n"
        "SUMMARY:Kapot\r\n"
        "DTSTART;VALUE=DATE:2025\r\n"
        " 1301\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    assert [(r.line, r.name, r.starts_on, r.ends_on) for r in rows] == [
        (2, "Herfstvakantie", D(2025, 10, 18), D(2025, 10, 26))
    ]
    assert errors == [(10, "Regel 10: DTSTART '20251301' is geen bestaande datum.")]


def test_ics_errors_name_the_line_of_the_event(world, admin):
    content = (
        "BEGIN:VCALENDAR\n"
        "BEGIN:VEVENT\n"
        "SUMMARY:Met tijd\n"
        "DTSTART:20251018T090000Z\n"
        "DTEND:20251018T170000Z\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\n"
        "SUMMARY:Herhaalt\n"
        "DTSTART;VALUE=DATE:20251018\n"
        "RRULE:FREQ=YEARLY\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\n"
        "SUMMARY:Achterstevoren\n"
        "DTSTART;VALUE=DATE:20251027\n"
        "DTEND;VALUE=DATE:20251027\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\n"
        "DTSTART;VALUE=DATE:20251220\n"
        "DTEND;VALUE=DATE:20260105\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\n"
        "SUMMARY:Geen datum\n"
        "DTSTART;VALUE=DATE:20250230\n"
        "END:VEVENT\n"
        "END:VCALENDAR\n"
    )
    with pytest.raises(ValidationError) as exc_info:
        _import(world, admin, content, filename="fout.ics")
    assert _messages(exc_info) == [
        "Regel 2: DTSTART '20251018T090000Z' is geen hele dag; gebruik "
        "DTSTART;VALUE=DATE:JJJJMMDD.",
        "Regel 7: herhalende afspraken (RRULE) worden niet ondersteund.",
        "Regel 12: DTEND (27-10-2025) ligt niet na DTSTART (27-10-2025).",
        "Regel 17: geef de naam van de vakantie.",
        "Regel 21: DTSTART '20250230' is geen bestaande datum.",
    ]
    assert not SchoolHoliday.objects.exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("naam;eerste dag;laatste dag\n", "BEGIN:VCALENDAR"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:X\n", "eindigt midden in VEVENT"),
        ("BEGIN:VCALENDAR\nEND:VCALENDAR\n", "geen vakanties"),
    ],
)
def test_unusable_ics_files(world, admin, content, fragment):
    with pytest.raises(ValidationError) as exc_info:
        _import(world, admin, content, filename="x.ics")
    assert fragment in " ".join(_messages(exc_info))


def test_ics_quoted_parameters_may_hold_colons():
    rows, errors = parse_ics(
        'BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY;ALTREP="http://x.test/a:b":Zomer\n'
        "DTSTART;VALUE=DATE:20260718\nDTEND;VALUE=DATE:20260831\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    assert errors == []
    assert [(r.name, r.starts_on, r.ends_on) for r in rows] == [
        ("Zomer", D(2026, 7, 18), D(2026, 8, 30))
    ]


def test_ics_durations_weeks_and_cancelled_events_in_any_case():
    rows, errors = parse_ics(
        "BEGIN:VCALENDAR\n"
        "BEGIN:VEVENT\nSUMMARY:Twee weken\nDTSTART;VALUE=DATE:20260704\nDURATION:P2W\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\nSUMMARY:Weg\nSTATUS:cancelled\nDTSTART;VALUE=DATE:20260801\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\nSUMMARY:Nul\nDTSTART;VALUE=DATE:20260901\nDURATION:P0D\nEND:VEVENT\n"
        "BEGIN:VEVENT\nSUMMARY:Uren\nDTSTART;VALUE=DATE:20261001\nDURATION:PT3H\nEND:VEVENT\n"
        "END:VCALENDAR\n"
    )
    assert [(r.name, r.starts_on, r.ends_on) for r in rows] == [
        ("Twee weken", D(2026, 7, 4), D(2026, 7, 17))
    ]
    assert errors == [
        (12, "Regel 12: de DURATION is nul."),
        (17, "Regel 17: gebruik een DURATION in hele dagen of weken, zoals P9D."),
    ]


def test_ics_lines_that_do_not_pair_up_are_named():
    rows, errors = parse_ics(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:X\nEND:VTODO\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    assert (rows, errors) == ([], [(4, "Regel 4: END:VTODO zonder BEGIN.")])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:X\ngeen iCalendar\n"
            "DTSTART;VALUE=DATE:20251018\nEND:VEVENT\nEND:VCALENDAR\n",
            "Regel 2: de afspraak bevat een regel die geen iCalendar-regel is.",
        ),
        (
            "BEGIN:VCALENDAR\ngeen iCalendar\nEND:VCALENDAR\n",
            "Het bestand is geen leesbaar iCalendar-bestand.",
        ),
    ],
)
def test_ics_lines_icalendar_cannot_read(world, admin, content, message):
    with pytest.raises(ValidationError) as exc_info:
        _import(world, admin, content, filename="x.ics")
    assert _messages(exc_info) == [message]


def test_ics_import_reads_no_file_and_opens_no_connection(monkeypatch):
    opened = []
    real_open = builtins.open

    def recording_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("the import went to the network")

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    rows, errors = parse_ics(
        "BEGIN:VCALENDAR\n"
        "BEGIN:VEVENT\n"
        'SUMMARY;ALTREP="http://x.test/a":Zomer\n'
        "ATTACH:file:///etc/passwd\n"
        "URL:https://x.test/kalender.ics\n"
        "DTSTART;VALUE=DATE:20260718\n"
        "DTEND;VALUE=DATE:20260831\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\n"
        "SUMMARY:Pad\n"
        "DTSTART;TZID=/etc/passwd:20260101T090000\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\n"
        "SUMMARY:Pad omhoog\n"
        "DTSTART;TZID=../../../../etc/passwd:20260101T090000\n"
        "END:VEVENT\n"
        "END:VCALENDAR\n"
    )
    assert [r.name for r in rows] == ["Zomer"]
    hint = "is geen hele dag; gebruik DTSTART;VALUE=DATE:JJJJMMDD."
    assert errors == [
        (9, f"Regel 9: DTSTART '20260101T090000' {hint}"),
        (13, f"Regel 13: DTSTART '20260101T090000' {hint}"),
    ]
    assert not [path for path in opened if "passwd" in path]


def test_parse_ics_takes_the_text_never_a_path(tmp_path):
    path = tmp_path / "vakanties.ics"
    path.write_text(ICS)
    with pytest.raises(TypeError):
        parse_ics(path)


# --- sample data ----------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["noord", "midden", "zuid"])
def test_sample_holidays_cover_two_school_years(zone):
    rows = sample_holidays(zone, D(2025, 9, 1))
    assert len(rows) == 10
    names = [name.split()[0] for name, _first, _last in rows]
    assert (
        names
        == ["Herfstvakantie", "Kerstvakantie", "Voorjaarsvakantie", "Meivakantie", "Zomervakantie"]
        * 2
    )
    assert rows[0][0] == "Herfstvakantie 2025"
    assert rows[-1][0] == "Zomervakantie 2027"
    for _name, first, last in rows:
        assert first.weekday() == 5  # a Saturday
        assert last.weekday() == 6  # a Sunday
        assert 9 <= (last - first).days + 1 <= 44
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)


def test_sample_school_year_starts_in_august():
    assert sample_holidays("midden", D(2026, 7, 31))[0][0] == "Herfstvakantie 2025"
    assert sample_holidays("midden", D(2026, 8, 1))[0][0] == "Herfstvakantie 2026"


def test_sample_zones_differ_in_summer():
    summers = {
        zone: sample_holidays(zone, D(2025, 9, 1))[4][1] for zone in ("noord", "midden", "zuid")
    }
    assert len(set(summers.values())) == 3
    assert summers["noord"] == D(2026, 7, 4)


def test_sample_add_marks_rows_and_adds_nothing_twice(world):
    added = holidays_sample_add(region=world.region, today=D(2025, 9, 1), actor=SETUP)
    assert len(added) == 10
    assert {h.source for h in added} == {HolidaySource.SAMPLE}
    assert holidays_sample_add(region=world.region, today=D(2025, 9, 1), actor=SETUP) == []
