"""The demo's people: who reports for each school, who leads, who sits where.

The demo logins come from the core seeder (``thuiszitters.demo``). A school that reports
gets a zorgcoordinator of its own (``zc.<brin>@demo.test``), made by the region's functional
administrator through the core services when missing.
"""

from dataclasses import dataclass

from thuiszitters.demo import EMAIL_DOMAIN
from thuiszitters.models import LeerplichtBureau, Membership, Organisation, School, User
from thuiszitters.roles import RoleCode
from thuiszitters.services import membership_create, role_group, user_create
from thuiszitters.system import DEMO

from .showcase import SHOWCASE_USERS

LEERPLICHT_USER = ("leerplicht", "Sanne Bakker")
ADMIN_USER = "functioneel.beheer"


@dataclass(frozen=True)
class Member:
    user: User
    organisation: Organisation


def member(local: str, role: str) -> Member | None:
    """The demo login ``local`` in its role, or None when it is not there."""
    m = (
        Membership.objects.filter(user__email=f"{local}@{EMAIL_DOMAIN}", role__name=role)
        .select_related("user", "organisation")
        .first()
    )
    return Member(m.user, m.organisation) if m else None


class Cast:
    """The people of the demo region's stories, looked up (or made) once per run."""

    def __init__(self, *, bureau: LeerplichtBureau, showcase_school: dict):
        self.bureau = bureau
        self.showcase_school = showcase_school
        admin = member(ADMIN_USER, RoleCode.FUNCTIONAL_ADMIN)
        # The region's functional administrator makes the accounts (the system without one).
        self.admin = admin.user if admin else DEMO
        self.created = 0
        self._users: dict[str, User] = {}
        self.leerplicht = Member(self._user(*LEERPLICHT_USER, bureau, RoleCode.LEERPLICHT), bureau)
        self.regisseur = member("casusregisseur", RoleCode.CASUSREGISSEUR)
        self.consultant = member("consulent.po", RoleCode.SWV_CONSULTANT)
        self.doorbraak = member("doorbraakteam", RoleCode.DOORBRAAKTEAM)
        self._organisations: dict[int, Organisation] = {}

    def organisation(self, pk: int) -> Organisation:
        if pk not in self._organisations:
            self._organisations[pk] = Organisation.objects.get(pk=pk)
        return self._organisations[pk]

    def reporter(self, school: School | None) -> User:
        """Who files the reports: the school's zorgcoordinator, or leerplicht for a pupil
        enrolled nowhere."""
        if school is None:
            return self.leerplicht.user
        for sector, showcase in self.showcase_school.items():
            if showcase is not None and school.pk == showcase.pk:
                local = SHOWCASE_USERS[sector]
                break
        else:
            local = f"zc.{school.brin_code.lower()}"
        return self._user(local, f"Zorgcoördinator {school.name}", school, RoleCode.ZORGCOORDINATOR)

    def _user(self, local: str, full_name: str, organisation, role: str) -> User:
        email = f"{local}@{EMAIL_DOMAIN}"
        if email in self._users:
            return self._users[email]
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(
                email=email, full_name=full_name, actor=self.admin, organisation=organisation
            )
            self.created += 1
        if not Membership.objects.filter(
            user=user, organisation=organisation, role=role_group(role)
        ).exists():
            membership_create(
                user=user,
                organisation=organisation,
                role=role,
                actor=self.admin,
                job_title="Zorgcoördinator" if role == RoleCode.ZORGCOORDINATOR else "",
            )
            self.created += 1
        self._users[email] = user
        return user
