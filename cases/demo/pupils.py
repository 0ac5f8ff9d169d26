"""The demo region's schools and the pupils written into them.

Pupils, their parents and their enrolments are the schools' registers, not a workflow: they
are written with ``bulk_create`` (5,000 pupils a chunk, 1,000 rows a statement), so a demo
of 100,000 pupils stays quick (docs/performance.md). The tests check that they pass the
model validation. Everything that happens to a pupil after that (reports, consent, the case)
goes through the services.
"""

from dataclasses import dataclass

from registration.models import Enrolment, Guardian, Pupil
from thuiszitters.demo import EMAIL_DOMAIN
from thuiszitters.models import (
    LeerplichtBureau,
    Membership,
    Municipality,
    Region,
    School,
    SchoolSector,
)
from thuiszitters.roles import RoleCode

from ..models import Case, LeadAssignment
from .plans import BSN_FIRST, PO_SECTORS, PupilPlan
from .showcase import SHOWCASE_USERS

REGION_NAME = "Regio Lingemond"
SWV_CODES = ("PO 99-01", "VO 99-01")
BUREAU_NAME = "Regionaal Bureau Leerplicht Lingemond"
BATCH = 1000


@dataclass
class DemoRegion:
    region: Region | None
    schools: list[School]
    municipality_ids: list[int]
    bureau: LeerplichtBureau | None
    showcase_school: dict  # "po"/"vo" -> the demo zorgcoordinator's school

    @classmethod
    def load(cls) -> "DemoRegion":
        region = Region.objects.filter(name=REGION_NAME).first()
        schools = list(
            School.objects.filter(swv__code__in=SWV_CODES, region=region).order_by("name", "pk")
        )
        municipality_ids = list(
            Municipality.objects.filter(region=region)
            .order_by("cbs_code")
            .values_list("pk", flat=True)
        )
        bureau = LeerplichtBureau.objects.filter(name=BUREAU_NAME).first()
        showcase = {
            sector: _school_of(schools, local, sector) for sector, local in SHOWCASE_USERS.items()
        }
        return cls(region, schools, municipality_ids, bureau, showcase)

    @property
    def ready(self) -> bool:
        return bool(self.region and self.schools and self.municipality_ids and self.bureau)


def _school_of(schools: list[School], local: str, sector: str) -> School | None:
    org_id = (
        Membership.objects.filter(
            user__email=f"{local}@{EMAIL_DOMAIN}", role__name=RoleCode.ZORGCOORDINATOR
        )
        .values_list("organisation_id", flat=True)
        .first()
    )
    for school in schools:
        if school.pk == org_id:
            return school
    wanted = PO_SECTORS if sector == "po" else {SchoolSector.VO}
    return next((s for s in schools if s.sector in wanted), None)


def pupils_write(plans: list[PupilPlan]) -> tuple[list[Pupil], list[list[Guardian]], int]:
    """The pupils with their parents and enrolments; returns them and the rows written."""
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
    guardians_of = [
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
        if plan.school is not None and plan.enrolled_from is not None
    ]
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    written = len(pupils) + len(enrolments) + sum(len(g) for g in guardians_of)
    return pupils, guardians_of, written


def demo_pupils_queryset(region: Region | None):
    """The demo pupils of the region: BSNs from the reserved demo range."""
    return Pupil.objects.filter(bsn__gte=BSN_FIRST, municipality__region=region)


def lead_history_complete(region: Region | None) -> int:
    """Give demo cases seeded before the lead history existed their one current lead.

    A repair of old demo databases, written directly: the lead it records is the case's own
    (no lead changes, so no service applies)."""
    missing = Case.objects.filter(
        pupil__in=demo_pupils_queryset(region), lead_history__isnull=True
    ).values_list("pk", "lead_organisation_id", "lead_user_id", "opened_at")
    rows = [
        LeadAssignment(case_id=pk, organisation_id=org, user_id=user, started_at=opened)
        for pk, org, user, opened in missing
    ]
    LeadAssignment.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)
