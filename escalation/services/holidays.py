"""The school holiday calendar of a region: add, change, remove, import, and sample data.

Holidays pause the clock of a convenant that counts weeks outside the school holidays
(``CountMode.PAUSE_HOLIDAYS``). Every change is checked against the actor's
``manage_region`` capability for the region, validated, audited, and followed in the same
transaction by ``deadlines_recompute`` for the region's open cases (deadlines that already
passed stay as they were).

Two file layouts can be imported (docs/convenant.md):

- CSV, UTF-8 (with or without BOM) or Windows-1252, separated by ``;``, ``,`` or a tab
  (read by ``thuiszitters.csvfiles``). The first line is the header
  ``naam;eerste dag;laatste dag`` (column order free, ``_`` for the space allowed, other
  columns ignored); one holiday per line; dates as ``JJJJ-MM-DD`` or ``DD-MM-JJJJ``; both
  days inclusive.
- iCalendar (``.ics``, RFC 5545, read by the ``icalendar`` package): every ``VEVENT`` with
  ``SUMMARY``, ``DTSTART;VALUE=DATE`` and ``DTEND;VALUE=DATE``, where DTEND is the first day
  *after* the holiday (exclusive), as every calendar program writes it. Without DTEND a
  ``DURATION`` in days or weeks counts, else the event is one day. Folded lines are
  unfolded; cancelled events are left out; recurring events (RRULE) and events with a time
  of day are refused.

An import is all or nothing: every line is checked first and any error refuses the whole
file, with one Dutch message per line. A line equal to a holiday that exists (same name,
same first and last day) is skipped; a line whose first day is already the first day of a
different holiday is an error, because an import never replaces anything.
"""

import datetime
import re
from dataclasses import dataclass, field
from typing import Any, cast

import icalendar
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuiszitters import csvfiles
from thuiszitters.access import region_ids_with
from thuiszitters.audit import audit_change, snapshot
from thuiszitters.models import AuditAction, HolidayRegion, Organisation, Region
from thuiszitters.roles import Capability
from thuiszitters.system import Actor, is_system

from ..models import HolidaySource, SchoolHoliday

MAX_DAYS = 120
MAX_BYTES = 1_000_000
MAX_ROWS = 500
NAME_MAX_LENGTH = cast(int, SchoolHoliday._meta.get_field("name").max_length)  # a CharField
HOLIDAY_FIELDS = ["name", "starts_on", "ends_on", "source"]
EDITABLE_FIELDS = frozenset({"name", "starts_on", "ends_on"})
CSV_COLUMNS = ("naam", "eerste dag", "laatste dag")
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class HolidayRow:
    """One holiday read from a file; ``line`` is its line number in the file."""

    line: int
    name: str
    starts_on: datetime.date
    ends_on: datetime.date


@dataclass
class ImportResult:
    """What an import wrote: nothing when it raised, else these."""

    filename: str
    file_format: str  # "csv" or "ics"
    created: list[SchoolHoliday] = field(default_factory=list)
    skipped: list[HolidayRow] = field(default_factory=list)


def _day(value: datetime.date) -> str:
    return value.strftime("%d-%m-%Y")


def _require_manager(actor: Actor, region: Region) -> None:
    """The system (the demo seeder) may; a person needs ``manage_region``."""
    if is_system(actor):
        return
    if region.pk not in region_ids_with(actor, Capability.MANAGE_REGION):
        raise PermissionDenied(_("U beheert de vakantiekalender van deze regio niet."))


def _lock_region(region: Region) -> None:
    # Serialises the holiday changes of one region, so the checks below see every row.
    Organisation.objects.select_for_update().filter(pk=region.pk).values_list("pk").first()


def _recompute(region: Region) -> None:
    from .deadlines import deadlines_recompute

    deadlines_recompute(region_ids=[region.pk])


