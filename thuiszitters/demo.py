"""The fictional demo region written by ``manage.py seed_demo``.

Deterministic for a given seed (one ``random.Random`` drives every choice) and idempotent:
each object is looked up by its natural key (name, CBS code, BRIN, e-mail) and only made
when missing, so a second run writes nothing. All names and codes are invented: CBS codes
GM99xx and BRIN codes 9xxx are not in use.
"""

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

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

    def get_or_create(self, model, lookup: dict, **fields):
        existing = model.objects.filter(**lookup).first()
        if existing is not None:
            return existing
        self.result.created += 1
        return organisation_create(model=model, actor=None, **lookup, **fields)

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
            actor=None,
            name=name,
            brin=brin,
            sector=sector,
            swv=swv,
            municipality=municipality,
            region=region,
        )

    def user(self, local: str, full_name: str) -> User:
        email = f"{local}@{EMAIL_DOMAIN}"
        existing = User.objects.filter(email=email).first()
        if existing is not None:
            return existing
        self.result.created += 1
        return user_create(
            email=email, full_name=full_name, actor=None, password=settings.DEMO_PASSWORD
        )

    def membership(self, user: User, organisation: Organisation, role: str, job_title: str):
        if Membership.objects.filter(
            user=user, organisation=organisation, role=role_group(role)
        ).exists():
            return
        self.result.created += 1
        membership_create(
            user=user, organisation=organisation, role=role, actor=None, job_title=job_title
        )

    def run(self) -> DemoResult:
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
        swv_po = self.get_or_create(
            Samenwerkingsverband,
            {"code": "PO 99-01"},
            name="Samenwerkingsverband PO Lingemond",
            sector=SwvSector.PO,
            region=region,
        )
        swv_vo = self.get_or_create(
            Samenwerkingsverband,
            {"code": "VO 99-01"},
            name="Samenwerkingsverband VO Lingemond",
            sector=SwvSector.VO,
            region=region,
        )
        nb_po = self.get_or_create(
            Samenwerkingsverband,
            {"code": "PO 99-02"},
            name="Samenwerkingsverband PO Waaldelta",
            sector=SwvSector.PO,
            region=neighbour_region,
        )
        nb_vo = self.get_or_create(
            Samenwerkingsverband,
            {"code": "VO 99-02"},
            name="Samenwerkingsverband VO Waaldelta",
            sector=SwvSector.VO,
            region=neighbour_region,
        )
        swv_po.neighbours.add(nb_po)
        swv_vo.neighbours.add(nb_vo)
        care = self.get_or_create(
            Organisation,
            {"name": "Jeugdgezondheidszorg Lingemond"},
            kind=OrganisationKind.CARE_ORGANISATION,
            region=region,
        )

        po_names = self.rng.sample(PO_NAMES, len(PO_NAMES))
        vo_names = self.rng.sample(VO_NAMES, len(VO_NAMES))
        po_schools, vo_schools = [], []
        for municipality in municipalities:
            for _ in range(self.rng.randint(4, 6)):
                po_schools.append(
                    self.school(
                        name=po_names.pop(),
                        sector=SchoolSector.PO,
                        swv=swv_po,
                        municipality=municipality,
                        region=region,
                    )
                )
        for municipality in municipalities:
            for _ in range(self.rng.randint(1, 2)):
                vo_schools.append(
                    self.school(
                        name=vo_names.pop(),
                        sector=SchoolSector.VO,
                        swv=swv_vo,
                        municipality=municipality,
                        region=region,
                    )
                )
        for name, sector in SPECIAL_SCHOOLS:
            swv = swv_po if sector in (SchoolSector.SBO, SchoolSector.SO) else swv_vo
            self.school(
                name=name, sector=sector, swv=swv, municipality=municipalities[0], region=region
            )
        for name, sector, swv in [
            ("Basisschool De Waaier", SchoolSector.PO, nb_po),
            ("Basisschool Het Zandpad", SchoolSector.PO, nb_po),
            ("Basisschool De Kribbe", SchoolSector.PO, nb_po),
            ("Zandwijk College", SchoolSector.VO, nb_vo),
        ]:
            self.school(
                name=name, sector=sector, swv=swv, municipality=zandwijk, region=neighbour_region
            )

        orgs = {
            "region": region,
            "po_school": po_schools[0],
            "vo_school": vo_schools[0],
            "bureau": bureau,
            "swv_po": swv_po,
            "swv_vo": swv_vo,
            "care": care,
            "municipality": municipalities[0],
            "neighbour_swv_po": nb_po,
        }
        for local, full_name, role, org_key, job_title in DEMO_USERS:
            user = self.user(local, full_name)
            self.membership(user, orgs[org_key], role, job_title)
            self.result.logins.append(
                DemoLogin(user.email, full_name, RoleCode(role).value, orgs[org_key].name)
            )
        return self.result


# Higher apps add their demo data (pupils, reports, cases) without the core importing them:
# they register a function in their AppConfig.ready(). Called in registration order.
EXTRA_SEEDERS: list = []


def register_demo_seeder(func) -> None:
    """``func(*, seed: int, pupils: int | None, result: DemoResult) -> None``."""
    if func not in EXTRA_SEEDERS:
        EXTRA_SEEDERS.append(func)


@transaction.atomic
def demo_region_seed(*, seed: int = DEFAULT_SEED, pupils: int | None = None) -> DemoResult:
    """Write the demo region; returns how many objects were made and the demo logins.

    ``pupils`` asks the registered seeders for that many pupils (None: their default).
    """
    result = _Seeder(seed).run()
    for seeder in EXTRA_SEEDERS:
        seeder(seed=seed, pupils=pupils, result=result)
    return result
