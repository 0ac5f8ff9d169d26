"""Demo pupils, absence reports, consent and whole case files for the demo region.

Each reported pupil gets one case in the phase its clock age allows (``_CaseFiles``): the
school monitors young cases; from week 4 the leerplicht bureau or the SWV PO casusregisseur
leads; older cases sit at the doorbraaktoets, the doorbraakteam, arbitration or the OM, or
closed with a reason, retention date and aftercare. Every case has exactly one current lead.

Registered with ``thuiszitters.demo.register_demo_seeder`` in ``CasesConfig.ready()``, so
``manage.py seed_demo --pupils N`` fills the schools of "Regio Lingemond" (the schools of
SWV PO 99-01 and VO 99-01) with fictional pupils.

Written for speed, not through the services: the seeder computes consistent data itself
(placement, sharing flags from the consent rules, one open case per reported pupil with its
links and journal) and writes it with ``bulk_create`` in chunks, so 100,000 pupils take
minutes (docs/performance.md). It writes no audit entries for the demo rows: they are
invented, nobody changed anything. The users it needs (one zorgcoordinator per school that
reports) are made through the core services, audited, and only when missing.

Deterministic and idempotent:

- Pupil number ``i`` draws from its own ``random.Random(f"{seed}:{i}")``, so it is the same
  whatever ``--pupils`` says and whatever ran before it.
- Demo pupils carry the BSNs from ``900000000`` upward that pass the elfproef, the ``i``-th
  demo pupil the ``i``-th of them; this range is reserved for demo data. A run counts the demo
  pupils that exist and adds only numbers from there to ``pupils``: a second run with the same
  arguments writes nothing, and a larger ``--pupils`` adds the missing pupils.
"""

import datetime
import random
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from registration.models import (
    LAWFUL_KINDS,
    AbsenceKind,
    AbsenceReport,
    Consent,
    ConsentHow,
    ConsentParty,
    ConsentScope,
    ConsentStatus,
    Enrolment,
    Guardian,
    GuardianRelation,
    ParentsInformedHow,
    Pupil,
    ReportChannel,
)
from registration.rules import age_on, consent_parties_required, consent_state
from thuiszitters.models import (
    LeerplichtBureau,
    Membership,
    Municipality,
    Region,
    School,
    SchoolSector,
    User,
)
from thuiszitters.roles import RoleCode
from thuiszitters.services import membership_create, role_group, user_create

from .models import (
    Action,
    ActionStatus,
    AftercareCheckIn,
    Arrangement,
    ArrangementKind,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseReport,
    Cause,
    CheckInOutcome,
    DaytimeActivity,
    Decision,
    Goal,
    LeadAssignment,
    LeadMode,
    Meeting,
    MeetingKind,
    Participant,
    ParticipantRole,
    SituationLevel,
    WaitingListFor,
)
from .workflow import AFTERCARE_MONTHS, OFFER_REASONS, ClosureReason, Phase

DEFAULT_PUPILS = 400
REGION_NAME = "Regio Lingemond"
SWV_CODES = ("PO 99-01", "VO 99-01")
BUREAU_NAME = "Regionaal Bureau Leerplicht Lingemond"
EMAIL_DOMAIN = "demo.test"
SHOWCASE_USERS = {"po": "zorgcoordinator.po", "vo": "zorgcoordinator.vo"}
LEERPLICHT_USER = "leerplicht"

BSN_FIRST = "900000000"  # demo BSNs: 900000000 and up, the ones that pass the elfproef
REPORTED_SHARE = 0.08
UNENROLLED_SHARE = 0.004
CHUNK = 5000
BATCH = 1000
HISTORY_DAYS = 175  # reports spread over the last ~6 months


def _names(text: str) -> list[str]:
    return [" ".join(name.split()) for name in text.split(",") if name.strip()]


GIVEN_NAMES = _names("""
    Daan, Sem, Lucas, Noah, Levi, Finn, Milan, Luuk, Bram, Jesse, Sven, Thijs, Ruben, Mohammed,
    Yusuf, Adam, Liam, Julian, Mees, Teun, Gijs, Stijn, Jayden, Ryan, Ibrahim, Omar, Kevin,
    Niels, Tim, Hugo, Emma, Julia, Mila, Tess, Sophie, Zoë, Sara, Nora, Eva, Anna, Fleur, Lotte,
    Noor, Yara, Fenna, Saar, Lieke, Amira, Fatima, Ilse, Jasmijn, Roos, Isa, Femke, Esmee, Nina,
    Lina, Aya, Maud, Elif
""")
SECOND_NAMES = _names("Maria, Johannes, Anne, Pieter, Elisabeth, Willem, Sophia, Jan")
# (tussenvoegsel, achternaam): the prefix is everything before the last word.
SURNAMES = [
    (name.rpartition(" ")[0], name.rpartition(" ")[2])
    for name in _names("""
    de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, Meijer,
    de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, Brouwer,
    de Wit, Dijkstra, Smits, de Graaf, van der Meer, van der Linden, Kok, Jacobs, de Haan,
    Vermeulen, van den Heuvel, van der Veen, van den Bosch, van Beek, Schouten, van Vliet,
    ter Horst, van 't Hof, in 't Veld, Yilmaz, el Idrissi, Kaya, Öztürk, Nguyen, Pinas, Wong,
    Kramer, Postma, van Wijk, Koster
    """)
]

REASONS = {
    AbsenceKind.UNAUTHORISED: [
        "Komt regelmatig niet op school zonder bericht van thuis.",
        "Spijbelt de eerste uren; ouders zijn op de hoogte gebracht.",
        "Blijft thuis na een conflict met klasgenoten.",
    ],
    AbsenceKind.SICKNESS: [
        "Regelmatig ziek gemeld, steeds een of twee dagen.",
        "Langdurig ziek, de klachten zijn onduidelijk.",
        "Vaak ziek naar huis tijdens de les.",
    ],
    AbsenceKind.MEDICAL_PSYCHOLOGICAL: [
        "Psychische klachten; behandeling loopt via de huisarts.",
        "Medische behandeling, gedeeltelijk aanwezig.",
    ],
    AbsenceKind.AUTHORISED_OTHER: ["Verlof in verband met familieomstandigheden."],
    AbsenceKind.PARTIAL: ["Volgt een aangepast rooster van enkele ochtenden per week."],
    AbsenceKind.SUSPENSION: ["Geschorst in afwachting van een besluit over verwijdering."],
    AbsenceKind.NOT_ENROLLED: ["Na een verhuizing op geen enkele school ingeschreven."],
    AbsenceKind.EXEMPTION: ["Vrijstelling aangevraagd op grond van artikel 5 onder a."],
    AbsenceKind.AT_RISK: [
        "Zorgen over de thuissituatie; nog geen verzuimgrens bereikt.",
        "Trekt zich terug en komt steeds later binnen.",
    ],
}

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

# The first pupils fill the two demo zorgcoordinators' schools, so their pages show every
# kind of report and every consent situation: (sector, profile, consent mode).
SHOWCASE = [
    ("po", "unauthorised", "none"),
    ("po", "sickness_short", "given"),
    ("po", "sickness_long", "none"),
    ("po", "medical_psychological", "withdrawn"),
    ("po", "authorised_other", "refused"),
    ("po", "partial", "given"),
    ("po", "suspension", "none"),
    ("po", "exemption", "none"),
    ("po", "at_risk", "given"),
    ("po", "not_enrolled", "none"),
    ("po", "sickness_spread", "given"),
    ("po", "unauthorised_and_sickness", "leerplicht_only"),
    ("po", "sickness_short", "none"),
    ("vo", "unauthorised", "none"),
    ("vo", "sickness_long", "given"),
    ("vo", "medical_psychological", "refused"),
    ("vo", "partial", "given"),
    ("vo", "suspension", "none"),
    ("vo", "at_risk", "leerplicht_only"),
    ("vo", "sickness_short", "given"),
    ("vo", "not_enrolled", "none"),
]

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