def _period_errors(
    name: str, starts_on: datetime.date | None, ends_on: datetime.date | None
) -> dict[str, str]:
    """The checks on one holiday by itself (the calendar's checks come on top)."""
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("Geef de naam van de vakantie.")
    elif len(name.strip()) > NAME_MAX_LENGTH:
        errors["name"] = _("De naam is langer dan %(max)s tekens.") % {"max": NAME_MAX_LENGTH}
    if starts_on is None:
        errors["starts_on"] = _("Geef de eerste dag van de vakantie.")
    if ends_on is None:
        errors["ends_on"] = _("Geef de laatste dag van de vakantie.")
    if starts_on is not None and ends_on is not None:
        if ends_on < starts_on:
            errors["ends_on"] = _("De laatste dag ligt voor de eerste dag.")
        elif (ends_on - starts_on).days + 1 > MAX_DAYS:
            errors["ends_on"] = _(
                "Een vakantie duurt hoogstens %(max)s dagen; deze duurt er %(days)s."
            ) % {"max": MAX_DAYS, "days": (ends_on - starts_on).days + 1}
    return errors


def _same_start(
    region: Region, starts_on: datetime.date, exclude_pk: int | None = None
) -> SchoolHoliday | None:
    taken = SchoolHoliday.objects.filter(region=region, starts_on=starts_on)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return taken.first()


def _taken_message(other: SchoolHoliday) -> str:
    return _(
        "Op die dag begint al %(name)s (%(first)s t/m %(last)s); pas die aan of verwijder "
        "hem eerst."
    ) % {"name": other.name, "first": _day(other.starts_on), "last": _day(other.ends_on)}


def _create(
    *,
    region: Region,
    actor: Actor,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    source: str,
    reason: str = "",
) -> SchoolHoliday:
    holiday = SchoolHoliday.objects.create(
        region=region, name=name.strip(), starts_on=starts_on, ends_on=ends_on, source=source
    )
    audit_change(
        actor=actor,
        obj=holiday,
        action=AuditAction.CREATE,
        after=snapshot(holiday, HOLIDAY_FIELDS),
        reason=reason,
        organisation=region,
    )
    return holiday


@transaction.atomic
def holiday_create(
    *,
    region: Region,
    actor: Actor,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    source: str = HolidaySource.MANUAL,
) -> SchoolHoliday:
    """Add a holiday to the region's calendar; the region's open deadlines follow at once."""
    _require_manager(actor, region)
    if source not in HolidaySource.values:
        raise ValueError(source)
    _lock_region(region)
    errors = _period_errors(name, starts_on, ends_on)
    if "starts_on" not in errors and (other := _same_start(region, starts_on)) is not None:
        errors["starts_on"] = _taken_message(other)
    if errors:
        raise ValidationError(errors)
    holiday = _create(
        region=region,
        actor=actor,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        source=source,
    )
    _recompute(region)
    return holiday


@transaction.atomic
def holiday_update(*, holiday: SchoolHoliday, actor: Actor, **fields: Any) -> SchoolHoliday:
    """Change the name or the days of a holiday. A changed holiday, and a sample one saved
    as it is (the administrator confirms it), becomes one that was entered (``manual``)."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"holiday_update() got unexpected fields: {sorted(unknown)}")
    region = holiday.region
    _require_manager(actor, region)
    _lock_region(region)
    holiday = SchoolHoliday.objects.select_for_update().get(pk=holiday.pk)
    before = snapshot(holiday, HOLIDAY_FIELDS)
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    values = {name: fields.get(name, getattr(holiday, name)) for name in EDITABLE_FIELDS}
    errors = _period_errors(values["name"], values["starts_on"], values["ends_on"])
    if (
        "starts_on" not in errors
        and (other := _same_start(region, values["starts_on"], exclude_pk=holiday.pk)) is not None
    ):
        errors["starts_on"] = _taken_message(other)
    if errors:
        raise ValidationError(errors)
    changed = values != _editable(holiday)
    if not changed and holiday.source != HolidaySource.SAMPLE:
        return holiday  # nothing changed: no audit entry, no recompute
    for name, value in values.items():
        setattr(holiday, name, value)
    holiday.source = HolidaySource.MANUAL
    holiday.save(update_fields=[*sorted(EDITABLE_FIELDS), "source"])
    audit_change(
        actor=actor,
        obj=holiday,
        action=AuditAction.UPDATE,
        before=before,
        after=snapshot(holiday, HOLIDAY_FIELDS),
        organisation=region,
    )
    _recompute(region)
    return holiday


def _editable(holiday: SchoolHoliday) -> dict[str, Any]:
    return {name: getattr(holiday, name) for name in EDITABLE_FIELDS}


@transaction.atomic
def holiday_delete(*, holiday: SchoolHoliday, actor: Actor) -> None:
    """Remove a holiday from the calendar; the region's open deadlines follow at once."""
    region = holiday.region
    _require_manager(actor, region)
    _lock_region(region)
    holiday = SchoolHoliday.objects.select_for_update().get(pk=holiday.pk)
    audit_change(
        actor=actor,
        obj=holiday,
        action=AuditAction.DELETE,
        before=snapshot(holiday, HOLIDAY_FIELDS),
        organisation=region,
    )
    holiday.delete()
    _recompute(region)


