import factory

from thuiszitters.models import (
    LeerplichtBureau,
    Municipality,
    Organisation,
    OrganisationKind,
    Region,
    Samenwerkingsverband,
    School,
    SchoolSector,
    SwvSector,
)


def _brin(n: int) -> str:
    return f"{10 + (n // 676) % 90:02d}{chr(65 + (n // 26) % 26)}{chr(65 + n % 26)}"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Regio {n}")
    holiday_region = "midden"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Gemeente {n}")
    cbs_code = factory.Sequence(lambda n: f"GM{n % 10000:04d}")
    region = factory.SubFactory(RegionFactory)


class SwvFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Samenwerkingsverband

    name = factory.Sequence(lambda n: f"Samenwerkingsverband {n}")
    sector = SwvSector.PO
    code = factory.LazyAttributeSequence(
        lambda o, n: f"{o.sector.upper()} {n // 100 % 100:02d}-{n % 100:02d}"
    )
    region = factory.SubFactory(RegionFactory)


class LeerplichtBureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeerplichtBureau
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Leerplichtbureau {n}")
    region = factory.SubFactory(RegionFactory)

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if create and extracted:
            self.municipalities.add(*extracted)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"School {n}")
    brin = factory.Sequence(_brin)
    sector = SchoolSector.PO
    swv = factory.SubFactory(SwvFactory)
    municipality = factory.SubFactory(
        MunicipalityFactory, region=factory.SelfAttribute("..swv.region")
    )
    region = factory.SelfAttribute("swv.region")


class CareOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Zorgorganisatie {n}")
    kind = OrganisationKind.CARE_ORGANISATION
    region = factory.SubFactory(RegionFactory)
