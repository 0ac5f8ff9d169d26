"""The scoping selectors keep their built query per user and memberships in the process
(``kept_per_memberships``, issue 14): a request that loads its user afresh does not build it
again, and what the user may see still follows every change at once."""

import datetime
import threading
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from cases import selectors as case_selectors
from cases.selectors import cases_visible_to
from cases.services import care_partner_invite
from cases.workflow import Phase
from registration import selectors as registration_selectors
from registration.models import ConsentParty, ConsentScope, ConsentStatus
from registration.selectors import absence_reports_visible_to, pupils_visible_to
from thuiszitters import selectors as core_selectors
from thuiszitters.models import User
from thuiszitters.roles import RoleCode
from thuiszitters.selectors import organisations_visible_to, schools_visible_to
from thuiszitters.services import membership_create, membership_end

from ..factories.cases import CaseFactory, consent_give
from ..factories.registration import enrolled_pupil, years_ago
from ..factories.users import SETUP

CARE = ConsentScope.SHARE_WITH_CARE_PARTNERS

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def consultant(world, user_with_role, today):
    return user_with_role(RoleCode.SWV_CONSULTANT, valid_from=today - datetime.timedelta(days=30))


def fresh(user) -> User:
    """The user as the next request loads it."""
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize(
    ("module", "built_with", "selector"),
    [
        (case_selectors, "personal_data_orgs", cases_visible_to),
        (registration_selectors, "personal_data_orgs", pupils_visible_to),
        (registration_selectors, "personal_data_orgs", absence_reports_visible_to),
        (core_selectors, "_ids_by_kind", schools_visible_to),
        (core_selectors, "_ids_by_kind", organisations_visible_to),
    ],
)
def test_a_fresh_user_object_does_not_build_the_scope_again(
    world, consultant, module, built_with, selector
):
    selector(fresh(consultant))
    with mock.patch.object(module, built_with, wraps=getattr(module, built_with)) as building:
        first = list(selector(fresh(consultant)).values_list("pk", flat=True))
        again = list(selector(fresh(consultant)).values_list("pk", flat=True))
    assert building.call_count == 0
    assert first == again


def test_an_ended_membership_hides_the_cases_at_once(world, consultant, today, client):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    client.force_login(consultant)
    page = reverse("cases:case_detail", args=[case.pk])
    assert case in cases_visible_to(fresh(consultant))
    assert client.get(page).status_code == 200

    membership_end(
        membership=consultant.memberships.get(), actor=SETUP, on=today - datetime.timedelta(days=1)
    )

    assert case not in cases_visible_to(fresh(consultant))
    assert client.get(page).status_code == 404


def test_a_new_membership_widens_the_kept_scope(world, user_with_role):
    user = user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.school)
    elsewhere = CaseFactory(phase=Phase.SCHOOL, school=world.school2)
    assert elsewhere not in cases_visible_to(fresh(user))

    membership_create(
        user=user, organisation=world.school2, role=RoleCode.ZORGCOORDINATOR, actor=SETUP
    )

    assert elsewhere in cases_visible_to(fresh(user))


def test_grants_and_consent_in_the_kept_scope_are_read_at_every_run(world, user_with_role):
    """The care partner's grant and the parents' consent are subqueries of the kept shape: the
    same user with the same memberships sees the case after the invitation and no longer
    after the withdrawal of consent."""
    leerplicht = user_with_role(RoleCode.LEERPLICHT)
    partner = user_with_role(RoleCode.CARE_PARTNER)
    pupil = enrolled_pupil(world.school, date_of_birth=years_ago(10, 40))
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school, pupil=pupil)
    consent_give(case.pupil, CARE, ConsentParty.PARENTS)
    assert case not in cases_visible_to(fresh(partner))

    care_partner_invite(case=case, user=partner, actor=leerplicht)
    assert case in cases_visible_to(fresh(partner))

    consent_give(case.pupil, CARE, ConsentParty.PARENTS, status=ConsentStatus.WITHDRAWN)
    assert case not in cases_visible_to(fresh(partner))


def test_threads_compiling_the_kept_scopes_at_once_get_the_same_sql(world, consultant):
    """A worker's threads share the kept queries (ADR 0027): compiling clones of them at the
    same time must not change what any of them compiles to."""
    shapes = [
        lambda: cases_visible_to(consultant).order_by("pupil__surname")[:25],
        lambda: cases_visible_to(consultant).order_by().values("pk")[:1001],
        lambda: pupils_visible_to(consultant).order_by("surname")[:25],
        lambda: organisations_visible_to(consultant).order_by("name"),
    ]

    def sql(shape):
        return shape().query.get_compiler("default").as_sql()

    expected = [sql(shape) for shape in shapes]
    differed: list[int] = []

    def compile_many() -> None:
        try:
            for _ in range(50):
                differed.extend(i for i, shape in enumerate(shapes) if sql(shape) != expected[i])
        finally:
            connection.close()  # the thread's own connection

    threads = [threading.Thread(target=compile_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert differed == []
    assert [sql(shape) for shape in shapes] == expected
