"""The thuiszitterslijst (DESIGN.md 4.5): the current list, freezing it, frozen lists, the
export tables and the reconciliation with another organisation's list.

Rotterdam's leerplicht fixes the list every three weeks and the SWV's check it against their
own. A frozen list is a ``ThuiszitterslijstSnapshot`` with one entry per pupil holding the
values shown at the time, so a past list reads the same after its cases moved on. Every
list is personal data: callers get scopes from ``personal_scopes`` only, and every read,
freeze, comparison and export leaves an audit entry (one per list, with counts, no names).
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Choices, Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, DaytimeActivity, WaitingListFor
from cases.selectors import cases_visible_to
from cases.workflow import Phase
from registration.models import AbsenceKind
from registration.selectors import pupils_visible_to
from thuiszitters.access import get_visible_or_404
from thuiszitters.audit import audit_change, audit_record
from thuiszitters.models import AuditAction, Organisation, User

from ..exports import Table
from ..models import ThuiszitterslijstEntry, ThuiszitterslijstSnapshot
from ..reconciliation import Comparison, ParsedList, TheirRow, list_parse, match, person
from ..scopes import Scope, report_scopes_for, scope_for
from ..selectors import ListAnnotations, thuiszitterslijst

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

_T = TypeVar("_T")
LIST_OBJECT_TYPE = "reports.thuiszitterslijst"
RECONCILIATION_OBJECT_TYPE = "reports.reconciliation"
RHYTHM = datetime.timedelta(days=21)  # Rotterdam fixes the list every three weeks
_CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on parameters
_RESULT_SALT = "reports.reconciliation.result"
RESULT_MAX_AGE = 2 * 60 * 60  # seconds between the comparison and its download


def _label(choices: type[Choices], value: str) -> str:
    # A frozen code that a later release no longer knows is shown as it was stored.
    return str(choices(value).label) if value in choices.values else value


@dataclass(frozen=True)
class ListRow:
    """One pupil on a list; the fields of ``ThuiszitterslijstEntry`` (the frozen copy)."""

    case_id: int
    pupil_name: str
    date_of_birth: datetime.date
    bsn: str
    school_name: str
    kind: str
    phase: str
    clock_start: datetime.date
    days_at_home: int
    narrow: bool
    daytime_activity: str
    waiting_list_for: str
    lead_name: str

    @property
    def kind_label(self) -> str:
        return _label(AbsenceKind, self.kind)

    @property
    def phase_label(self) -> str:
        return _label(Phase, self.phase)

    @property
    def daytime_activity_label(self) -> str:
        return _label(DaytimeActivity, self.daytime_activity)

    @property
    def waiting_list_label(self) -> str:
        return _label(WaitingListFor, self.waiting_list_for) if self.waiting_list_for else ""


ROW_FIELDS = tuple(f.name for f in fields(ListRow))


def _lead_name(case: Case) -> str:
    name = case.lead_organisation.name
    if case.lead_user is not None:
        name = f"{name} ({case.lead_user.full_name or case.lead_user.email})"
    return name[:200]


def list_rows(
    cases: Iterable["WithAnnotations[Case, ListAnnotations]"], on: datetime.date
) -> list[ListRow]:
    """Rows from the cases of ``reports.selectors.thuiszitterslijst`` (no further queries)."""
    return [
        ListRow(
            case_id=case.pk,
            pupil_name=case.pupil.full_name,
            date_of_birth=case.pupil.date_of_birth,
            bsn=case.pupil.bsn or "",
            school_name=case.school.name if case.school is not None else "",
            kind=case.first_kind or "",
            phase=case.phase_then,
            clock_start=case.clock_start,
            days_at_home=max((on - case.clock_start).days, 0),
            narrow=bool(case.is_narrow),
            daytime_activity=case.daytime_activity,
            waiting_list_for=case.waiting_list_for,
            lead_name=_lead_name(case),
        )
        for case in cases
    ]


def counts(rows: list[ListRow]) -> dict[str, int]:
    return {"broad": len(rows), "narrow": sum(r.narrow for r in rows)}


# --- scopes -----------------------------------------------------------------------------------


def personal_scopes(user: User) -> list[Scope]:
    """The scopes whose lists the user may see (aggregates and personal data there)."""
    return [s for s in report_scopes_for(user) if s.personal_data]


def personal_scope_or_404(user: User, key: str | None, scopes: list[Scope] | None = None) -> Scope:
    """The scope ``key``, or the first one without a key; 404 when the user may see no
    list there (a director, policy: aggregates only), so missing and forbidden look alike.
    ``scopes``: the user's ``personal_scopes`` when the caller has them already."""
    return scope_for(user, key, personal_scopes(user) if scopes is None else scopes)


