"""Planning the demo pupils: pure Python, one random stream per pupil.

Pupil number ``i`` draws from its own ``random.Random(f"{seed}:{i}")``, so it is the same
whatever ``--pupils`` says and whatever ran before it.
"""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from registration.models import AbsenceKind, GuardianRelation
from thuiszitters.models import School, SchoolSector

from .days import add_school_days, ascii_word, birthday, school_day
from .showcase import SHOWCASE, case_showcase
from .texts import GIVEN_NAMES, SECOND_NAMES, SURNAMES

BSN_FIRST = "900000000"  # demo BSNs: 900000000 and up, the ones that pass the elfproef
REPORTED_SHARE = 0.08
UNENROLLED_SHARE = 0.004
HISTORY_DAYS = 175  # reports spread over the last ~6 months

# Profiles of reported pupils with their weights: more unauthorised and sickness than the rest.
PROFILES = {
    "unauthorised": 28,
    "sickness_short": 10,
    "sickness_long": 9,
    "sickness_spread": 6,
    "unauthorised_and_sickness": 7,
    "medical_psychological": 8,
    "authorised_other": 5,
    "partial": 7,
    "suspension": 4,
    "exemption": 3,
    "at_risk": 10,
}
# Consent of pupils with a report that needs it (DESIGN.md 4.3).
CONSENT_MODES = {"given": 64, "leerplicht_only": 10, "refused": 13, "none": 10, "withdrawn": 3}

PO_SECTORS = {SchoolSector.PO, SchoolSector.SBO, SchoolSector.SO}
SCHOOL_WEIGHT = {
    SchoolSector.PO: 1.0,
    SchoolSector.VO: 4.0,
    SchoolSector.SBO: 0.4,
    SchoolSector.SO: 0.3,
    SchoolSector.VSO: 0.5,
}


def demo_bsns() -> Iterator[str]:
    """The valid BSNs from 900000000 upward, in order: each 8-digit prefix has at most one
    check digit that passes the elfproef (none when the remainder is 10)."""
    prefix = int(BSN_FIRST[:8])
    while prefix <= 99999999:
        digits = str(prefix)
        check = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            yield f"{digits}{check}"
        prefix += 1


@dataclass
class ReportPlan:
    kind: str
    reported_on: datetime.date
    start: datetime.date
    end: datetime.date | None = None
    hours: Decimal | None = None
    percent: int | None = None
    striking: bool = False
    expects: bool = False


@dataclass
class PupilPlan:
    index: int
    bsn: str
    school: School | None  # None: not enrolled anywhere (absoluut verzuim)
    given_names: str
    prefix: str
    surname: str
    date_of_birth: datetime.date
    municipality_id: int
    enrolled_from: datetime.date | None
    guardians: list[tuple[str, str, str, str]]  # name, relation, phone, email
    reports: list[ReportPlan] = field(default_factory=list)
    consent_mode: str = "none"


