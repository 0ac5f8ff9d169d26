"""The narrow and the broad thuiszitter definitions on a date (DESIGN.md 4.5)."""

import datetime
import random

import pytest

from cases.models import Case, CaseReport
from registration.models import AbsenceKind
from reports.definitions import (
    BROAD_AFTER_FOUR_WEEKS,
    BROAD_AT_ONCE,
    NARROW_AFTER_FOUR_WEEKS,
    NARROW_AT_ONCE,
    DefinitionsOn,
    broad_on,
    narrow_on,
    open_on_q,
    thuiszitter_q,
)

from .conftest import ON, d

pytestmark = pytest.mark.django_db


def test_the_kinds_of_each_definition():
    assert {"unauthorised"} == NARROW_AFTER_FOUR_WEEKS
    assert {"not_enrolled"} == NARROW_AT_ONCE
    assert {
        "unauthorised",
        "sickness",
        "medical_psychological",
        "authorised_other",
        "partial",
    } == BROAD_AFTER_FOUR_WEEKS
    assert {"not_enrolled", "suspension", "exemption"} == BROAD_AT_ONCE
    every = NARROW_AFTER_FOUR_WEEKS | NARROW_AT_ONCE | BROAD_AFTER_FOUR_WEEKS | BROAD_AT_ONCE
    assert set(AbsenceKind.values) - every == {"at_risk"}


@pytest.fixture
def cases(world, build) -> dict[str, Case]:
    """On ON (2026-03-31) four weeks back is 2026-03-03."""
    school = world.school

    def one(kind, started, reported=None, ended=None, opened=None, closed=None, **kwargs):
        reported = reported or started
        report = (kind, started, reported, ended) if ended else (kind, started, reported)
        return build.case(
            school=school,
            born="2014-06-01",
            clock=started,
            opened=opened or f"{reported} 10:00",
            reports=[report],
            closed=closed,
            closed_reason="back_at_school" if closed else "",
            phase="closed" if closed else "school",
            **kwargs,
        )

    c = {}
    c["unauthorised 28 days"] = one("unauthorised", "2026-03-03")
    c["unauthorised 27 days"] = one("unauthorised", "2026-03-04")
    c["sickness 28 days"] = one("sickness", "2026-03-03")
    c["sickness 27 days"] = one("sickness", "2026-03-04")
    c["medical 28 days"] = one("medical_psychological", "2026-03-03")
    c["authorised other 28 days"] = one("authorised_other", "2026-03-03")
    c["partial 28 days"] = one("partial", "2026-03-03")
    c["partial 27 days"] = one("partial", "2026-03-04")
    c["not enrolled today"] = one("not_enrolled", "2026-03-31")
    c["suspension today"] = one("suspension", "2026-03-31")
    c["exemption today"] = one("exemption", "2026-03-31")
    c["at risk a year"] = one("at_risk", "2025-03-01")
    c["ended the day before"] = one("unauthorised", "2026-01-05", ended="2026-03-30")
    c["ended on the date"] = one("unauthorised", "2026-01-05", ended="2026-03-31")
    c["reported the day after"] = one(
        "unauthorised", "2026-01-05", reported="2026-04-01", opened="2026-03-20 10:00"
    )
    c["closed on 03-20"] = one("unauthorised", "2026-01-05", closed="2026-03-20 15:00")
    c["closes at midnight"] = one("unauthorised", "2026-01-05", closed="2026-04-01 00:00")
    c["opened 23:59"] = one("not_enrolled", "2026-03-31", opened="2026-03-31 23:59")
    c["opened the day after"] = one("not_enrolled", "2026-03-31", opened="2026-04-01 00:00")
    both = build.case(
        school=school,
        born="2014-06-01",
        clock="2025-11-01",
        opened="2025-11-03 10:00",
        reports=[
            ("at_risk", "2025-11-01", "2025-11-03"),
            ("unauthorised", "2026-01-05", "2026-01-06"),
        ],
    )
    c["at risk, then unauthorised"] = both
    return c