def scope_organisation(scope: Scope) -> Organisation:
    return Organisation.objects.get(pk=scope.organisation_id)


# --- the current list -------------------------------------------------------------------------


def current_list(
    *, user: User, scope: Scope, on: datetime.date, today: datetime.date | None = None
) -> list[ListRow]:
    """The thuiszitters of ``scope`` on ``on`` that ``user`` may see (one query)."""
    if not scope.personal_data:
        raise Http404
    return list_rows(thuiszitterslijst(user, scope, on, today), on)


def list_read_record(
    *, actor: User, scope: Scope, on: datetime.date, rows: int, organisation: Organisation
) -> None:
    """One audit entry per list shown (not per pupil): who looked at which list."""
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type=LIST_OBJECT_TYPE,
        object_id=scope.organisation_id,
        organisation=organisation,
        changes={"scope": scope.key, "on": on.isoformat(), "rows": rows},
        reason="thuiszitterslijst",
    )


def thuiszitterslijst_freeze(
    *, actor: User, scope: Scope, on: datetime.date, note: str = ""
) -> ThuiszitterslijstSnapshot:
    """Fix the list of ``scope`` on ``on`` as ``actor`` sees it now: a snapshot and its
    entries in one transaction, a fixed number of queries whatever the length."""
    today = timezone.localdate()
    if on > today:
        raise ValidationError({"on": _("Een lijst kan niet voor een datum in de toekomst.")})
    rows = current_list(user=actor, scope=scope, on=on, today=today)
    organisation = scope_organisation(scope)
    tally = counts(rows)
    with transaction.atomic():
        snapshot = ThuiszitterslijstSnapshot.objects.create(
            scope_kind=scope.kind,
            organisation=organisation,
            on=on,
            created_by=actor,
            note=note.strip(),
            narrow_count=tally["narrow"],
            broad_count=tally["broad"],
        )
        ThuiszitterslijstEntry.objects.bulk_create(
            [ThuiszitterslijstEntry(snapshot=snapshot, **asdict(row)) for row in rows]
        )
        audit_change(
            actor=actor,
            obj=snapshot,
            action=AuditAction.CREATE,
            after={
                "scope": scope.key,
                "on": on.isoformat(),
                "rows": len(rows),
                "narrow_count": tally["narrow"],
                "broad_count": tally["broad"],
            },
            organisation=organisation,
            reason="thuiszitterslijst vastgesteld",
        )
    return snapshot


# --- frozen lists -----------------------------------------------------------------------------


def snapshots_visible_to(user: User) -> QuerySet[ThuiszitterslijstSnapshot]:
    """Frozen lists of the organisations where the user may see the current list."""
    ids = [s.organisation_id for s in personal_scopes(user)]
    return ThuiszitterslijstSnapshot.objects.filter(organisation_id__in=ids)


def snapshots_of(scope: Scope) -> QuerySet[ThuiszitterslijstSnapshot]:
    return ThuiszitterslijstSnapshot.objects.filter(
        organisation_id=scope.organisation_id, scope_kind=scope.kind
    ).select_related("created_by")


def snapshot_or_404(user: User, pk: int) -> ThuiszitterslijstSnapshot:
    return get_visible_or_404(
        snapshots_visible_to(user).select_related("organisation", "created_by"), pk=pk, reader=user
    )


def last_snapshot(scope: Scope) -> ThuiszitterslijstSnapshot | None:
    return snapshots_of(scope).first()


def next_list_on(last: ThuiszitterslijstSnapshot | None) -> datetime.date | None:
    """The suggested date of the next list, three weeks after the last (no automation)."""
    return last.on + RHYTHM if last is not None else None


@dataclass
class FrozenList:
    snapshot: ThuiszitterslijstSnapshot
    rows: list[ListRow]
    purged: int  # lines removed with their case after the retention period
    hidden: int  # lines of cases the user may no longer see (consent withdrawn)


