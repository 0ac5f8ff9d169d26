"""The access-scoping layer: what each role sees of organisations, schools and people."""

import pytest
from django.urls import reverse

from thuiszitters.models import User
from thuiszitters.roles import RoleCode
from thuiszitters.selectors import organisations_visible_to, schools_visible_to, users_visible_to
from thuiszitters.services import membership_end

from ..factories.users import SETUP

ALL_ROLES = [r for r in RoleCode.values if r != RoleCode.SCHOOL_SYSTEM]


def names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (RoleCode.ZORGCOORDINATOR, {"School A1", "SWV PO A", "Gemeente A1"}),
        (
            RoleCode.SWV_DIRECTOR,
            {"SWV PO A", "School A1", "School A2", "Gemeente A1", "Gemeente A2", "SWV PO B (buur)"},
        ),
        (
            RoleCode.LEERPLICHT,
            {"Leerplicht A", "Gemeente A1", "School A1", "VO School A", "SWV PO A", "SWV VO A"},
        ),
        (
            RoleCode.POLICY,
            {"Gemeente A1", "School A1", "VO School A", "SWV PO A", "SWV VO A", "Leerplicht A"},
        ),
        (RoleCode.CARE_PARTNER, {"Jeugdarts A"}),
        (
            RoleCode.FUNCTIONAL_ADMIN,
            {
                "Regio A",
                "Gemeente A1",
                "Gemeente A2",
                "Leerplicht A",
                "SWV PO A",
                "SWV VO A",
                "School A1",
                "School A2",
                "VO School A",
                "Jeugdarts A",
            },
        ),
    ],
)
def test_organisations_visible_per_role(world, user_with_role, role, expected):
    user = user_with_role(role)
    assert names(organisations_visible_to(user)) == expected


def test_no_membership_sees_nothing(world):
    from tests.factories.users import UserFactory

    user = UserFactory()
    assert not organisations_visible_to(user).exists()
    assert not schools_visible_to(user).exists()
    assert not users_visible_to(user).exists()


def test_ended_membership_removes_access_at_once(world, user_with_role, today):
    import datetime

    user = user_with_role(RoleCode.SWV_DIRECTOR, valid_from=today - datetime.timedelta(days=30))
    assert schools_visible_to(user).exists()
    membership = user.memberships.get()
    membership_end(membership=membership, actor=SETUP, on=today - datetime.timedelta(days=1))
    assert not schools_visible_to(User.objects.get(pk=user.pk)).exists()


def test_a_membership_cannot_end_before_it_starts(world, user_with_role, today):
    import datetime

    from django.core.exceptions import ValidationError

    user = user_with_role(RoleCode.SWV_DIRECTOR)
    with pytest.raises(ValidationError) as excinfo:
        membership_end(
            membership=user.memberships.get(),
            actor=SETUP,
            on=today - datetime.timedelta(days=1),
        )
    assert "valid_until" in excinfo.value.message_dict


def test_several_roles_in_several_organisations_add_up(world, user_with_role):
    user = user_with_role(RoleCode.ZORGCOORDINATOR)
    user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.vo_school, user=user)
    assert names(schools_visible_to(user)) == {"School A1", "VO School A"}


def test_colleagues_are_people_of_own_organisations(world, user_with_role):
    director = user_with_role(RoleCode.SWV_DIRECTOR)
    consultant = user_with_role(RoleCode.SWV_CONSULTANT)
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    other = user_with_role(RoleCode.SWV_DIRECTOR, organisation=world.other_swv)
    visible = set(users_visible_to(director))
    assert consultant in visible and director in visible
    assert zc not in visible and other not in visible


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_is_denied_another_swvs_organisation_page(world, user_with_role, login, role):
    client = login(user_with_role(role))
    response = client.get(reverse("organisation_detail", args=[world.far_swv.pk]))
    assert response.status_code == 404
    assert b"SWV PO Ver" not in response.content


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_is_denied_another_schools_api_detail(world, user_with_role, login, role):
    client = login(user_with_role(role))
    for school in (world.far_school, world.other_school):
        response = client.get(reverse("school-detail", args=[school.pk]))
        assert response.status_code == 404
        assert school.name.encode() not in response.content
    listing = client.get(reverse("school-list")).json()["results"]
    assert {s["name"] for s in listing}.isdisjoint({"School Ver", "School B"})


def test_school_sees_only_its_own_school(world, user_with_role, login):
    client = login(user_with_role(RoleCode.ZORGCOORDINATOR))
    response = client.get(reverse("school-detail", args=[world.school2.pk]))
    assert response.status_code == 404
    listing = client.get(reverse("school-list")).json()["results"]
    assert [s["name"] for s in listing] == ["School A1"]


def test_missing_and_forbidden_look_the_same(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    forbidden = client.get(reverse("organisation-detail", args=[world.far_swv.pk]))
    missing = client.get(reverse("organisation-detail", args=[999999]))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()


def test_case_visibility_follows_a_membership_given_to_the_same_user_object(world, user_with_role):
    """``cases_visible_to`` keeps its query on the user object; a membership service drops it
    with the memberships, and the rows are read at every check."""
    from cases.selectors import cases_visible_to
    from thuiszitters.services import membership_create

    from ..factories.cases import CaseFactory

    user = user_with_role(RoleCode.ZORGCOORDINATOR)
    ours = CaseFactory(school=world.school)
    theirs = CaseFactory(school=world.school2)
    assert set(cases_visible_to(user).values_list("pk", flat=True)) == {ours.pk}
    later = CaseFactory(school=world.school)
    assert set(cases_visible_to(user).values_list("pk", flat=True)) == {ours.pk, later.pk}
    membership_create(
        user=user, organisation=world.school2, role=RoleCode.ZORGCOORDINATOR, actor=SETUP
    )
    visible = set(cases_visible_to(user).values_list("pk", flat=True))
    assert visible == {ours.pk, later.pk, theirs.pk}
