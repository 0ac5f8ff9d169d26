"""Comparing our thuiszitterslijst with another organisation's list (DESIGN.md 4.5).

Rotterdam's SWV's check leerplicht's list every three weeks ("hebben we kinderen ook op de
lijst staan?") and reach about 95% coverage together. Here the other list arrives as a CSV
file; these functions read it and match it against ours. They are pure: no database, no
storage. ``reports.services.lists`` feeds them our list and the register, and audits.

Matching: on BSN when both lines have one; otherwise on the surname and the date of birth,
compared without case, diacritics, punctuation or tussenvoegsels ("van der Berg", "Berg,
van der" and "VAN DER BERG" are the same). Two lines with different BSNs never match.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from registration.bsn import bsn_is_valid
from registration.identity import bsn_normalise, fold, surname_key
from thuiszitters import csvfiles

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024

# Field -> header names (after ``_header_key``): Dutch and English spellings seen in
# spreadsheets of schools, leerplicht and SWV's.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "bsn": (
        "bsn",
        "bsn nummer",
        "burgerservicenummer",
        "sofinummer",
        "sofi nummer",
        "citizen service number",
        "bsn leerling",
    ),
    "surname": (
        "achternaam",
        "geslachtsnaam",
        "achternaam leerling",
        "surname",
        "last name",
        "lastname",
        "family name",
    ),
    "prefix": (
        "tussenvoegsel",
        "tussenvoegsels",
        "voorvoegsel",
        "voorvoegsels",
        "prefix",
        "surname prefix",
    ),
    "given_names": (
        "voornamen",
        "voornaam",
        "roepnaam",
        "given names",
        "given name",
        "first name",
        "first names",
        "firstname",
        "forename",
    ),
    "name": (
        "naam",
        "naam leerling",
        "leerling",
        "volledige naam",
        "name",
        "full name",
        "pupil",
        "student",
        "pupil name",
        "student name",
    ),
    "date_of_birth": (
        "geboortedatum",
        "geb datum",
        "gebdatum",
        "geboren",
        "geboren op",
        "date of birth",
        "dateofbirth",
        "birth date",
        "birthdate",
        "dob",
    ),
    "school": ("school", "schoolnaam", "naam school", "school name", "huidige school"),
}
_FIELD_OF = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


# --- normalising ----------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text.lstrip("\ufeff"))).split())


# --- the two sides ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A pupil on our side: a line of our list (``ref`` the case id) or of the register
    (``ref`` the pupil id)."""

    ref: int
    name: str
    bsn: str
    surname_key: str
    date_of_birth: datetime.date | None
    school: str = ""


def person(
    ref: int,
    *,
    given_names: str,
    surname_prefix: str,
    surname: str,
    bsn: str | None,
    date_of_birth: datetime.date | None,
    school: str = "",
) -> Person:
    name = " ".join(p for p in (given_names, surname_prefix, surname) if p)
    return Person(
        ref=ref,
        name=name,
        bsn=bsn or "",
        surname_key=surname_key(f"{surname_prefix} {surname}"),
        date_of_birth=date_of_birth,
        school=school,
    )


@dataclass
class TheirRow:
    """One line of the other organisation's file, as read."""

    number: int  # the spreadsheet's row number (the header is row 1)
    name: str = ""
    bsn: str = ""
    date_of_birth: datetime.date | None = None
    school: str = ""
    # A name in one column leaves the boundary between given names and surname open:
    # every possible surname is tried (the date of birth must match as well).
    surname_keys: frozenset[str] = frozenset()
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(str(message))

    @property
    def identity(self) -> tuple:
        if self.bsn:
            return ("bsn", self.bsn)
        return ("name", tuple(sorted(self.surname_keys)), self.date_of_birth)


@dataclass
class ParsedList:
    rows: list[TheirRow]
    columns: dict[str, str]  # field -> the header as written in the file

    @property
    def valid(self) -> list[TheirRow]:
        return [r for r in self.rows if not r.errors]

    @property
    def rejected(self) -> list[TheirRow]:
        return [r for r in self.rows if r.errors]


# --- reading the file -----------------------------------------------------------------------


def list_decode(raw: bytes) -> str:
    """The text of the uploaded list (``thuiszitters.csvfiles.file_decode``), at most 2 MB."""
    return csvfiles.file_decode(
        raw,
        max_bytes=MAX_BYTES,
        too_large=_("Het bestand is groter dan 2 MB; splits het in delen."),
    )


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = _FIELD_OF.get(_header_key(title))
        if name and name not in found:
            found[name] = index
    has_name = "surname" in found or "name" in found
    if "bsn" not in found and not (has_name and "date_of_birth" in found):
        raise ValidationError(
            _(
                "De kopregel mist de kolommen om leerlingen te herkennen: geef een kolom BSN, "
                "of achternaam (of naam) en geboortedatum. Gevonden: %(columns)s."
            )
            % {"columns": ", ".join(h.strip() for h in header if h.strip()) or "-"}
        )
    return found


def _split_name(value: str) -> tuple[str, frozenset[str]]:
    """(display name, candidate surname keys) of a name in one column: "de Vries, Sanne",
    "Vries, Sanne de" or "Sanne de Vries"."""
    value = " ".join(value.split())
    if "," in value:
        surname, given = (p.strip() for p in value.split(",", 1))
        key = surname_key(surname)
        return (f"{given} {surname}".strip(), frozenset({key} if key else ()))
    words = value.split(" ")
    if len(words) == 1:
        key = surname_key(value)
        return value, frozenset({key} if key else ())
    keys = {surname_key(" ".join(words[i:])) for i in range(1, len(words))}
    return value, frozenset(k for k in keys if k)