class PupilPlanner:
    """Draws pupils for the schools of the demo region."""

    def __init__(self, *, seed: int, today: datetime.date, schools, municipality_ids, showcase):
        self.seed = seed
        self.today = today
        self.schools = schools
        self.weights = [SCHOOL_WEIGHT[s.sector] for s in schools]
        self.municipality_ids = municipality_ids
        self.showcase_school = showcase  # sector key -> the demo zorgcoordinator's school

    def plan(self, index: int, bsn: str) -> PupilPlan:
        rng = random.Random(f"{self.seed}:{index}")  # noqa: S311 - demo data
        school, profile, consent_mode, reported = self._pick(rng, index)
        is_po = school.sector in PO_SECTORS
        # PO: 4 to 12 today, and at least 4 on the oldest report; VO: 12 to 17 today (from
        # the 18th birthday reports are refused: the RMC's).
        oldest, youngest = (13 * 365 - 3, 4 * 365 + 250) if is_po else (18 * 365 - 5, 12 * 365 + 3)
        date_of_birth = self.today - datetime.timedelta(days=rng.randint(youngest, oldest))
        if school.municipality_id in self.municipality_ids and rng.random() < 0.85:
            municipality_id = school.municipality_id
        else:
            municipality_id = rng.choice(self.municipality_ids)
        enrolled = profile != "not_enrolled"
        enrolled_from = self._enrolled_from(rng, date_of_birth, is_po) if enrolled else None
        given = rng.choice(GIVEN_NAMES)
        if rng.random() < 0.3:
            given = f"{given} {rng.choice(SECOND_NAMES)}"
        prefix, surname = rng.choice(SURNAMES)
        plan = PupilPlan(
            index=index,
            bsn=bsn,
            school=school if enrolled else None,
            given_names=given,
            prefix=prefix,
            surname=surname,
            date_of_birth=date_of_birth,
            municipality_id=municipality_id,
            enrolled_from=enrolled_from,
            guardians=_guardians(rng, prefix, surname),
            consent_mode=consent_mode,
        )
        if profile == "case" and (showcase := case_showcase(index)) is not None:
            plan.reports = [self._case_report(rng, showcase[3])]
        elif reported:
            plan.reports = _ReportDrafter(rng, self.today).draft(profile)
        return plan

    def _pick(self, rng, index: int) -> tuple[School, str, str, bool]:
        """The school, profile and consent mode of the pupil, and whether it is reported."""
        showcase = case_showcase(index)
        if index < len(SHOWCASE):
            sector_key, profile, consent_mode = SHOWCASE[index]
        elif showcase is not None:
            sector_key, profile, consent_mode = showcase[0], "case", "none"
        else:
            school = rng.choices(self.schools, self.weights)[0]
            profile = rng.choices(list(PROFILES), list(PROFILES.values()))[0]
            consent_mode = rng.choices(list(CONSENT_MODES), list(CONSENT_MODES.values()))[0]
            reported = rng.random() < REPORTED_SHARE
            if rng.random() < UNENROLLED_SHARE:
                profile, reported = "not_enrolled", True
            return school, profile, consent_mode, reported
        school = self.showcase_school[sector_key] or rng.choices(self.schools, self.weights)[0]
        return school, profile, consent_mode, True

    def _enrolled_from(self, rng, date_of_birth: datetime.date, is_po: bool) -> datetime.date:
        # The 1st of September before the reports' window, some years back, but not before
        # the 4th birthday (when Dutch children start school) or the 12th (VO).
        cutoff = self.today - datetime.timedelta(days=240)
        september = datetime.date(cutoff.year - (cutoff.month < 9), 9, 1)
        years_back = rng.randint(0, 6 if is_po else 4)
        enrolled_from = september.replace(year=september.year - years_back)
        first_day = birthday(date_of_birth, 4 if is_po else 12)
        return max(enrolled_from, min(first_day, cutoff))

    def _case_report(self, rng, age: int) -> ReportPlan:
        """The one unauthorised report of a case showcase pupil, its clock ``age`` days old."""
        start = school_day(self.today - datetime.timedelta(days=age))
        reported_on = min(add_school_days(start, 5), self.today - datetime.timedelta(days=2))
        hours = Decimal(rng.randint(20, 60))
        return ReportPlan(AbsenceKind.UNAUTHORISED, reported_on, start, hours=hours)


def _guardians(rng, prefix, surname) -> list[tuple[str, str, str, str]]:
    family = " ".join(p for p in (prefix, surname) if p)
    roll = rng.random()
    if roll < 0.6:
        relations = [GuardianRelation.MOTHER, GuardianRelation.FATHER]
    elif roll < 0.85:
        relations = [GuardianRelation.MOTHER]
    elif roll < 0.93:
        relations = [GuardianRelation.FATHER]
    elif roll < 0.97:
        relations = [GuardianRelation.FOSTER_PARENT]
    else:
        relations = [GuardianRelation.GUARDIAN]
    rows: list[tuple[str, str, str, str]] = []
    for relation in relations:
        first = rng.choice(GIVEN_NAMES)
        if relation == GuardianRelation.MOTHER and rng.random() < 0.5:
            other_prefix, other_surname = rng.choice(SURNAMES)
            last = " ".join(p for p in (other_prefix, other_surname) if p)
        else:
            last = family
        # 06-0… numbers are not issued; example.org is reserved (RFC 2606).
        phone = f"06-0{rng.randint(0, 9999999):07d}"
        email = f"{ascii_word(first)}.{ascii_word(last)}@example.org" if rng.random() < 0.7 else ""
        rows.append((f"{first} {last}", relation, phone, email))
    return rows