def named(cases, queryset) -> set[str]:
    by_pk = {case.pk: name for name, case in cases.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


NARROW_ON = {
    "unauthorised 28 days",
    "not enrolled today",
    "ended on the date",
    "closes at midnight",
    "opened 23:59",
    "at risk, then unauthorised",
}
BROAD_ONLY_ON = {
    "sickness 28 days",
    "medical 28 days",
    "authorised other 28 days",
    "partial 28 days",
    "suspension today",
    "exemption today",
}


def test_narrow_on_a_date(cases):
    assert named(cases, Case.objects.filter(thuiszitter_q(ON, "narrow"))) == NARROW_ON


def test_broad_on_a_date(cases):
    assert (
        named(cases, Case.objects.filter(thuiszitter_q(ON, "broad"))) == NARROW_ON | BROAD_ONLY_ON
    )


def test_never_counted_on_the_date(cases):
    counted = named(cases, Case.objects.filter(thuiszitter_q(ON, "broad")))
    assert set(cases) - counted == {
        "unauthorised 27 days",
        "sickness 27 days",
        "partial 27 days",
        "at risk a year",
        "ended the day before",
        "reported the day after",
        "closed on 03-20",
        "opened the day after",
    }


def test_a_closed_case_counts_before_its_close_date_only(cases):
    def counted(day):
        return "closed on 03-20" in named(
            cases, Case.objects.filter(thuiszitter_q(d(day), "narrow"))
        )

    assert counted("2026-03-19")
    assert not counted("2026-03-20")  # closed at 15:00: not open at the end of the day
    assert not counted("2026-03-31")


def test_the_next_day_the_late_report_counts_and_the_four_weeks_are_reached(cases):
    narrow = named(cases, Case.objects.filter(thuiszitter_q(d("2026-04-01"), "narrow")))
    assert "reported the day after" in narrow
    assert "unauthorised 27 days" in narrow
    assert "ended on the date" not in narrow
    assert "closes at midnight" not in narrow
    assert "opened the day after" in narrow
    broad = named(cases, Case.objects.filter(thuiszitter_q(d("2026-04-01"), "broad")))
    assert {"sickness 27 days", "partial 27 days"} <= broad
    assert "at risk a year" not in broad


def test_the_exists_conditions_without_the_open_case_condition(cases):
    by_pk = {case.pk: name for name, case in cases.items()}
    annotated = Case.objects.annotate(narrow=narrow_on(ON), broad=broad_on(ON))
    flags = {by_pk[row.pk]: (row.narrow, row.broad) for row in annotated}
    # A closed case still has its report: only ``open_on_q`` keeps it out.
    assert flags["closed on 03-20"] == (True, True)
    assert flags["sickness 28 days"] == (False, True)
    assert flags["at risk a year"] == (False, False)
    assert named(cases, Case.objects.filter(open_on_q(ON))) == set(cases) - {
        "closed on 03-20",
        "opened the day after",
    }


def test_narrow_counts_only_leerplichtig_and_kwalificatieplichtig_pupils(world, build):
    """On ON (2026-03-31): leerplicht from the 1st of the month after the 5th birthday,
    kwalificatieplicht to the day before the 18th, unless a startkwalificatie ended it."""

    def one(born):
        return build.case(
            school=world.school,
            born=born,
            clock="2026-03-03",
            opened="2026-03-03 10:00",
            reports=[("unauthorised", "2026-03-03", "2026-03-03")],
        )

    c = {
        "4 years old": one("2022-01-10"),
        "5 in February": one("2021-02-15"),
        "5 in March": one("2021-03-10"),
        "17, the day before the 18th": one("2008-04-01"),
        "18 on the date": one("2008-03-31"),
        "17 with a startkwalificatie": one("2009-01-01"),
        "15 with a startkwalificatie": one("2011-01-01"),
    }
    for name in ("17 with a startkwalificatie", "15 with a startkwalificatie"):
        pupil = c[name].pupil
        pupil.startkwalificatie_on = d("2026-01-01")
        pupil.save(update_fields=["startkwalificatie_on"])
    assert named(c, Case.objects.filter(thuiszitter_q(ON, "narrow"))) == {
        "5 in February",
        "17, the day before the 18th",
        "15 with a startkwalificatie",  # still leerplichtig: 16 in this school year or later
    }
    # The broad definition knows no age rule.
    assert named(c, Case.objects.filter(thuiszitter_q(ON, "broad"))) == set(c)


def _python_flags(on):
    """Per case (narrow, broad) by ``DefinitionsOn`` from the reports, as figures() reads them."""
    rules = DefinitionsOn(on)
    flags: dict[int, tuple[bool, bool]] = {}
    for link in CaseReport.objects.select_related("report__pupil"):
        r = link.report
        narrow, broad = flags.get(link.case_id, (False, False))
        flags[link.case_id] = (
            narrow
            or rules.narrow(
                r.kind,
                r.reported_on,
                r.absence_started_on,
                r.absence_ended_on,
                r.pupil.date_of_birth,
                r.pupil.startkwalificatie_on,
            ),
            broad or rules.broad(r.kind, r.reported_on, r.absence_started_on, r.absence_ended_on),
        )
    return flags


def _sql_flags(on):
    annotated = Case.objects.annotate(narrow=narrow_on(on), broad=broad_on(on))
    return {row.pk: (row.narrow, row.broad) for row in annotated}


def test_the_python_form_decides_as_the_database_on_random_cases(world, build):
    """The two forms of the definitions agree for random reports (kinds, starts, reports,
    ends) of random pupils (ages around every boundary, with and without a
    startkwalificatie) on every other day of four months, and on the edge cases above."""
    rng = random.Random(2026)
    kinds = [str(k) for k in AbsenceKind.values]
    base = d("2026-03-31")
    for _ in range(60):
        born = base - datetime.timedelta(days=rng.choice([365 * a for a in (4, 5, 16, 17, 18)]))
        born += datetime.timedelta(days=rng.randint(-70, 70))
        if rng.random() < 0.25:  # around the last leerplichtig birth date of 2025/26
            born = d("2009-08-01") + datetime.timedelta(days=rng.randint(-1, 1))
        reports = []
        for _r in range(rng.randint(1, 3)):
            started = base + datetime.timedelta(days=rng.randint(-90, 20))
            reported = started + datetime.timedelta(days=rng.choice([0, 0, 3, 40]))
            report = (rng.choice(kinds), started.isoformat(), reported.isoformat())
            if rng.random() < 0.3:
                report += ((started + datetime.timedelta(days=rng.randint(0, 60))).isoformat(),)
            reports.append(report)
        first = min(r[1] for r in reports)
        case = build.case(
            school=world.school,
            born=born.isoformat(),
            clock=first,
            opened=f"{first} 10:00",
            reports=reports,
        )
        if rng.random() < 0.4:
            case.pupil.startkwalificatie_on = base + datetime.timedelta(days=rng.randint(-60, 60))
            case.pupil.save(update_fields=["startkwalificatie_on"])
    # And around the leerplicht boundary: born on the last leerplichtig date of 2025/26 and
    # a day either side, each with a startkwalificatie on a day the comparison passes.
    for born in ("2009-07-31", "2009-08-01", "2009-08-02"):
        case = build.case(
            school=world.school,
            born=born,
            clock="2026-01-05",
            opened="2026-01-05 10:00",
            reports=[("unauthorised", "2026-01-05", "2026-01-05")],
        )
        case.pupil.startkwalificatie_on = d("2026-03-01")
        case.pupil.save(update_fields=["startkwalificatie_on"])
    seen = set()
    for offset in range(-70, 60, 2):
        on = base + datetime.timedelta(days=offset)
        python, sql = _python_flags(on), _sql_flags(on)
        assert python == sql, on
        seen |= set(python.values())
    # The data reached every combination that can occur (narrow implies broad).
    assert seen == {(False, False), (False, True), (True, True)}


def test_the_python_form_decides_as_the_database_on_the_edge_cases(cases):
    for offset in range(-35, 35):
        on = ON + datetime.timedelta(days=offset)
        assert _python_flags(on) == _sql_flags(on), on
