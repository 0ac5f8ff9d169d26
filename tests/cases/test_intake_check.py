"""``intake_check``: the intake form's check as the user types writes nothing (no row, no
audit entry, no lock) and answers with the errors that ``intake_submit`` raises for the
same input."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.services import ConsentNow, IntakeInput, NewPupil, intake_check, intake_submit
from registration.models import AbsenceReport, Consent, Pupil
from registration.services import GuardianInput
from thuiszitters.models import AuditLogEntry

from ..factories.registration import enrolled_pupil, years_ago
from .test_intake_form import form_data

pytestmark = pytest.mark.usefixtures("frozen_clock")
# A savepoint is no write: Django checks a CheckConstraint in one (full_clean).
WRITES = ("INSERT", "UPDATE", "DELETE", "ROLLBACK")


def _days(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def _new_pupil(world, **overrides) -> NewPupil:
    fields = {
        "given_names": "Noor",
        "surname": "Visser",
        "date_of_birth": years_ago(9),
        "municipality": world.school.municipality,
        "enrolled_from": years_ago(1),
        "guardians": (GuardianInput(name="Els Visser", relation="parent"),),
    }
    return NewPupil(**{**fields, **overrides})


def _input(world, pupil=None, new_pupil=None, consent=(), stated=0, **report) -> IntakeInput:
    return IntakeInput(
        reporting_organisation=world.school,
        pupil=pupil,
        new_pupil=new_pupil,
        consent=ConsentNow(
            scopes=tuple(consent), party="parents", stated_on=_days(stated), how="conversation"
        ),
        report={
            "kind": "unauthorised",
            "reported_on": _days(0),
            "absence_started_on": _days(10),
            "parents_informed_on": _days(2),
            "parents_informed_how": "phone",
            **report,
        },
    )


CASES = {
    "too young": lambda w: _input(w, new_pupil=_new_pupil(w, date_of_birth=years_ago(2))),
    "enrolled before the 4th birthday": lambda w: _input(
        w, new_pupil=_new_pupil(w, date_of_birth=years_ago(5), enrolled_from=years_ago(3))
    ),
    "not enrolled on the first day": lambda w: _input(
        w, new_pupil=_new_pupil(w, enrolled_from=_days(5))
    ),
    "consent in the future": lambda w: _input(
        w, pupil=enrolled_pupil(w.school, bsn=None), consent=["share_with_swv"], stated=-2
    ),
    "report dates": lambda w: _input(
        w,
        pupil=enrolled_pupil(w.school, bsn=None),
        absence_started_on=_days(-3),
        parents_informed_on=None,
    ),
    "valid, new pupil with consent": lambda w: _input(
        w, new_pupil=_new_pupil(w), consent=["share_with_swv", "share_with_leerplicht"]
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_check_gives_the_errors_of_the_submit(world, zc, name):
    data = CASES[name](world)
    errors = intake_check(actor=zc, data=data)
    assert not Pupil.objects.filter(surname="Visser").exists()
    try:
        intake_submit(actor=zc, data=data)
    except ValidationError as exc:
        assert errors == exc.message_dict
        assert errors  # the check found them too
    else:
        assert errors == {}
        assert Case.objects.filter(pupil__surname="Visser").exists() == (name.startswith("valid"))


def test_the_live_check_writes_nothing(world, zc, login):
    """Neither rows, nor audit entries, nor a transaction to roll back: only reads."""
    known = enrolled_pupil(world.school, bsn="111222333")
    client = login(zc)
    url = reverse("cases:intake_validate")
    pupil = _new_pupil(world)  # the same new pupil as the service-level cases above
    typed = {n: str(getattr(pupil, n)) for n in ("given_names", "surname", "date_of_birth")}
    new = form_data(
        world.school,
        new_pupil="True",
        municipality=pupil.municipality.pk,
        enrolled_from=pupil.enrolled_from.isoformat(),
        guardian_name=pupil.guardians[0].name,
        consent_share_with_swv="on",
        **typed,
    )
    audit_before = AuditLogEntry.objects.count()
    for body in (
        new,
        {**new, "bsn": known.bsn},  # a known BSN with another name: not looked at here
        {**new, "date_of_birth": years_ago(2).isoformat()},
        form_data(world.school, known, consent_share_with_leerplicht="on"),
    ):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, body)
        assert response.status_code == 200
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
        assert writes == []
    assert "gecontroleerd" in client.post(url, new).content.decode()
    assert AuditLogEntry.objects.count() == audit_before
    assert not Pupil.objects.filter(surname="Visser").exists()
    assert not (AbsenceReport.objects.exists() or Consent.objects.exists() or Case.objects.exists())
