"""Pure rules of registration: age, compulsory education, whose consent, early warnings.

No database access here: callers pass the data, so the rules are easy to test at their
boundaries (birthdays, 31 July, thresholds).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from .models import AbsenceKind, ConsentParty, ConsentStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Completed years on ``day`` (someone born on 29 February turns a year older on 1 March)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def birthday(date_of_birth: datetime.date, years: int) -> datetime.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:  # 29 February in a common year
        return datetime.date(date_of_birth.year + years, 3, 1)


def born_by(day: datetime.date, years: int) -> datetime.date:
    """The latest date of birth of someone ``years`` or older on ``day`` (for range filters
    on date_of_birth; agrees with ``age_on``, 29 February included)."""
    return day - relativedelta(years=years)


def reportable_on(date_of_birth: datetime.date, day: datetime.date) -> bool:
    """Reports go in from the 4th birthday up to the day before the 18th (DESIGN.md 4.1);
    from the 18th birthday on the RMC takes over."""
    return birthday(date_of_birth, 4) <= day < birthday(date_of_birth, 18)


class CompulsoryEducation(StrEnum):
    NOT_YET = "not_yet"
    LEERPLICHTIG = "leerplichtig"
    KWALIFICATIEPLICHTIG = "kwalificatieplichtig"
    ENDED = "ended"

    @property
    def label(self) -> "StrOrPromise":
        return {
            "not_yet": _("nog niet leerplichtig"),
            "leerplichtig": _("leerplichtig"),
            "kwalificatieplichtig": _("kwalificatieplichtig"),
            "ended": _("niet meer leerplichtig"),
        }[self.value]


@dataclass(frozen=True)
class CompulsoryEducationPeriod:
    leerplicht_from: datetime.date
    leerplicht_until: datetime.date
    kwalificatieplicht_until: datetime.date


def compulsory_education_period(date_of_birth: datetime.date) -> CompulsoryEducationPeriod:
    """Leerplichtwet: from the first day of the month after the 5th birthday to the end of the
    school year (31 July) in which the pupil turns 16; kwalificatieplicht until the 18th
    birthday (the day before it, inclusive)."""
    fifth = birthday(date_of_birth, 5)
    start = (fifth.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    sixteenth = birthday(date_of_birth, 16)
    school_year_end = datetime.date(sixteenth.year + (sixteenth.month >= 8), 7, 31)
    eighteenth = birthday(date_of_birth, 18)
    return CompulsoryEducationPeriod(
        start, school_year_end, eighteenth - datetime.timedelta(days=1)
    )


def compulsory_education_on(
    date_of_birth: datetime.date,
    day: datetime.date,
    startkwalificatie_on: datetime.date | None = None,
) -> CompulsoryEducation:
    period = compulsory_education_period(date_of_birth)
    if day < period.leerplicht_from:
        return CompulsoryEducation.NOT_YET
    if day <= period.leerplicht_until:
        return CompulsoryEducation.LEERPLICHTIG
    if day <= period.kwalificatieplicht_until and not (
        startkwalificatie_on and startkwalificatie_on <= day
    ):
        return CompulsoryEducation.KWALIFICATIEPLICHTIG
    return CompulsoryEducation.ENDED


@dataclass(frozen=True)
class CompulsoryBirths:
    """Who is leerplichtig or kwalificatieplichtig on a day, as bounds on date_of_birth:
    born after ``born_after`` and on or before ``born_until``; of those, born on or after
    ``leerplicht_born_from`` is still leerplichtig (a startkwalificatie does not end it)."""

    born_after: datetime.date
    born_until: datetime.date
    leerplicht_born_from: datetime.date


def compulsory_births(day: datetime.date) -> CompulsoryBirths:
    """``compulsory_education_on`` turned around, for a filter in the database."""
    first_of_month = day.replace(day=1)
    school_year = day.year if day.month >= 8 else day.year - 1
    return CompulsoryBirths(
        born_after=born_by(day, 18),
        # The 5th birthday fell in an earlier month than ``day``'s.
        born_until=born_by(first_of_month - datetime.timedelta(days=1), 5),
        # The 16th birthday falls in this school year or later.
        leerplicht_born_from=datetime.date(school_year - 16, 8, 1),
    )


# The age bands in which other parties' consent counts: the age each band starts at.
CONSENT_AGE_BANDS = (0, 12, 16)


def consent_age_band(age: int) -> int:
    return max(b for b in CONSENT_AGE_BANDS if b <= age)


def consent_parties_required(age: int) -> frozenset[str]:
    """Parents under 12; parents and pupil from 12 to 15; the pupil from 16 (DESIGN.md 4.3)."""
    if age < 12:
        return frozenset({ConsentParty.PARENTS})
    if age < 16:
        return frozenset({ConsentParty.PARENTS, ConsentParty.PUPIL})
    return frozenset({ConsentParty.PUPIL})


@dataclass(frozen=True)
class ScopeConsent:
    scope: str
    required: frozenset[str]
    latest: dict[str, str]  # party -> latest status

    @property
    def effective(self) -> bool:
        return all(self.latest.get(p) == ConsentStatus.GIVEN for p in self.required)

    @property
    def missing(self) -> list[str]:
        return sorted(p for p in self.required if self.latest.get(p) != ConsentStatus.GIVEN)


def consent_state(
    age: int, scopes: Iterable[str], statements: Iterable[tuple[str, str, str]]
) -> dict[str, ScopeConsent]:
    """Per scope, whether consent holds now. ``statements`` are (scope, party, status) in
    chronological order; the last statement of each party counts."""
    latest: dict[str, dict[str, str]] = {scope: {} for scope in scopes}
    for scope, party, status in statements:
        latest.setdefault(scope, {})[party] = status
    required = consent_parties_required(age)
    return {scope: ScopeConsent(scope, required, latest[scope]) for scope in latest}


# --- early-warning signals --------------------------------------------------------------


class SignalCode(StrEnum):
    UNAUTHORISED_EARLY = "unauthorised_early"
    UNAUTHORISED_DUO = "unauthorised_duo"
    SHORT_SICKNESS = "short_sickness"
    LONG_UNCLEAR_SICKNESS = "long_unclear_sickness"
    SPREAD_SICKNESS = "spread_sickness"
    STRIKING_SICKNESS = "striking_sickness"

    @property
    def label(self) -> "StrOrPromise":
        return {
            "unauthorised_early": _("10 uur of meer ongeoorloofd verzuim in 4 weken: vroeg melden"),
            "unauthorised_duo": _("16 uur of meer in 4 weken: wettelijke meldplicht bij DUO"),
            "short_sickness": _("3 keer of vaker 1 of 2 dagen ziek gemeld in 2 maanden"),
            "long_unclear_sickness": _("Onduidelijk ziekteverzuim van meer dan 10 schooldagen"),
            "spread_sickness": _("Meer dan 4 dagen ziek, verspreid over de afgelopen maand"),
            "striking_sickness": _("Opvallend ziekteverzuim"),
        }[self.value]


@dataclass(frozen=True)
class Thresholds:
    unauthorised_hours_early: Decimal = Decimal(10)
    unauthorised_hours_duo: Decimal = Decimal(16)
    window_days: int = 28
    short_sickness_reports: int = 3
    short_sickness_max_days: int = 2
    short_sickness_window_days: int = 61
    long_sickness_school_days: int = 10
    spread_sickness_days: int = 4
    spread_sickness_window_days: int = 30

    @classmethod
    def from_settings(cls, settings) -> "Thresholds":
        if settings is None:
            return cls()
        return cls(**{name: getattr(settings, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class ReportFacts:
    """What the signals need of one report."""

    kind: str
    reported_on: datetime.date
    absence_started_on: datetime.date
    absence_ended_on: datetime.date | None
    hours_missed_last_4_weeks: Decimal | None
    striking_sickness: bool


def school_days_between(first: datetime.date, last: datetime.date) -> int:
    """Weekdays from ``first`` to ``last`` inclusive (holidays are not known here)."""
    if last < first:
        return 0
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(rest):
        if (first + datetime.timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def early_warning_signals(
    reports: Iterable[ReportFacts], today: datetime.date, thresholds: Thresholds = Thresholds()
) -> list[SignalCode]:
    reports = list(reports)
    signals: list[SignalCode] = []

    recent_unauthorised = [
        r.hours_missed_last_4_weeks
        for r in reports
        if r.kind == AbsenceKind.UNAUTHORISED
        and r.hours_missed_last_4_weeks is not None
        and (today - r.reported_on).days < thresholds.window_days
    ]
    hours = max(recent_unauthorised, default=Decimal(0))
    if hours >= thresholds.unauthorised_hours_duo:
        signals.append(SignalCode.UNAUTHORISED_DUO)
    if hours >= thresholds.unauthorised_hours_early:
        signals.append(SignalCode.UNAUTHORISED_EARLY)

    sick = [r for r in reports if r.kind == AbsenceKind.SICKNESS]

    def episode_days(r: ReportFacts) -> int:
        return school_days_between(r.absence_started_on, r.absence_ended_on or today)

    short = [
        r
        for r in sick
        if r.absence_ended_on is not None
        and 1 <= episode_days(r) <= thresholds.short_sickness_max_days
        and (today - r.absence_started_on).days < thresholds.short_sickness_window_days
    ]
    if len(short) >= thresholds.short_sickness_reports:
        signals.append(SignalCode.SHORT_SICKNESS)

    if any(episode_days(r) > thresholds.long_sickness_school_days for r in sick):
        signals.append(SignalCode.LONG_UNCLEAR_SICKNESS)

    window_start = today - datetime.timedelta(days=thresholds.spread_sickness_window_days - 1)
    in_window = [r for r in sick if (r.absence_ended_on or today) >= window_start]
    spread_days = sum(
        school_days_between(max(r.absence_started_on, window_start), r.absence_ended_on or today)
        for r in in_window
    )
    if len(in_window) >= 2 and spread_days > thresholds.spread_sickness_days:
        signals.append(SignalCode.SPREAD_SICKNESS)

    if any(
        r.striking_sickness
        and r.kind in (AbsenceKind.SICKNESS, AbsenceKind.MEDICAL_PSYCHOLOGICAL)
        and (today - r.reported_on).days < thresholds.short_sickness_window_days
        for r in reports
    ):
        signals.append(SignalCode.STRIKING_SICKNESS)
    return signals
