"""The aggregates of DESIGN.md 4.5, computed in the database.

``figures(scope, period)`` returns plain data (ints, strings, lists, dicts) that the
dashboards, the exports, the API and the quarterly PDF all show, and that
``FiguresSnapshot`` freezes as JSON. The totals and breakdowns come from the period's
cases (one query for their columns, pupils and the target cohort's conditions, one for the
reports of the open ones): per case whether it was open, broad and narrow on the date, its
value in each breakdown and whether it met each target, counted in Python. Escalations and
the trend are ``COUNT ... FILTER`` queries. The number of queries is fixed (see
``FIGURES_QUERIES``), whatever the number of cases.

Counts are raw here. Suppression of small numbers (``reports.suppression``) is applied where
figures leave the circle of people who may see the cases.
"""

import datetime
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypedDict, cast

from dateutil.relativedelta import relativedelta
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models import (
    Case as When_,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseReport,
    Cause,
    DaytimeActivity,
    WaitingListFor,
)
from cases.workflow import Phase
from escalation.models import Escalation, PolicyVersion, Step, Trigger
from registration.models import AbsenceKind
from thuiszitters.changes import generation
from thuiszitters.models import SchoolSector, User

from .definitions import DefinitionsOn, broad_on, narrow_on, open_on_q
from .periods import Quarter, end_of_day, start_of_day
from .scopes import Scope

if TYPE_CHECKING:
    from django.db.models.expressions import CombinedExpression
    from django_stubs_ext import WithAnnotations

    from .models import QuarterlyReport

TREND_QUARTERS = 8

# The queries ``figures()`` runs, whatever the number of cases: the facts of the period's
# cases (totals, every breakdown and the target cohort, from the cases' own columns, then
# the open ones' reports), the schools' names, escalations and the trend (its frozen
# quarters, unless the caller passes them, then the others); an SWV also reads its
# convenant's targets. (One fewer when no open case has a school, or when every quarter of
# the trend before the report's own is frozen, or without open cases.)
FIGURES_QUERIES = {"swv": 7, "municipality": 6, "region": 6}


@dataclass(frozen=True)
class Period:
    """What a dashboard or report covers: the days ``start``..``end`` and the date ``on``
    on which the standing counts (open cases, thuiszitters) are taken."""

    start: datetime.date
    end: datetime.date
    label: str
    quarter: Quarter | None = None

    @classmethod
    def of_quarter(cls, quarter: Quarter) -> "Period":
        return cls(quarter.start, quarter.end, quarter.label, quarter)

    def on(self, today: datetime.date | None = None) -> datetime.date:
        today = today or timezone.localdate()
        return min(self.end, today)


# --- Dimensions -----------------------------------------------------------------------------

AGE_GROUPS = (  # (key, label, from age, to age exclusive)
    ("4-5", _("4 en 5 jaar"), 0, 6),
    ("6-11", _("6 tot en met 11 jaar"), 6, 12),
    ("12-15", _("12 tot en met 15 jaar"), 12, 16),
    ("16-17", _("16 en 17 jaar"), 16, 18),
    ("18+", _("18 jaar en ouder"), 18, 200),
)

DURATION_BUCKETS = (  # (key, label, at home at least, less than) in days since clock start
    ("lt4w", _("Korter dan 4 weken"), 0, 28),
    ("4-8w", _("4 tot 8 weken"), 28, 56),
    ("8-12w", _("8 tot 12 weken"), 56, 84),
    ("3-6m", _("12 weken tot 6 maanden"), 84, 183),
    ("6-12m", _("6 maanden tot een jaar"), 183, 365),
    ("gt1y", _("Een jaar of langer"), 365, None),
)

NO_SCHOOL = "none"


def dimension_labels() -> dict[str, dict[str, str]]:
    """Key -> label per dimension (labels are translated when shown, not when frozen)."""
    return {
        "phase": {str(k): str(v) for k, v in Phase.choices},
        "kind": {str(k): str(v) for k, v in AbsenceKind.choices},
        "sector": {
            **{str(k): str(v) for k, v in SchoolSector.choices},
            NO_SCHOOL: str(_("Geen school")),
        },
        "age_group": {k: str(label) for k, label, _a, _b in AGE_GROUPS},
        "cause": {
            **{str(k): str(v) for k, v in Cause.choices},
            NO_SCHOOL: str(_("Nog niet vastgelegd")),
        },
        "daytime_activity": {str(k): str(v) for k, v in DaytimeActivity.choices},
        "waiting_list": {str(k) or "none": str(v) for k, v in WaitingListFor.choices},
        "duration": {k: str(label) for k, label, _a, _b in DURATION_BUCKETS},
        "step": {str(k): str(v) for k, v in Step.choices},
    }