def frozen_list(*, user: User, snapshot: ThuiszitterslijstSnapshot) -> FrozenList:
    """The lines as frozen (one query). A purged case took its line along, but the counts
    stay; a case the user may no longer see (consent withdrawn) is left out as well."""
    visible = cases_visible_to(user).filter(pk=OuterRef("case_id"))
    entries = list(snapshot.entries.annotate(visible=Exists(visible)))
    rows = [ListRow(**{f: getattr(e, f) for f in ROW_FIELDS}) for e in entries if e.visible]
    return FrozenList(
        snapshot=snapshot,
        rows=rows,
        purged=max(snapshot.broad_count - len(entries), 0),
        hidden=len(entries) - len(rows),
    )


def snapshot_read_record(*, actor: User, frozen: FrozenList) -> None:
    snapshot = frozen.snapshot
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=snapshot,
        organisation=snapshot.organisation,
        changes={"on": snapshot.on.isoformat(), "rows": len(frozen.rows)},
        reason="vastgestelde thuiszitterslijst",
    )


# --- export tables ----------------------------------------------------------------------------


def list_table(title: str, rows: list[ListRow]) -> Table:
    header = [
        _("Naam"),
        _("Geboortedatum"),
        _("BSN"),
        _("School"),
        _("Soort verzuim"),
        _("Fase"),
        _("Thuis sinds"),
        _("Dagen thuis"),
        _("Smalle definitie"),
        _("Dagbesteding"),
        _("Wachtlijst"),
        _("Casusregie"),
    ]
    yes, no = _("ja"), _("nee")
    return Table(
        title=title,
        header=header,
        rows=[
            [
                r.pupil_name,
                r.date_of_birth,
                r.bsn,
                r.school_name,
                r.kind_label,
                r.phase_label,
                r.clock_start,
                r.days_at_home,
                yes if r.narrow else no,
                r.daytime_activity_label,
                r.waiting_list_label,
                r.lead_name,
            ]
            for r in rows
        ],
    )


# --- reconciliation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownPupil:
    """A pupil of their list whom the user can find in the register."""

    pupil_id: int
    name: str
    open_case_id: int | None


@dataclass
class Reconciliation:
    scope: Scope
    on: datetime.date
    parsed: ParsedList
    comparison: Comparison
    known: dict[int, KnownPupil]  # their row number -> the pupil in the register

    def only_theirs_rows(self) -> list[tuple[TheirRow, KnownPupil | None]]:
        return [(r, self.known.get(r.number)) for r in self.comparison.only_theirs]


