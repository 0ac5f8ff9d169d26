"""A demo pupil's reports and consent, through the intake and the consent service.

The reporter (the school's zorgcoordinator, or leerplicht for a pupil enrolled nowhere)
files each report on its reporting day: the intake opens the pupil's case or joins it, and
gives the report its sharing. Then the zorgcoordinator records the consent statements the
parents and the pupil made, on their own dates; the consent service brings the sharing of
every report in line at once.
"""

import datetime
import random

from registration.models import (
    LAWFUL_KINDS,
    ConsentHow,
    ConsentParty,
    ConsentScope,
    ConsentStatus,
    Guardian,
    ParentsInformedHow,
    Pupil,
    ReportChannel,
)
from registration.rules import age_on, consent_parties_required
from registration.services import ReportInput, consent_record
from thuiszitters.models import Organisation, User

from ..models import Case
from ..services import absence_report_submit
from .days import at
from .plans import PupilPlan
from .texts import REASONS, WITHDRAWN_NOTE
from .timetravel import happening_at


def reports_file(
    *, plan: PupilPlan, pupil: Pupil, reporter: User, organisation: Organisation, seed: int
) -> Case:
    """File the pupil's reports in order; returns the case they opened and joined."""
    rng = random.Random(f"{seed}:{plan.index}:channel")  # noqa: S311 - demo data
    case = None
    for n, r in enumerate(plan.reports):
        channel = rng.choices(
            [ReportChannel.FORM, ReportChannel.API, ReportChannel.CSV], [7, 2, 1]
        )[0]
        reason = rng.choice(REASONS[r.kind])
        gap = max(1, min(7, (r.reported_on - r.start).days))
        informed_on = r.reported_on - datetime.timedelta(days=rng.randint(1, gap))
        data = ReportInput(
            pupil=pupil,
            kind=r.kind,
            reported_on=r.reported_on,
            absence_started_on=r.start,
            absence_ended_on=r.end,
            hours_missed_last_4_weeks=r.hours,
            share_followed_percent=r.percent,
            striking_sickness=r.striking,
            expects_thuiszitter_soon=r.expects,
            reason=reason,
            parents_informed_on=informed_on,
            parents_informed_how=rng.choice(ParentsInformedHow.values),
            client_key=None if channel == ReportChannel.FORM else f"demo-{plan.bsn}-{n}",
        )
        with happening_at(pupil.pk, at(r.reported_on, 9 + min(n, 8))):
            case = absence_report_submit(
                actor=reporter, reporting_organisation=organisation, data=data, channel=channel
            ).case
    if case is None:
        raise ValueError(f"Demo pupil {plan.index} has no report to file.")
    return case


def consent_statements(
    *, plan: PupilPlan, pupil: Pupil, guardians: list[Guardian], today: datetime.date, seed: int
) -> list[dict]:
    """What the parents and the pupil said, following the plan's consent mode."""
    needing = [r for r in plan.reports if r.kind not in LAWFUL_KINDS]
    if not needing or plan.consent_mode == "none":
        return []
    rng = random.Random(f"{seed}:{plan.index}:consent")  # noqa: S311 - demo data
    # Whose consent counts follows the pupil's age today, when the sharing is decided.
    parties = sorted(consent_parties_required(age_on(pupil.date_of_birth, today)))
    first = needing[0]
    given_on = first.reported_on - datetime.timedelta(
        days=rng.randint(0, max(0, (first.reported_on - first.start).days))
    )
    mode = plan.consent_mode
    scopes = [ConsentScope.SHARE_WITH_LEERPLICHT]
    if mode != "leerplicht_only":
        scopes.append(ConsentScope.SHARE_WITH_SWV)
    if mode == "given" and rng.random() < 0.5:
        scopes.append(ConsentScope.MEETING_PARTICIPATION)

    def said(scope, party, status, on, note=""):
        guardian = guardians[0] if party == ConsentParty.PARENTS and guardians else None
        how = rng.choice(ConsentHow.values)
        return {
            "scope": scope,
            "party": party,
            "status": status,
            "stated_on": on,
            "how": how,
            "guardian": guardian,
            "note": note,
        }

    refuser = parties[-1]  # the pupil when the pupil's consent is needed, else the parents
    statements = [
        said(
            scope,
            party,
            ConsentStatus.REFUSED
            if mode == "refused" and party == refuser
            else ConsentStatus.GIVEN,
            given_on,
        )
        for scope in scopes
        for party in parties
    ]
    if mode == "withdrawn":
        days = (today - given_on).days
        later = min(given_on + datetime.timedelta(days=rng.randint(1, max(1, days))), today)
        statements += [
            said(scope, refuser, ConsentStatus.WITHDRAWN, later, WITHDRAWN_NOTE) for scope in scopes
        ]
    return statements


def consent_record_all(*, pupil: Pupil, statements: list[dict], recorder: User) -> None:
    """The zorgcoordinator records each statement (the consent service applies it)."""
    for statement in statements:
        with happening_at(pupil.pk, at(statement["stated_on"], 12)):
            consent_record(actor=recorder, pupil=pupil, **statement)