def _row(number: int, cells: list[str], columns: dict[str, int]) -> TheirRow:
    def cell(name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(cells):
            return ""
        return " ".join(cells[index].split())

    row = TheirRow(number=number, school=cell("school"))
    raw_bsn = cell("bsn")
    if raw_bsn:
        bsn = bsn_normalise(raw_bsn)
        if bsn_is_valid(bsn):
            row.bsn = bsn
        else:
            row.error("bsn", _("Geen geldig BSN: 9 cijfers die de elfproef doorstaan."))
    raw_date = cell("date_of_birth")
    if raw_date:
        try:
            row.date_of_birth = csvfiles.date_parse(raw_date)
        except ValueError:
            row.error("geboortedatum", _("Geen geldige datum; gebruik DD-MM-JJJJ of JJJJ-MM-DD."))
    surname = cell("surname")
    if surname:
        full_surname = " ".join(p for p in (cell("prefix"), surname) if p)
        key = surname_key(full_surname)
        row.surname_keys = frozenset({key} if key else ())
        row.name = " ".join(p for p in (cell("given_names"), full_surname) if p)
    elif cell("name"):
        row.name, row.surname_keys = _split_name(cell("name"))
    if not row.bsn and "bsn" not in row.errors:
        if not row.surname_keys:
            row.error("achternaam", _("Vul de achternaam (of het BSN) in."))
        if row.date_of_birth is None and "geboortedatum" not in row.errors:
            row.error("geboortedatum", _("Vul de geboortedatum (of het BSN) in."))
    if not row.name:
        row.name = row.bsn
    return row


def list_parse(text: str) -> ParsedList:
    """Read another organisation's list: a header row, then one pupil per row.

    Separated by ``;``, ``,`` or a tab; a BOM is ignored; columns are recognised by their Dutch or
    English names and others are ignored. A row that cannot identify a pupil gets errors by
    column and takes no part in the comparison; the same pupil twice is reported once.
    Raises ValidationError for a file that cannot be read as such a list at all.
    """
    if not text.strip():
        raise ValidationError(_("Het bestand is leeg."))
    header, records = csvfiles.csv_read(text)
    columns = _columns(header)
    rows: list[TheirRow] = []
    first: dict[tuple, int] = {}
    for record in records:
        if len(rows) >= MAX_ROWS:
            raise ValidationError(
                _("Het bestand heeft meer dan %(max)s regels; splits het in delen.")
                % {"max": MAX_ROWS}
            )
        row = _row(record.number, record.cells, columns)
        if not row.errors:
            seen = first.setdefault(row.identity, record.number)
            if seen != record.number:
                row.error("regel", _("Deze leerling staat ook op regel %(n)s.") % {"n": seen})
        rows.append(row)
    if not rows:
        raise ValidationError(_("Het bestand bevat geen regels onder de kopregel."))
    return ParsedList(rows=rows, columns={name: header[i].strip() for name, i in columns.items()})


# --- matching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    ours: Person
    theirs: TheirRow
    on_bsn: bool


@dataclass
class Comparison:
    both: list[Match]
    only_ours: list[Person]
    only_theirs: list[TheirRow]

    @property
    def union(self) -> int:
        return len(self.both) + len(self.only_ours) + len(self.only_theirs)

    @property
    def coverage(self) -> int | None:
        """The dekkingsgraad: the share of all pupils on either list that is on both, in
        whole percents (None for two empty lists)."""
        if not self.union:
            return None
        return round(100 * len(self.both) / self.union)


def _compatible(ours: Person, theirs: TheirRow) -> bool:
    return not (ours.bsn and theirs.bsn and ours.bsn != theirs.bsn)


def match(ours: Sequence[Person], theirs: Iterable[TheirRow]) -> Comparison:
    """Pair each of their (valid) rows with at most one of ours: first every BSN match, then
    surname and date of birth among the rest, so a name never takes a BSN's partner."""
    theirs = list(theirs)
    by_bsn = {p.bsn: p for p in ours if p.bsn}
    by_name: dict[tuple[str, datetime.date], list[Person]] = defaultdict(list)
    for p in ours:
        if p.surname_key and p.date_of_birth:
            by_name[(p.surname_key, p.date_of_birth)].append(p)
    taken: set[int] = set()
    paired: dict[int, Match] = {}
    for row in theirs:
        partner = by_bsn.get(row.bsn) if row.bsn else None
        if partner is not None and id(partner) not in taken:
            taken.add(id(partner))
            paired[id(row)] = Match(partner, row, on_bsn=True)
    for row in theirs:
        if id(row) in paired or row.date_of_birth is None:
            continue
        for key in sorted(row.surname_keys):
            candidates = by_name.get((key, row.date_of_birth), [])
            partner = next(
                (p for p in candidates if id(p) not in taken and _compatible(p, row)), None
            )
            if partner is not None:
                taken.add(id(partner))
                paired[id(row)] = Match(partner, row, on_bsn=False)
                break
    return Comparison(
        both=[paired[id(r)] for r in theirs if id(r) in paired],
        only_ours=[p for p in ours if id(p) not in taken],
        only_theirs=[r for r in theirs if id(r) not in paired],
    )