# --- Import ---------------------------------------------------------------------------------


# Errors of a file: (line number, message), sorted by line before they are shown.
LineErrors = list[tuple[int, str]]


def _line_error(line: int, message: str) -> tuple[int, str]:
    return line, _("Regel %(line)s: %(message)s") % {"line": line, "message": message}


def _decode(content: bytes) -> str:
    return csvfiles.file_decode(
        content, max_bytes=MAX_BYTES, too_large=_("Het bestand is groter dan 1 MB.")
    )


def _column(header_cell: str) -> str:
    return " ".join(header_cell.replace("_", " ").strip().lower().split())


def parse_csv(text: str) -> tuple[list[HolidayRow], LineErrors]:
    """The rows of a holiday CSV and the lines that cannot be read; a ValidationError when
    the file as a whole is unusable (no header)."""
    raw_header, records = csvfiles.csv_read(text)
    header = [_column(cell) for cell in raw_header]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise ValidationError(
            [
                _("De kopregel mist de kolom(men): %(columns)s.") % {"columns": ", ".join(missing)},
                _("De eerste regel moet de kopregel zijn: naam;eerste dag;laatste dag."),
            ]
        )
    index = {name: header.index(name) for name in CSV_COLUMNS}
    rows: list[HolidayRow] = []
    errors: LineErrors = []
    for record in records:
        if len(rows) + len(errors) >= MAX_ROWS:
            raise ValidationError(
                _("Het bestand heeft meer dan %(max)s regels.") % {"max": MAX_ROWS}
            )
        cells = record.cells
        values = {name: cells[i].strip() if i < len(cells) else "" for name, i in index.items()}
        days = {}
        problems = []
        for column, key in (("eerste dag", "starts_on"), ("laatste dag", "ends_on")):
            if not values[column]:
                problems.append(_("de %(column)s ontbreekt.") % {"column": column})
                continue
            try:
                days[key] = csvfiles.date_parse(values[column])
            except ValueError:
                problems.append(
                    _("de %(column)s '%(value)s' is geen datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ).")
                    % {"column": column, "value": values[column]}
                )
        if problems:
            errors.extend(_line_error(record.line, p) for p in problems)
            continue
        rows.append(HolidayRow(record.line, values["naam"], days["starts_on"], days["ends_on"]))
    return rows, errors


# icalendar reads an .ics file (folded lines, escapes, parameters, value types) but keeps no
# line numbers, and the messages name the line on which an event begins. So the lines that
# open and close a component are found here, which also checks that they pair up.
_MARKER = re.compile(r"(BEGIN|END):([^\s:;]+)[ \t]*", re.IGNORECASE)
_ICS_DAY = re.compile(r"\d{8}")


def _ics_lines(text: str) -> list[str]:
    # RFC 5545 lines end in CRLF; LF and a lone CR are accepted too. Not str.splitlines(): it
    # also splits on form feeds and Unicode separators, which may sit inside a text value.
    return re.sub(r"\r\n?", "\n", text.lstrip("\ufeff")).split("\n")


