"""Shared fixtures: two small regions in which every role has a user.

Region A: municipalities m1, m2; leerplicht bureau serving m1; SWV PO ``swv`` with schools
``school`` (m1) and ``school2`` (m2); SWV VO ``swv_vo`` with ``vo_school`` (m1); a care
organisation. Region B: ``other_swv`` (a neighbour of ``swv``) and ``far_swv`` (not a
neighbour), each with a school. Users are made on demand by ``user_with_role``.

The clock: a test that asks for ``today``, ``now`` or ``frozen_clock`` (directly, through
another fixture, or with ``pytest.mark.usefixtures``) runs from before its first fixture with
the clock set to ``CLOCK_START`` and ticking on from there, so a run across midnight, or on
any date of the year, sees the same day. Tests never read the date at import time.
"""

import datetime
import importlib
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

from thuiszitters.models import Organisation
from thuiszitters.roles import RoleCode

from .factories.organisations import (
    CareOrganisationFactory,
    LeerplichtBureauFactory,
    MunicipalityFactory,
    RegionFactory,
    SchoolFactory,
    SwvFactory,
)
from .factories.users import PASSWORD, UserFactory, member


@dataclass
class World:
    region: Organisation
    m1: Organisation
    m2: Organisation
    bureau: Organisation
    swv: Organisation
    swv_vo: Organisation
    school: Organisation
    school2: Organisation
    vo_school: Organisation
    care: Organisation
    region_b: Organisation
    m_b: Organisation
    other_swv: Organisation
    other_school: Organisation
    far_swv: Organisation
    far_school: Organisation

    def home_of(self, role: str) -> Organisation:
        """The organisation in region A where a user of ``role`` works."""
        return {
            RoleCode.ZORGCOORDINATOR: self.school,
            RoleCode.LEERPLICHT: self.bureau,
            RoleCode.CASUSREGISSEUR: self.swv,
            RoleCode.SWV_CONSULTANT: self.swv,
            RoleCode.SWV_DIRECTOR: self.swv,
            RoleCode.DOORBRAAKTEAM: self.swv,
            RoleCode.CARE_PARTNER: self.care,
            RoleCode.POLICY: self.m1,
            RoleCode.FUNCTIONAL_ADMIN: self.region,
            RoleCode.PRIVACY_OFFICER: self.region,
            RoleCode.SCHOOL_SYSTEM: self.school,
        }[RoleCode(role)]


#: The moment the clock of ``today``, ``now`` and ``frozen_clock`` starts at: noon on a
#: Wednesday in a school week (no holiday, no weekend), far from midnight and from the
#: turn of a month, quarter or year.
CLOCK_START = datetime.datetime(2026, 3, 18, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
CLOCK_FIXTURES = frozenset({"frozen_clock", "today", "now"})


@pytest.fixture(autouse=True)
def _clock(request):
    """Set the clock before any other fixture of a test that uses one of ``CLOCK_FIXTURES``.

    Autouse, so that the objects its other fixtures make (``world``, cases, sessions) already
    carry the test's day; tests that use none of them keep the real clock.
    """
    if CLOCK_FIXTURES.isdisjoint(request.fixturenames):
        yield None
        return
    with time_machine.travel(CLOCK_START, tick=True) as traveller:
        yield traveller


@pytest.fixture
def frozen_clock(_clock):
    """The time-machine traveller of the test: ``frozen_clock.shift(datetime.timedelta(...))``."""
    return _clock


@pytest.fixture
def today(frozen_clock) -> datetime.date:
    """The local date of the test (``CLOCK_START``'s day), the same from its start to its end."""
    return timezone.localdate()


@pytest.fixture
def now(frozen_clock) -> datetime.datetime:
    """The moment the test started (aware), a few moments after ``CLOCK_START``."""
    return timezone.now()


@pytest.fixture(autouse=True)
def _broker_not_paused(monkeypatch):
    """A test that saw the broker down must not pause the next test's task messages."""
    from thuiszitters import queue

    monkeypatch.setattr(queue, "_paused_until", 0.0)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Login throttling and API rate limits live in the cache; start every test without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def verified_device(user):
    """A confirmed TOTP device of ``user`` (made once), as after the first login's setup."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` signs in as after password and code: the user gets a
    real confirmed device and the session stores it exactly as ``django_otp.login`` does, so
    the real OTPMiddleware and login middleware see a verified session. Tests of the second
    factor itself log in through the pages (tests/thuiszitters/test_second_factor.py)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in the default language (``LANGUAGE_CODE``, Dutch).

    A request through ``LocaleMiddleware`` leaves its language active in the thread, so a test
    that switches to English would otherwise hand English to whichever test runs next in the
    same process (under pytest-xdist that order changes from run to run).
    """
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def world(db) -> World:
    region = RegionFactory(name="Regio A")
    m1 = MunicipalityFactory(name="Gemeente A1", region=region)
    m2 = MunicipalityFactory(name="Gemeente A2", region=region)
    bureau = LeerplichtBureauFactory(name="Leerplicht A", region=region, municipalities=[m1])
    swv = SwvFactory(name="SWV PO A", region=region)
    swv_vo = SwvFactory(name="SWV VO A", sector="vo", region=region)
    school = SchoolFactory(name="School A1", swv=swv, municipality=m1)
    school2 = SchoolFactory(name="School A2", swv=swv, municipality=m2)
    vo_school = SchoolFactory(name="VO School A", sector="vo", swv=swv_vo, municipality=m1)
    care = CareOrganisationFactory(name="Jeugdarts A", region=region)

    region_b = RegionFactory(name="Regio B")
    m_b = MunicipalityFactory(name="Gemeente B", region=region_b)
    other_swv = SwvFactory(name="SWV PO B (buur)", region=region_b)
    other_swv.neighbours.add(swv)
    other_school = SchoolFactory(name="School B", swv=other_swv, municipality=m_b)
    far_swv = SwvFactory(name="SWV PO Ver", region=region_b)
    far_school = SchoolFactory(name="School Ver", swv=far_swv, municipality=m_b)
    return World(
        region,
        m1,
        m2,
        bureau,
        swv,
        swv_vo,
        school,
        school2,
        vo_school,
        care,
        region_b,
        m_b,
        other_swv,
        other_school,
        far_swv,
        far_school,
    )


@pytest.fixture
def user_with_role(world):
    def make(role: str, organisation: Organisation | None = None, **kwargs):
        return member(organisation or world.home_of(role), role, **kwargs)

    return make


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def restore_roles():
    """Re-create the roles of migration 0002 after a transactional test's flush wiped them.

    Django's flush empties every table, including data that migrations wrote; tests with
    ``transaction=True`` that need roles request this fixture.
    """
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("thuiszitters.migrations.0002_create_roles")
    migration.create_roles(apps, SimpleNamespace(connection=connection))
    privacy = importlib.import_module("thuiszitters.migrations.0006_privacy_officer_role")
    privacy.create_role(apps, SimpleNamespace(connection=connection))


@pytest.fixture
def roles(db) -> dict[str, Group]:
    return {g.name: g for g in Group.objects.all()}


__all__ = ["UserFactory"]
