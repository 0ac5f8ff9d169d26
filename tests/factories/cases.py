"""Cases in every phase, consistent with the clock: ``CaseFactory(phase="doorbraakteam")``.

A case gets an enrolled pupil, a shared unauthorised report linked to it (so leerplicht and
the SWV see it, as after a real intake), and its lead history: the school held the lead
until week 4, the lead organisation from then on. Exactly one ``LeadAssignment`` is current.
A closed case is closed ten days ago with an offer and has its three aftercare check-ins.
"""

import datetime

import factory
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases.models import AftercareCheckIn, Case, CaseEvent, CaseReport, LeadAssignment
from cases.services import case_sharing_refresh
from cases.workflow import AFTERCARE_MONTHS, OFFER_REASONS, ClosureReason, Phase
from registration.models import AbsenceReport, ConsentHow, ConsentStatus
from registration.services import consent_record

from .organisations import SchoolFactory
from .registration import enrolled_pupil

# Age of the case's clock for each phase, in days: a phase is reached by the clock.
PHASE_AGE_DAYS = {
    Phase.SCHOOL: 10,
    Phase.CASUSREGISSEUR: 5 * 7,
    Phase.DOORBRAAK_ASSESSMENT: 9 * 7,
    Phase.DOORBRAAKTEAM: 13 * 7,
    Phase.ARBITRATION: 17 * 7,
    Phase.OM_REFERRAL: 21 * 7,
    Phase.CLOSED: 15 * 7,
}
CLOSED_DAYS_AGO = 10


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _closed_on(o) -> datetime.date | None:
    if o.phase != Phase.CLOSED:
        return None
    return timezone.localdate() - datetime.timedelta(days=CLOSED_DAYS_AGO)


class CaseFactory(factory.django.DjangoModelFactory):
    """``CaseFactory(phase=...)``; pass ``school=``, ``lead_organisation=``, ``lead_user=``
    or ``pupil=`` to place it. ``closed_reason=`` chooses the reason of a closed case."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    class Params:
        age_days = factory.LazyAttribute(lambda o: PHASE_AGE_DAYS[o.phase])
        closed_on = factory.LazyAttribute(_closed_on)

    phase = Phase.SCHOOL
    school = factory.SubFactory(SchoolFactory)
    pupil = factory.LazyAttribute(lambda o: enrolled_pupil(o.school))
    pupil_born_on = factory.SelfAttribute("pupil.date_of_birth")
    pupil_startkwalificatie_on = factory.SelfAttribute("pupil.startkwalificatie_on")
    swv = factory.SelfAttribute("school.swv")
    municipality = factory.SelfAttribute("pupil.municipality")
    clock_start = factory.LazyAttribute(
        lambda o: timezone.localdate() - datetime.timedelta(days=o.age_days)
    )
    opened_at = factory.LazyAttribute(lambda o: _at(o.clock_start + datetime.timedelta(days=3)))
    # The school leads in phase school; from week 4 the SWV (or whoever the test passes).
    lead_organisation = factory.LazyAttribute(
        lambda o: o.school if o.phase == Phase.SCHOOL else o.school.swv
    )
    lead_user = None
    closed_at = factory.LazyAttribute(lambda o: _at(o.closed_on, 15) if o.closed_on else None)
    closed_reason = factory.LazyAttribute(
        lambda o: ClosureReason.OFFER_STARTED if o.phase == Phase.CLOSED else ""
    )
    retention_until = factory.LazyAttribute(
        lambda o: (
            o.closed_on + relativedelta(months=o.municipality.region.case_retention_months)
            if o.closed_on
            else None
        )
    )
    first_offer_started_on = factory.LazyAttribute(
        lambda o: (
            o.closed_on
            if o.phase == Phase.CLOSED and o.closed_reason == ClosureReason.OFFER_STARTED
            else None
        )
    )

    @factory.post_generation
    def report(self, create, extracted, **kwargs):
        """A shared unauthorised report joined to the case (``report=False``: none)."""
        if not create or extracted is False:
            return
        reporter = self.school or self.lead_organisation
        report = AbsenceReport.objects.create(
            pupil=self.pupil,
            kind=kwargs.get("kind", "unauthorised"),
            reporting_organisation=reporter,
            reported_by=kwargs.get("reported_by") or self.lead_user or _system_user(),
            reported_on=self.opened_at.date(),
            absence_started_on=self.clock_start,
            parents_informed_on=self.clock_start,
            parents_informed_how="phone",
            school=self.school,
            swv=self.swv,
            municipality=self.municipality,
            shared_with_leerplicht=kwargs.get("shared", True),
            shared_with_swv=kwargs.get("shared", True),
            channel="form",
        )
        CaseReport.objects.create(case=self, report=report, joined_at=self.opened_at)
        case_sharing_refresh(case_ids=[self.pk])
        self.refresh_from_db(fields=["shared_with_swv", "shared_with_leerplicht"])
        CaseEvent.objects.create(case=self, at=self.opened_at, kind="opened")

    @factory.post_generation
    def lead_history(self, create, extracted, **kwargs):
        """The school until week 4, then the current lead; exactly one current row."""
        if not create:
            return
        handover = _at(self.clock_start + datetime.timedelta(weeks=4))
        if self.phase != Phase.SCHOOL and self.school is not None:
            LeadAssignment.objects.create(
                case=self,
                organisation=self.school,
                started_at=self.opened_at,
                ended_at=handover,
            )
            start = handover
        else:
            start = self.opened_at
        LeadAssignment.objects.create(
            case=self, organisation=self.lead_organisation, user=self.lead_user, started_at=start
        )

    @factory.post_generation
    def check_ins(self, create, extracted, **kwargs):
        """The aftercare check-ins of a case closed with an offer."""
        if not create or self.closed_at is None or self.closed_reason not in OFFER_REASONS:
            return
        closed_on = timezone.localtime(self.closed_at).date()
        AftercareCheckIn.objects.bulk_create(
            AftercareCheckIn(case=self, due_on=closed_on + relativedelta(months=months))
            for months in AFTERCARE_MONTHS
        )


def _system_user():
    from .users import UserFactory

    return UserFactory()


def consent_give(pupil, scope: str, *parties: str, actor=None, status=ConsentStatus.GIVEN):
    """Record ``status`` for ``scope`` by each of ``parties`` through the registration service.

    Without ``actor`` the statement is set up as recorded by someone with standing for the
    whole pupil; with one, the service checks that actor's standing."""
    from registration.services import ConsentStanding

    from .users import UserFactory

    standing = None if actor else ConsentStanding.PUPIL
    actor = actor or UserFactory()
    for party in parties:
        consent_record(
            actor=actor,
            pupil=pupil,
            scope=scope,
            status=status,
            party=party,
            stated_on=timezone.localdate(),
            how=ConsentHow.CONVERSATION,
            standing=standing,
        )
    pupil.refresh_from_db()
    return pupil


__all__ = ["PHASE_AGE_DAYS", "CaseFactory", "consent_give"]
