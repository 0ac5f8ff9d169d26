import datetime

import factory
from django.utils import timezone

from registration.models import Enrolment, Guardian, Pupil
from registration.services import ReportInput


def _valid_bsn(n: int) -> str:
    """A valid BSN of its own for each n: the first that passes the elfproef in block n of 100
    (every block of 100 numbers holds several)."""
    from registration.bsn import bsn_is_valid

    base = 100000000 + n * 100
    return next(str(c) for c in range(base, base + 100) if bsn_is_valid(str(c)))


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    given_names = factory.Faker("first_name", locale="nl_NL")
    surname = factory.Faker("last_name", locale="nl_NL")
    date_of_birth = factory.LazyFunction(lambda: years_ago(10, 40))
    municipality = factory.SubFactory("tests.factories.organisations.MunicipalityFactory")
    bsn = factory.Sequence(_valid_bsn)


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    pupil = factory.SubFactory(PupilFactory)
    name = factory.Faker("name", locale="nl_NL")
    relation = "mother"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SubFactory("tests.factories.organisations.SchoolFactory")
    start = factory.LazyFunction(lambda: years_ago(2))


def enrolled_pupil(school, **kwargs) -> Pupil:
    """A pupil living in the school's municipality and enrolled there."""
    kwargs.setdefault("municipality", school.municipality)
    pupil = PupilFactory(**kwargs)
    EnrolmentFactory(pupil=pupil, school=school)
    return pupil


def report_input(pupil, **overrides) -> ReportInput:
    today = timezone.localdate()
    values = {
        "pupil": pupil,
        "kind": "unauthorised",
        "absence_started_on": today - datetime.timedelta(days=10),
        "parents_informed_on": today - datetime.timedelta(days=2),
        "parents_informed_how": "phone",
        "hours_missed_last_4_weeks": None,
    }
    values.update(overrides)
    return ReportInput(**values)
