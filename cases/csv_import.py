"""Intake by CSV file.

A school (or leerplicht, or an SWV consultant) uploads a file with one report per row. The
upload only parses and validates (nothing is saved) and shows a preview; the commit step
imports each valid row through the intake service, each in its own transaction, and hands
back the rejected rows with a reason. Between the two steps the file travels in a signed
payload (``django.core.signing``), so there is no model, no storage and nothing to clean up.

Every row gets a client key: the ``kenmerk`` column when given, otherwise ``csv:`` and a
SHA-256 of the row's normalised values. The intake is idempotent on that key per reporting
organisation, so uploading the same file again imports nothing twice.

The column layout is documented in ``docs/intake.md``; keep the two in step.
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from registration.bsn import bsn_is_valid
from registration.identity import bsn_normalise, identity_matches
from registration.models import AbsenceKind, AbsenceReport, ParentsInformedHow, Pupil
from registration.selectors import pupil_find, pupils_reportable_by
from registration.services import ReportInput, absence_report_validate
from thuiszitters import csvfiles
from thuiszitters.models import Organisation, User

from .services import IdempotencyConflict, absence_report_same, absence_report_submit

MAX_BYTES = 2 * 1024 * 1024
# Each row runs the full intake (about 20 queries): 1000 rows commit in ~11 s, well inside a
# web request. Larger imports belong in a background task.
MAX_ROWS = 1000
PAYLOAD_MAX_AGE = 2 * 60 * 60  # seconds between preview and commit
_SALT = "cases.csv_import.file"
_REJECTED_SALT = "cases.csv_import.rejected"


# --- the file layout ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    field: str  # the ReportInput field (or pupil identification) the column fills
    example: str


COLUMNS = [
    Column("bsn", "bsn", "123456782"),
    Column("voornamen", "given_names", "Sanne"),
    Column("achternaam", "surname", "de Vries"),
    Column("geboortedatum", "date_of_birth", "2014-03-12"),
    Column("soort", "kind", AbsenceKind.UNAUTHORISED.value),
    Column("eerste_verzuimdag", "absence_started_on", "2025-01-13"),
    Column("laatste_verzuimdag", "absence_ended_on", ""),
    Column("uren_laatste_4_weken", "hours_missed_last_4_weeks", "18,5"),
    Column("percentage_onderwijstijd", "share_followed_percent", "40"),
    Column("ouders_geinformeerd_op", "parents_informed_on", "2025-01-20"),
    Column("ouders_geinformeerd_via", "parents_informed_how", ParentsInformedHow.PHONE.value),
    Column("toelichting", "reason", "Komt sinds de kerstvakantie niet meer op school."),
    Column("kenmerk", "client_key", "LAS-2025-0042"),
]
COLUMN_NAMES = [c.name for c in COLUMNS]
REASON_COLUMN = "reden"
REQUIRED_COLUMNS = {
    "soort",
    "eerste_verzuimdag",
    "ouders_geinformeerd_op",
    "ouders_geinformeerd_via",
}
IDENTITY_COLUMNS = {"voornamen", "achternaam", "geboortedatum"}
# Where a message of the intake (keyed by ReportInput field) belongs in the file.
FIELD_TO_COLUMN = {c.field: c.name for c in COLUMNS} | {
    "pupil": "leerling",
    "reported_on": "meldingsdatum",
    "consent_override_reason": "toelichting",
    "__all__": "regel",
    "non_field_errors": "regel",
}


def csv_template() -> str:
    """The header and one example row, as Dutch Excel writes it (semicolons)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    writer.writerow([c.example for c in COLUMNS])
    return out.getvalue()


# --- parsing ------------------------------------------------------------------------------


def file_decode(raw: bytes) -> str:
    """The text of an uploaded file (``thuiszitters.csvfiles.file_decode``), at most 2 MB."""
    return csvfiles.file_decode(
        raw,
        max_bytes=MAX_BYTES,
        too_large=_("Het bestand is groter dan 2 MB; splits het in delen."),
    )


