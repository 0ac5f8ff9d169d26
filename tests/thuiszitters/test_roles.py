import pytest
from django.core.exceptions import ValidationError

from thuiszitters.access import has_capability
from thuiszitters.roles import ROLE_CAPABILITIES, RoleCode
from thuiszitters.services import membership_create

from ..factories.users import SETUP, UserFactory


def test_migration_created_every_role_with_its_capabilities(roles):
    assert set(roles) == set(RoleCode.values)
    for code, capabilities in ROLE_CAPABILITIES.items():
        granted = set(roles[code].permissions.values_list("codename", flat=True))
        assert granted == {str(c) for c in capabilities}, code


@pytest.mark.parametrize(
    ("role", "kind_attr"),
    [
        (RoleCode.ZORGCOORDINATOR, "swv"),
        (RoleCode.SWV_DIRECTOR, "school"),
        (RoleCode.POLICY, "bureau"),
        (RoleCode.FUNCTIONAL_ADMIN, "m1"),
    ],
)
def test_a_role_fits_only_its_kinds_of_organisation(world, role, kind_attr):
    with pytest.raises(ValidationError) as excinfo:
        membership_create(
            user=UserFactory(), organisation=getattr(world, kind_attr), role=role, actor=SETUP
        )
    assert "role" in excinfo.value.message_dict


def test_capabilities_are_checked_per_organisation(world, user_with_role):
    user = user_with_role(RoleCode.ZORGCOORDINATOR)
    assert has_capability(user, "submit_absence_report")
    assert has_capability(user, "submit_absence_report", organisation_id=world.school.pk)
    assert not has_capability(user, "submit_absence_report", organisation_id=world.school2.pk)
    assert not has_capability(user, "view_audit_log")


def test_a_school_belongs_to_an_swv_of_its_sector(world):
    from tests.factories.organisations import SchoolFactory

    school = SchoolFactory.build(
        sector="vo", swv=world.swv, municipality=world.m1, region=world.region
    )
    with pytest.raises(ValidationError) as excinfo:
        school.full_clean()
    assert "swv" in excinfo.value.message_dict


def test_the_role_rule_holds_in_the_model_so_the_admin_obeys_it_too(world, roles):
    from thuiszitters.models import Membership

    membership = Membership(user=UserFactory(), organisation=world.care, role=roles["swv_director"])
    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()
    assert "role" in excinfo.value.message_dict
