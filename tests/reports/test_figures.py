"""Every aggregate of ``figures()`` on the fixed dataset of ``conftest.py``, against numbers
worked out by hand from its table (each expectation says which cases it counts).

ON is 2026-03-31 (the end of 2026-Q1), TODAY 2026-04-15. On ON the open cases of SWV A are
A01-A13, A15 and A18 (15): A14 closed on 03-20, A15 closes at 04-01 00:00 (after ON's end),
A16 closed in 2025, A17 opens at 04-01 00:00. Of those, narrow (unauthorised started on or
before 03-03, or not enrolled, of a pupil under 18): A01 A03 A07 A09 A10 A15 (6; A08 turns
18 on ON, A07 on 04-01); broad adds A08, the suspension A04, the exemption A05, the sickness
A06 and the partial A12 (11).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from escalation.services.policy import policy_version_create
from registration.services.corrections import pupil_correct
from reports.periods import Quarter, end_of_day, start_of_day
from reports.scopes import Scope
from reports.selectors import (
    FIGURES_QUERIES,
    Period,
    figures,
    past_three_months_q,
    targets_version,
    three_months_cutoff,
    trend,
)
from thuiszitters.roles import RoleCode

from ..factories.users import SETUP
from .conftest import ON, TODAY, d, local, travel

pytestmark = pytest.mark.django_db

Q1 = Quarter(2026, 1)
Q2 = Quarter(2026, 2)
DEFAULT_TARGETS = {
    "target_first_contact_days": 7,
    "target_first_contact_percent": 80,
    "target_goals_days": 30,
    "target_goals_percent": 90,
    "target_offer_months": 3,
    "target_offer_percent": 80,
    "target_first_conversation_days": 14,
    "target_first_conversation_percent": 100,
}


def swv_scope(world) -> Scope:
    return Scope("swv", world.swv.pk, world.swv.name, world.region.pk, sector="po")


def municipality_scope(world) -> Scope:
    return Scope("municipality", world.m1.pk, world.m1.name, world.region.pk)


def of(scope, quarter=Q1, today=TODAY) -> dict:
    return figures(scope, Period.of_quarter(quarter), today)


def rows(data: dict, dimension: str) -> list[tuple]:
    found = data["breakdowns"][dimension]
    for row in found:
        assert set(row) == {"key", "open", "broad", "narrow"}, row
    return [(r["key"], r["open"], r["broad"], r["narrow"]) for r in found]


def names(dataset, queryset) -> set[str]:
    by_pk = {case.pk: name for name, case in dataset.cases.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


# --- Totals -----------------------------------------------------------------------------------


def test_totals_of_a_past_quarter_are_taken_on_its_last_day(dataset):
    data = of(swv_scope(dataset.world))
    assert data["period"] == {
        "start": "2026-01-01",
        "end": "2026-03-31",
        "label": "Q1 2026",
        "on": "2026-03-31",
    }
    assert data["scope"] == {
        "kind": "swv",
        "organisation_id": dataset.world.swv.pk,
        "name": "SWV PO A",
    }
    assert data["totals"] == {
        "open": 15,
        "broad": 11,
        "narrow": 6,  # not A08: 18 on ON
        # Opened from 01-01 00:00 up to 03-31 23:59: A01-A08 without A09, A10, A11 (2025),
        # i.e. A01 A02 A03 A04 A05 A06 A07 A08 A12 A13 A14 A15 A18.
        "new": 13,
        # A14 (03-20 15:00); A15 closes at 04-01 00:00, A16 on 2025-12-31 23:30.
        "closed": 1,
        # Clock on or before 2025-12-31 (three_months_cutoff), no offer started by ON:
        # A07 (clock 12-31, the boundary), A09 (offer on 04-05, after ON), A11 (at risk).
        # Not A08 (clock 01-01), not A10 (offer started on ON itself).
        "past_three_months": 3,
        "past_three_months_broad": 2,
        "past_three_months_narrow": 2,
    }


def test_totals_of_the_running_quarter_are_taken_today(dataset):
    data = of(swv_scope(dataset.world), Q2)
    assert data["period"]["on"] == "2026-04-15"
    assert data["totals"] == {
        # A15 closed, A17 opened: A01-A13, A17, A18.
        "open": 15,
        # On 04-15 the four weeks reach back to 03-18: A02 (03-04) and A17 (03-10) now
        # count, A13 counts broad by its sickness report made on 04-02.
        "broad": 13,
        "narrow": 6,  # not A07 and A08: 18 by now
        "new": 1,  # A17 at 04-01 00:00
        "closed": 1,  # A15 at 04-01 00:00
        # Cutoff 01-15: A06 A07 A08 A11 A13; A09 and A10 have an offer by now.
        "past_three_months": 5,
        "past_three_months_broad": 4,
        "past_three_months_narrow": 0,  # A07 and A08 are 18
    }


def test_the_quarter_a_case_is_new_in_goes_by_local_time(dataset):
    scope = swv_scope(dataset.world)
    # 2025-Q4: A09 (10-01) and A11 (12-31 23:59); 2026-Q1 starts with A07 at 01-01 00:00 and
    # ends with A18 at 03-31 23:59; 2026-Q2 starts with A17 at 04-01 00:00.
    assert of(scope, Quarter(2025, 4))["totals"] == {
        "open": 3,  # A09 A10 A11 on 12-31; A16 closed at 23:30 that day
        "broad": 2,
        "narrow": 2,
        "new": 2,
        "closed": 1,
        "past_three_months": 3,  # cutoff 2025-09-30: A09 (09-29), A10, A11 (09-30)
        "past_three_months_broad": 2,
        "past_three_months_narrow": 2,
    }
    assert of(scope, Q1)["totals"]["new"] == 13
    assert of(scope, Q2)["totals"]["new"] == 1
    # The same instants, straight on the column: 23:59 and 00:00 local, not UTC.
    q1_new = Case.objects.filter(
        swv=dataset.world.swv,
        opened_at__gte=start_of_day(Q1.start),
        opened_at__lt=end_of_day(Q1.end),
    )
    assert {"A07", "A18"} <= names(dataset, q1_new)
    assert not {"A11", "A17"} & names(dataset, q1_new)


def test_three_months_cutoff_is_the_last_clock_start_that_reached_three_months():
    assert three_months_cutoff(d("2026-03-31")) == d("2025-12-31")
    assert three_months_cutoff(d("2026-04-15")) == d("2026-01-15")
    assert three_months_cutoff(d("2025-12-31")) == d("2025-09-30")
    # 03-31 + 3 months is 06-30, so on 06-30 both 03-30 and 03-31 have reached it.
    assert three_months_cutoff(d("2025-06-30")) == d("2025-03-31")
    # 02-28 + 3 months is 05-28 and 03-01 + 3 months is 06-01: nobody new on 05-29..31.
    assert three_months_cutoff(d("2026-05-28")) == d("2026-02-28")
    assert three_months_cutoff(d("2026-05-31")) == d("2026-02-28")
    assert three_months_cutoff(d("2026-06-01")) == d("2026-03-01")


def test_past_three_months_counts_the_boundary_day_and_an_offer_after_the_date(dataset):
    cases = Case.objects.filter(swv=dataset.world.swv)
    assert names(dataset, cases.filter(past_three_months_q(ON))) == {"A07", "A09", "A11"}
    assert names(dataset, cases.filter(past_three_months_q(d("2026-04-15")))) == {
        "A06",
        "A07",
        "A08",
        "A11",
        "A13",
    }


# --- Breakdowns -------------------------------------------------------------------------------


def test_phase_on_a_past_date_comes_from_the_journal(dataset):
    assert rows(of(swv_scope(dataset.world)), "phase") == [
        # A01 A02 A03 A04 A12 A18 (no journal, phase school) and A08 (its first change,
        # on 04-02, left "school").
        ("school", 7, 5, 2),
        # A05 A11 A13 (column), A07 (changed 01-29; the change at 04-01 00:00 is after ON),
        # A15 (changed 03-20; closed at 04-01 00:00).
        ("casusregisseur", 5, 3, 2),
        ("doorbraak_assessment", 1, 1, 0),  # A06: changed at 03-31 23:59, again on 04-10
        ("doorbraakteam", 1, 1, 1),  # A09
        ("om_referral", 1, 1, 1),  # A10
    ]


def test_phase_today_is_the_phase_column(dataset):
    assert rows(of(swv_scope(dataset.world), Q2), "phase") == [
        ("school", 7, 6, 4),  # A01 A02 A03 A04 A12 A17 A18
        ("casusregisseur", 4, 3, 0),  # A05 A08 A11 A13
        ("doorbraak_assessment", 1, 1, 0),  # A07
        ("doorbraakteam", 2, 2, 1),  # A06 A09
        ("om_referral", 1, 1, 1),  # A10
    ]


def test_kind_is_that_of_the_first_report_made_by_the_date(dataset):
    assert rows(of(swv_scope(dataset.world)), "kind") == [
        ("at_risk", 1, 0, 0),  # A11
        ("exemption", 1, 1, 0),  # A05
        ("not_enrolled", 1, 1, 1),  # A03
        ("partial", 1, 1, 0),  # A12
        ("sickness", 1, 1, 0),  # A06
        ("suspension", 1, 1, 0),  # A04
        # A01 A02 A07 A08 A09 A10 A13 A15 A18; A08's earlier at-risk report came on 04-03.
        ("unauthorised", 9, 6, 5),
    ]
    # On 04-15 A08's first report (by the start of the absence) is the at-risk one.
    assert rows(of(swv_scope(dataset.world), Q2), "kind") == [
        ("at_risk", 2, 1, 0),  # A08 A11
        ("exemption", 1, 1, 0),
        ("not_enrolled", 1, 1, 1),
        ("partial", 1, 1, 0),
        ("sickness", 1, 1, 0),
        ("suspension", 1, 1, 0),
        ("unauthorised", 8, 7, 5),  # A01 A02 A07 A09 A10 A13 A17 A18
    ]


def test_sector_of_the_school_and_no_school(dataset):
    assert rows(of(swv_scope(dataset.world)), "sector") == [
        ("po", 12, 8, 5),  # schools A1 and A2
        ("sbo", 1, 1, 0),  # A04
        ("so", 1, 1, 0),  # A05
        ("none", 1, 1, 1),  # A03, not enrolled (last on every database)
    ]


def test_age_groups_turn_on_the_birthday(dataset):
    assert rows(of(swv_scope(dataset.world)), "age_group") == [
        ("4-5", 1, 0, 0),  # A02, six tomorrow
        # A01, A03 (six on ON), A05 (twelve tomorrow), A11 A12 A13 A15 A18
        ("6-11", 8, 5, 3),
        ("12-15", 3, 3, 2),  # A04 (twelve on ON), A09, A10
        ("16-17", 2, 2, 1),  # A06 (sixteen on ON), A07 (eighteen tomorrow)
        ("18+", 1, 1, 0),  # A08, eighteen on ON: no longer kwalificatieplichtig
    ]


def test_causes_count_a_case_under_each_of_its_causes_and_none(dataset):
    assert rows(of(swv_scope(dataset.world)), "cause") == [
        ("psychological", 2, 2, 1),  # A06 A09
        ("physical", 1, 1, 0),  # A05
        ("school_anxiety", 2, 2, 1),  # A01 A06
        ("behaviour", 1, 1, 0),  # A04
        ("learning", 1, 0, 0),  # A11
        ("no_fitting_school", 1, 1, 1),  # A03
        ("home_situation", 1, 1, 1),  # A10
        ("bullying", 2, 2, 2),  # A10 A15
        ("suspension", 1, 1, 0),  # A04
        ("other", 2, 1, 1),  # A07 A13
        ("none", 4, 2, 0),  # A02 A08 A12 A18
    ]


def test_daytime_activity_and_waiting_list(dataset):
    data = of(swv_scope(dataset.world))
    assert rows(data, "daytime_activity") == [
        ("at_home", 4, 4, 3),  # A01 A03 A04 A07
        ("care", 2, 2, 0),  # A05 A06
        ("daytime_programme", 1, 1, 1),  # A09
        ("other", 1, 0, 0),  # A11
        ("partial_school", 2, 2, 1),  # A10 A12
        ("unknown", 5, 2, 1),  # A02 A08 A13 A15 A18
    ]
    assert rows(data, "waiting_list") == [
        ("none", 9, 6, 5),  # A01 A02 A03 A07 A08 A10 A13 A15 A18
        ("diagnostics", 1, 0, 0),  # A11
        ("mental_health", 2, 2, 1),  # A06 A09
        ("other", 1, 1, 0),  # A12
        ("special_education", 1, 1, 0),  # A04
        ("youth_care", 1, 1, 0),  # A05
    ]


def test_duration_buckets_at_their_boundaries(dataset):
    assert rows(of(swv_scope(dataset.world)), "duration") == [
        ("lt4w", 4, 2, 1),  # A02 (27 days), A03, A04, A18 (0 days)
        ("4-8w", 3, 3, 2),  # A01 (28 days), A12 (55), A15 (39)
        ("8-12w", 2, 1, 0),  # A05 (56), A13 (83)
        ("3-6m", 4, 3, 1),  # A06 (84), A07 (90), A08 (89), A11 (182)
        ("6-12m", 1, 1, 1),  # A09 (183)
        ("gt1y", 1, 1, 1),  # A10 (365)
    ]


def test_schools_by_size_then_name(dataset):
    world = dataset.world
    found = of(swv_scope(world))["breakdowns"]["school"]
    assert [(r["key"], r["label"], r["open"], r["broad"], r["narrow"]) for r in found] == [
        (str(world.school.pk), "School A1", 10, 6, 4),
        (str(world.school2.pk), "School A2", 2, 2, 1),  # A08 A09
        ("none", "Geen school", 1, 1, 1),
        (str(dataset.sbo.pk), "SBO De Brug", 1, 1, 0),
        (str(dataset.so.pk), "SO De Horizon", 1, 1, 0),
    ]


def test_breakdowns_add_up_to_the_totals(dataset):
    for quarter in (Quarter(2025, 4), Q1, Q2):
        data = of(swv_scope(dataset.world), quarter)
        for dimension, found in data["breakdowns"].items():
            if dimension == "cause":
                continue
            for column in ("open", "broad", "narrow"):
                assert sum(r[column] for r in found) == data["totals"][column], (
                    quarter,
                    dimension,
                    column,
                )


# --- Escalations ------------------------------------------------------------------------------


def test_escalations_by_step_on_time_late_and_triggers(dataset):
    assert of(swv_scope(dataset.world))["escalations"] == [
        # A05 (person, not timed), A06 (timer, due 02-03, at 23:30 that day: on time),
        # A07 (timer, due 01-28, at 00:30 on 01-29: late), A14 (timer, due 02-10, at 00:30
        # that day: on time), A15 (person, due 03-20, that day: on time). Not A13 (skipped),
        # A11 (in Q2), B1 and B3 (other SWVs).
        {
            "key": "casusregisseur",
            "total": 5,
            "by_timer": 3,
            "by_person": 2,
            "by_assessment": 0,
            "timed": 4,
            "on_time": 3,
            "late": 1,
        },
        # A06, due 03-31, at 23:59 that day.
        {
            "key": "doorbraak_assessment",
            "total": 1,
            "by_timer": 1,
            "by_person": 0,
            "by_assessment": 0,
            "timed": 1,
            "on_time": 1,
            "late": 0,
        },
        # A10 after the assessment (A09's doorbraakteam was in 2025, A06's is in Q2).
        {
            "key": "doorbraakteam",
            "total": 1,
            "by_timer": 0,
            "by_person": 0,
            "by_assessment": 1,
            "timed": 0,
            "on_time": 0,
            "late": 0,
        },
        {
            "key": "om_referral",
            "total": 1,
            "by_timer": 0,
            "by_person": 1,
            "by_assessment": 0,
            "timed": 0,
            "on_time": 0,
            "late": 0,
        },
    ]
    assert of(swv_scope(dataset.world), Q2)["escalations"] == [
        # A11: due 2025-12-30, at 2026-04-01 00:00.
        {
            "key": "casusregisseur",
            "total": 1,
            "by_timer": 1,
            "by_person": 0,
            "by_assessment": 0,
            "timed": 1,
            "on_time": 0,
            "late": 1,
        },
        {
            "key": "doorbraakteam",
            "total": 1,
            "by_timer": 0,
            "by_person": 0,
            "by_assessment": 1,
            "timed": 0,
            "on_time": 0,
            "late": 0,
        },
    ]


# --- Targets ----------------------------------------------------------------------------------


def target(code, within, goal, met, missed, percent, achieved) -> dict:
    return {
        "code": code,
        "within": within,
        "target_percent": goal,
        "met": met,
        "missed": missed,
        "measured": met + missed,
        "percent": percent,
        "achieved": achieved,
    }


def test_targets_with_the_pacts_defaults(dataset):
    found = of(swv_scope(dataset.world))["targets"]
    assert [t["label"] for t in found] == [
        "Eerste contact binnen 7 dagen",
        "Doelen gesteld binnen 30 dagen",
        "Niet langer dan 3 maanden thuis zonder passend aanbod",
        "Eerste gesprek met ouders binnen 14 dagen",
    ]
    assert [{k: v for k, v in t.items() if k != "label"} for t in found] == [
        # Cohort: the 13 cases opened in Q1. Met: A01 (a conversation at exactly 7 days),
        # A03 and A05 (a meeting on the 7th day), A07 (exactly 7 days), A08, A12 (meeting
        # held), A14, A15. Missed: A02 (7 days and a minute), A06 (meeting on the 8th day),
        # A13 (a note is no contact). Pending: A04, A18 (their week runs past ON).
        # 8 of 11 = 72.7%.
        target("first_contact", 7, 80, 8, 3, 73, False),
        # Met: A05 (exactly 30 days), A07 A13 A14 A15. Missed: A06 (30 days and a minute),
        # A08, A12. Pending: A01 (goal after ON), A02 A03 A04 A18. 5 of 8 = 62.5% -> 63.
        target("goals", 30, 90, 5, 3, 63, False),
        # Standing on ON: 15 open, 3 of them past three months without offer; 12 of 15 is
        # exactly 80%, which meets 80%.
        target("offer", 3, 80, 12, 3, 80, True),
        # Met (a meeting with the parents by day 14): A01 (day 14), A03 A05 A06 A14. Missed:
        # A02, A07 (day 15), A08, A12 (parents not present), A13, A15. Pending: A04, A18.
        target("first_conversation", 14, 100, 5, 6, 45, False),
    ]


def test_an_swv_reports_against_the_targets_of_its_convenant_in_force(dataset):
    world = dataset.world
    scope = swv_scope(world)
    with travel("2026-01-01 00:00"):
        policy_version_create(
            swv=world.swv,
            actor=SETUP,
            target_first_contact_days=8,
            target_first_contact_percent=91,
            target_goals_days=31,
            target_goals_percent=75,
            target_offer_months=2,
            target_offer_percent=60,
            target_first_conversation_days=15,
            target_first_conversation_percent=50,
        )
    with travel("2026-04-10 09:00"):
        policy_version_create(
            swv=world.swv,
            actor=SETUP,
            reason="Nieuwe afspraken",
            target_first_contact_days=5,
            target_goals_days=20,
        )
    # Version 1 holds from 2026-01-01 00:00: not yet at the end of 2025-12-31.
    assert targets_version(scope, d("2025-12-31")) == DEFAULT_TARGETS
    assert targets_version(scope, d("2026-01-01"))["target_first_contact_days"] == 8
    assert targets_version(scope, d("2026-04-09"))["target_first_contact_days"] == 8
    assert targets_version(scope, d("2026-04-10"))["target_first_contact_days"] == 5

    found = of(scope)["targets"]
    assert [t["label"] for t in found] == [
        "Eerste contact binnen 8 dagen",
        "Doelen gesteld binnen 31 dagen",
        "Niet langer dan 2 maanden thuis zonder passend aanbod",
        "Eerste gesprek met ouders binnen 15 dagen",
    ]
    assert [{k: v for k, v in t.items() if k != "label"} for t in found] == [
        # Now also A02 (7 days and a minute) and A06 (meeting on day 8): 10 of 11 = 90.9%,
        # shown as 91% but short of a 91% target.
        target("first_contact", 8, 91, 10, 1, 91, False),
        # Now also A06 (30 days and a minute); A08 (31 days and an hour) still missed.
        target("goals", 31, 75, 6, 2, 75, True),
        # Two months on ON: clock on or before 01-31 without offer: A06 A07 A08 A09 A11 A13.
        target("offer", 2, 60, 9, 6, 60, True),
        # Now also A07 (meeting on day 15): 6 of 11.
        target("first_conversation", 15, 50, 6, 5, 55, True),
    ]
    # The running quarter reads version 2.
    assert [t["within"] for t in of(scope, Q2)["targets"]] == [5, 20, 3, 14]


def test_a_municipality_reports_against_the_defaults_and_counts_its_own_cases(dataset):
    world = dataset.world
    with travel("2026-01-01 00:00"):
        policy_version_create(swv=world.swv, actor=SETUP, target_first_contact_days=8)
    scope = municipality_scope(world)
    assert targets_version(scope, ON) == DEFAULT_TARGETS
    data = of(scope)
    # m1: SWV A's cases without A08 and A09 (school A2 is in m2), with B3 (SWV VO A).
    assert data["totals"] == {
        "open": 14,
        "broad": 10,
        "narrow": 6,
        "new": 13,
        "closed": 1,
        "past_three_months": 2,  # A07 A11
        "past_three_months_broad": 1,
        "past_three_months_narrow": 1,
    }
    assert [{k: v for k, v in t.items() if k != "label"} for t in data["targets"]] == [
        # Without A08; B3 (opened 02-02, no contact) missed.
        target("first_contact", 7, 80, 7, 4, 64, False),
        # Without A08's miss; B3 missed.
        target("goals", 30, 90, 5, 3, 63, False),
        target("offer", 3, 80, 12, 2, 86, True),
        # Without A08's miss; B3 missed.
        target("first_conversation", 14, 100, 5, 6, 45, False),
    ]
    assert rows(data, "sector") == [
        ("po", 10, 6, 4),
        ("sbo", 1, 1, 0),
        ("so", 1, 1, 0),
        ("vo", 1, 1, 1),  # B3
        ("none", 1, 1, 1),
    ]
    # B3's escalation counts here, B1's never.
    assert [(e["key"], e["total"]) for e in data["escalations"]] == [
        ("casusregisseur", 6),  # A05 A06 A07 A14 A15 and B3
        ("doorbraak_assessment", 1),
        ("doorbraakteam", 1),
        ("om_referral", 1),
    ]


def test_a_region_counts_the_cases_of_its_municipalities(dataset):
    world = dataset.world
    region = Scope("region", world.region.pk, world.region.name, world.region.pk)
    totals = of(region)["totals"]
    # SWV A's 15 and B3; B1 and B2 are in region B.
    assert (totals["open"], totals["broad"], totals["narrow"]) == (16, 12, 7)
    assert targets_version(region, ON) == DEFAULT_TARGETS


def test_no_cohort_no_percentage(world):
    data = of(swv_scope(world))
    assert data["totals"]["open"] == 0
    for found in data["targets"]:
        assert (found["measured"], found["percent"], found["achieved"]) == (0, None, None)
    assert all(found == [] for found in data["breakdowns"].values())
    assert data["escalations"] == []


# --- Trend ------------------------------------------------------------------------------------


def quarter_row(quarter, on, new, open_, broad, narrow, past):
    q = Quarter.parse(quarter)
    return {
        "quarter": quarter,
        "label": q.label,
        "on": on,
        "new": new,
        "open": open_,
        "broad": broad,
        "narrow": narrow,
        "past_three_months": past,
    }


def test_trend_covers_eight_quarters_each_counted_on_its_last_day(dataset):
    assert of(swv_scope(dataset.world))["trend"] == [
        quarter_row("2024-Q2", "2024-06-30", 0, 0, 0, 0, 0),
        quarter_row("2024-Q3", "2024-09-30", 0, 0, 0, 0, 0),
        quarter_row("2024-Q4", "2024-12-31", 0, 0, 0, 0, 0),
        quarter_row("2025-Q1", "2025-03-31", 0, 0, 0, 0, 0),
        # A10 (clock 03-31 reached three months on 06-30).
        quarter_row("2025-Q2", "2025-06-30", 1, 1, 1, 1, 1),
        # A16 opened; A10 and A16 (clock 06-30) past three months on 09-30.
        quarter_row("2025-Q3", "2025-09-30", 1, 2, 2, 2, 2),
        # A09 and A11 opened; A16 closed at 23:30 on 12-31; A11 is at risk only.
        quarter_row("2025-Q4", "2025-12-31", 2, 3, 2, 2, 3),
        quarter_row("2026-Q1", "2026-03-31", 13, 15, 11, 6, 3),
    ]


def test_trend_of_the_running_quarter_counts_today_and_skips_the_future(dataset):
    scope = swv_scope(dataset.world)
    running = quarter_row("2026-Q2", "2026-04-15", 1, 15, 13, 6, 5)
    assert of(scope, Q2)["trend"][-1] == running
    assert len(of(scope, Q2)["trend"]) == 8
    found = trend(scope, Quarter(2026, 4), TODAY)
    # 2025-Q1 .. 2026-Q4 without 2026-Q3 and 2026-Q4, which have not started.
    assert [row["quarter"] for row in found] == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
    ]
    assert found[-1] == running
    assert found[-2] == quarter_row("2026-Q1", "2026-03-31", 13, 15, 11, 6, 3)
    assert trend(scope, Q1, d("2023-12-31")) == []


# --- Periods ----------------------------------------------------------------------------------


def test_quarter_of_a_date_and_its_days():
    assert Quarter.of(d("2026-03-31")) == Quarter(2026, 1)
    assert Quarter.of(d("2026-04-01")) == Quarter(2026, 2)
    assert Quarter.of(d("2025-12-31")) == Quarter(2025, 4)
    assert Quarter.of(d("2026-01-01")) == Quarter(2026, 1)
    assert (Quarter(2026, 1).start, Quarter(2026, 1).end) == (d("2026-01-01"), d("2026-03-31"))
    assert (Quarter(2026, 2).start, Quarter(2026, 2).end) == (d("2026-04-01"), d("2026-06-30"))
    assert (Quarter(2026, 3).start, Quarter(2026, 3).end) == (d("2026-07-01"), d("2026-09-30"))
    assert (Quarter(2025, 4).start, Quarter(2025, 4).end) == (d("2025-10-01"), d("2025-12-31"))
    assert (str(Quarter(2026, 3)), Quarter(2026, 3).label) == ("2026-Q3", "Q3 2026")
    assert Quarter(2025, 4) < Quarter(2026, 1) < Quarter(2026, 2)


def test_quarter_parse():
    assert Quarter.parse("2026-Q3") == Quarter(2026, 3)
    assert Quarter.parse(" 2026-q1 ") == Quarter(2026, 1)
    assert Quarter.parse("2026Q4") == Quarter(2026, 4)
    for bad in ("2026-Q5", "2026-Q0", "26-Q1", "Q1 2026", "", None, "2026-Q1x"):
        with pytest.raises(ValueError):
            Quarter.parse(bad)


def test_quarter_next_previous_and_last_across_year_ends():
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2026, 2).previous() == Quarter(2026, 1)
    assert Quarter(2026, 3).next() == Quarter(2026, 4)
    assert [str(q) for q in Quarter(2026, 1).last(8)] == [
        "2024-Q2",
        "2024-Q3",
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
    ]
    assert Quarter(2026, 1).last(1) == [Quarter(2026, 1)]


def test_day_boundaries_are_local_midnights():
    assert start_of_day(d("2026-03-31")) == local("2026-03-31 00:00")
    assert end_of_day(d("2026-03-31")) == local("2026-04-01 00:00")
    # The last Sunday of March has 23 hours in Amsterdam.
    utc = datetime.UTC
    day = d("2026-03-29")
    hours = end_of_day(day).astimezone(utc) - start_of_day(day).astimezone(utc)
    assert hours == datetime.timedelta(hours=23)
    assert start_of_day(d("2026-03-31")).utcoffset() == datetime.timedelta(hours=2)
    assert start_of_day(d("2026-01-01")).utcoffset() == datetime.timedelta(hours=1)


def test_a_period_counts_standing_figures_on_its_end_or_today():
    period = Period.of_quarter(Q2)
    assert (period.start, period.end, period.label) == (d("2026-04-01"), d("2026-06-30"), "Q2 2026")
    assert period.on(TODAY) == TODAY
    assert period.on(d("2026-08-01")) == d("2026-06-30")


# --- Query count ------------------------------------------------------------------------------


def _busy_case(build, world, n: int):
    school = world.school if n % 2 else world.school2
    case = build.case(
        school=school,
        born=f"{2010 + n % 8}-0{1 + n % 9}-15",
        clock=f"2026-01-{1 + n:02d}",
        opened=f"2026-01-{2 + n:02d} 10:00",
        reports=[
            (
                "unauthorised" if n % 3 else "sickness",
                f"2026-01-{1 + n:02d}",
                f"2026-01-{2 + n:02d}",
            )
        ],
        phase="casusregisseur",
        causes=["psychological", "other"][: n % 3],
        daytime="at_home",
        waiting="youth_care" if n % 2 else "",
    )
    build.event(case, f"2026-01-{3 + n:02d} 10:00", "conversation")
    build.phase_change(case, f"2026-01-{3 + n:02d} 11:00", "school", "casusregisseur")
    build.meeting(case, f"2026-01-{4 + n:02d}")
    build.goal(case, f"2026-01-{5 + n:02d} 10:00")
    build.escalation(
        case, "casusregisseur", "timer", f"2026-01-{3 + n:02d} 11:00", due=f"2026-01-{3 + n:02d}"
    )
    return case


def _queries(scope) -> int:
    with CaptureQueriesContext(connection) as captured:
        of(scope)
    return len(captured.captured_queries)


def test_figures_runs_a_fixed_number_of_queries(world, build):
    for n in range(2):
        _busy_case(build, world, n)
    few = {"swv": _queries(swv_scope(world)), "m": _queries(municipality_scope(world))}
    for n in range(2, 20):
        _busy_case(build, world, n)
    assert of(swv_scope(world))["totals"]["open"] == 20
    many = {"swv": _queries(swv_scope(world)), "m": _queries(municipality_scope(world))}
    assert few == many == {"swv": FIGURES_QUERIES["swv"], "m": FIGURES_QUERIES["municipality"]}


def test_a_startkwalificatie_ends_the_narrow_count_of_a_seventeen_year_old(
    world, build, user_with_role
):
    """The pupil's dates reach the narrow definition through ``figures()``: two 17-year-olds
    at home without leave since January; one's startkwalificatie (before ON) is recorded
    afterwards, as a correction, which the case's copy of the dates follows (ADR 0024)."""
    cases = [
        build.case(
            school=world.school,
            born="2008-09-01",
            clock="2026-01-05",
            opened="2026-01-05 10:00",
            reports=[("unauthorised", "2026-01-05", "2026-01-05")],
        )
        for _ in range(2)
    ]
    data = of(swv_scope(world))
    assert (data["totals"]["open"], data["totals"]["broad"], data["totals"]["narrow"]) == (2, 2, 2)
    pupil_correct(
        pupil=cases[0].pupil,
        actor=user_with_role(RoleCode.PRIVACY_OFFICER),
        fields={"startkwalificatie_on": d("2026-01-15")},
        reason="Diploma ontvangen",
    )
    data = of(swv_scope(world))
    assert (data["totals"]["open"], data["totals"]["broad"], data["totals"]["narrow"]) == (2, 2, 1)
    assert rows(data, "age_group") == [("16-17", 2, 2, 1)]
