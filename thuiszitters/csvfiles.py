"""Reading the CSV files people upload, and writing cells a spreadsheet opens safely.

Three uploads share this: the intake by CSV (``cases.csv_import``), the reconciliation of
another organisation's list (``reports.reconciliation``) and the holiday calendar
(``escalation.services.holidays``). Each knows its own columns and messages about them;
what a file is made of is read here, once:

- the bytes: UTF-8 with or without BOM, else Windows-1252, as Excel writes a CSV;
- the separator: ``;`` (Dutch Excel), ``,`` or a tab, whichever the first line holds most;
- the rows: a header, then the records that are not empty, each with its spreadsheet row
  number and the line of the file on which it ends;
- dates as people type them: ``DD-MM-JJJJ`` (or with ``/`` or ``.``) and ``JJJJ-MM-DD``;
- cells that a spreadsheet would run as a formula (CSV injection), guarded on the way out
  and unguarded when such a file comes back.

The core app is the lowest layer: nothing here knows the apps that use it.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SEPARATORS = (";", ",", "\t")  # on a tie the first wins: ``;`` as Dutch Excel writes it
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")
_NL_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_NEGATIVE_NUMBER = re.compile(r"-\d+([.,]\d+)?")


def file_decode(raw: bytes, *, max_bytes: int, too_large: str) -> str:
    """The text of an uploaded file: UTF-8 with or without BOM, else Windows-1252 (Excel).

    ValidationError with ``too_large`` above ``max_bytes``, and for a file without text.
    """
    if len(raw) > max_bytes:
        raise ValidationError(too_large)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if not text.strip():
        raise ValidationError(_("Het bestand is leeg."))
    return text


def csv_delimiter(text: str) -> str:
    """The separator of the first line: the one of ``;``, ``,`` and tab it holds most."""
    text = text.lstrip("\ufeff")
    first_line = text.splitlines()[0] if text.strip() else ""
    return max(SEPARATORS, key=first_line.count)


@dataclass(frozen=True)
class CsvRecord:
    """One record under the header. ``number`` is its row in a spreadsheet (the header is
    row 1); ``line`` is the line of the file on which it ends, which is further down when a
    quoted cell holds a line break."""

    number: int
    line: int
    cells: list[str]


def _unreadable() -> ValidationError:
    return ValidationError(_("Het bestand is geen leesbaar CSV-bestand."))


def csv_read(text: str) -> tuple[list[str], Iterator[CsvRecord]]:
    """The header cells as written, and the records below it that hold anything but white
    space. ValidationError for a file without a header or that is no CSV (also while the
    records are read)."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=csv_delimiter(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError(_("Het bestand is leeg.")) from None
    except csv.Error as exc:
        raise _unreadable() from exc
    return header, _records(reader)


def _records(reader) -> Iterator[CsvRecord]:
    try:
        for number, cells in enumerate(reader, start=2):
            if any(cell.strip() for cell in cells):
                yield CsvRecord(number=number, line=reader.line_num, cells=cells)
    except csv.Error as exc:
        raise _unreadable() from exc


def date_parse(value: str) -> datetime.date:
    """``DD-MM-JJJJ`` (also with ``/`` or ``.``) or ``JJJJ-MM-DD``, which may carry the
    midnight a spreadsheet adds to a date (``2014-03-12 00:00:00``); ValueError otherwise,
    also for a day that does not exist."""
    value = value.strip()
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = match.groups()
    elif match := _NL_DATE.fullmatch(value):
        day, month, year = match.groups()
    else:
        raise ValueError(value)
    return datetime.date(int(year), int(month), int(day))


def spreadsheet_safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection): a cell
    that starts like one gets a leading ``'``; a negative number stays a number."""
    if value.startswith(FORMULA_START) and not _NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_unescape(value: str) -> str:
    """Undo ``spreadsheet_safe``, so a file we wrote reads back as it was."""
    if value.startswith("'") and value[1:2] in FORMULA_START:
        return value[1:]
    return value
