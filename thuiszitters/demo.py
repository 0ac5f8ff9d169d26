"""The fictional demo region written by ``manage.py seed_demo``.

Deterministic for a given seed (one ``random.Random`` drives every choice) and idempotent:
each object is looked up by its natural key (name, CBS code, BRIN, e-mail) and only made
when missing, so a second run writes nothing. All names and codes are invented: CBS codes
GM99xx and BRIN codes 9xxx are not in use.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from .changes import everything_changed
from .models import (
    LeerplichtBureau,
    Membership,
    Municipality,
    Organisation,
    OrganisationKind,
    Region,
    Samenwerkingsverband,
    School,
    SchoolSector,
    SwvSector,
    User,
)
from .roles import RoleCode
from .services import membership_create, organisation_create, role_group, user_create
from .system import DEMO, Actor

DEFAULT_SEED = 2026
EMAIL_DOMAIN = "demo.test"

MUNICIPALITIES = [
    ("Lingestad", "GM9901"),
    ("Waalhoven", "GM9902"),
    ("Beekveld", "GM9903"),
    ("Dijkum", "GM9904"),
    ("Oosterbroek", "GM9905"),
]
NEIGHBOUR_MUNICIPALITY = ("Zandwijk", "GM9906")

PO_NAMES = [
    "De Regenboog",
    "Het Kompas",
    "De Vlinder",
    "Sint Jozefschool",
    "De Wegwijzer",
    "De Klimop",
    "Het Palet",
    "De Fontein",
    "Montessorischool",
    "De Bron",
    "Het Mozaïek",
    "De Zonnewijzer",
    "Het Anker",
    "De Boomgaard",
    "Daltonschool De Linde",
    "De Horizon",
    "De Springplank",
    "Het Baken",
    "De Meander",
    "Het Talent",
    "De Windroos",
    "De Kameleon",
    "Het Vogelnest",
    "De Ark",
    "De Sterrenboog",
    "Het Startpunt",
    "De Tweemaster",
    "Jenaplanschool Het Hooiveld",
    "De Wilgenhoek",
    "Het Lover",
]
VO_NAMES = [
    "Lingecollege",
    "Waalhof Lyceum",
    "Beekveld College",
    "Scholengemeenschap Dijkum",
    "Vakcollege Oosterbroek",
    "Praktijkschool De Brug",
    "Gymnasium Lingestad",
    "Technasium Het Veer",
    "Mavo De Uiterwaard",
    "Christelijk College Rivierzicht",
]
SWVS = [
    ("PO 99-01", "Samenwerkingsverband PO Lingemond", SwvSector.PO),
    ("VO 99-01", "Samenwerkingsverband VO Lingemond", SwvSector.VO),
    ("PO 99-02", "Samenwerkingsverband PO Waaldelta", SwvSector.PO),
    ("VO 99-02", "Samenwerkingsverband VO Waaldelta", SwvSector.VO),
]
NEIGHBOUR_SCHOOLS = [
    ("Basisschool De Waaier", SchoolSector.PO, "PO 99-02"),
    ("Basisschool Het Zandpad", SchoolSector.PO, "PO 99-02"),
    ("Basisschool De Kribbe", SchoolSector.PO, "PO 99-02"),
    ("Zandwijk College", SchoolSector.VO, "VO 99-02"),
]
SPECIAL_SCHOOLS = [
    ("SBO De Toermalijn", SchoolSector.SBO),
    ("SO De Berkenschool", SchoolSector.SO),
    ("VSO Het Mozaïek", SchoolSector.VSO),
]

# (e-mail local part, full name, role, organisation key, job title)
DEMO_USERS = [
    (
        "functioneel.beheer",
        "Ingrid Verhoeven",
        RoleCode.FUNCTIONAL_ADMIN,
        "region",
        "Functioneel beheerder",
    ),
    ("privacy", "Henk Wolters", RoleCode.PRIVACY_OFFICER, "region", "Privacyfunctionaris"),
    (
        "zorgcoordinator.po",
        "Fatima el Amrani",
        RoleCode.ZORGCOORDINATOR,
        "po_school",
        "Intern begeleider",
    ),
    (
        "zorgcoordinator.vo",
        "Jeroen de Vries",
        RoleCode.ZORGCOORDINATOR,
        "vo_school",
        "Zorgcoördinator",
    ),
    ("leerplicht", "Sanne Bakker", RoleCode.LEERPLICHT, "bureau", "Consulent leerrecht"),
    (
        "casusregisseur",
        "Mehmet Yilmaz",
        RoleCode.CASUSREGISSEUR,
        "swv_po",
        "Casusregisseur onderwijs en zorg",
    ),
    ("consulent.po", "Annemiek Jansen", RoleCode.SWV_CONSULTANT, "swv_po", "Onderwijsconsulent"),
    ("directeur.po", "Pieter van Dijk", RoleCode.SWV_DIRECTOR, "swv_po", "Directeur-bestuurder"),
    ("directeur.vo", "Ellen Smit", RoleCode.SWV_DIRECTOR, "swv_vo", "Directeur-bestuurder"),
    ("doorbraakteam", "Rob Hendriks", RoleCode.DOORBRAAKTEAM, "swv_po", "Lid doorbraakteam"),
    ("jeugdarts", "Dr. Nadia Bouzid", RoleCode.CARE_PARTNER, "care", "Jeugdarts"),
    ("beleid", "Tom Mulder", RoleCode.POLICY, "municipality", "Beleidsmedewerker onderwijs"),
    ("directeur.waaldelta", "Karin Vos", RoleCode.SWV_DIRECTOR, "neighbour_swv_po", "Directeur"),
    # Sits on the arbitration panels of Lingemond's cases: the convenant names Waaldelta.
    (
        "doorbraakteam.waaldelta",
        "Joost Kuipers",
        RoleCode.DOORBRAAKTEAM,
        "neighbour_swv_po",
        "Lid doorbraakteam",
    ),
]


@dataclass
class DemoLogin:
    email: str
    full_name: str
    role: str
    organisation: str


@dataclass
class DemoResult:
    created: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


class _Seeder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        # A stream of its own, so that skipping a taken code never shifts the other choices.
        self.brin_rng = random.Random(f"brin-{seed}")  # noqa: S311
        self.result = DemoResult()
        self.used_brins: set[str] = set()
        self.admin: User | None = None  # the functional administrator, once she exists
        self.admin_region_id: int | None = None

    def get_or_create(self, model, lookup: dict, **fields):
        existing = model.objects.filter(**lookup).first()
        if existing is not None:
            return existing
        self.result.created += 1
        return organisation_create(model=model, actor=DEMO, **lookup, **fields)

    def brin(self) -> str:
        letters = "ABCDEFGHJKLMNPRSTUVWXZ"
        while True:
            code = (
                f"9{self.brin_rng.randint(0, 9)}"
                f"{self.brin_rng.choice(letters)}{self.brin_rng.choice(letters)}"
            )
            if code not in self.used_brins:
                self.used_brins.add(code)
                return code

    def school(self, *, name, sector, swv, municipality, region):
        brin = self.brin()  # drawn even when the school exists, to keep the sequence stable
        existing = School.objects.filter(name=name, municipality=municipality).first()
        if existing is not None:
            return existing
        while School.objects.filter(brin=brin, vestiging="").exists():
            brin = self.brin()  # taken by a school outside the demo
        self.result.created += 1
        return organisation_create(
            model=School,
            actor=DEMO,
            name=name,
            brin=brin,
            sector=sector,
            swv=swv,
            municipality=municipality,
            region=region,
        )

    def user(self, local: str, full_name: str, organisation: Organisation) -> User:
        email = f"{local}@{EMAIL_DOMAIN}"
        existing = User.objects.filter(email=email).first()
        if existing is not None:
            return existing
        self.result.created += 1
        return user_create(
            email=email,
            full_name=full_name,
            actor=self.admin_of(organisation),
            password=settings.DEMO_PASSWORD,
            organisation=organisation,
        )

    def membership(self, user: User, organisation: Organisation, role: str, job_title: str):
        if Membership.objects.filter(
            user=user, organisation=organisation, role=role_group(role)
        ).exists():
            return
        self.result.created += 1
        membership_create(
            user=user,
            organisation=organisation,
            role=role,
            actor=self.admin_of(organisation),
            job_title=job_title,
        )

    def admin_of(self, organisation: Organisation) -> Actor:
        """Who adds people to ``organisation``: the demo region's functional administrator
        once she exists; the system for her own account and outside her region."""
        admin = self.admin
        if admin is None or organisation.region_id != self.admin_region_id:
            return DEMO
        return admin

    def run(self) -> DemoResult:
        orgs = self.organisations()
        for local, full_name, role, org_key, job_title in DEMO_USERS:
            user = self.user(local, full_name, orgs[org_key])
            self.membership(user, orgs[org_key], role, job_title)
            if role == RoleCode.FUNCTIONAL_ADMIN and self.admin is None:
                self.admin, self.admin_region_id = user, orgs[org_key].pk
            self.result.logins.append(
                DemoLogin(user.email, full_name, RoleCode(role).value, orgs[org_key].name)
            )
        return self.result

    def organisations(self) -> dict[str, Organisation]:
        """The regions, municipalities, bureau, SWVs, care organisation and schools, made by
        the system: there is nobody yet who could. Returns the demo users' organisations."""
        region = self.get_or_create(Region, {"name": "Regio Lingemond"}, holiday_region="midden")
        neighbour_region = self.get_or_create(
            Region, {"name": "Regio Waaldelta"}, holiday_region="zuid"
        )
        municipalities = [
            self.get_or_create(Municipality, {"cbs_code": code}, name=name, region=region)
            for name, code in MUNICIPALITIES
        ]
        zandwijk = self.get_or_create(
            Municipality,
            {"cbs_code": NEIGHBOUR_MUNICIPALITY[1]},
            name=NEIGHBOUR_MUNICIPALITY[0],
            region=neighbour_region,
        )
        bureau = self.get_or_create(
            LeerplichtBureau, {"name": "Regionaal Bureau Leerplicht Lingemond"}, region=region
        )
        bureau.municipalities.add(*municipalities)
        swvs = {
            code: self.get_or_create(
                Samenwerkingsverband,
                {"code": code},
                name=name,
                sector=sector,
                region=region if code.endswith("01") else neighbour_region,
            )
            for code, name, sector in SWVS
        }
        swvs["PO 99-01"].neighbours.add(swvs["PO 99-02"])
        swvs["VO 99-01"].neighbours.add(swvs["VO 99-02"])
        care = self.get_or_create(
            Organisation,
            {"name": "Jeugdgezondheidszorg Lingemond"},
            kind=OrganisationKind.CARE_ORGANISATION,
            region=region,
        )
        po_schools, vo_schools = self.schools(region, municipalities, swvs)
        self.neighbour_schools(neighbour_region, zandwijk, swvs)
        return {
            "region": region,
            "po_school": po_schools[0],
            "vo_school": vo_schools[0],
            "bureau": bureau,
            "swv_po": swvs["PO 99-01"],
            "swv_vo": swvs["VO 99-01"],
            "care": care,
            "municipality": municipalities[0],
            "neighbour_swv_po": swvs["PO 99-02"],
        }

    def schools(self, region, municipalities, swvs) -> tuple[list[School], list[School]]:
        po_names = self.rng.sample(PO_NAMES, len(PO_NAMES))
        vo_names = self.rng.sample(VO_NAMES, len(VO_NAMES))
        po_schools: list[School] = []
        vo_schools: list[School] = []
        for names, schools, sector, swv, counts in (
            (po_names, po_schools, SchoolSector.PO, swvs["PO 99-01"], (4, 6)),
            (vo_names, vo_schools, SchoolSector.VO, swvs["VO 99-01"], (1, 2)),
        ):
            for municipality in municipalities:
                for _ in range(self.rng.randint(*counts)):
                    schools.append(
                        self.school(
                            name=names.pop(),
                            sector=sector,
                            swv=swv,
                            municipality=municipality,
                            region=region,
                        )
                    )
        for name, sector in SPECIAL_SCHOOLS:
            swv = (
                swvs["PO 99-01"]
                if sector in (SchoolSector.SBO, SchoolSector.SO)
                else swvs["VO 99-01"]
            )
            self.school(
                name=name, sector=sector, swv=swv, municipality=municipalities[0], region=region
            )
        return po_schools, vo_schools

    def neighbour_schools(self, region, zandwijk, swvs) -> None:
        for name, sector, code in NEIGHBOUR_SCHOOLS:
            self.school(
                name=name, sector=sector, swv=swvs[code], municipality=zandwijk, region=region
            )