# --- Building blocks ------------------------------------------------------------------------


def _count(q: Q) -> Count:
    return Count("pk", filter=q)


def _opened_in_q(start: datetime.date, end: datetime.date) -> Q:
    """The case was opened (reported) from ``start`` to ``end``, both days included."""
    return Q(opened_at__gte=start_of_day(start), opened_at__lt=end_of_day(end))


def _relevant(scope: Scope, period: Period) -> QuerySet[Case]:
    """The scope's cases that existed at some time in the period (an index range on the
    organisation column, narrowed by opened/closed dates)."""
    return scope.cases().filter(
        Q(opened_at__lt=end_of_day(period.end))
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=start_of_day(period.start)))
    )


def phase_on(on: datetime.date, today: datetime.date) -> F | Coalesce:
    """The phase a case had at the end of ``on``: today the column; for a past date the
    journal (the last phase change by then, else the phase the first later change left)."""
    if on >= today:
        return F("phase")
    changes = CaseEvent.objects.filter(
        case_id=OuterRef("pk"),
        kind__in=[CaseEventKind.PHASE_CHANGED, CaseEventKind.CLOSED, CaseEventKind.REOPENED],
        data__has_key="to",
    )
    bound = end_of_day(on)
    # KT: the key as text (``data -> 'to'`` is jsonb on PostgreSQL and cannot be coalesced
    # with the phase column).
    last_before = changes.filter(at__lt=bound).order_by("-at", "-id").values(v=KT("data__to"))[:1]
    first_after = changes.filter(at__gte=bound).order_by("at", "id").values(v=KT("data__from"))[:1]
    return Coalesce(
        Subquery(last_before, output_field=CharField()),
        Subquery(first_after, output_field=CharField()),
        F("phase"),
        output_field=CharField(),
    )


def _first_kind(
    on: datetime.date | None = None, visible: QuerySet[Any, Any] | None = None
) -> Subquery:
    """The kind of the case's first report (earliest absence start); with ``on``, of the
    reports made by then (a later report must not change a past quarter's figures); with
    ``visible``, of the reports a user may see (a list must not show an unshared kind)."""
    reports = CaseReport.objects.filter(case_id=OuterRef("pk"))
    if on is not None:
        reports = reports.filter(report__reported_on__lte=on)
    if visible is not None:
        reports = reports.filter(report__in=visible)
    first = reports.order_by("report__absence_started_on", "report_id").values("report__kind")[:1]
    return Subquery(first, output_field=CharField())


def _years_before(day: datetime.date, years: int) -> datetime.date:
    return day - relativedelta(years=years)


def _age_grouper(on: datetime.date) -> Callable[[datetime.date | None], str]:
    """The age group (``AGE_GROUPS``) of a date of birth on ``on``: age >= a is born on or
    before ``on`` minus a years (exact per date)."""
    bounds = [
        (key, _years_before(on, low)) for key, _label, low, _high in reversed(AGE_GROUPS) if low
    ]

    def group(born: datetime.date | None) -> str:
        for key, latest in bounds:
            if born is not None and born <= latest:
                return key
        return AGE_GROUPS[0][0]

    return group


def _duration_bucket(on: datetime.date) -> When_:
    whens = []
    for key, _label, low, _high in reversed(DURATION_BUCKETS):
        whens.append(When(clock_start__lte=on - datetime.timedelta(days=low), then=Value(key)))
    return When_(*whens, default=Value(DURATION_BUCKETS[0][0]), output_field=CharField())


def three_months_cutoff(on: datetime.date) -> datetime.date:
    """The last clock start that has reached three months at home by ``on``
    (``clock_start + 3 months <= on``, the rule of ``escalation.route.three_months_on``)."""
    return _months_cutoff(on, 3)