def _school_day(day: datetime.date) -> datetime.date:
    """The day itself on a weekday, else the Friday before."""
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


def _add_school_days(day: datetime.date, n: int) -> datetime.date:
    while n > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _birthday(date_of_birth: datetime.date, years: int) -> datetime.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:  # 29 February in a common year
        return datetime.date(date_of_birth.year + years, 3, 1)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


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


class _PupilSeeder:
    def __init__(self, *, seed: int, today: datetime.date):
        self.seed = seed
        self.today = today
        self.region = Region.objects.filter(name=REGION_NAME).first()
        self.schools = list(
            School.objects.filter(swv__code__in=SWV_CODES, region=self.region).order_by(
                "name", "pk"
            )
        )
        self.municipality_ids = list(
            Municipality.objects.filter(region=self.region)
            .order_by("cbs_code")
            .values_list("pk", flat=True)
        )
        self.bureau = LeerplichtBureau.objects.filter(name=BUREAU_NAME).first()
        self.weights = [SCHOOL_WEIGHT[s.sector] for s in self.schools]
        self.showcase_school = {
            sector: self._school_of(local, sector) for sector, local in SHOWCASE_USERS.items()
        }
        self.users: dict[str, User] = {}
        self.created = 0

    @property
    def ready(self) -> bool:
        return bool(self.region and self.schools and self.municipality_ids and self.bureau)

    def _school_of(self, local: str, sector: str) -> School | None:
        org_id = (
            Membership.objects.filter(
                user__email=f"{local}@{EMAIL_DOMAIN}", role__name=RoleCode.ZORGCOORDINATOR
            )
            .values_list("organisation_id", flat=True)
            .first()
        )
        for school in self.schools:
            if school.pk == org_id:
                return school
        wanted = PO_SECTORS if sector == "po" else {SchoolSector.VO}
        return next((s for s in self.schools if s.sector in wanted), None)

    # --- who reports ---------------------------------------------------------------------

    def _user(self, local: str, full_name: str, organisation, role: str) -> User:
        email = f"{local}@{EMAIL_DOMAIN}"
        if email in self.users:
            return self.users[email]
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(email=email, full_name=full_name, actor=None)
            self.created += 1
        if not Membership.objects.filter(
            user=user, organisation=organisation, role=role_group(role)
        ).exists():
            membership_create(
                user=user,
                organisation=organisation,
                role=role,
                actor=None,
                job_title="Zorgcoördinator" if role == RoleCode.ZORGCOORDINATOR else "",
            )
            self.created += 1
        self.users[email] = user
        return user

    def reporter(self, school: School | None) -> User:
        if school is None:
            return self._user(LEERPLICHT_USER, "Sanne Bakker", self.bureau, RoleCode.LEERPLICHT)
        for sector, showcase in self.showcase_school.items():
            if showcase is not None and school.pk == showcase.pk:
                local = SHOWCASE_USERS[sector]
                break
        else:
            local = f"zc.{school.brin_code.lower()}"
        return self._user(local, f"Zorgcoördinator {school.name}", school, RoleCode.ZORGCOORDINATOR)

    # --- planning (pure Python, one random stream per pupil) -----------------------------

    def plan(self, index: int, bsn: str) -> PupilPlan:
        rng = random.Random(f"{self.seed}:{index}")  # noqa: S311 - demo data
        today = self.today
        case_showcase = index - len(SHOWCASE)
        if index < len(SHOWCASE):
            sector_key, profile, consent_mode = SHOWCASE[index]
            school = self.showcase_school[sector_key] or rng.choices(self.schools, self.weights)[0]
            reported = True
        elif case_showcase < len(CASE_SHOWCASE):
            sector_key, profile, consent_mode = CASE_SHOWCASE[case_showcase][0], "case", "none"
            school = self.showcase_school[sector_key] or rng.choices(self.schools, self.weights)[0]
            reported = True
        else:
            school = rng.choices(self.schools, self.weights)[0]
            profile = rng.choices(list(PROFILES), list(PROFILES.values()))[0]
            consent_mode = rng.choices(list(CONSENT_MODES), list(CONSENT_MODES.values()))[0]
            reported = rng.random() < REPORTED_SHARE
            if rng.random() < UNENROLLED_SHARE:
                profile, reported = "not_enrolled", True

        is_po = school.sector in PO_SECTORS
        # PO: 4 to 12 today, and at least 4 on the oldest report; VO: 12 to 18 today.
        oldest, youngest = (13 * 365 - 3, 4 * 365 + 250) if is_po else (19 * 365 - 5, 12 * 365 + 3)
        date_of_birth = today - datetime.timedelta(days=rng.randint(youngest, oldest))
        if school.municipality_id in self.municipality_ids and rng.random() < 0.85:
            municipality_id = school.municipality_id
        else:
            municipality_id = rng.choice(self.municipality_ids)

        if profile == "not_enrolled":
            enrolled_from, enrolled_at = None, None
        else:
            enrolled_at = school
            # The 1st of September before the reports' window, some years back, but not
            # before the 4th birthday (when Dutch children start school) or the 12th (VO).
            cutoff = today - datetime.timedelta(days=240)
            september = datetime.date(cutoff.year - (cutoff.month < 9), 9, 1)
            years_back = rng.randint(0, 6 if is_po else 4)
            enrolled_from = september.replace(year=september.year - years_back)
            first_day = _birthday(date_of_birth, 4 if is_po else 12)
            enrolled_from = max(enrolled_from, min(first_day, cutoff))

        given = rng.choice(GIVEN_NAMES)
        if rng.random() < 0.3:
            given = f"{given} {rng.choice(SECOND_NAMES)}"
        prefix, surname = rng.choice(SURNAMES)
        guardians = self._guardians(rng, prefix, surname)
        plan = PupilPlan(
            index=index,
            bsn=bsn,
            school=enrolled_at,
            given_names=given,
            prefix=prefix,
            surname=surname,
            date_of_birth=date_of_birth,
            municipality_id=municipality_id,
            enrolled_from=enrolled_from,
            guardians=guardians,
            consent_mode=consent_mode,
        )
        if profile == "case":
            age = CASE_SHOWCASE[case_showcase][3]
            start = _school_day(today - datetime.timedelta(days=age))
            reported_on = min(_add_school_days(start, 5), today - datetime.timedelta(days=2))
            hours = Decimal(rng.randint(20, 60))
            plan.reports = [ReportPlan(AbsenceKind.UNAUTHORISED, reported_on, start, hours=hours)]
        elif reported:
            plan.reports = self._reports(rng, profile)
        return plan

    def _guardians(self, rng, prefix, surname) -> list[tuple[str, str, str, str]]:
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
        rows = []
        for relation in relations:
            first = rng.choice(GIVEN_NAMES)
            if relation == GuardianRelation.MOTHER and rng.random() < 0.5:
                other_prefix, other_surname = rng.choice(SURNAMES)
                last = " ".join(p for p in (other_prefix, other_surname) if p)
            else:
                last = family
            # 06-0… numbers are not issued; example.org is reserved (RFC 2606).
            phone = f"06-0{rng.randint(0, 9999999):07d}"
            email = f"{_ascii(first)}.{_ascii(last)}@example.org" if rng.random() < 0.7 else ""
            rows.append((f"{first} {last}", relation, phone, email))
        return rows

    def _reports(self, rng, profile: str) -> list[ReportPlan]:
        today = self.today
        latest = today - datetime.timedelta(days=2)

        def day_in_window(min_back: int = 2, max_back: int = HISTORY_DAYS) -> datetime.date:
            return _school_day(today - datetime.timedelta(days=rng.randint(min_back, max_back)))

        def hours(low: int, high: int) -> Decimal:
            return Decimal(rng.randint(low * 2, high * 2)) / 2

        def sick_episodes(count: int, max_len: int, span: int) -> list[ReportPlan]:
            # ``count`` episodes of 1..max_len school days, the last ending before ``latest``.
            end = day_in_window(3, HISTORY_DAYS - span)
            episodes = []
            for _ in range(count):
                length = rng.randint(1, max_len)
                start = end
                for _ in range(length - 1):
                    start = _school_day(start - datetime.timedelta(days=1))
                reported_on = min(_add_school_days(end, rng.randint(0, 1)), latest)
                episodes.append(
                    ReportPlan(
                        AbsenceKind.SICKNESS,
                        max(reported_on, start + datetime.timedelta(days=1)),
                        start,
                        end,
                    )
                )
                end = _school_day(start - datetime.timedelta(days=rng.randint(5, span // count)))
            return list(reversed(episodes))

        def single(kind, back=(10, 40), ended=0.3, **extra) -> ReportPlan:
            reported_on = day_in_window()
            start = _school_day(reported_on - datetime.timedelta(days=rng.randint(*back)))
            end = None
            if rng.random() < ended:
                end = min(_add_school_days(start, rng.randint(1, 10)), latest)
            return ReportPlan(kind, reported_on, start, end, **extra)

        if profile == "unauthorised":
            first = single(AbsenceKind.UNAUTHORISED, (5, 25), 0.2, hours=hours(4, 30))
            plans = [first]
            follow_up = first.reported_on + datetime.timedelta(days=rng.randint(14, 28))
            if rng.random() < 0.35 and follow_up <= latest:
                more = min(first.hours + hours(4, 40), Decimal(160))
                plans.append(
                    ReportPlan(
                        AbsenceKind.UNAUTHORISED,
                        _school_day(follow_up),
                        first.start,
                        hours=more,
                        expects=rng.random() < 0.4,
                    )
                )
            return plans
        if profile == "sickness_short":
            plans = sick_episodes(rng.randint(3, 4), 2, 55)
        elif profile == "sickness_spread":
            plans = sick_episodes(2, 4, 26)
        elif profile == "sickness_long":
            plans = [single(AbsenceKind.SICKNESS, (15, 45), 0.2, expects=rng.random() < 0.5)]
        elif profile == "unauthorised_and_sickness":
            plans = sick_episodes(2, 2, 40)
            plans.append(single(AbsenceKind.UNAUTHORISED, (3, 15), 0.0, hours=hours(10, 24)))
            plans.sort(key=lambda p: (p.reported_on, p.start))
            return plans
        elif profile == "medical_psychological":
            plans = [
                single(
                    AbsenceKind.MEDICAL_PSYCHOLOGICAL,
                    (10, 60),
                    0.2,
                    percent=rng.choice([None, rng.randint(20, 80)]),
                )
            ]
        elif profile == "authorised_other":
            plans = [single(AbsenceKind.AUTHORISED_OTHER, (2, 10), 0.8)]
        elif profile == "partial":
            plans = [
                single(
                    AbsenceKind.PARTIAL,
                    (20, 60),
                    0.0,
                    percent=rng.randint(10, 49),
                    hours=hours(40, 100),
                    expects=rng.random() < 0.3,
                )
            ]
        elif profile == "suspension":
            plans = [single(AbsenceKind.SUSPENSION, (1, 5), 0.7)]
        elif profile == "exemption":
            plans = [single(AbsenceKind.EXEMPTION, (1, 14), 0.0)]
        elif profile == "at_risk":
            plans = [single(AbsenceKind.AT_RISK, (1, 14), 0.0, hours=hours(0, 8))]
        else:  # not_enrolled
            plans = [single(AbsenceKind.NOT_ENROLLED, (10, 60), 0.0)]
        for p in plans:
            if p.kind == AbsenceKind.SICKNESS and rng.random() < 0.15:
                p.striking = True
        return plans

    # --- writing -------------------------------------------------------------------------

    def write(self, plans: list[PupilPlan]) -> None:
        today = self.today
        pupils = [
            Pupil(
                given_names=p.given_names,
                surname_prefix=p.prefix,
                surname=p.surname,
                date_of_birth=p.date_of_birth,
                municipality_id=p.municipality_id,
                bsn=p.bsn,
            )
            for p in plans
        ]
        Pupil.objects.bulk_create(pupils, batch_size=BATCH)
        guardians_of: list[list[Guardian]] = [
            [
                Guardian(pupil=pupil, name=name, relation=relation, phone=phone, email=email)
                for name, relation, phone, email in plan.guardians
            ]
            for plan, pupil in zip(plans, pupils, strict=True)
        ]
        Guardian.objects.bulk_create([g for gs in guardians_of for g in gs], batch_size=BATCH)
        enrolments = [
            Enrolment(pupil=pupil, school=plan.school, start=plan.enrolled_from)
            for plan, pupil in zip(plans, pupils, strict=True)
            if plan.school is not None
        ]
        Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
        self.created += len(pupils) + len(enrolments) + sum(len(g) for g in guardians_of)

        consents: list[Consent] = []
        reports: list[AbsenceReport] = []
        per_pupil: list[tuple[PupilPlan, Pupil, list[AbsenceReport]]] = []
        for plan, pupil, guardians in zip(plans, pupils, guardians_of, strict=True):
            if not plan.reports:
                continue
            reporter = self.reporter(plan.school)
            org_id = plan.school.pk if plan.school else self.bureau.pk
            statements = self._consents(plan, pupil, guardians, reporter)
            consents.extend(statements)
            state = consent_state(
                age_on(pupil.date_of_birth, today),
                ConsentScope.values,
                [(c.scope, c.party, c.status) for c in statements if c.stated_on <= today],
            )
            rng = random.Random(f"{self.seed}:{plan.index}:channel")  # noqa: S311
            own = []
            for n, r in enumerate(plan.reports):
                if r.kind in LAWFUL_KINDS:
                    shared = (True, True)
                else:
                    shared = (
                        state[ConsentScope.SHARE_WITH_LEERPLICHT].effective,
                        state[ConsentScope.SHARE_WITH_SWV].effective,
                    )
                channel = rng.choices(
                    [ReportChannel.FORM, ReportChannel.API, ReportChannel.CSV], [7, 2, 1]
                )[0]
                gap = max(1, min(7, (r.reported_on - r.start).days))
                own.append(
                    AbsenceReport(
                        pupil=pupil,
                        kind=r.kind,
                        reporting_organisation_id=org_id,
                        reported_by=reporter,
                        reported_on=r.reported_on,
                        absence_started_on=r.start,
                        absence_ended_on=r.end,
                        hours_missed_last_4_weeks=r.hours,
                        share_followed_percent=r.percent,
                        striking_sickness=r.striking,
                        expects_thuiszitter_soon=r.expects,
                        reason=rng.choice(REASONS[r.kind]),
                        parents_informed_on=r.reported_on
                        - datetime.timedelta(days=rng.randint(1, gap)),
                        parents_informed_how=rng.choice(ParentsInformedHow.values),
                        school=plan.school,
                        swv_id=plan.school.swv_id if plan.school else None,
                        municipality_id=pupil.municipality_id,
                        shared_with_leerplicht=shared[0],
                        shared_with_swv=shared[1],
                        channel=channel,
                        client_key=(
                            None if channel == ReportChannel.FORM else f"demo-{plan.bsn}-{n}"
                        ),
                    )
                )
            reports.extend(own)
            per_pupil.append((plan, pupil, own, guardians))
        Consent.objects.bulk_create(consents, batch_size=BATCH)
        AbsenceReport.objects.bulk_create(reports, batch_size=BATCH)

        files = _CaseFiles(self)
        cases, stories = [], []
        for plan, pupil, own, _guardians in per_pupil:
            first = own[0]
            clock = min(r.absence_started_on for r in own)
            story = files.story(plan, plan.reports, clock)
            lead_org, lead_user = files.lead_of(
                story, first.reported_by, first.reporting_organisation_id
            )
            stories.append(story)
            cases.append(
                Case(
                    pupil=pupil,
                    clock_start=clock,
                    opened_at=_at(first.reported_on),
                    swv_id=first.swv_id,
                    school=plan.school,
                    municipality_id=pupil.municipality_id,
                    lead_organisation_id=lead_org,
                    lead_user=lead_user,
                    expects_thuiszitter_soon=any(r.expects_thuiszitter_soon for r in own),
                    **files.details(plan, story, own),
                )
            )
        Case.objects.bulk_create(cases, batch_size=BATCH)
        names = {s.pk: s.name for s in self.schools} | {self.bureau.pk: self.bureau.name}
        links, events = [], []
        for case, (_plan, _pupil, own, _guardians) in zip(cases, per_pupil, strict=True):
            for n, report in enumerate(own):
                at = _at(report.reported_on, 9 + min(n, 8))
                links.append(CaseReport(case=case, report=report, joined_at=at))
                org = names[report.reporting_organisation_id]
                events.append(
                    CaseEvent(
                        case=case,
                        at=at,
                        actor=report.reported_by,
                        kind=CaseEventKind.OPENED if n == 0 else CaseEventKind.REPORT_JOINED,
                        message=(
                            f"Casus geopend na een melding van {org}."
                            if n == 0
                            else f"Melding van {org} toegevoegd."
                        ),
                        data={"report": report.pk, "channel": report.channel},
                    )
                )
        CaseReport.objects.bulk_create(links, batch_size=BATCH)
        CaseEvent.objects.bulk_create(events, batch_size=BATCH)
        self.created += len(consents) + len(reports) + len(cases) + len(links) + len(events)
        for case, story, (plan, _pupil, own, guardians) in zip(
            cases, stories, per_pupil, strict=True
        ):
            files.build(case, plan, story, guardians, own[0].reported_by)
        self.created += files.flush()

    def _consents(self, plan, pupil, guardians, recorded_by) -> list[Consent]:
        needing = [r for r in plan.reports if r.kind not in LAWFUL_KINDS]
        if not needing or plan.consent_mode == "none":
            return []
        rng = random.Random(f"{self.seed}:{plan.index}:consent")  # noqa: S311
        # Whose consent counts follows the pupil's age today, when the sharing is decided.
        parties = sorted(consent_parties_required(age_on(pupil.date_of_birth, self.today)))
        first = needing[0]
        given_on = first.reported_on - datetime.timedelta(
            days=rng.randint(0, max(0, (first.reported_on - first.start).days))
        )
        mode = plan.consent_mode
        scopes = [ConsentScope.SHARE_WITH_LEERPLICHT]
        if mode != "leerplicht_only":
            scopes.append(ConsentScope.SHARE_WITH_SWV)
        if mode == "given" and rng.random() < 0.5:
            scopes.append(ConsentScope.MEETING_PARTICIPATION)
        statements = []

        def state(scope, party, status, on, note=""):
            statements.append(
                Consent(
                    pupil=pupil,
                    scope=scope,
                    status=status,
                    party=party,
                    guardian=guardians[0] if party == ConsentParty.PARENTS else None,
                    stated_on=on,
                    how=rng.choice(ConsentHow.values),
                    recorded_by=recorded_by,
                    note=note,
                )
            )

        refuser = parties[-1]  # the pupil when the pupil's consent is needed, else the parents
        for scope in scopes:
            for party in parties:
                if mode == "refused" and party == refuser:
                    state(scope, party, ConsentStatus.REFUSED, given_on)
                else:
                    state(scope, party, ConsentStatus.GIVEN, given_on)
        if mode == "withdrawn":
            days = (self.today - given_on).days
            later = given_on + datetime.timedelta(days=rng.randint(1, max(1, days)))
            for scope in scopes:
                state(
                    scope,
                    refuser,
                    ConsentStatus.WITHDRAWN,
                    min(later, self.today),
                    note="Toestemming later ingetrokken.",
                )
        return statements


# --- the case files: phases, lead, plan, meetings, arrangements, aftercare -----------------

# The minimum clock age (weeks) of each phase: the route's 4, 8 and 12 weeks (DESIGN.md 4.2).
# The doorbraakteam comes earlier when the assessment says no offer will start in time.
PHASE_MIN_WEEKS = {
    Phase.SCHOOL: 0,
    Phase.CASUSREGISSEUR: 4,
    Phase.DOORBRAAK_ASSESSMENT: 8,
    Phase.DOORBRAAKTEAM: 8,
    Phase.ARBITRATION: 14,
    Phase.OM_REFERRAL: 18,
}
ROUTE = (Phase.SCHOOL, Phase.CASUSREGISSEUR, Phase.DOORBRAAK_ASSESSMENT, Phase.DOORBRAAKTEAM)
# Reports of these kinds are worries or lawful absence, not a pupil sitting at home.
NOT_MISSING_KINDS = {AbsenceKind.AT_RISK, AbsenceKind.EXEMPTION, AbsenceKind.AUTHORISED_OTHER}
# Showcase case files after the report showcase: (sector, phase, lead, clock age in days).
# They fill the pages of leerplicht@ and casusregisseur@ and give SWV PO every phase.
CASE_SHOWCASE = [
    ("po", Phase.SCHOOL, "school", 12),
    ("po", Phase.CASUSREGISSEUR, "swv", 38),
    ("po", Phase.CASUSREGISSEUR, "bureau", 45),
    ("po", Phase.DOORBRAAK_ASSESSMENT, "bureau", 62),
    ("po", Phase.DOORBRAAK_ASSESSMENT, "swv", 66),
    ("po", Phase.DOORBRAAKTEAM, "swv", 95),
    ("po", Phase.DOORBRAAKTEAM, "bureau", 102),
    ("po", Phase.ARBITRATION, "swv", 124),
    ("po", Phase.OM_REFERRAL, "bureau", 150),
    ("po", Phase.CLOSED, "bureau", 165),
    ("po", Phase.CLOSED, "swv", 196),
    ("vo", Phase.CASUSREGISSEUR, "bureau", 40),
    ("vo", Phase.DOORBRAAK_ASSESSMENT, "bureau", 64),
    ("vo", Phase.DOORBRAAKTEAM, "bureau", 100),
    ("vo", Phase.CLOSED, "bureau", 160),
]
LADDER = {
    Phase.SCHOOL: [(SituationLevel.SIMPLE, LeadMode.DIALOGUE)],
    Phase.CASUSREGISSEUR: [
        (SituationLevel.COMPLICATED, LeadMode.CONSULTATION),
        (SituationLevel.COMPLEX, LeadMode.CO_CREATION),
    ],
    Phase.DOORBRAAK_ASSESSMENT: [
        (SituationLevel.COMPLEX, LeadMode.CO_CREATION),
        (SituationLevel.COMPLICATED, LeadMode.CONSULTATION),
    ],
    Phase.DOORBRAAKTEAM: [
        (SituationLevel.COMPLEX, LeadMode.CO_CREATION),
        (SituationLevel.CHAOTIC, LeadMode.ASSERTIVE),
    ],
    Phase.ARBITRATION: [(SituationLevel.STAGNATING, LeadMode.FORCING)],
    Phase.OM_REFERRAL: [(SituationLevel.STAGNATING, LeadMode.FORCING)],
}
CAUSES_BY_KIND = {
    AbsenceKind.UNAUTHORISED: [Cause.SCHOOL_ANXIETY, Cause.BEHAVIOUR, Cause.HOME_SITUATION],
    AbsenceKind.SICKNESS: [Cause.PHYSICAL, Cause.PSYCHOLOGICAL],
    AbsenceKind.MEDICAL_PSYCHOLOGICAL: [Cause.PSYCHOLOGICAL, Cause.PHYSICAL],
    AbsenceKind.PARTIAL: [Cause.LEARNING, Cause.PSYCHOLOGICAL, Cause.NO_FITTING_SCHOOL],
    AbsenceKind.SUSPENSION: [Cause.SUSPENSION, Cause.BEHAVIOUR],
    AbsenceKind.NOT_ENROLLED: [Cause.NO_FITTING_SCHOOL, Cause.HOME_SITUATION],
}
GOALS = [
    ("Binnen zes weken drie ochtenden per week op school.", "Aanwezigheid volgens de school."),
    ("Een passende plek met begeleiding voor de leerling.", "Plaatsing en startdatum bekend."),
    ("De leerling volgt weer minstens de helft van de onderwijstijd.", "Rooster en aanwezigheid."),
    ("Ouders en school maken samen afspraken over het contact.", "Vaste gesprekken gepland."),
]
ACTIONS = [
    "Gesprek met ouders en leerling plannen",
    "Aanmelding bij het jeugdteam doen",
    "Onderzoek naar de ondersteuningsbehoefte aanvragen",
    "Aangepast rooster opstellen met de mentor",
    "Contact opnemen met de jeugdarts",
    "Mogelijkheden in het speciaal onderwijs verkennen",
    "Terugkoppeling aan ouders over de aanmelding",
    "Toelaatbaarheidsverklaring aanvragen",
]
DECISIONS = {
    MeetingKind.ZAT: [
        "De school start een aangepast rooster.",
        "Schoolmaatschappelijk werk gaat op huisbezoek.",
    ],
    MeetingKind.MDO: [
        "Aanmelding bij de jeugd-GGZ.",
        "Het samenwerkingsverband onderzoekt een arrangement.",
    ],
    MeetingKind.THUISZITTERSTAFEL: [
        "Casusregie blijft bij de casusregisseur.",
        "Binnen vier weken een voorstel voor een plek.",
    ],
    MeetingKind.DOORBRAAKTEAM: [
        "Frictiebudget inzetten voor een onderwijszorgarrangement.",
        "Voorrang op de wachtlijst van de jeugdhulp.",
    ],
    MeetingKind.ARBITRATION_HEARING: ["Bindend besluit: plaatsing op de voorgestelde school."],
}
WISHES = [
    (
        "Dat ons kind weer met plezier naar school gaat.",
        "Een kleinere klas en een vaste begeleider.",
    ),
    ("Rust thuis en duidelijkheid over een plek.", "Niet meer terug naar de oude klas."),
    ("Dat er eindelijk iets gebeurt.", "Iets met mijn handen doen."),
]


@dataclass
class _Story:
    """What happened to one case: its phase on the route and when it moved."""

    phase: str
    steps: list[tuple[str, datetime.datetime]]  # (phase, when) after the opening
    lead: str  # "reporter", "bureau" or "swv"
    closed_at: datetime.datetime | None = None
    closed_reason: str = ""
    closed_note: str = ""
    force_overdue: bool = False


class _CaseFiles:
    """Plans the case files of one chunk and writes them with ``bulk_create``."""

    def __init__(self, seeder: "_PupilSeeder"):
        self.s = seeder
        self.today = seeder.today
        self.now = _at(seeder.today - datetime.timedelta(days=1), 17)
        self.leerplicht = seeder._user(
            LEERPLICHT_USER, "Sanne Bakker", seeder.bureau, RoleCode.LEERPLICHT
        )
        self.regisseur = self._member("casusregisseur", RoleCode.CASUSREGISSEUR)
        self.consultant = self._member("consulent.po", RoleCode.SWV_CONSULTANT)
        self.doorbraak = self._member("doorbraakteam", RoleCode.DOORBRAAKTEAM)
        self.retention = seeder.region.case_retention_months
        self.rows: dict[type, list] = defaultdict(list)
        self.meeting_people: list[tuple[Meeting, list[Participant]]] = []
        self.events: list[tuple] = []

    def _member(self, local: str, role: str) -> tuple[User, int] | None:
        m = (
            Membership.objects.filter(user__email=f"{local}@{EMAIL_DOMAIN}", role__name=role)
            .select_related("user")
            .first()
        )
        return (m.user, m.organisation_id) if m else None

    # --- the story -------------------------------------------------------------------------

    def story(self, plan: PupilPlan, reports: list[ReportPlan], clock: datetime.date) -> _Story:
        rng = random.Random(f"{self.s.seed}:{plan.index}:case")  # noqa: S311
        opened = _at(reports[0].reported_on)
        last = _at(max(r.reported_on for r in reports), 12)
        age = (self.today - clock).days
        showcase = plan.index - len(SHOWCASE)
        if 0 <= showcase < len(CASE_SHOWCASE):
            _, phase, lead, _ = CASE_SHOWCASE[showcase]
            # One closed 100 days ago (its first check-in is due), one 160 (its first is done).
            ago = 100 if lead == "bureau" else 160
            closed = {"reason": ClosureReason.OFFER_STARTED, "closed_days_ago": ago}
            return self._route(
                rng,
                clock,
                opened,
                last,
                phase,
                lead,
                age,
                force_overdue=True,
                **(closed if phase == Phase.CLOSED else {}),
            )
        missing = any(r.end is None and r.kind not in NOT_MISSING_KINDS for r in reports)
        if age < 28 or not missing:
            # Not (or not yet) a thuiszitter: the school monitors, or the case closed.
            if age >= 35 and rng.random() < 0.5:
                reason = (
                    ClosureReason.OTHER
                    if any(r.kind == AbsenceKind.EXEMPTION for r in reports)
                    else ClosureReason.BACK_AT_SCHOOL
                )
                return self._route(
                    rng, clock, opened, last, Phase.CLOSED, "reporter", age, reason, escalate=False
                )
            return _Story(Phase.SCHOOL, [], "reporter")
        lead = (
            "swv"
            if plan.school and plan.school.swv_id == self.regisseur_org and rng.random() < 0.5
            else "bureau"
        )
        if age < 56:
            phase = Phase.CASUSREGISSEUR
        elif age < 84:
            phase = Phase.DOORBRAAKTEAM if rng.random() < 0.25 else Phase.DOORBRAAK_ASSESSMENT
        else:
            roll = rng.random()
            if roll < 0.3:
                phase = Phase.CLOSED
            elif roll < 0.48 and age >= 7 * PHASE_MIN_WEEKS[Phase.ARBITRATION] + 14:
                phase = Phase.ARBITRATION
            elif roll < 0.52 and age >= 7 * PHASE_MIN_WEEKS[Phase.OM_REFERRAL] + 14:
                phase = Phase.OM_REFERRAL
            else:
                phase = Phase.DOORBRAAKTEAM
        return self._route(rng, clock, opened, last, phase, lead, age)

    @property
    def regisseur_org(self) -> int | None:
        return self.regisseur[1] if self.regisseur else None

    def _route(
        self,
        rng,
        clock,
        opened,
        last,
        phase,
        lead,
        age,
        reason=None,
        force_overdue=False,
        escalate=True,
        closed_days_ago=None,
    ):
        def at(weeks: float) -> datetime.datetime:
            return min(
                max(
                    _at(clock + datetime.timedelta(days=round(weeks * 7)), 10),
                    opened + datetime.timedelta(hours=2),
                ),
                self.now,
            )

        closed_at = None
        end = phase
        if phase == Phase.CLOSED:
            # Closed some time after the clock started; the route went as far as the age then.
            if closed_days_ago is not None:
                close_days = age - closed_days_ago
            elif age > 33:
                close_days = rng.randint(min(30, age - 3), max(30, age - 5))
            else:
                close_days = age - 2
            closed_at = _at(clock + datetime.timedelta(days=close_days), 15)
            closed_at = min(max(closed_at, last + datetime.timedelta(days=1)), self.now)
            weeks_then = (closed_at.date() - clock).days / 7
            end = Phase.SCHOOL
            for step, weeks in (
                (Phase.CASUSREGISSEUR, 4),
                (Phase.DOORBRAAK_ASSESSMENT, 8),
                (Phase.DOORBRAAKTEAM, 12),
            ):
                if weeks_then >= weeks and escalate:
                    end = step
            if reason is None:
                reason = rng.choices(
                    [
                        ClosureReason.OFFER_STARTED,
                        ClosureReason.BACK_AT_SCHOOL,
                        ClosureReason.MOVED_AWAY,
                        ClosureReason.OTHER,
                    ],
                    [60, 25, 8, 7],
                )[0]
        steps: list[tuple[str, datetime.datetime]] = []
        if end != Phase.SCHOOL:
            steps.append((Phase.CASUSREGISSEUR, at(4)))
        if end in (
            Phase.DOORBRAAK_ASSESSMENT,
            Phase.DOORBRAAKTEAM,
            Phase.ARBITRATION,
            Phase.OM_REFERRAL,
        ):
            steps.append((Phase.DOORBRAAK_ASSESSMENT, at(8)))
        if end in (Phase.DOORBRAAKTEAM, Phase.ARBITRATION, Phase.OM_REFERRAL):
            steps.append((Phase.DOORBRAAKTEAM, at(12) if age >= 84 else at(9)))
        if end in (Phase.ARBITRATION, Phase.OM_REFERRAL):
            steps.append((Phase.ARBITRATION, at(PHASE_MIN_WEEKS[Phase.ARBITRATION] + rng.random())))
        if end == Phase.OM_REFERRAL:
            steps.append((Phase.OM_REFERRAL, at(PHASE_MIN_WEEKS[Phase.OM_REFERRAL] + rng.random())))
        note = ""
        if reason == ClosureReason.OTHER:
            note = rng.choice(
                [
                    "Vrijstelling 5 onder a verleend.",
                    "Gezin is naar het buitenland vertrokken.",
                    "Leerling volgt thuisonderwijs via een erkende instelling.",
                ]
            )
        return _Story(
            phase,
            steps,
            lead if steps else "reporter",
            closed_at,
            reason or "",
            note,
            force_overdue,
        )

    # --- the case row ------------------------------------------------------------------------

    def lead_of(self, story: _Story, reporter: User, reporter_org: int) -> tuple[int, User]:
        if story.lead == "swv" and self.regisseur:
            return self.regisseur[1], self.regisseur[0]
        if story.lead in ("swv", "bureau"):
            return self.s.bureau.pk, self.leerplicht
        return reporter_org, reporter

    def details(self, plan: PupilPlan, story: _Story, reports: list[AbsenceReport]) -> dict:
        rng = random.Random(f"{self.s.seed}:{plan.index}:details")  # noqa: S311
        values: dict = {"phase": story.phase}
        reached = story.steps[-1][0] if story.steps else Phase.SCHOOL
        if story.steps or rng.random() < 0.3:
            level, mode = rng.choice(LADDER[reached])
            values |= {"situation_level": level, "lead_mode": mode}
        causes = {c for r in reports for c in CAUSES_BY_KIND.get(r.kind, [])}
        if causes and (story.steps or rng.random() < 0.5):
            picked = rng.sample(sorted(causes), k=min(len(causes), rng.randint(1, 2)))
            if rng.random() < 0.15:
                picked.append(Cause.BULLYING)
            values["causes"] = sorted(set(picked))
        if story.steps:
            values["daytime_activity"] = rng.choice(
                [
                    DaytimeActivity.AT_HOME,
                    DaytimeActivity.AT_HOME,
                    DaytimeActivity.CARE,
                    DaytimeActivity.PARTIAL_SCHOOL,
                    DaytimeActivity.DAYTIME_PROGRAMME,
                ]
            )
            if story.closed_at is None and rng.random() < 0.45:
                values["waiting_list_for"] = rng.choice([w for w in WaitingListFor.values if w])
                values["waiting_since"] = story.steps[0][1].date() - datetime.timedelta(
                    days=rng.randint(0, 60)
                )
            parents, pupil = rng.choice(WISHES)
            values |= {"parents_wishes": parents, "pupil_wishes": pupil}
        if story.closed_at is not None:
            closed_on = timezone.localtime(story.closed_at).date()
            values |= {
                "closed_at": story.closed_at,
                "closed_reason": story.closed_reason,
                "closed_note": story.closed_note,
                "retention_until": closed_on + relativedelta(months=self.retention),
            }
            if story.closed_reason == ClosureReason.OFFER_STARTED:
                values["first_offer_started_on"] = max(
                    closed_on - datetime.timedelta(days=rng.randint(0, 10)),
                    reports[0].absence_started_on,
                )
        return values

    # --- the rest of the file ------------------------------------------------------------

    def _event(self, case, at, actor, kind, message="", data=None):
        self.events.append((case, min(at, self.now), actor, kind, message, data or {}))

    def build(self, case: Case, plan: PupilPlan, story: _Story, guardians, reporter: User):
        rng = random.Random(f"{self.s.seed}:{plan.index}:file")  # noqa: S311
        reporter_org = case.school_id or self.s.bureau.pk
        opened = case.opened_at
        add = self.rows.__getitem__
        # Lead history: the reporter from the opening, the casusregisseur from week 4.
        handover = story.steps[0][1] if story.steps else None
        if handover and (case.lead_organisation_id, case.lead_user_id) != (
            reporter_org,
            reporter.pk,
        ):
            add(LeadAssignment).append(
                LeadAssignment(
                    case=case,
                    organisation_id=reporter_org,
                    user=reporter,
                    started_at=opened,
                    ended_at=handover,
                )
            )
            add(LeadAssignment).append(
                LeadAssignment(
                    case=case,
                    organisation_id=case.lead_organisation_id,
                    user=case.lead_user,
                    started_at=handover,
                    reason="Week 4: casusregie naar de casusregisseur.",
                )
            )
            self._event(
                case,
                handover,
                None,
                CaseEventKind.LEAD_CHANGED,
                "Week 4: casusregie naar de casusregisseur.",
                {"organisation": case.lead_organisation_id, "user": case.lead_user_id},
            )
        else:
            add(LeadAssignment).append(
                LeadAssignment(
                    case=case,
                    organisation_id=case.lead_organisation_id,
                    user=case.lead_user,
                    started_at=opened,
                )
            )
        previous = Phase.SCHOOL
        for phase, when in story.steps:
            self._event(
                case,
                when,
                None,
                CaseEventKind.PHASE_CHANGED,
                "",
                {"from": previous, "to": phase, "via": "timer"},
            )
            previous = phase
        lead_user = case.lead_user
        if not story.steps and rng.random() > 0.4 and story.closed_at is None:
            return  # most young school cases: only the report so far
        day = lambda dt, n=0: timezone.localtime(dt).date() + datetime.timedelta(days=n)  # noqa: E731

        # Who is involved.
        people = [
            Participant(
                case=case,
                user=reporter,
                organisation_id=reporter_org,
                role=ParticipantRole.ZORGCOORDINATOR
                if case.school_id
                else ParticipantRole.LEERPLICHT,
                added_at=opened,
            )
        ]
        if guardians:
            people.append(
                Participant(
                    case=case, name=guardians[0].name, role=ParticipantRole.PARENT, added_at=opened
                )
            )
        if story.steps:
            start = story.steps[0][1]
            if lead_user.pk != reporter.pk:
                role = (
                    ParticipantRole.CASUSREGISSEUR
                    if story.lead == "swv"
                    else ParticipantRole.LEERPLICHT
                )
                people.append(
                    Participant(
                        case=case,
                        user=lead_user,
                        organisation_id=case.lead_organisation_id,
                        role=role,
                        added_at=start,
                    )
                )
            if self.consultant and case.swv_id == self.consultant[1]:
                people.append(
                    Participant(
                        case=case,
                        user=self.consultant[0],
                        organisation_id=self.consultant[1],
                        role=ParticipantRole.SWV_CONSULTANT,
                        added_at=start,
                    )
                )
            if rng.random() < 0.5:
                people.append(
                    Participant(
                        case=case,
                        name=rng.choice(
                            [
                                "Jeugdarts JGZ Lingemond",
                                "Wijkteam Lingestad",
                                "Behandelaar jeugd-GGZ",
                            ]
                        ),
                        role=rng.choice(
                            [
                                ParticipantRole.JEUGDARTS,
                                ParticipantRole.JEUGDHULP,
                                ParticipantRole.GGZ,
                            ]
                        ),
                        added_at=start,
                    )
                )
            if (
                previous in (Phase.DOORBRAAKTEAM, Phase.ARBITRATION, Phase.OM_REFERRAL)
                and self.doorbraak
                and case.swv_id == self.doorbraak[1]
            ):
                people.append(
                    Participant(
                        case=case,
                        user=self.doorbraak[0],
                        organisation_id=self.doorbraak[1],
                        role=ParticipantRole.OTHER,
                        added_at=dict(story.steps)[Phase.DOORBRAAKTEAM],
                    )
                )
        add(Participant).extend(people)
        for p in people:
            self._event(
                case,
                p.added_at,
                None,
                CaseEventKind.PARTICIPANT_ADDED,
                p.name or (p.user.full_name if p.user else ""),
                {"role": p.role},
            )

        self._event(
            case,
            opened + datetime.timedelta(days=2),
            reporter,
            CaseEventKind.CONVERSATION,
            rng.choice(
                [
                    "Gesprek met ouders en leerling over de afwezigheid.",
                    "Huisbezoek: de leerling wil wel, maar durft niet.",
                    "Ouders gebeld; zij maken zich zorgen over de thuissituatie.",
                ]
            ),
        )
        if case.situation_level:
            self._event(
                case,
                (story.steps[0][1] if story.steps else opened) + datetime.timedelta(days=1),
                lead_user,
                CaseEventKind.LADDER_CHANGED,
                "",
                {"changed": {"situation_level": case.situation_level, "lead_mode": case.lead_mode}},
            )

        # The plan: a goal and its actions, the last one due in the past.
        plan_at = (story.steps[0][1] if story.steps else opened) + datetime.timedelta(days=3)
        description, measure = rng.choice(GOALS)
        goal = Goal(
            case=case,
            description=description,
            measure=measure,
            created_at=plan_at,
            target_date=day(plan_at, 42),
        )
        if story.closed_at is not None and story.closed_reason in OFFER_REASONS:
            goal.achieved_on = day(story.closed_at)
        add(Goal).append(goal)
        self._event(case, plan_at, lead_user, CaseEventKind.GOAL_ADDED, description)
        texts = rng.sample(ACTIONS, k=rng.randint(2, 3))
        for n, text in enumerate(texts):
            created = plan_at + datetime.timedelta(days=7 * n)
            due = day(created, rng.randint(7, 21))
            owner_user = lead_user if n % 2 == 0 else None
            owner_org = None if owner_user else (case.school_id or case.lead_organisation_id)
            open_ = story.closed_at is None and (
                due >= self.today
                or rng.random() < 0.4
                or (story.force_overdue and n == len(texts) - 1)
            )
            if story.force_overdue and n == len(texts) - 1 and story.closed_at is None:
                owner_user, owner_org, due = (
                    lead_user,
                    None,
                    self.today - datetime.timedelta(days=rng.randint(2, 12)),
                )
            action = Action(
                case=case,
                goal=goal,
                description=text,
                owner_user=owner_user,
                owner_organisation_id=owner_org,
                due_on=due,
                created_at=min(created, self.now),
                status=ActionStatus.OPEN if open_ else ActionStatus.DONE,
                completed_at=None if open_ else min(_at(due, 14), self.now),
            )
            add(Action).append(action)
            self._event(
                case,
                created,
                lead_user,
                CaseEventKind.ACTION_ADDED,
                text,
                {"due_on": due.isoformat()},
            )

        # Meetings on the way, with decisions (an action follows the first decision).
        kinds = [
            (
                MeetingKind.ZAT
                if case.school_id and case.swv_id and rng.random() < 0.5
                else MeetingKind.MDO,
                opened + datetime.timedelta(days=rng.randint(3, 10)),
            )
        ]
        when = dict(story.steps)
        if Phase.DOORBRAAK_ASSESSMENT in when:
            kinds.append(
                (
                    MeetingKind.THUISZITTERSTAFEL,
                    when[Phase.DOORBRAAK_ASSESSMENT] + datetime.timedelta(days=3),
                )
            )
        if Phase.DOORBRAAKTEAM in when:
            kinds.append(
                (MeetingKind.DOORBRAAKTEAM, when[Phase.DOORBRAAKTEAM] + datetime.timedelta(days=4))
            )
        if Phase.ARBITRATION in when:
            kinds.append(
                (
                    MeetingKind.ARBITRATION_HEARING,
                    when[Phase.ARBITRATION] + datetime.timedelta(days=5),
                )
            )
        limit = story.closed_at or self.now
        for kind, held in kinds:
            held = min(held, limit)
            meeting = Meeting(
                case=case,
                kind=kind,
                held_on=day(held),
                created_by=lead_user,
                created_at=held,
                parents_present=rng.random() < 0.7,
                pupil_present=rng.random() < 0.3,
                notes="Besproken: de situatie thuis en op school, en wat nodig is.",
            )
            add(Meeting).append(meeting)
            self.meeting_people.append(
                (meeting, [p for p in people if p.added_at <= held] or people[:1])
            )
            self._event(
                case,
                held,
                lead_user,
                CaseEventKind.MEETING_HELD,
                meeting.get_kind_display(),
                {"held_on": meeting.held_on.isoformat(), "meeting": meeting},
            )
            for n, text in enumerate(DECISIONS[kind]):
                decision = Decision(meeting=meeting, text=text)
                add(Decision).append(decision)
                self._event(
                    case, held, lead_user, CaseEventKind.DECISION, text, {"meeting": meeting}
                )
                if n == 0:
                    due = day(held, 14)
                    open_ = story.closed_at is None and (due >= self.today or rng.random() < 0.3)
                    add(Action).append(
                        Action(
                            case=case,
                            decision=decision,
                            description=f"Uitvoeren: {text}",
                            owner_user=lead_user,
                            due_on=due,
                            created_at=held,
                            status=ActionStatus.OPEN if open_ else ActionStatus.DONE,
                            completed_at=None if open_ else min(_at(due, 14), self.now),
                        )
                    )
        if Phase.OM_REFERRAL in when:
            self._event(
                case,
                when[Phase.OM_REFERRAL],
                lead_user,
                CaseEventKind.DECISION,
                f"Verwezen naar het OM op {day(when[Phase.OM_REFERRAL]):%d-%m-%Y}.",
            )

        # The offer, and the closing with aftercare.
        if case.first_offer_started_on or (
            story.steps and story.closed_at is None and rng.random() < 0.2
        ):
            start_on = case.first_offer_started_on or (
                self.today + datetime.timedelta(days=rng.randint(7, 30))
            )
            total = Decimal(rng.choice([0, rng.randint(150000, 1500000)])) / 100
            arrangement = Arrangement(
                case=case,
                kind=rng.choice(ArrangementKind.values),
                start_on=start_on,
                share_percent=rng.choice([40, 50, 60, 80, 100]),
                is_suitable_offer=True,
                cost_total=total,
                municipality_share_percent=rng.choice([50, 50, 50, 70, 30]),
                description="Afgestemd met ouders en de nieuwe school.",
                created_by=lead_user,
                created_at=min(_at(start_on - datetime.timedelta(days=10)), self.now),
            )
            arrangement.created_at = max(arrangement.created_at, opened)
            add(Arrangement).append(arrangement)
            self._event(
                case,
                arrangement.created_at,
                lead_user,
                CaseEventKind.ARRANGEMENT_ADDED,
                arrangement.get_kind_display(),
                {
                    "start_on": start_on.isoformat(),
                    "cost_municipality": str(arrangement.cost_municipality),
                    "cost_swv": str(arrangement.cost_swv),
                },
            )
        if story.closed_at is not None:
            self._event(
                case,
                story.closed_at,
                lead_user,
                CaseEventKind.CLOSED,
                story.closed_note,
                {"reason": story.closed_reason},
            )
            if story.closed_reason in OFFER_REASONS:
                closed_on = day(story.closed_at)
                for months in AFTERCARE_MONTHS:
                    due = closed_on + relativedelta(months=months)
                    check_in = AftercareCheckIn(case=case, due_on=due)
                    if due <= self.today - datetime.timedelta(days=7) and (
                        due <= self.today - datetime.timedelta(days=30)
                        if story.force_overdue
                        else rng.random() < 0.6
                    ):
                        check_in.done_on = due + datetime.timedelta(days=rng.randint(0, 6))
                        check_in.outcome = rng.choice(
                            [
                                CheckInOutcome.GOING_WELL,
                                CheckInOutcome.GOING_WELL,
                                CheckInOutcome.CONCERNS,
                            ]
                        )
                        check_in.done_by = lead_user
                        check_in.note = "Contact met school en ouders."
                        self._event(
                            case,
                            _at(check_in.done_on, 11),
                            lead_user,
                            CaseEventKind.CHECK_IN,
                            check_in.note,
                            {"outcome": check_in.outcome},
                        )
                    add(AftercareCheckIn).append(check_in)

    def flush(self) -> int:
        for model in (
            LeadAssignment,
            Participant,
            Goal,
            Meeting,
            Decision,
            Action,
            Arrangement,
            AftercareCheckIn,
        ):
            model.objects.bulk_create(self.rows[model], batch_size=BATCH)
        through = Meeting.participants.through
        links = [
            through(meeting_id=m.pk, participant_id=p.pk)
            for m, ps in self.meeting_people
            for p in ps
        ]
        through.objects.bulk_create(links, batch_size=BATCH)
        events = [
            CaseEvent(
                case=case,
                at=at,
                actor=actor,
                kind=kind,
                message=message,
                data={k: (v.pk if isinstance(v, Meeting) else v) for k, v in data.items()},
            )
            for case, at, actor, kind, message, data in self.events
        ]
        CaseEvent.objects.bulk_create(events, batch_size=BATCH)
        return sum(len(rows) for rows in self.rows.values()) + len(links) + len(events)


def lead_history_complete(region: Region | None) -> int:
    """Give demo cases seeded before the lead history existed their one current lead."""
    missing = Case.objects.filter(
        pupil__in=demo_pupils_queryset(region), lead_history__isnull=True
    ).values_list("pk", "lead_organisation_id", "lead_user_id", "opened_at")
    rows = [
        LeadAssignment(case_id=pk, organisation_id=org, user_id=user, started_at=opened)
        for pk, org, user, opened in missing
    ]
    LeadAssignment.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def demo_pupils_queryset(region: Region | None):
    """The demo pupils of the region: BSNs from the reserved demo range."""
    return Pupil.objects.filter(bsn__gte=BSN_FIRST, municipality__region=region)


def seed_pupils(*, seed: int, pupils: int | None, result) -> None:
    """Add demo pupils numbered from the ones that exist up to ``pupils`` (400 by default).

    Runs inside ``demo_region_seed``'s transaction, after the region, schools and demo users.
    """
    wanted = DEFAULT_PUPILS if pupils is None else pupils
    seeder = _PupilSeeder(seed=seed, today=timezone.localdate())
    if not seeder.ready:
        return
    result.created += lead_history_complete(seeder.region)
    existing = demo_pupils_queryset(seeder.region).count()
    if existing >= wanted:
        return
    bsns = demo_bsns()
    for _ in range(existing):
        next(bsns)
    for chunk_start in range(existing, wanted, CHUNK):
        indices = range(chunk_start, min(chunk_start + CHUNK, wanted))
        seeder.write([seeder.plan(i, next(bsns)) for i in indices])
    result.created += seeder.created


CARE_DEMO_EMAIL = "jeugdarts@demo.test"
CARE_DEMO_CASES = 3


def seed_care_partner_invitations(*, seed: int, pupils: int | None, result) -> None:
    """Give the demo jeugdarts a few cases to open: consent for care partners is recorded and
    the invitation made through the services (so both are audited), on open cases of the
    demo zorgcoordinator's school that have reached the casusregisseur. Runs once: skipped
    when the jeugdarts already holds an invitation."""
    from registration.models import ConsentHow, ConsentParty, ConsentScope, ConsentStatus
    from registration.rules import age_on, consent_parties_required
    from registration.services import consent_record
    from thuiszitters.models import User

    from .models import Case, CaseUserObjectPermission
    from .services import care_partner_invite

    jeugdarts = User.objects.filter(email=CARE_DEMO_EMAIL).first()
    leerplicht = User.objects.filter(email="leerplicht@demo.test").first()
    if jeugdarts is None or leerplicht is None:
        return
    if CaseUserObjectPermission.objects.filter(user=jeugdarts).exists():
        return
    today = timezone.localdate()
    candidates = (
        Case.objects.open()
        .filter(
            lead_organisation__kind="leerplicht_bureau",
            case_reports__report__shared_with_leerplicht=True,
        )
        .exclude(phase="school")
        .select_related("pupil")
        .order_by("pupil__bsn", "id")
        .distinct()[:CARE_DEMO_CASES]
    )
    for case in candidates:
        pupil = case.pupil
        for party in sorted(consent_parties_required(age_on(pupil.date_of_birth, today))):
            consent_record(
                actor=leerplicht,
                pupil=pupil,
                scope=ConsentScope.SHARE_WITH_CARE_PARTNERS,
                status=ConsentStatus.GIVEN,
                party=ConsentParty(party),
                stated_on=today,
                how=ConsentHow.CONVERSATION,
                note="Demo: toestemming om de jeugdarts te betrekken.",
            )
        care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
        result.created += 1
