"""Who counts as a thuiszitter on a date: the narrow and the broad definition (DESIGN.md 4.5).

Both are conditions on the absence reports of a case, evaluated in the database as
``Exists`` subqueries, so a count is one ``COUNT(*) FILTER (...)`` per definition.

- Narrow (Inspectie): unauthorised (relative) absence that has lasted longer than four
  weeks, plus absoluut verzuim (not enrolled), of a pupil who is leerplichtig or
  kwalificatieplichtig on the date (from the first of the month after the 5th birthday to
  the day before the 18th).
- Broad (the "brede thuiszittersaanpak" of seed 001): the narrow ones, plus authorised
  absence (sickness, medical or psychological reasons, other authorised absence) and
  following less than half of the teaching time, each longer than four weeks, plus
  suspension and exemption from the first day.

Signals of concern without an absence threshold (``at_risk``) are never thuiszitters.
A report counts on a date when it was reported by then and its absence had not ended before
it; the case must be open on that date.
"""

import datetime

from django.db.models import Exists, OuterRef, Q

from cases.models import CaseReport
from registration.models import AbsenceKind
from registration.rules import compulsory_births

from .periods import end_of_day

FOUR_WEEKS = datetime.timedelta(weeks=4)

NARROW_AFTER_FOUR_WEEKS = frozenset({AbsenceKind.UNAUTHORISED})
NARROW_AT_ONCE = frozenset({AbsenceKind.NOT_ENROLLED})
BROAD_AFTER_FOUR_WEEKS = frozenset(
    {
        AbsenceKind.UNAUTHORISED,
        AbsenceKind.SICKNESS,
        AbsenceKind.MEDICAL_PSYCHOLOGICAL,
        AbsenceKind.AUTHORISED_OTHER,
        AbsenceKind.PARTIAL,
    }
)
BROAD_AT_ONCE = frozenset({AbsenceKind.NOT_ENROLLED, AbsenceKind.SUSPENSION, AbsenceKind.EXEMPTION})


def open_on_q(on: datetime.date, prefix: str = "") -> Q:
    """The case was open at the end of ``on``."""
    bound = end_of_day(on)
    return Q(**{f"{prefix}opened_at__lt": bound}) & (
        Q(**{f"{prefix}closed_at__isnull": True}) | Q(**{f"{prefix}closed_at__gte": bound})
    )


def _reports_on(on: datetime.date, visible=None):
    reports = CaseReport.objects.filter(case_id=OuterRef("pk"), report__reported_on__lte=on)
    if visible is not None:
        # A list of people: only the reports this user may see decide (consent per report).
        reports = reports.filter(report__in=visible)
    return reports.filter(
        Q(report__absence_ended_on__isnull=True) | Q(report__absence_ended_on__gte=on)
    )


def _kind_q(on: datetime.date, after_four_weeks, at_once) -> Q:
    # "Longer than four weeks": started at least 28 days before ``on`` (29 days absent).
    return Q(
        report__kind__in=list(after_four_weeks),
        report__absence_started_on__lte=on - FOUR_WEEKS,
    ) | Q(report__kind__in=list(at_once))


def _compulsory_q(on: datetime.date) -> Q:
    """The report's pupil is leerplichtig or kwalificatieplichtig on ``on``."""
    births = compulsory_births(on)
    return Q(
        report__pupil__date_of_birth__gt=births.born_after,
        report__pupil__date_of_birth__lte=births.born_until,
    ) & (
        Q(report__pupil__date_of_birth__gte=births.leerplicht_born_from)
        | Q(report__pupil__startkwalificatie_on__isnull=True)
        | Q(report__pupil__startkwalificatie_on__gt=on)
    )


def narrow_on(on: datetime.date, visible=None) -> Exists:
    """``visible``: a queryset of the absence reports that may decide (default all)."""
    return Exists(
        _reports_on(on, visible).filter(
            _kind_q(on, NARROW_AFTER_FOUR_WEEKS, NARROW_AT_ONCE), _compulsory_q(on)
        )
    )


def broad_on(on: datetime.date, visible=None) -> Exists:
    return Exists(
        _reports_on(on, visible).filter(_kind_q(on, BROAD_AFTER_FOUR_WEEKS, BROAD_AT_ONCE))
    )


class DefinitionsOn:
    """``narrow_on`` and ``broad_on`` for reports read once: the same rules in Python, so
    ``figures()`` reads the reports of a scope's open cases in one indexed query instead of
    evaluating two ``Exists`` per case (ADR 0023). tests/reports/test_definitions.py holds
    both forms equal on every day around their edges."""

    def __init__(self, on: datetime.date) -> None:
        self.on = on
        self.four_weeks_ago = on - FOUR_WEEKS
        self.births = compulsory_births(on)

    def counts(self, reported_on: datetime.date, ended_on: datetime.date | None) -> bool:
        """Reported by ``on`` and its absence had not ended before it."""
        return reported_on <= self.on and (ended_on is None or ended_on >= self.on)

    def _kind(self, kind: str, started_on: datetime.date, after_four_weeks, at_once) -> bool:
        return kind in at_once or (kind in after_four_weeks and started_on <= self.four_weeks_ago)

    def broad_kind(self, kind: str, started_on: datetime.date) -> bool:
        """The report's kind and length count for the broad definition (of a report that
        ``counts``)."""
        return self._kind(kind, started_on, BROAD_AFTER_FOUR_WEEKS, BROAD_AT_ONCE)

    def narrow_kind(self, kind: str, started_on: datetime.date) -> bool:
        """The same for the narrow definition, which also needs a ``compulsory`` pupil."""
        return self._kind(kind, started_on, NARROW_AFTER_FOUR_WEEKS, NARROW_AT_ONCE)

    def compulsory(self, born: datetime.date | None, startkwalificatie_on: datetime.date | None):
        births = self.births
        if born is None or not births.born_after < born <= births.born_until:
            return False
        return (
            born >= births.leerplicht_born_from
            or startkwalificatie_on is None
            or startkwalificatie_on > self.on
        )

    def broad(self, kind, reported_on, started_on, ended_on) -> bool:
        return self.counts(reported_on, ended_on) and self.broad_kind(kind, started_on)

    def narrow(self, kind, reported_on, started_on, ended_on, born, startkwalificatie_on) -> bool:
        return (
            self.counts(reported_on, ended_on)
            and self.narrow_kind(kind, started_on)
            and self.compulsory(born, startkwalificatie_on)
        )


def thuiszitter_q(on: datetime.date, definition: str) -> Q:
    """Open on ``on`` and a thuiszitter by ``definition`` ("narrow" or "broad")."""
    exists = narrow_on(on) if definition == "narrow" else broad_on(on)
    return open_on_q(on) & Q(exists)