def _months_cutoff(on: datetime.date, months: int) -> datetime.date:
    day = on - relativedelta(months=months)
    while day + relativedelta(months=months) > on:
        day -= datetime.timedelta(days=1)
    while (day + datetime.timedelta(days=1)) + relativedelta(months=months) <= on:
        day += datetime.timedelta(days=1)
    return day


def past_three_months_q(on: datetime.date) -> Q:
    """Open on ``on``, at home three months or longer and no suitable offer started by then."""
    return _past_months_q(on, 3)


def _past_months_q(on: datetime.date, months: int) -> Q:
    return (
        open_on_q(on)
        # A signal without absence has no clock: never "at home" (DESIGN.md 4.1).
        & Q(at_risk=False)
        & Q(clock_start__lte=_months_cutoff(on, months))
        & (Q(first_offer_started_on__isnull=True) | Q(first_offer_started_on__gt=on))
    )


# --- Targets --------------------------------------------------------------------------------


def targets_version(scope: Scope, on: datetime.date) -> dict[str, Any]:
    """The convenant's targets in force on ``on``: the SWV's policy; elsewhere the pact's
    defaults (a municipality and a region report against the defaults)."""
    targets = [f for f in PolicyVersion._meta.concrete_fields if f.name.startswith("target_")]
    fields = [f.name for f in targets]
    defaults = {f.name: f.default for f in targets}
    if scope.kind != "swv":
        return defaults  # no query: keeps FIGURES_QUERIES fixed per scope kind
    version = (
        PolicyVersion.objects.filter(
            policy__swv_id=scope.organisation_id, created_at__lt=end_of_day(on)
        )
        .order_by("-number")
        .values(*fields)
        .first()
    )
    return version or defaults


TARGETS = (
    # code, label, the days (or months) field, the percent field
    (
        "first_contact",
        _("Eerste contact binnen %(n)s dagen"),
        "target_first_contact_days",
        "target_first_contact_percent",
    ),
    ("goals", _("Doelen gesteld binnen %(n)s dagen"), "target_goals_days", "target_goals_percent"),
    (
        "offer",
        _("Niet langer dan %(n)s maanden thuis zonder passend aanbod"),
        "target_offer_months",
        "target_offer_percent",
    ),
    (
        "first_conversation",
        _("Eerste gesprek met ouders binnen %(n)s dagen"),
        "target_first_conversation_days",
        "target_first_conversation_percent",
    ),
)


def _target_facts(period: Period, on: datetime.date, settings: dict[str, Any]) -> dict[str, Any]:
    """Annotations of the period's cases for the within-days targets: for a case reported in
    the period (the cohort), per target whether it was met by ``on`` and whether its window
    (opened_at + days) had closed by then; None for the other cases. Read with the case facts
    from the case's first dates (ADR 0025): a comparison of columns per case of the cohort."""
    bound = end_of_day(on)
    new_q = _opened_in_q(period.start, period.end)

    def within(days: int) -> "ExpressionWrapper[CombinedExpression]":
        # The end of the window: the case's opened_at + days.
        return ExpressionWrapper(
            F("opened_at") + datetime.timedelta(days=days), output_field=DateTimeField()
        )

    def of_cohort(q: Q) -> When_:
        return When_(
            When(new_q, then=ExpressionWrapper(q, output_field=BooleanField())),
            default=Value(None),
            output_field=BooleanField(),
        )

    def by(field: str, days: int, *, moment: bool) -> Q:
        """The first ``field`` came by ``on`` and within ``days`` of the opening (a date
        field: by the day on which the window ends); false when there is none."""
        came = Q(**{f"{field}__isnull": False})
        if moment:
            return came & Q(**{f"{field}__lt": bound}) & Q(**{f"{field}__lte": within(days)})
        return came & Q(**{f"{field}__lte": on}) & Q(**{f"{field}__lte": TruncDate(within(days))})

    contact_days = settings["target_first_contact_days"]
    goals_days = settings["target_goals_days"]
    conversation_days = settings["target_first_conversation_days"]
    contact = by("first_contact_at", contact_days, moment=True) | by(
        "first_meeting_on", contact_days, moment=False
    )
    goals = by("first_goal_at", goals_days, moment=True)
    conversation = by("first_parents_meeting_on", conversation_days, moment=False)
    annotations: dict[str, Any] = {}
    for code, met, days in (
        ("first_contact", contact, contact_days),
        ("goals", goals, goals_days),
        ("first_conversation", conversation, conversation_days),
    ):
        annotations[f"t_{code}_met"] = of_cohort(met)
        # The window ended before the end of ``on``.
        annotations[f"t_{code}_closed"] = of_cohort(
            Q(opened_at__lt=bound - datetime.timedelta(days=days))
        )
    return annotations


