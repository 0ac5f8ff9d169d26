"""Which aggregates a user may see (DESIGN.md 4.4): ``report_scopes_for`` and ``scope_for``."""

import pytest
from django.http import Http404

from reports.scopes import Scope, report_scopes_for, scope_for
from thuiszitters.roles import RoleCode

from ..factories.users import member

pytestmark = pytest.mark.django_db


def test_a_director_sees_the_figures_of_the_swv_without_personal_data(world, user_with_role):
    director = user_with_role(RoleCode.SWV_DIRECTOR)
    assert report_scopes_for(director) == [
        Scope(
            kind="swv",
            organisation_id=world.swv.pk,
            name="SWV PO A",
            region_id=world.region.pk,
            personal_data=False,
            sector="po",
        )
    ]


def test_a_consultant_may_also_see_who(world, user_with_role):
    consultant = user_with_role(RoleCode.SWV_CONSULTANT)
    assert report_scopes_for(consultant) == [
        Scope("swv", world.swv.pk, "SWV PO A", world.region.pk, personal_data=True, sector="po")
    ]


def test_a_leerplicht_officer_sees_each_municipality_the_bureau_serves(world, user_with_role):
    world.bureau.municipalities.add(world.m2)
    officer = user_with_role(RoleCode.LEERPLICHT)
    assert report_scopes_for(officer) == [
        Scope("municipality", world.m1.pk, "Gemeente A1", world.region.pk, personal_data=True),
        Scope("municipality", world.m2.pk, "Gemeente A2", world.region.pk, personal_data=True),
    ]


def test_a_policy_officer_sees_only_the_own_municipality(world, user_with_role):
    policy = user_with_role(RoleCode.POLICY)
    assert report_scopes_for(policy) == [
        Scope("municipality", world.m1.pk, "Gemeente A1", world.region.pk, personal_data=False)
    ]


def test_a_functional_admin_sees_the_region(world, user_with_role):
    admin = user_with_role(RoleCode.FUNCTIONAL_ADMIN)
    assert report_scopes_for(admin) == [
        Scope("region", world.region.pk, "Regio A", world.region.pk, personal_data=False)
    ]


@pytest.mark.parametrize(
    "role",
    [
        RoleCode.ZORGCOORDINATOR,
        RoleCode.CASUSREGISSEUR,
        RoleCode.DOORBRAAKTEAM,
        RoleCode.CARE_PARTNER,
        RoleCode.SCHOOL_SYSTEM,
    ],
)
def test_without_view_aggregates_no_scope(world, user_with_role, role):
    user = user_with_role(role)
    assert report_scopes_for(user) == []
    with pytest.raises(Http404):
        scope_for(user, None)


def test_an_anonymous_user_has_no_scope(world):
    from django.contrib.auth.models import AnonymousUser

    assert report_scopes_for(AnonymousUser()) == []


def test_scopes_are_ordered_swv_then_municipality_then_region(world, user_with_role):
    user = user_with_role(RoleCode.POLICY)
    member(world.region, RoleCode.FUNCTIONAL_ADMIN, user=user)
    member(world.swv_vo, RoleCode.SWV_DIRECTOR, user=user)
    member(world.swv, RoleCode.SWV_DIRECTOR, user=user)
    user = type(user).objects.get(pk=user.pk)  # no cached memberships
    assert [s.key for s in report_scopes_for(user)] == [
        f"swv-{world.swv.pk}",  # "SWV PO A" before "SWV VO A"
        f"swv-{world.swv_vo.pk}",
        f"municipality-{world.m1.pk}",
        f"region-{world.region.pk}",
    ]
    assert [s.sector for s in report_scopes_for(user)] == ["po", "vo", "", ""]


def test_scope_for_a_key(world, user_with_role):
    director = user_with_role(RoleCode.SWV_DIRECTOR)
    own = scope_for(director, f"swv-{world.swv.pk}")
    assert (own.kind, own.organisation_id) == ("swv", world.swv.pk)
    assert scope_for(director, None) == own
    assert scope_for(director, "") == own
    for foreign in (
        f"swv-{world.other_swv.pk}",
        f"swv-{world.far_swv.pk}",
        f"municipality-{world.m1.pk}",
        f"region-{world.region.pk}",
        "swv-999999",
        "nonsense",
    ):
        with pytest.raises(Http404):
            scope_for(director, foreign)


def test_a_scope_counts_cases_on_its_organisation_column(world):
    swv = Scope("swv", world.swv.pk, "SWV PO A", world.region.pk, sector="po")
    assert swv.key == f"swv-{world.swv.pk}"
    assert str(swv.kind_label) == "Samenwerkingsverband"
    assert swv.case_q().children == [("swv_id", world.swv.pk)]
    municipality = Scope("municipality", world.m1.pk, "Gemeente A1", world.region.pk)
    assert municipality.case_q("case__").children == [("case__municipality_id", world.m1.pk)]
    region = Scope("region", world.region.pk, "Regio A", world.region.pk)
    assert region.case_q().children == [("municipality__region_id", world.region.pk)]