# Higher apps add their demo data (pupils, reports, cases) without the core importing them:
# they register a function in their AppConfig.ready(). Called by stage, then in registration
# order: "setup" (the region's calendars and convenants), "data" (pupils and their cases,
# which follow the convenants), "after" (what is derived from the data).
STAGES = ("setup", "data", "after")
EXTRA_SEEDERS: list[tuple[str, Callable[..., None]]] = []


def register_demo_seeder(func, *, stage: str = "data") -> None:
    """``func(*, seed: int, pupils: int | None, result: DemoResult) -> None``."""
    if stage not in STAGES:
        raise ValueError(f"unknown demo stage {stage!r}")
    if all(f is not func for _s, f in EXTRA_SEEDERS):
        EXTRA_SEEDERS.append((stage, func))


@transaction.atomic
def demo_region_seed(*, seed: int = DEFAULT_SEED, pupils: int | None = None) -> DemoResult:
    """Write the demo region; returns how many objects were made and the demo logins.

    ``pupils`` asks the registered seeders for that many pupils (None: their default).
    """
    result = _Seeder(seed).run()
    for _stage, seeder in sorted(EXTRA_SEEDERS, key=lambda entry: STAGES.index(entry[0])):
        seeder(seed=seed, pupils=pupils, result=result)
    # The story's dates are moved after the services wrote them (cases/demo/timetravel.py).
    everything_changed()
    return result