def _targets(
    facts: dict[str, Sequence[Any]],
    settings: dict[str, Any],
    standing_open: int,
    past_offer_months: int,
) -> list[dict[str, Any]]:
    cohort: dict[str, tuple[int, int]] = {}
    for code in ("first_contact", "goals", "first_conversation"):
        # Counted over the cohort (the other cases have None for both).
        pairs = Counter(zip(facts[f"t_{code}_met"], facts[f"t_{code}_closed"], strict=True))
        cohort[code] = (
            sum(n for (met, _closed), n in pairs.items() if met),
            sum(n for (met, closed), n in pairs.items() if not met and closed),
        )
    # The offer target is a standing measure on ``on``: of the open cases, the share that is
    # not at home longer than the convenant's months (3 by default) without a suitable offer.
    cohort["offer"] = (standing_open - past_offer_months, past_offer_months)
    targets = []
    for code, label, n_field, percent_field in TARGETS:
        met, missed = cohort[code]
        measured = met + missed
        # Rounded half up (62.5% shows as 63%, not as Python's round-half-even 62%).
        percent = (200 * met + measured) // (2 * measured) if measured else None
        goal = settings[percent_field]
        targets.append(
            {
                "code": code,
                "label": str(label % {"n": settings[n_field]}),
                "within": settings[n_field],
                "target_percent": goal,
                "met": met,
                "missed": missed,
                "measured": measured,
                "percent": percent,
                # Compare counts, not a rounded percentage: 79.6% does not meet 80%.
                "achieved": None if not measured else 100 * met >= goal * measured,
            }
        )
    return targets


# --- The figures ----------------------------------------------------------------------------


def figures(
    scope: Scope,
    period: Period,
    today: datetime.date | None = None,
    frozen: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Every aggregate of DESIGN.md 4.5 for ``scope`` and ``period`` (see the module doc).
    ``frozen``: ``frozen_figures`` of the trend's quarters when the caller has read them."""
    today = today or timezone.localdate()
    on = period.on(today)
    settings = targets_version(scope, on)
    facts = _case_facts(_relevant(scope, period), period, on, today, settings)
    # Counted by columns: the open cases' values of each breakdown, and of those the broad and
    # the narrow ones, each by ``Counter`` (``_tally``) rather than a loop per case.
    standing = [i for i, is_open in enumerate(facts["f_open"]) if is_open]
    # (itemgetter picks the open cases' values in C; with one index it returns no tuple.)
    pick = itemgetter(*standing) if len(standing) > 1 else None

    def of_open(column: str) -> list[Any]:
        if column == "f_age_group":
            return list(map(_age_grouper(on), of_open("pupil_born_on")))
        values = facts[column]
        return list(pick(values)) if pick else [values[i] for i in standing]

    broads, narrows, past = of_open("f_broad"), of_open("f_narrow"), of_open("f_past")
    totals = {
        "open": len(standing),
        "broad": sum(broads),
        "narrow": sum(narrows),
        "new": _truthy(facts["f_new"]),
        "closed": _truthy(facts["f_closed"]),
        "past_three_months": _truthy(past),
        # (``compress``: the flags of the open cases that are broad, resp. narrow.)
        "past_three_months_broad": _truthy(list(compress(past, broads))),
        "past_three_months_narrow": _truthy(list(compress(past, narrows))),
    }
    offer_missed = _truthy(of_open("f_offer_missed"))
    counts = {dim: _tally(of_open(column), broads, narrows) for dim, column in _DIMENSIONS.items()}
    codes = [str(c) for c in Cause.values]
    # Counted by the list's text first: many cases share one, and each is matched once.
    causes: dict[Any, list[int]] = {}
    for text, found in _tally(of_open("f_causes"), broads, narrows).items():
        for code in _causes_of(text, codes):
            total = causes.setdefault(code, [0, 0, 0])
            for column, n in enumerate(found):
                total[column] += n

    breakdowns = {dim: _breakdown_rows(counts[dim]) for dim in _DIMENSIONS if dim != "school"}
    breakdowns["cause"] = [
        {"key": code, **_standing_of(causes[code])}
        for code in [*codes, NO_SCHOOL]
        if code in causes
    ]
    breakdowns["school"] = _schools(_breakdown_rows(counts["school"]))
    order = {
        "phase": [str(p) for p in Phase.values],
        "duration": [k for k, *_rest in DURATION_BUCKETS],
        "age_group": [k for k, *_rest in AGE_GROUPS],
    }
    for dim, keys in order.items():
        _sort_by_key(breakdowns[dim], keys)
    names = [dim for dim in _DIMENSIONS if dim != "school"]
    breakdowns = {dim: breakdowns[dim] for dim in [*names, "cause", "school"]}

    return {
        "scope": {"kind": scope.kind, "organisation_id": scope.organisation_id, "name": scope.name},
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label,
            "on": on.isoformat(),
        },
        "totals": totals,
        "breakdowns": breakdowns,
        "escalations": _escalations(scope, period),
        "targets": _targets(facts, settings, totals["open"], offer_missed),
        "trend": trend(
            scope,
            (period.quarter or Quarter.of(period.end)),
            today,
            # The report's own quarter: the totals just counted, not counted again.
            known={str(period.quarter): totals} if period.quarter else None,
            frozen=frozen,
        ),
    }