def _event_starts(lines: list[str]) -> tuple[list[int], LineErrors]:
    """The line numbers of the ``BEGIN:VEVENT`` lines, and every ``END`` without its
    ``BEGIN`` and a component left open at the end of the file."""
    starts: list[int] = []
    errors: LineErrors = []
    stack: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not (match := _MARKER.fullmatch(line)):
            continue
        keyword, component = match[1].upper(), match[2].upper()
        if keyword == "BEGIN":
            stack.append(component)
            if component == "VEVENT":
                starts.append(number)
        elif stack and stack[-1] == component:
            stack.pop()
        else:
            errors.append(_line_error(number, _("END:%(c)s zonder BEGIN.") % {"c": component}))
    if stack:
        errors.append(
            (len(lines) + 1, _("Het bestand eindigt midden in %(c)s.") % {"c": stack[-1]})
        )
    return starts, errors


def _calendars(text: str) -> list[icalendar.Calendar]:
    """The components of the file's text (see ``parse_ics`` on what icalendar may read)."""
    try:
        return icalendar.Calendar.from_ical(text, multiple=True)
    # Mostly a ValueError, but some malformed files make icalendar raise others (7.3 gives
    # an AttributeError for ``VALUE=DATE,DATE``); whatever it cannot read is refused.
    except Exception:  # noqa: BLE001
        raise ValidationError(_("Het bestand is geen leesbaar iCalendar-bestand.")) from None


def _first(event: icalendar.Component, name: str) -> Any:
    # A property given twice is a list; the first one counts.
    value = event.get(name)
    return value[0] if isinstance(value, list) else value


def _value(prop: Any) -> Any:
    """The value icalendar read, or None where it could not (a ``vBroken``)."""
    return None if isinstance(prop, icalendar.vBroken) else getattr(prop, "dt", None)


def _ics_date(name: str, prop: Any) -> datetime.date:
    value = _value(prop)
    if type(value) is datetime.date:  # not a datetime, which is a date too
        return value
    raw = prop.to_ical()
    raw = (raw.decode() if isinstance(raw, bytes) else raw).strip()  # a time gives str
    if (
        isinstance(prop, icalendar.vBroken)
        and prop.params.get("VALUE", "DATE").upper() == "DATE"
        and _ICS_DAY.fullmatch(raw)
    ):
        raise ValueError(
            _("%(name)s '%(value)s' is geen bestaande datum.") % {"name": name, "value": raw}
        )
    raise ValueError(
        _("%(name)s '%(value)s' is geen hele dag; gebruik %(name)s;VALUE=DATE:JJJJMMDD.")
        % {"name": name, "value": raw}
    )


def _event_row(line: int, event: icalendar.Component) -> HolidayRow:
    """One VEVENT's holiday; ValueError with the Dutch reason."""
    if "RRULE" in event or "RDATE" in event:
        raise ValueError(_("herhalende afspraken (RRULE) worden niet ondersteund."))
    summary = _first(event, "SUMMARY")
    name = "" if summary is None else str(summary).replace("\n", " ").strip()
    if (start := _first(event, "DTSTART")) is None:
        raise ValueError(_("DTSTART ontbreekt."))
    starts_on = _ics_date("DTSTART", start)
    if (dtend := _first(event, "DTEND")) is not None:
        end = _ics_date("DTEND", dtend)  # the first day after the holiday
        if end <= starts_on:
            raise ValueError(
                _("DTEND (%(end)s) ligt niet na DTSTART (%(start)s).")
                % {"end": _day(end), "start": _day(starts_on)}
            )
        ends_on = end - DAY
    elif (duration := _first(event, "DURATION")) is not None:
        length = _value(duration)
        if not isinstance(length, datetime.timedelta) or length.days < 0 or length % DAY:
            raise ValueError(_("gebruik een DURATION in hele dagen of weken, zoals P9D."))
        if not length:
            raise ValueError(_("de DURATION is nul."))
        ends_on = starts_on + length - DAY
    else:
        ends_on = starts_on  # RFC 5545: a DATE event without an end lasts one day
    return HolidayRow(line, name, starts_on, ends_on)


