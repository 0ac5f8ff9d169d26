"""``seed_pupils``: the demo region's pupils, and for each reported pupil its whole case."""

import datetime

from django.apps import apps
from django.db import connection
from django.utils import timezone

from registration.models import Guardian, Pupil

from ..models import Case
from .casefile import CaseFileWriter
from .days import latest_moment
from .fileplan import CAUSES_BY_KIND, CaseFacts, FilePlan, FilePlanner
from .people import Cast
from .plans import PupilPlan, PupilPlanner, demo_bsns
from .pupils import DemoRegion, demo_pupils_queryset, lead_history_complete, pupils_write
from .reports import consent_record_all, consent_statements, reports_file
from .route import may_read, route_walk
from .stories import StoryPlanner

DEFAULT_PUPILS = 400
CHUNK = 5000
ANALYZE_EVERY = 500  # cases


def _analyze() -> None:
    """Fresh planner statistics inside the seed's one transaction: without them PostgreSQL
    plans the time-travel updates as if the tables were empty and scans them whole for every
    case, so a region of 100,000 pupils took hours (ANALYZE counts the rows this transaction
    wrote)."""
    if connection.vendor != "postgresql":
        return
    # The application's tables only: a bare ANALYZE also takes the shared catalogs (roles,
    # databases) and would hold them, for every database on the server, until the seed ends.
    tables = [
        connection.ops.quote_name(model._meta.db_table)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(sorted(set(tables)))}")


def seed_pupils(*, seed: int, pupils: int | None, result) -> None:
    """Add demo pupils numbered from the ones that exist up to ``pupils`` (400 by default).

    Runs inside ``demo_region_seed``'s transaction, after the region, schools, demo users and
    the convenants (the route's deadlines follow them).
    """
    wanted = DEFAULT_PUPILS if pupils is None else pupils
    where = DemoRegion.load()
    if not where.ready:
        return
    result.created += lead_history_complete(where.region)
    existing = demo_pupils_queryset(where.region).count()
    if existing >= wanted:
        return
    seeder = _CaseSeeder(seed=seed, where=where, today=timezone.localdate())
    bsns = demo_bsns()
    for _ in range(existing):
        next(bsns)
    for chunk_start in range(existing, wanted, CHUNK):
        indices = range(chunk_start, min(chunk_start + CHUNK, wanted))
        seeder.write([seeder.planner.plan(i, next(bsns)) for i in indices])
    result.created += seeder.created + seeder.cast.created


class _CaseSeeder:
    def __init__(self, *, seed: int, where: DemoRegion, today: datetime.date):
        self.seed = seed
        self.today = today
        self.now = latest_moment(today)
        self.where = where
        self.planner = PupilPlanner(
            seed=seed,
            today=today,
            schools=where.schools,
            municipality_ids=where.municipality_ids,
            showcase=where.showcase_school,
        )
        if where.bureau is None:  # the caller checks DemoRegion.ready
            raise ValueError("The demo region has no leerplicht bureau yet.")
        self.bureau = where.bureau
        self.cast = Cast(bureau=self.bureau, showcase_school=where.showcase_school)
        regisseur = self.cast.regisseur
        self.stories = StoryPlanner(
            seed=seed,
            today=today,
            now=self.now,
            swv_lead_id=regisseur.organisation.pk if regisseur else None,
        )
        self.created = 0

    def write(self, plans: list[PupilPlan]) -> None:
        pupils, guardians_of, written = pupils_write(plans)
        self.created += written
        cases = 0
        for plan, pupil, guardians in zip(plans, pupils, guardians_of, strict=True):
            if plan.reports:
                if cases % ANALYZE_EVERY == 0:
                    _analyze()
                self._case(plan, pupil, guardians)
                cases += 1

    def _case(self, plan: PupilPlan, pupil: Pupil, guardians: list[Guardian]) -> None:
        """The pupil's reports and consent, then its case along the route and its file."""
        reporter = self.cast.reporter(plan.school)
        organisation = plan.school or self.bureau
        case = reports_file(
            plan=plan, pupil=pupil, reporter=reporter, organisation=organisation, seed=self.seed
        )
        statements = consent_statements(
            plan=plan, pupil=pupil, guardians=guardians, today=self.today, seed=self.seed
        )
        consent_record_all(pupil=pupil, statements=statements, recorder=reporter)
        clock = min(r.start for r in plan.reports)
        story = route_walk(
            case=case,
            story=self.stories.story(plan, clock),
            cast=self.cast,
            reporter=reporter,
        )
        case = Case.objects.select_related("municipality__region", "lead_user").get(pk=case.pk)
        facts = self._facts(plan, case, guardians)
        file = FilePlanner(seed=self.seed, index=plan.index, today=self.today, now=self.now).plan(
            story, facts
        )
        CaseFileWriter(
            case=case,
            story=story,
            cast=self.cast,
            reporter=reporter,
            lead_sees=may_read(case.lead_user, case),
        ).write(file)
        self.created += len(plan.reports) + len(statements) + 1 + _size(file)

    def _facts(self, plan: PupilPlan, case: Case, guardians: list[Guardian]) -> CaseFacts:
        cast = self.cast
        return CaseFacts(
            opened=case.opened_at,
            school_id=case.school_id,
            swv_id=case.swv_id,
            first_absence=plan.reports[0].start,
            causes=[c for r in plan.reports for c in CAUSES_BY_KIND.get(r.kind, [])],
            parent_name=guardians[0].name if guardians else "",
            consultant_swv_id=cast.consultant.organisation.pk if cast.consultant else None,
            doorbraak_swv_id=cast.doorbraak.organisation.pk if cast.doorbraak else None,
        )


def _size(file: FilePlan) -> int:
    """The records a case file adds (besides its journal)."""
    return (
        len(file.people)
        + bool(file.goal)
        + len(file.actions)
        + 2 * len(file.meetings)  # the meeting and its follow-up action
        + bool(file.arrangement)
        + sum(done is not None for done in file.check_ins)
    )