# The breakdowns of the open cases by one value each (the cause, a list, is counted apart),
# and the column of ``_case_facts`` each is read from.
_DIMENSIONS = {
    "phase": "f_phase",
    "kind": "f_kind",
    "sector": "f_sector",
    "age_group": "f_age_group",  # from pupil_born_on
    "daytime_activity": "daytime_activity",
    "waiting_list": "waiting_list_for",
    "duration": "f_duration",
    "school": "school_id",
}


def _case_facts(
    cases: QuerySet[Case],
    period: Period,
    on: datetime.date,
    today: datetime.date,
    settings: dict[str, Any],
) -> dict[str, Sequence[Any]]:
    """Per case of the period what every count needs, by column. Columns of the case (its
    pupil's dates among them, ADR 0024) come from one query; the definitions and the first
    report's kind from the open cases' reports, read once in one more query and decided in
    Python by the same rules (``DefinitionsOn``, ADR 0023). Evaluated per case in the
    database they were two ``Exists`` and a subquery for every open case. ``figures``
    counts the columns (a few thousand values each for a region of 100,000 pupils)."""
    open_q = open_on_q(on)

    def when_open(expression: Any, output_field: Any) -> When_:
        return When_(When(open_q, then=expression), default=Value(None), output_field=output_field)

    def flag(q: Q) -> "ExpressionWrapper[Q]":
        return ExpressionWrapper(q, output_field=BooleanField())

    names = [
        "pk",
        "f_open",
        "f_new",
        "f_closed",
        "f_past",
        "f_offer_missed",
        "f_causes",
        # The pupil's dates, copied onto the case (ADR 0024): the age group, and the narrow
        # definition of its reports (a case's reports being of its pupil).
        "pupil_born_on",
        "pupil_startkwalificatie_on",
        *[column for column in _DIMENSIONS.values() if column not in ("f_age_group", "f_kind")],
    ]
    targets = _target_facts(period, on, settings)
    names += list(targets)
    rows = list(
        cases.order_by()  # counted, not listed: no sort
        .annotate(
            f_open=flag(open_q),
            f_new=flag(_opened_in_q(period.start, period.end)),
            f_closed=flag(
                Q(closed_at__gte=start_of_day(period.start), closed_at__lt=end_of_day(period.end))
            ),
            # The JSON list as text: matched below as the database matched it, without
            # decoding a list per case.
            f_causes=when_open(Cast("causes", TextField()), TextField()),
            f_past=flag(past_three_months_q(on)),
            f_offer_missed=flag(_past_months_q(on, settings["target_offer_months"])),
            f_phase=when_open(phase_on(on, today), CharField()),
            f_sector=F("school__sector"),
            f_duration=_duration_bucket(on),
            **targets,
        )
        .values_list(*names)
    )
    # By column (tuples, not a dict per case; ``figures`` counts columns).
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    facts: dict[str, Sequence[Any]] = dict(zip(names, columns, strict=True))
    # False for an open case until one of its reports says otherwise; None for the others.
    broad: list[bool | None] = [False if is_open else None for is_open in facts["f_open"]]
    narrow = broad.copy()
    kinds: list[str | None] = [None] * len(rows)
    facts.update(f_broad=broad, f_narrow=narrow, f_kind=kinds)
    standing = {
        pk: i
        for i, (pk, is_open) in enumerate(zip(facts["pk"], facts["f_open"], strict=True))
        if is_open
    }
    if not standing:
        return facts
    definitions = DefinitionsOn(on)
    # The pupil's age decides per case (its reports being of its pupil), and only for a case
    # with a report of a narrow kind.
    born, qualified = facts["pupil_born_on"], facts["pupil_startkwalificatie_on"]
    reports = CaseReport.objects.filter(case__in=cases.filter(open_q).values("pk")).values_list(
        "case_id",
        "report_id",
        "report__kind",
        "report__reported_on",
        "report__absence_started_on",
        "report__absence_ended_on",
    )
    first: dict[int, tuple[datetime.date, int]] = {}
    for case_id, report_id, kind, reported_on, started_on, ended_on in reports:
        i = standing.get(case_id)
        if i is None or reported_on > on:  # neither counted nor the first by ``on``
            continue
        # The rules of ``DefinitionsOn.broad`` and ``.narrow``, each decided once.
        if definitions.counts(reported_on, ended_on):
            if not broad[i] and definitions.broad_kind(kind, started_on):
                broad[i] = True
            if (
                not narrow[i]
                and definitions.narrow_kind(kind, started_on)
                and definitions.compulsory(born[i], qualified[i])
            ):
                narrow[i] = True
        # The kind of the first report made by ``on`` (earliest absence start, then id).
        if case_id not in first or (started_on, report_id) < first[case_id]:
            first[case_id] = (started_on, report_id)
            kinds[i] = kind
    return facts