def parse_ics(text: str) -> tuple[list[HolidayRow], LineErrors]:
    """The holidays of an iCalendar file (one per VEVENT) and the events that cannot be
    read, each with the line on which it begins.

    icalendar is given the uploaded text and nothing else: handed a ``pathlib.Path``, its
    ``from_ical`` reads that file from disk, hence the check. It opens no URL (ATTACH, URL
    and ALTREP stay text), and a TZID is only looked up in the time zone database by
    ``zoneinfo``, which refuses a path as a key.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_ics() takes the text of a file, not {type(text).__name__}")
    lines = _ics_lines(text)
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.upper() != "BEGIN:VCALENDAR":
        raise ValidationError(
            _("Het bestand is geen iCalendar-bestand: het begint niet met BEGIN:VCALENDAR.")
        )
    starts, errors = _event_starts(lines)
    if errors:
        return [], errors
    # Without the white space that may trail BEGIN:VEVENT, which icalendar would keep.
    text = "\n".join(line.rstrip(" \t") if _MARKER.fullmatch(line) else line for line in lines)
    events = [e for c in _calendars(text) for e in c.walk("VEVENT")]
    if len(events) != len(starts):  # a BEGIN:VEVENT folded over two lines, say
        raise ValidationError(_("Het bestand is geen leesbaar iCalendar-bestand."))
    rows: list[HolidayRow] = []
    for line, event in zip(starts, events, strict=True):
        if any(name is None for name, _message in event.errors):
            errors.append(
                _line_error(line, _("de afspraak bevat een regel die geen iCalendar-regel is."))
            )
        if str(_first(event, "STATUS") or "").strip().upper() == "CANCELLED":
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise ValidationError(
                _("Het bestand heeft meer dan %(max)s afspraken.") % {"max": MAX_ROWS}
            )
        try:
            rows.append(_event_row(line, event))
        except ValueError as exc:
            errors.append(_line_error(line, str(exc)))
    return rows, errors


def file_format(content: bytes, filename: str) -> str:
    name = (filename or "").lower()
    if name.endswith((".ics", ".ical", ".ifb", ".icalendar")):
        return "ics"
    if name.endswith((".csv", ".txt")):
        return "csv"
    head = content[:64].lstrip(b"\xef\xbb\xbf \r\n\t").upper()
    return "ics" if head.startswith(b"BEGIN:VCALENDAR") else "csv"


def holidays_parse(*, content: bytes, filename: str) -> tuple[str, list[HolidayRow], LineErrors]:
    """The format, the holidays and the unreadable lines of an uploaded file, before any
    check on the calendar; a ValidationError when the file as a whole is unusable."""
    text = _decode(content)
    kind = file_format(content, filename)
    rows, errors = parse_ics(text) if kind == "ics" else parse_csv(text)
    if not rows and not errors:
        raise ValidationError(_("Het bestand bevat geen vakanties."))
    return kind, rows, errors


def _same(row: HolidayRow, holiday: SchoolHoliday | HolidayRow) -> bool:
    return (row.name.strip().casefold(), row.starts_on, row.ends_on) == (
        holiday.name.strip().casefold(),
        holiday.starts_on,
        holiday.ends_on,
    )


@transaction.atomic
def holidays_import(*, region: Region, actor: Actor, content: bytes, filename: str) -> ImportResult:
    """Import a CSV or iCalendar file into the region's calendar, all or nothing.

    Raises ValidationError with one message per wrong line (nothing is written then);
    returns what was added and which lines were skipped as exact duplicates.
    """
    _require_manager(actor, region)
    kind, rows, errors = holidays_parse(content=content, filename=filename)
    _lock_region(region)
    existing = {h.starts_on: h for h in SchoolHoliday.objects.filter(region=region)}
    result = ImportResult(filename=filename, file_format=kind)
    to_add: list[HolidayRow] = []
    in_file: dict[datetime.date, HolidayRow] = {}
    for row in rows:
        problems = _period_errors(row.name, row.starts_on, row.ends_on)
        if problems:
            errors.extend(_line_error(row.line, _lowercase_first(m)) for m in problems.values())
            continue
        if (other := existing.get(row.starts_on)) is not None:
            if _same(row, other):
                result.skipped.append(row)
            else:
                errors.append(_line_error(row.line, _lowercase_first(_taken_message(other))))
            continue
        if (earlier := in_file.get(row.starts_on)) is not None:
            if _same(row, earlier):
                result.skipped.append(row)
            else:
                errors.append(
                    _line_error(
                        row.line,
                        _("op %(day)s begint ook de vakantie van regel %(other)s.")
                        % {"day": _day(row.starts_on), "other": earlier.line},
                    )
                )
            continue
        in_file[row.starts_on] = row
        to_add.append(row)
    if errors:
        raise ValidationError([message for _line, message in sorted(errors, key=_by_line)])
    source = HolidaySource.ICS if kind == "ics" else HolidaySource.CSV
    reason = _("Geïmporteerd uit %(file)s") % {"file": filename}
    for row in to_add:
        result.created.append(
            _create(
                region=region,
                actor=actor,
                name=row.name,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                source=source,
                reason=reason,
            )
        )
    if result.created:
        _recompute(region)
    return result


def _by_line(error: tuple[int, str]) -> int:
    return error[0]


def _lowercase_first(message: str) -> str:
    return message[:1].lower() + message[1:]


# --- Sample data ----------------------------------------------------------------------------

# SAMPLE DATA, not the official dates (those are published each year on rijksoverheid.nl):
# the ISO week in which each holiday's first full week falls, per zone, roughly as the
# Ministry spreads them. Autumn and spring holidays are 9 days (Saturday to the Sunday a week
# later), summer 6 weeks plus the weekends; Christmas and May are the same in every zone.
_SAMPLE_WEEKS = {
    HolidayRegion.NOORD: {"herfst": 43, "voorjaar": 8, "zomer": 28},
    HolidayRegion.MIDDEN: {"herfst": 43, "voorjaar": 8, "zomer": 30},
    HolidayRegion.ZUID: {"herfst": 42, "voorjaar": 7, "zomer": 29},
}


def _weeks_off(year: int, first_week: int, weeks: int) -> tuple[datetime.date, datetime.date]:
    """From the Saturday before ISO week ``first_week`` to the Sunday ending the last week."""
    first = datetime.date.fromisocalendar(year, first_week, 1) - 2 * DAY
    last = datetime.date.fromisocalendar(year, first_week, 7) + datetime.timedelta(weeks=weeks - 1)
    return first, last


def _saturday_on_or_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=(day.weekday() - 5) % 7)


def sample_holidays(
    holiday_region: str, today: datetime.date
) -> list[tuple[str, datetime.date, datetime.date]]:
    """SAMPLE school holidays of the current and the next school year for a zone (noord,
    midden, zuid): herfst, kerst, voorjaar, mei and zomer, as (name, first day, last day).

    Plausible, not official: for demos and tests only (stored with source ``sample``).
    A school year runs from 1 August.
    """
    weeks = _SAMPLE_WEEKS[HolidayRegion(holiday_region)]
    first_year = today.year if today.month >= 8 else today.year - 1
    rows = []
    for year in (first_year, first_year + 1):
        christmas = _saturday_on_or_before(datetime.date(year, 12, 24))
        may = _saturday_on_or_before(datetime.date(year + 1, 4, 27))
        rows += [
            (f"Herfstvakantie {year}", *_weeks_off(year, weeks["herfst"], 1)),
            (f"Kerstvakantie {year}-{year + 1}", christmas, christmas + 15 * DAY),
            (f"Voorjaarsvakantie {year + 1}", *_weeks_off(year + 1, weeks["voorjaar"], 1)),
            (f"Meivakantie {year + 1}", may, may + 8 * DAY),
            (f"Zomervakantie {year + 1}", *_weeks_off(year + 1, weeks["zomer"], 6)),
        ]
    return rows


@transaction.atomic
def holidays_sample_add(
    *, region: Region, today: datetime.date, actor: Actor
) -> list[SchoolHoliday]:
    """Add the sample holidays of the region's zone that overlap no holiday of its calendar
    (marked ``sample``); a second call adds nothing. For the demo region and tests."""
    _require_manager(actor, region)
    _lock_region(region)
    periods = list(SchoolHoliday.objects.filter(region=region).values_list("starts_on", "ends_on"))
    added = []
    for name, first, last in sample_holidays(region.holiday_region, today):
        if any(first <= end and start <= last for start, end in periods):
            continue
        added.append(
            _create(
                region=region,
                actor=actor,
                name=name,
                starts_on=first,
                ends_on=last,
                source=HolidaySource.SAMPLE,
                reason=_("Voorbeeldgegevens"),
            )
        )
        periods.append((first, last))
    if added:
        _recompute(region)
    return added
