"""What the browser tests share: the two screen sizes of issue 17 and a fresh case of the
demo region's primary school."""

from cases.models import Case
from cases.services import absence_report_submit
from thuiszitters.models import User

from ..factories.registration import enrolled_pupil, report_input

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}


def demo_school_case(given_names: str, surname: str, reason: str = "Thuis sinds twee weken"):
    """A case opened by the demo PO school's zorgcoordinator for a new pupil (no BSN: the
    factory's sequence could repeat one of the demo's)."""
    reporter = User.objects.get(email="zorgcoordinator.po@demo.test")
    school = reporter.memberships.select_related("organisation").get().organisation
    pupil = enrolled_pupil(school.school_detail, given_names=given_names, surname=surname, bsn=None)
    case: Case = absence_report_submit(
        actor=reporter,
        reporting_organisation=school,
        data=report_input(pupil, kind="unauthorised", reason=reason),
        channel="form",
    ).case
    return case