def _truthy(values: Sequence[Any]) -> int:
    """How many of the flags are set (True; a NULL or False is not), counted in C."""
    return len(values) - values.count(None) - values.count(False)


def _causes_of(text: str | None, codes: list[str]) -> list[str]:
    """The cause codes in a case's JSON list (as text), or ``NO_SCHOOL`` for an empty list.
    Matched as ``"code"`` in the text: cause codes are not substrings of one another."""
    if text is None:
        return []
    if text.replace(" ", "") == "[]":
        return [NO_SCHOOL]
    lowered = text.lower()
    return [code for code in codes if f'"{code}"' in lowered]


def _tally(values: list[Any], broads: list[Any], narrows: list[Any]) -> dict[Any, list[int]]:
    """open, broad, narrow per value of the open cases (``values``, with their flags): three
    ``Counter`` runs over plain values, picked by the flags in C."""
    everyone = Counter(values)
    broad, narrow = Counter(compress(values, broads)), Counter(compress(values, narrows))
    return {key: [n, broad[key], narrow[key]] for key, n in everyone.items()}


def _standing_of(found: list[int]) -> dict[str, int]:
    return {"open": found[0], "broad": found[1], "narrow": found[2]}


def _breakdown_rows(counts: dict[Any, list[int]]) -> list[dict[str, Any]]:
    """Rows by key, ascending with no value last (as the database sorted them); a missing
    value is ``NO_SCHOOL``."""
    ordered = sorted(counts, key=lambda k: (k is None, k if k is not None else ""))
    return [
        {"key": key if key not in (None, "") else NO_SCHOOL, **_standing_of(counts[key])}
        for key in ordered
    ]


def _sort_by_key(rows: list[dict[str, Any]], keys: list[str]) -> None:
    rows.sort(key=lambda row: keys.index(row["key"]) if row["key"] in keys else 99)


