import factory

from thuiszitters.models import User
from thuiszitters.services import membership_create
from thuiszitters.system import SystemActor

PASSWORD = "test-password-123"
# Who sets up test data: the system, outside any person's rights (as the demo seeder).
SETUP = SystemActor("test-setup")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save(update_fields=["password"])


def member(
    organisation, role: str, user: User | None = None, full_name: str | None = None, **kwargs
) -> User:
    """A user holding ``role`` in ``organisation`` (made through the service, so validated)."""
    user = user or (UserFactory(full_name=full_name) if full_name else UserFactory())
    membership_create(user=user, organisation=organisation, role=role, actor=SETUP, **kwargs)
    return user


def grant_capability(role: str, capability: str) -> None:
    """Give every holder of ``role`` an extra capability, as a region may decide (for example
    the Meldcode override for a school's aandachtsfunctionaris)."""
    from django.contrib.auth.models import Group, Permission

    Group.objects.get(name=role).permissions.add(
        Permission.objects.get(codename=capability, content_type__app_label="core")
    )
