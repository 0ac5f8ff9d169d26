"""Reports go in up to the day before the 18th birthday; from the birthday on they are
refused with a hand-over to the RMC, through the service and through the API."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases.services import absence_report_submit
from registration.models import AbsenceReport
from thuiszitters.roles import RoleCode
from thuiszitters.services import api_token_create

from ..factories.registration import enrolled_pupil, report_input
from ..factories.users import SETUP, member

BIRTH = datetime.date(2010, 5, 17)
EIGHTEENTH = datetime.date(2028, 5, 17)
RMC = "draag de leerling over aan het RMC"


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10)), tick=False)


@pytest.fixture
def pupil(world):
    with at(EIGHTEENTH - datetime.timedelta(days=30)):
        return enrolled_pupil(world.school, date_of_birth=BIRTH, bsn="111222333")


@pytest.fixture
def zc(world):
    with at(EIGHTEENTH - datetime.timedelta(days=30)):
        return member(world.school, RoleCode.ZORGCOORDINATOR)


def submit(zc, world, pupil):
    return absence_report_submit(
        actor=zc, reporting_organisation=world.school, data=report_input(pupil), channel="form"
    )


def test_the_service_accepts_the_day_before_the_18th_birthday(world, zc, pupil):
    with at(EIGHTEENTH - datetime.timedelta(days=1)):
        assert submit(zc, world, pupil).case_created


def test_the_service_refuses_on_the_18th_birthday_and_hands_over_to_the_rmc(world, zc, pupil):
    with at(EIGHTEENTH), pytest.raises(ValidationError) as excinfo:
        submit(zc, world, pupil)
    assert any(RMC in m for m in excinfo.value.message_dict["pupil"])
    assert not AbsenceReport.objects.exists()


def _post(client, world, pupil, day: datetime.date):
    with at(day):
        _token, key = api_token_create(organisation=world.school, name="LAS", actor=SETUP)
        return client.post(
            "/api/v1/absence-reports/",
            {
                "bsn": pupil.bsn,
                "surname": pupil.surname,
                "date_of_birth": pupil.date_of_birth.isoformat(),
                "kind": "unauthorised",
                "absence_started_on": (day - datetime.timedelta(days=15)).isoformat(),
                "parents_informed_on": (day - datetime.timedelta(days=3)).isoformat(),
                "parents_informed_how": "conversation",
                "client_key": f"las-{day.isoformat()}",
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )


def test_the_api_accepts_the_day_before_and_refuses_the_day_of_the_18th_birthday(
    world, pupil, client
):
    before = _post(client, world, pupil, EIGHTEENTH - datetime.timedelta(days=1))
    assert before.status_code == 201, before.json()
    refused = _post(client, world, pupil, EIGHTEENTH)
    assert refused.status_code == 400, refused.json()
    assert RMC in refused.json()["fields"]["pupil"][0]
    assert AbsenceReport.objects.count() == 1