def _schools(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # School names are organisation data, not personal data; one more query for them (of the
    # organisations: a school's id is its organisation's, and its name is there).
    from thuiszitters.models import Organisation

    ids = [r["key"] for r in rows if r["key"] != NO_SCHOOL]
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    for row in rows:
        row["label"] = names.get(row["key"], str(_("Geen school")))
        row["key"] = str(row["key"])
    rows.sort(key=lambda r: (-r["open"], r["label"]))
    return rows


_ESCALATION_COUNTS = ("total", "by_timer", "by_person", "by_assessment", "timed", "on_time", "late")


def _escalations(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Escalations that happened in the period, by step: how many, how many by a timer, by
    hand or after the assessment, and of the timed ones how many on or before their due date.
    Grouped in the database by step, trigger and timeliness (a few dozen groups), and summed
    per step here."""
    timeliness = When_(
        When(due_on__isnull=True, then=Value(None)),
        When(day__lte=F("due_on"), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    groups = (
        Escalation.objects.filter(
            scope.case_q("case__"),
            happened_at__gte=start_of_day(period.start),
            happened_at__lt=end_of_day(period.end),
        )
        .exclude(trigger=Trigger.SKIPPED)
        .annotate(day=TruncDate("happened_at"))
        .annotate(timely=timeliness)
        .values_list("step", "trigger", "timely")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_trigger = {
        Trigger.TIMER: "by_timer",
        Trigger.PERSON: "by_person",
        Trigger.ASSESSMENT: "by_assessment",
    }
    steps: dict[str, dict[str, Any]] = {}
    for step, trigger, on_time, n in groups:
        row = steps.setdefault(step, {"key": step, **dict.fromkeys(_ESCALATION_COUNTS, 0)})
        row["total"] += n
        if trigger in by_trigger:
            row[by_trigger[trigger]] += n
        if on_time is not None:
            row["timed"] += n
            row["on_time" if on_time else "late"] += n
    order = [str(s) for s in Step.values]
    result = sorted(
        steps.values(), key=lambda r: (order.index(r["key"]) if r["key"] in order else 99, r["key"])
    )
    return result


def trend(
    scope: Scope,
    last: Quarter,
    today: datetime.date | None = None,
    known: dict[str, dict[str, int]] | None = None,
    frozen: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The last ``TREND_QUARTERS`` quarters up to ``last``: new cases in each quarter, and on
    its last day (or today for the running quarter) the open cases, the thuiszitters by both
    definitions and those past three months without an offer. A quarter that has been
    frozen (``FiguresSnapshot``) shows its frozen totals, as its own report does; ``known``:
    totals already counted (by quarter); ``frozen``: the snapshots if the caller has read
    them (else one query); the others are counted in one query."""
    today = today or timezone.localdate()
    quarters = [q for q in last.last(TREND_QUARTERS) if q.start <= today]
    if not quarters:
        return []
    names = ("new", "open", "broad", "narrow", "past_three_months")
    ended = [q for q in quarters if q.end < today]
    if frozen is None:
        frozen_totals = frozen_figures(scope, ended, part="figures__totals")
    else:
        frozen_totals = {key: data["totals"] for key, data in frozen.items()}
    known = {
        **(known or {}),
        **{str(q): frozen_totals[str(q)] for q in ended if str(q) in frozen_totals},
    }
    live = [q for q in quarters if str(q) not in known]
    result: dict[str, Any] = {}
    if live:
        cases = scope.cases().filter(
            Q(opened_at__lt=end_of_day(live[-1].end))
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=start_of_day(live[0].start)))
        )
        aggregates: dict[str, Count] = {}
        for quarter in live:
            on = min(quarter.end, today)
            open_q = open_on_q(on)
            key = str(quarter)
            aggregates[f"{key}_new"] = _count(_opened_in_q(quarter.start, quarter.end))
            aggregates[f"{key}_open"] = _count(open_q)
            aggregates[f"{key}_broad"] = _count(open_q & Q(broad_on(on)))
            aggregates[f"{key}_narrow"] = _count(open_q & Q(narrow_on(on)))
            aggregates[f"{key}_past_three_months"] = _count(past_three_months_q(on))
        result = cases.aggregate(**aggregates)
    rows = []
    for quarter in quarters:
        key = str(quarter)
        if key in known:
            counts = {name: known[key][name] for name in names}
        else:
            counts = {name: result[f"{key}_{name}"] for name in names}
        rows.append(
            {
                "quarter": key,
                "label": quarter.label,
                "on": min(quarter.end, today).isoformat(),
                **counts,
            }
        )
    return rows


# --- The thuiszitterslijst (personal data) --------------------------------------------------


class ListAnnotations(TypedDict):
    """What ``thuiszitterslijst`` adds to each case."""

    is_broad: bool
    is_narrow: bool
    first_kind: str | None
    phase_then: str