class _ReportDrafter:
    """The reports of one reported pupil, by profile, in the six months before today."""

    def __init__(self, rng, today: datetime.date):
        self.rng = rng
        self.today = today
        self.latest = today - datetime.timedelta(days=2)

    def draft(self, profile: str) -> list[ReportPlan]:
        plans = getattr(self, f"_{profile}")()
        if profile == "unauthorised_and_sickness":
            return plans  # its sick days are never striking (and draw nothing more)
        for p in plans:
            if p.kind == AbsenceKind.SICKNESS and self.rng.random() < 0.15:
                p.striking = True
        return plans

    def day_in_window(self, min_back: int = 2, max_back: int = HISTORY_DAYS) -> datetime.date:
        back = self.rng.randint(min_back, max_back)
        return school_day(self.today - datetime.timedelta(days=back))

    def hours(self, low: int, high: int) -> Decimal:
        return Decimal(self.rng.randint(low * 2, high * 2)) / 2

    def sick_episodes(self, count: int, max_len: int, span: int) -> list[ReportPlan]:
        # ``count`` episodes of 1..max_len school days, the last ending before ``latest``.
        rng = self.rng
        end = self.day_in_window(3, HISTORY_DAYS - span)
        episodes = []
        for _ in range(count):
            length = rng.randint(1, max_len)
            start = end
            for _ in range(length - 1):
                start = school_day(start - datetime.timedelta(days=1))
            reported_on = min(add_school_days(end, rng.randint(0, 1)), self.latest)
            episodes.append(
                ReportPlan(
                    AbsenceKind.SICKNESS,
                    max(reported_on, start + datetime.timedelta(days=1)),
                    start,
                    end,
                )
            )
            end = school_day(start - datetime.timedelta(days=rng.randint(5, span // count)))
        return list(reversed(episodes))

    def single(self, kind, back=(10, 40), ended=0.3, **extra) -> ReportPlan:
        reported_on = self.day_in_window()
        start = school_day(reported_on - datetime.timedelta(days=self.rng.randint(*back)))
        end = None
        if self.rng.random() < ended:
            end = min(add_school_days(start, self.rng.randint(1, 10)), self.latest)
        return ReportPlan(kind, reported_on, start, end, **extra)

    # --- the profiles ---------------------------------------------------------------------

    def _unauthorised(self) -> list[ReportPlan]:
        rng = self.rng
        first = self.single(AbsenceKind.UNAUTHORISED, (5, 25), 0.2, hours=self.hours(4, 30))
        plans = [first]
        follow_up = first.reported_on + datetime.timedelta(days=rng.randint(14, 28))
        if rng.random() < 0.35 and follow_up <= self.latest:
            more = min((first.hours or Decimal(0)) + self.hours(4, 40), Decimal(160))
            plans.append(
                ReportPlan(
                    AbsenceKind.UNAUTHORISED,
                    school_day(follow_up),
                    first.start,
                    hours=more,
                    expects=rng.random() < 0.4,
                )
            )
        return plans

    def _sickness_short(self) -> list[ReportPlan]:
        return self.sick_episodes(self.rng.randint(3, 4), 2, 55)

    def _sickness_spread(self) -> list[ReportPlan]:
        return self.sick_episodes(2, 4, 26)

    def _sickness_long(self) -> list[ReportPlan]:
        expects = self.rng.random() < 0.5
        return [self.single(AbsenceKind.SICKNESS, (15, 45), 0.2, expects=expects)]

    def _unauthorised_and_sickness(self) -> list[ReportPlan]:
        plans = self.sick_episodes(2, 2, 40)
        hours = self.hours(10, 24)
        plans.append(self.single(AbsenceKind.UNAUTHORISED, (3, 15), 0.0, hours=hours))
        plans.sort(key=lambda p: (p.reported_on, p.start))
        return plans

    def _medical_psychological(self) -> list[ReportPlan]:
        percent = self.rng.choice([None, self.rng.randint(20, 80)])
        return [self.single(AbsenceKind.MEDICAL_PSYCHOLOGICAL, (10, 60), 0.2, percent=percent)]

    def _authorised_other(self) -> list[ReportPlan]:
        return [self.single(AbsenceKind.AUTHORISED_OTHER, (2, 10), 0.8)]

    def _partial(self) -> list[ReportPlan]:
        rng = self.rng
        extra = {"percent": rng.randint(10, 49), "hours": self.hours(40, 100)}
        extra["expects"] = rng.random() < 0.3
        return [self.single(AbsenceKind.PARTIAL, (20, 60), 0.0, **extra)]

    def _suspension(self) -> list[ReportPlan]:
        return [self.single(AbsenceKind.SUSPENSION, (1, 5), 0.7)]

    def _exemption(self) -> list[ReportPlan]:
        return [self.single(AbsenceKind.EXEMPTION, (1, 14), 0.0)]

    def _at_risk(self) -> list[ReportPlan]:
        return [self.single(AbsenceKind.AT_RISK, (1, 14), 0.0, hours=self.hours(0, 8))]

    def _not_enrolled(self) -> list[ReportPlan]:
        return [self.single(AbsenceKind.NOT_ENROLLED, (10, 60), 0.0)]