def _read(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the non-empty rows (spreadsheet row number, values by column)."""
    raw_header, records = csvfiles.csv_read(text)
    header = [h.strip().lower() for h in raw_header]
    unknown = [h for h in header if h and h not in COLUMN_NAMES and h != REASON_COLUMN]
    if unknown:
        raise ValidationError(
            _("Onbekende kolommen: %(columns)s. Gebruik de kolommen van het sjabloon.")
            % {"columns": ", ".join(unknown)}
        )
    missing = sorted(REQUIRED_COLUMNS - set(header))
    if "bsn" not in header and not set(header) >= IDENTITY_COLUMNS:
        missing.append("bsn")
    if missing:
        raise ValidationError(
            _("Verplichte kolommen ontbreken: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for record in records:
        if len(rows) >= MAX_ROWS:
            raise ValidationError(
                _("Het bestand heeft meer dan %(max)s regels; splits het in delen.")
                % {"max": MAX_ROWS}
            )
        values = dict.fromkeys(COLUMN_NAMES, "")
        for name, cell in zip(header, record.cells, strict=False):
            if name in values:
                # A corrected rejected-rows file reads back without its formula guard.
                values[name] = csvfiles.spreadsheet_unescape(cell.strip())
        rows.append((record.number, values))
    if not rows:
        raise ValidationError(_("Het bestand bevat geen regels onder de kopregel."))
    return header, rows


def _choice(value: str, choices) -> str:
    wanted = value.strip().casefold()
    for code, label in choices.choices:
        if wanted in (code.casefold(), str(label).casefold()):
            return code
    raise ValueError(value)


@dataclass
class CsvRow:
    """One row of the file: its values, what they mean, and what happened to it."""

    number: int
    values: dict[str, str]
    pupil: Pupil | None = None
    data: ReportInput | None = None
    client_key: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    duplicate_of: int | None = None  # an earlier row of this file with the same key
    already_imported: bool = False
    report: AbsenceReport | None = None
    case_created: bool = False

    @property
    def status(self) -> str:
        if self.errors:
            return "invalid"
        if self.already_imported or self.duplicate_of:
            return "duplicate"
        return "valid"

    @property
    def kind_label(self) -> str:
        return str(AbsenceKind(self.data.kind).label) if self.data else ""

    @property
    def reason(self) -> str:
        return "; ".join(f"{col}: {msg}" for col, msgs in self.errors.items() for msg in msgs)

    def error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(str(message))

    def add_validation_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for key, messages in exc.message_dict.items():
                for message in messages:
                    self.error(FIELD_TO_COLUMN.get(key, key), message)
        else:
            for message in exc.messages:
                self.error("regel", message)


def _parse_values(row: CsvRow) -> dict:
    """Typed values of a row; errors are recorded on the row by column."""
    v = row.values
    parsed: dict = {}

    def parse(column: str, convert, message: str):
        raw = v[column]
        if not raw:
            return None
        try:
            return convert(raw)
        except (ValueError, InvalidOperation):
            row.error(column, message)
            return None

    bsn = bsn_normalise(v["bsn"])
    if bsn and not bsn_is_valid(bsn):
        row.error("bsn", _("Geen geldig BSN: 9 cijfers die de elfproef doorstaan."))
    parsed["bsn"] = bsn
    parsed["given_names"] = " ".join(v["voornamen"].split())
    parsed["surname"] = " ".join(v["achternaam"].split())
    date_message = _("Geen geldige datum; gebruik JJJJ-MM-DD of DD-MM-JJJJ.")
    parsed["date_of_birth"] = parse("geboortedatum", csvfiles.date_parse, date_message)
    parsed["kind"] = parse(
        "soort",
        lambda s: _choice(s, AbsenceKind),
        _("Onbekende soort verzuim; kies uit: %(values)s.")
        % {"values": ", ".join(AbsenceKind.values)},
    )
    parsed["absence_started_on"] = parse("eerste_verzuimdag", csvfiles.date_parse, date_message)
    parsed["absence_ended_on"] = parse("laatste_verzuimdag", csvfiles.date_parse, date_message)
    parsed["hours_missed_last_4_weeks"] = parse(
        "uren_laatste_4_weken",
        lambda s: Decimal(s.replace(",", ".")).quantize(Decimal("0.1")),
        _("Geen geldig aantal uren; gebruik een getal zoals 12 of 12,5."),
    )
    parsed["share_followed_percent"] = parse(
        "percentage_onderwijstijd",
        lambda s: int(s.rstrip("%").strip()),
        _("Geen geldig percentage; gebruik een geheel getal van 0 tot en met 100."),
    )
    parsed["parents_informed_on"] = parse(
        "ouders_geinformeerd_op", csvfiles.date_parse, date_message
    )
    parsed["parents_informed_how"] = parse(
        "ouders_geinformeerd_via",
        lambda s: _choice(s, ParentsInformedHow),
        _("Onbekende manier; kies uit: %(values)s.")
        % {"values": ", ".join(ParentsInformedHow.values)},
    )
    parsed["reason"] = v["toelichting"]
    parsed["client_key"] = v["kenmerk"]
    if len(v["kenmerk"]) > 100:
        row.error("kenmerk", _("Het kenmerk is langer dan 100 tekens."))
    if not v["soort"]:
        row.error("soort", _("Vul de soort verzuim in."))
    if not v["eerste_verzuimdag"]:
        row.error("eerste_verzuimdag", _("Vul de eerste verzuimdag in."))
    if not v["ouders_geinformeerd_via"]:
        row.error("ouders_geinformeerd_via", _("Geef aan hoe de ouders zijn geïnformeerd."))
    return parsed


def _client_key(parsed: dict) -> str:
    if parsed["client_key"]:
        return parsed["client_key"]
    normalised = [
        parsed["bsn"],
        parsed["given_names"].casefold(),
        parsed["surname"].casefold(),
        *(
            "" if parsed[name] is None else str(parsed[name])
            for name in (
                "date_of_birth",
                "kind",
                "absence_started_on",
                "absence_ended_on",
                "hours_missed_last_4_weeks",
                "share_followed_percent",
                "parents_informed_on",
                "parents_informed_how",
            )
        ),
        " ".join(parsed["reason"].split()),
    ]
    return "csv:" + hashlib.sha256("\x1f".join(normalised).encode()).hexdigest()


def _pupils_by_bsn(scope: QuerySet[Pupil], rows: list[tuple[int, dict[str, str]]]) -> dict:
    bsns = {bsn_normalise(v["bsn"]) for _n, v in rows if v["bsn"].strip()}
    return {p.bsn: p for p in scope.filter(bsn__in=bsns)} if bsns else {}


def csv_rows(
    *, user: User, organisation: Organisation, text: str, validate: bool = True
) -> list[CsvRow]:
    """Parse every row and find its pupil; with ``validate``, apply every rule of a report.

    Writes nothing. Raises ValidationError for a file that cannot be read at all (layout,
    size); a bad row only carries its errors.
    """
    _header, raw_rows = _read(text)
    scope = pupils_reportable_by(user=user, organisation=organisation)
    by_bsn = _pupils_by_bsn(scope, raw_rows)
    rows: list[CsvRow] = []
    first_with_key: dict[str, int] = {}
    for number, values in raw_rows:
        row = CsvRow(number=number, values=values)
        rows.append(row)
        parsed = _parse_values(row)
        row.client_key = _client_key(parsed)
        if row.client_key in first_with_key:
            row.duplicate_of = first_with_key[row.client_key]
        else:
            first_with_key[row.client_key] = number
        identity_errors = {"bsn", "geboortedatum"} & set(row.errors)
        if not identity_errors:
            try:
                row.pupil = by_bsn.get(parsed["bsn"]) if parsed["bsn"] else None
                if row.pupil is None or not identity_matches(
                    row.pupil, surname=parsed["surname"], date_of_birth=parsed["date_of_birth"]
                ):
                    row.pupil = pupil_find(
                        user=user,
                        organisation=organisation,
                        bsn=parsed["bsn"],
                        given_names=parsed["given_names"],
                        surname=parsed["surname"],
                        date_of_birth=parsed["date_of_birth"],
                    )
            except ValidationError as exc:
                row.add_validation_error(exc)
        if row.errors or row.pupil is None:  # no pupil only together with an error
            continue
        row.data = ReportInput(
            pupil=row.pupil,
            kind=parsed["kind"],
            absence_started_on=parsed["absence_started_on"],
            absence_ended_on=parsed["absence_ended_on"],
            hours_missed_last_4_weeks=parsed["hours_missed_last_4_weeks"],
            share_followed_percent=parsed["share_followed_percent"],
            parents_informed_on=parsed["parents_informed_on"],
            parents_informed_how=parsed["parents_informed_how"],
            reason=parsed["reason"],
            client_key=row.client_key,
        )
    _refuse_reused_keys(rows)
    if validate:
        _mark_imported(organisation, rows)
        for row in rows:
            if row.data is not None and row.status == "valid":
                try:
                    absence_report_validate(
                        data=row.data, reporting_organisation=organisation, actor=user
                    )
                except ValidationError as exc:
                    row.add_validation_error(exc)
    return rows


def _refuse_reused_keys(rows: list[CsvRow]) -> None:
    """A ``kenmerk`` on a later row with another report is refused, in the preview as at
    the commit (where the intake would refuse it after the first row went in)."""
    by_number = {r.number: r for r in rows}
    for row in rows:
        first = by_number.get(row.duplicate_of) if row.duplicate_of is not None else None
        if first is None or first.data is None or row.data is None:
            continue
        if not absence_report_same(first.data, row.data):
            row.error(
                "kenmerk",
                _(
                    "Dit kenmerk staat ook op regel %(row)s, met andere gegevens. Geef elke "
                    "melding een eigen kenmerk."
                )
                % {"row": first.number},
            )
            row.duplicate_of, row.data = None, None


def _mark_imported(organisation: Organisation, rows: list[CsvRow]) -> None:
    """Rows whose key was imported before; a key that came with another report is an error
    (what the intake answers at the commit)."""
    keys = [r.client_key for r in rows if r.data is not None]
    seen: dict[str | None, AbsenceReport] = {}
    for start in range(0, len(keys), 500):
        seen.update(
            (report.client_key, report)
            for report in AbsenceReport.objects.filter(
                reporting_organisation=organisation, client_key__in=keys[start : start + 500]
            )
        )
    for row in rows:
        report = seen.get(row.client_key)
        if (
            report is not None
            and row.data is not None
            and not absence_report_same(report, row.data)
        ):
            row.add_validation_error(IdempotencyConflict(row.client_key))
            continue
        row.already_imported = report is not None


@dataclass
class ImportResult:
    rows: list[CsvRow]

    @property
    def imported(self) -> list[CsvRow]:
        return [r for r in self.rows if r.report is not None and not r.already_imported]

    @property
    def already_imported(self) -> list[CsvRow]:
        return [r for r in self.rows if r.status == "duplicate"]

    @property
    def rejected(self) -> list[CsvRow]:
        return [r for r in self.rows if r.status == "invalid"]


def csv_import(*, user: User, organisation: Organisation, text: str) -> ImportResult:
    """Import every valid row through the intake, each row in its own transaction.

    A row that fails is reported and the others still go in; a row whose client key was
    seen before (an earlier upload, or an earlier row of this file) is not imported again.
    """
    rows = csv_rows(user=user, organisation=organisation, text=text, validate=False)
    for row in rows:
        if row.data is None:
            continue
        try:
            with transaction.atomic():
                result = absence_report_submit(
                    actor=user, reporting_organisation=organisation, data=row.data, channel="csv"
                )
        except ValidationError as exc:
            row.add_validation_error(exc)
            continue
        row.report, row.case_created = result.report, result.case_created
        row.already_imported = result.duplicate
    return ImportResult(rows)


# --- the rejected rows and the signed payloads --------------------------------------------


def rejected_csv(rows: list[list[str]]) -> str:
    """The rejected rows with the file's columns and a ``reden`` column, for Excel (BOM, ;)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([*COLUMN_NAMES, REASON_COLUMN])
    for cells in rows:
        writer.writerow([csvfiles.spreadsheet_safe(c) for c in cells])
    return out.getvalue()


def rejected_cells(result: ImportResult) -> list[list[str]]:
    return [[*(r.values[c] for c in COLUMN_NAMES), r.reason] for r in result.rejected]


def payload_sign(*, user: User, organisation: Organisation, text: str, filename: str) -> str:
    """The uploaded file, bound to the user and organisation, for the commit step."""
    return signing.dumps(
        {"u": user.pk, "o": organisation.pk, "f": filename, "t": text}, salt=_SALT, compress=True
    )


def payload_load(*, user: User, token: str) -> tuple[int, str, str]:
    """(organisation id, file text, file name) of a signed upload; ValidationError if bad."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise ValidationError(
            _("Het bestand is verlopen of gewijzigd. Upload het opnieuw.")
        ) from exc
    if data.get("u") != user.pk:
        raise ValidationError(_("Het bestand is verlopen of gewijzigd. Upload het opnieuw."))
    return data["o"], data["t"], data["f"]


def rejected_sign(*, user: User, organisation: Organisation, cells: list[list[str]]) -> str:
    return signing.dumps(
        {"u": user.pk, "o": organisation.pk, "r": cells}, salt=_REJECTED_SALT, compress=True
    )


def rejected_load(*, user: User, token: str) -> tuple[int, list[list[str]]]:
    try:
        data = signing.loads(token, salt=_REJECTED_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.BadSignature as exc:
        raise ValidationError(_("De download is verlopen of gewijzigd.")) from exc
    if data.get("u") != user.pk:
        raise ValidationError(_("De download is verlopen of gewijzigd."))
    return data["o"], data["r"]