def thuiszitterslijst(
    user: User, scope: Scope, on: datetime.date, today: datetime.date | None = None
) -> "QuerySet[WithAnnotations[Case, ListAnnotations]]":
    """The thuiszitters (broad definition; ``is_narrow`` marks the narrow ones) of ``scope``
    on ``on`` that ``user`` may see, longest at home first. Callers check
    ``scope.personal_data``; the case scoping (consent) still applies row by row, and only
    the reports the user may see decide whether and how a child is on the list."""
    from cases.selectors import cases_visible_to
    from registration.selectors import absence_reports_visible_to

    today = today or timezone.localdate()
    visible = absence_reports_visible_to(user).values("pk")
    rows = (
        cases_visible_to(user)
        .filter(scope.case_q())
        .filter(open_on_q(on))
        .annotate(
            is_broad=broad_on(on, visible),
            is_narrow=narrow_on(on, visible),
            first_kind=_first_kind(on, visible),
            phase_then=phase_on(on, today),
        )
        .filter(is_broad=True)
        .select_related("pupil", "school", "lead_organisation", "lead_user")
        .order_by("clock_start", "pk")
    )
    # The checker infers the annotations as Any; ListAnnotations says what they hold.
    return cast("QuerySet[WithAnnotations[Case, ListAnnotations]]", rows)


def quarterly_reports_visible_to(scopes: list[Scope]) -> "QuerySet[QuarterlyReport]":
    """The quarterly reports of the given scopes (the user's, from ``report_scopes_for``)."""
    from .models import QuarterlyReport

    return QuarterlyReport.objects.filter(organisation_id__in=[s.organisation_id for s in scopes])


# --- What the reports publish ---------------------------------------------------------------


def frozen_figures(
    scope: Scope, quarters: list[Quarter], part: str = "figures"
) -> dict[str, dict[str, Any]]:
    """The frozen figures (``FiguresSnapshot``) of ``scope`` for those of ``quarters`` that
    have them, by ``str(quarter)``: one query. ``part``: a path into them instead (the
    trend reads ``figures__totals``, not whole snapshots)."""
    from .models import FiguresSnapshot

    wanted = {(q.year, q.number): q for q in quarters}
    rows = FiguresSnapshot.objects.filter(
        organisation_id=scope.organisation_id, year__in={year for year, _n in wanted}
    ).values_list("year", "quarter", part)
    return {str(wanted[(y, n)]): data for y, n, data in rows if (y, n) in wanted}


def published_figures(
    scope: Scope, quarter: Quarter, today: datetime.date | None = None
) -> dict[str, Any]:
    """The figures of ``quarter`` as the dashboard, the API and the quarterly report show
    them: an ended quarter that has been frozen as it was frozen (so every report of a
    quarter tells the same), exact for who may see the cases, else suppressed with the
    earlier quarters of the trend as their own reports showed them
    (``reports.suppression.suppressed``)."""
    from .suppression import suppressed_memo

    today = today or timezone.localdate()
    key = published_figures_key(scope, quarter, today)
    if key is not None and (kept := cache.get(key)) is not None:
        return cast(dict[str, Any], kept)
    frozen = frozen_figures(scope, quarter.last(TREND_QUARTERS))
    data = frozen.get(str(quarter)) or figures(
        scope, Period.of_quarter(quarter), today, frozen=frozen
    )
    data = data if scope.personal_data else suppressed_memo(data, frozen)
    if key is not None:
        cache.set(key, data, django_settings.FIGURES_CACHE_SECONDS)
    return data


def published_figures_key(scope: Scope, quarter: Quarter, today: datetime.date) -> str | None:
    """The cache key of the published figures (None: not kept, ``FIGURES_CACHE_SECONDS``
    0). What they depend on besides the data: the scope and whether its viewer sees exact
    counts, the quarter, the day (standing counts are taken today), the language of the
    labels, and the generation token that writes in the scope replace
    (``thuiszitters.changes``), read before counting so a write during it is not missed.
    What is derived from the figures alone may be kept under this key plus a suffix."""
    if not django_settings.FIGURES_CACHE_SECONDS:
        return None
    return ":".join(
        [
            "figures",
            scope.kind,
            str(scope.organisation_id),
            "exact" if scope.personal_data else "suppressed",
            str(quarter),
            today.isoformat(),
            get_language() or "",
            generation(scope.organisation_id),
        ]
    )