def _chunks(values: list[_T], size: int = _CHUNK) -> Iterator[list[_T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _known_pupils(user: User, rows: list[TheirRow]) -> dict[int, KnownPupil]:
    """Their pupils that are not on our list but that the user can see in the register:
    candidates by BSN or date of birth (a few indexed queries), matched like the lists."""
    if not rows:
        return {}
    visible = pupils_visible_to(user).only(
        "pk", "given_names", "surname_prefix", "surname", "bsn", "date_of_birth"
    )
    pupils = {}
    for bsns in _chunks(sorted({r.bsn for r in rows if r.bsn})):
        pupils.update({p.pk: p for p in visible.filter(bsn__in=bsns)})
    for days in _chunks(sorted({r.date_of_birth for r in rows if r.date_of_birth})):
        pupils.update({p.pk: p for p in visible.filter(date_of_birth__in=days)})
    candidates = [
        person(
            p.pk,
            given_names=p.given_names,
            surname_prefix=p.surname_prefix,
            surname=p.surname,
            bsn=p.bsn,
            date_of_birth=p.date_of_birth,
        )
        for p in pupils.values()
    ]
    found = match(candidates, rows).both
    open_cases: dict[int, int] = {}
    for pupil_ids in _chunks([m.ours.ref for m in found]):
        open_cases.update(
            cases_visible_to(user)
            .open()
            .filter(pupil_id__in=pupil_ids)
            .values_list("pupil_id", "pk")
        )
    return {
        m.theirs.number: KnownPupil(m.ours.ref, m.ours.name, open_cases.get(m.ours.ref))
        for m in found
    }


def thuiszitterslijst_reconcile(
    *, actor: User, scope: Scope, on: datetime.date, text: str
) -> Reconciliation:
    """Compare another organisation's list (CSV text) with ours of ``scope`` on ``on``.

    Nothing is stored but one audit entry with the counts; ValidationError for a file that
    cannot be read as a list.
    """
    parsed = list_parse(text)
    if not scope.personal_data:
        raise Http404
    cases = thuiszitterslijst(actor, scope, on)
    ours = [
        person(
            case.pk,
            given_names=case.pupil.given_names,
            surname_prefix=case.pupil.surname_prefix,
            surname=case.pupil.surname,
            bsn=case.pupil.bsn,
            date_of_birth=case.pupil.date_of_birth,
            school=case.school.name if case.school is not None else "",
        )
        for case in cases
    ]
    comparison = match(ours, parsed.valid)
    known = _known_pupils(actor, comparison.only_theirs)
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type=RECONCILIATION_OBJECT_TYPE,
        object_id=scope.organisation_id,
        organisation=scope_organisation(scope),
        changes={
            "scope": scope.key,
            "on": on.isoformat(),
            "their_rows": len(parsed.rows),
            "rejected": len(parsed.rejected),
            "both": len(comparison.both),
            "only_ours": len(comparison.only_ours),
            "only_theirs": len(comparison.only_theirs),
            "known_in_register": len(known),
            "coverage": comparison.coverage,
        },
        reason="thuiszitterslijst vergeleken",
    )
    return Reconciliation(scope, on, parsed, comparison, known)


# Result rows travel to the download signed (as cases.csv_import does with the file), so
# the uploaded file is never stored. Cells: status, our name, their name, date of birth
# (ISO), BSN, school, their row number, matched on, known in the register.
BOTH, ONLY_OURS, ONLY_THEIRS = "both", "only_ours", "only_theirs"


def result_cells(result: Reconciliation) -> list[list[str]]:
    def iso(day: datetime.date | None) -> str:
        return day.isoformat() if day else ""

    cells = []
    for m in result.comparison.both:
        cells.append(
            [
                BOTH,
                m.ours.name,
                m.theirs.name,
                iso(m.ours.date_of_birth),
                m.ours.bsn or m.theirs.bsn,
                m.ours.school or m.theirs.school,
                str(m.theirs.number),
                "bsn" if m.on_bsn else "name",
                "1",
            ]
        )
    for p in result.comparison.only_ours:
        cells.append([ONLY_OURS, p.name, "", iso(p.date_of_birth), p.bsn, p.school, "", "", "1"])
    for row, known in result.only_theirs_rows():
        cells.append(
            [
                ONLY_THEIRS,
                known.name if known else "",
                row.name,
                iso(row.date_of_birth),
                row.bsn,
                row.school,
                str(row.number),
                "",
                "1" if known else "",
            ]
        )
    return cells


def result_sign(*, user: User, scope: Scope, on: datetime.date, cells: list[list[str]]) -> str:
    return signing.dumps(
        {"u": user.pk, "s": scope.key, "d": on.isoformat(), "r": cells},
        salt=_RESULT_SALT,
        compress=True,
    )


def result_load(*, user: User, token: str) -> tuple[str, datetime.date, list[list[str]]]:
    """(scope key, date, cells) of a signed comparison; ValidationError when expired,
    altered or made for another user."""
    message = _("De vergelijking is verlopen of gewijzigd. Vergelijk de lijsten opnieuw.")
    try:
        data = signing.loads(token, salt=_RESULT_SALT, max_age=RESULT_MAX_AGE)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise ValidationError(message) from exc
    if data.get("u") != user.pk:
        raise ValidationError(message)
    return data["s"], datetime.date.fromisoformat(data["d"]), data["r"]


def result_table(title: str, cells: list[list[str]]) -> Table:
    status = {
        BOTH: _("Op beide lijsten"),
        ONLY_OURS: _("Alleen op onze lijst"),
        ONLY_THEIRS: _("Alleen op hun lijst"),
    }
    basis = {"bsn": _("BSN"), "name": _("naam en geboortedatum"), "": ""}
    yes, no = _("ja"), _("nee")
    rows = []
    for code, ours, theirs, dob, bsn, school, number, on, known in cells:
        rows.append(
            [
                status.get(code, code),
                ours,
                theirs,
                datetime.date.fromisoformat(dob) if dob else None,
                bsn,
                school,
                int(number) if number else None,
                basis.get(on, on),
                yes if known else no,
            ]
        )
    return Table(
        title=title,
        header=[
            _("Uitkomst"),
            _("Naam (onze gegevens)"),
            _("Naam (hun lijst)"),
            _("Geboortedatum"),
            _("BSN"),
            _("School"),
            _("Regel in hun bestand"),
            _("Gevonden op"),
            _("Bekend in het systeem"),
        ],
        rows=rows,
    )
