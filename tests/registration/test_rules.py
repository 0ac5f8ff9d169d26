"""The pure rules of registration at their boundaries (no database)."""

import datetime
from decimal import Decimal

import pytest

from registration.models import EarlyWarningSettings
from registration.rules import (
    CompulsoryEducation,
    ReportFacts,
    SignalCode,
    Thresholds,
    age_on,
    compulsory_education_on,
    compulsory_education_period,
    consent_parties_required,
    consent_state,
    early_warning_signals,
    school_days_between,
)

D = datetime.date
TODAY = D(2026, 3, 18)  # a Wednesday
SHARE = "share_with_leerplicht"


# --- age ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "age"),
    [(D(2020, 5, 14), 9), (D(2020, 5, 15), 10), (D(2020, 5, 16), 10), (D(2021, 5, 14), 10)],
)
def test_age_changes_on_the_birthday(day, age):
    assert age_on(D(2010, 5, 15), day) == age


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (D(2022, 2, 28), 9),  # common year: not yet on 28 February
        (D(2022, 3, 1), 10),  # ... but on 1 March
        (D(2024, 2, 28), 11),
        (D(2024, 2, 29), 12),  # leap year: on the day itself
    ],
)
def test_age_of_someone_born_on_29_february(day, age):
    assert age_on(D(2012, 2, 29), day) == age


# --- compulsory education ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "leerplicht_from"),
    [
        (D(2020, 3, 1), D(2025, 4, 1)),  # 5 on the 1st: the month after, not the same day
        (D(2020, 3, 31), D(2025, 4, 1)),  # 5 on the 31st: the next day
        (D(2020, 1, 31), D(2025, 2, 1)),
        (D(2020, 12, 31), D(2026, 1, 1)),  # across the turn of the year
        (D(2020, 2, 29), D(2025, 4, 1)),  # 5th birthday counted as 1 March 2025
    ],
)
def test_leerplicht_starts_the_first_day_of_the_month_after_the_fifth_birthday(
    birth, leerplicht_from
):
    assert compulsory_education_period(birth).leerplicht_from == leerplicht_from
    day_before = leerplicht_from - datetime.timedelta(days=1)
    assert compulsory_education_on(birth, day_before) == CompulsoryEducation.NOT_YET
    assert compulsory_education_on(birth, leerplicht_from) == CompulsoryEducation.LEERPLICHTIG


@pytest.mark.parametrize(
    ("birth", "until"),
    [
        (D(2010, 7, 31), D(2026, 7, 31)),  # 16 on the last day of the school year: that one
        (D(2010, 8, 1), D(2027, 7, 31)),  # 16 on the first day of a school year: its end
        (D(2010, 1, 15), D(2026, 7, 31)),
        (D(2010, 12, 31), D(2027, 7, 31)),
    ],
)
def test_leerplicht_ends_31_july_of_the_school_year_in_which_the_pupil_turns_16(birth, until):
    assert compulsory_education_period(birth).leerplicht_until == until
    assert compulsory_education_on(birth, until) == CompulsoryEducation.LEERPLICHTIG
    assert (
        compulsory_education_on(birth, until + datetime.timedelta(days=1))
        == CompulsoryEducation.KWALIFICATIEPLICHTIG
    )


def test_kwalificatieplicht_lasts_until_the_day_before_the_18th_birthday():
    birth = D(2010, 8, 1)
    assert compulsory_education_period(birth).kwalificatieplicht_until == D(2028, 7, 31)
    assert (
        compulsory_education_on(birth, D(2028, 7, 31)) == CompulsoryEducation.KWALIFICATIEPLICHTIG
    )
    assert compulsory_education_on(birth, D(2028, 8, 1)) == CompulsoryEducation.ENDED


def test_kwalificatieplicht_of_someone_born_on_29_february():
    # The 18th birthday falls in a common year and counts as 1 March.
    assert compulsory_education_period(D(2008, 2, 29)).kwalificatieplicht_until == D(2026, 2, 28)


def test_a_startkwalificatie_ends_kwalificatieplicht_from_that_day():
    birth, diploma = D(2010, 8, 1), D(2027, 10, 1)
    day_before = D(2027, 9, 30)
    assert (
        compulsory_education_on(birth, day_before, startkwalificatie_on=diploma)
        == CompulsoryEducation.KWALIFICATIEPLICHTIG
    )
    assert (
        compulsory_education_on(birth, diploma, startkwalificatie_on=diploma)
        == CompulsoryEducation.ENDED
    )


def test_a_startkwalificatie_does_not_end_leerplicht():
    birth = D(2010, 8, 1)
    assert (
        compulsory_education_on(birth, D(2027, 6, 1), startkwalificatie_on=D(2027, 5, 1))
        == CompulsoryEducation.LEERPLICHTIG
    )


# --- consent -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "parties"),
    [
        (4, {"parents"}),
        (11, {"parents"}),
        (12, {"parents", "pupil"}),
        (15, {"parents", "pupil"}),
        (16, {"pupil"}),
        (18, {"pupil"}),
    ],
)
def test_whose_consent_follows_the_age(age, parties):
    assert consent_parties_required(age) == parties


def _state(age, *statements):
    return consent_state(age, [SHARE], statements)[SHARE]


def test_without_statements_there_is_no_consent():
    state = _state(10)
    assert not state.effective and state.missing == ["parents"]


def test_the_latest_statement_of_a_party_counts():
    assert _state(10, (SHARE, "parents", "refused"), (SHARE, "parents", "given")).effective
    assert not _state(10, (SHARE, "parents", "given"), (SHARE, "parents", "refused")).effective


def test_withdrawn_after_given_is_no_consent():
    state = _state(10, (SHARE, "parents", "given"), (SHARE, "parents", "withdrawn"))
    assert not state.effective and state.missing == ["parents"]


def test_refused_is_no_consent():
    assert not _state(17, (SHARE, "pupil", "refused")).effective


def test_from_12_to_15_both_parents_and_pupil_must_consent():
    assert _state(13, (SHARE, "parents", "given")).missing == ["pupil"]
    assert not _state(13, (SHARE, "parents", "given")).effective
    both = _state(13, (SHARE, "parents", "given"), (SHARE, "pupil", "given"))
    assert both.effective and both.missing == []
    refused = _state(15, (SHARE, "parents", "given"), (SHARE, "pupil", "refused"))
    assert not refused.effective


def test_from_16_the_pupil_decides_alone():
    assert not _state(16, (SHARE, "parents", "given")).effective
    assert _state(16, (SHARE, "pupil", "given")).effective
    # The parents' refusal no longer matters.
    assert _state(16, (SHARE, "parents", "refused"), (SHARE, "pupil", "given")).effective


def test_consent_is_per_scope():
    state = consent_state(10, [SHARE, "share_with_swv"], [("share_with_swv", "parents", "given")])
    assert state["share_with_swv"].effective and not state[SHARE].effective


# --- school days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "days"),
    [
        (D(2026, 3, 16), D(2026, 3, 20), 5),  # Monday to Friday
        (D(2026, 3, 20), D(2026, 3, 23), 2),  # Friday to Monday
        (D(2026, 3, 21), D(2026, 3, 22), 0),  # a weekend
        (D(2026, 3, 16), D(2026, 3, 27), 10),  # two weeks
        (D(2026, 3, 18), D(2026, 3, 18), 1),
        (D(2026, 3, 18), D(2026, 3, 17), 0),  # reversed
    ],
)
def test_school_days_between(first, last, days):
    assert school_days_between(first, last) == days


# --- early-warning signals ---------------------------------------------------------------


def fact(kind="sickness", start=None, end=None, reported_on=None, hours=None, striking=False):
    start = start or TODAY
    return ReportFacts(
        kind=kind,
        reported_on=reported_on or end or TODAY,
        absence_started_on=start,
        absence_ended_on=end,
        hours_missed_last_4_weeks=None if hours is None else Decimal(str(hours)),
        striking_sickness=striking,
    )


def signals(*reports, today=TODAY, **thresholds):
    return set(early_warning_signals(reports, today, Thresholds(**thresholds)))


def unauthorised(hours, days_ago=0):
    day = TODAY - datetime.timedelta(days=days_ago)
    return fact(
        "unauthorised", start=day - datetime.timedelta(days=20), reported_on=day, hours=hours
    )


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (0, set()),
        (9.9, set()),
        (10, {SignalCode.UNAUTHORISED_EARLY}),
        (15.9, {SignalCode.UNAUTHORISED_EARLY}),
        (16, {SignalCode.UNAUTHORISED_EARLY, SignalCode.UNAUTHORISED_DUO}),
        (160, {SignalCode.UNAUTHORISED_EARLY, SignalCode.UNAUTHORISED_DUO}),
    ],
)
def test_unauthorised_hours_at_their_thresholds(hours, expected):
    assert signals(unauthorised(hours)) == expected


def test_unauthorised_hours_count_for_reports_of_the_last_four_weeks():
    both = {SignalCode.UNAUTHORISED_EARLY, SignalCode.UNAUTHORISED_DUO}
    assert signals(unauthorised(16, days_ago=27)) == both
    assert signals(unauthorised(16, days_ago=28)) == set()


def test_each_report_states_the_hours_of_its_own_four_weeks_they_are_not_added():
    assert signals(unauthorised(6, days_ago=10), unauthorised(6)) == set()
    assert signals(unauthorised(6, days_ago=10), unauthorised(12)) == {
        SignalCode.UNAUTHORISED_EARLY
    }


def test_hours_of_other_kinds_are_not_unauthorised_hours():
    report = fact("sickness", start=TODAY - datetime.timedelta(days=1), hours=40)
    assert SignalCode.UNAUTHORISED_EARLY not in signals(report)


def test_regional_thresholds_replace_the_defaults():
    assert signals(unauthorised(8), unauthorised_hours_early=Decimal(8)) == {
        SignalCode.UNAUTHORISED_EARLY
    }
    settings = EarlyWarningSettings(unauthorised_hours_early=Decimal(6), window_days=14)
    thresholds = Thresholds.from_settings(settings)
    assert thresholds.unauthorised_hours_early == 6 and thresholds.window_days == 14
    assert thresholds.unauthorised_hours_duo == 16
    assert Thresholds.from_settings(None) == Thresholds()


# Short sick reports: 1 or 2 school days each, before the last month so that the spread
# criterion stays out of the way.
SHORT = [
    fact(start=D(2026, 1, 19), end=D(2026, 1, 19)),  # Monday, 1 day
    fact(start=D(2026, 1, 26), end=D(2026, 1, 27)),  # 2 days
    fact(start=D(2026, 2, 2), end=D(2026, 2, 2)),
]


def test_three_short_sick_reports_in_two_months_give_a_signal_two_do_not():
    assert signals(*SHORT) == {SignalCode.SHORT_SICKNESS}
    assert signals(*SHORT[:2]) == set()


def test_a_sick_report_of_three_days_is_not_short():
    three_days = fact(start=D(2026, 2, 2), end=D(2026, 2, 4))
    assert signals(*SHORT[:2], three_days) == set()


def test_a_short_sick_report_counts_only_after_it_ended():
    ongoing = fact(start=TODAY, end=None)
    assert SignalCode.SHORT_SICKNESS not in signals(*SHORT[:2], ongoing)


def test_short_sick_reports_count_for_61_days():
    # The first report started on Monday 19 January 2026.
    assert signals(*SHORT, today=D(2026, 3, 20)) == {SignalCode.SHORT_SICKNESS}  # day 60
    assert signals(*SHORT, today=D(2026, 3, 21)) == set()  # day 61


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (D(2026, 2, 27), set()),  # Monday 16 February to Friday 27 February: 10 school days
        (D(2026, 3, 2), {SignalCode.LONG_UNCLEAR_SICKNESS}),  # 11 school days
    ],
)
def test_more_than_ten_school_days_of_sickness(end, expected):
    assert signals(fact(start=D(2026, 2, 16), end=end)) == expected


def test_an_ongoing_sickness_counts_up_to_today():
    assert signals(fact(start=D(2026, 3, 5))) == set()  # Thursday 5 March: 10 days to today
    assert signals(fact(start=D(2026, 3, 4))) == {SignalCode.LONG_UNCLEAR_SICKNESS}  # 11


def test_medical_absence_is_not_unclear_sickness():
    assert signals(fact("medical_psychological", start=D(2026, 2, 2))) == set()


def test_more_than_four_sick_days_spread_over_the_last_month():
    a = fact(start=D(2026, 3, 2), end=D(2026, 3, 3))  # 2 days
    b4 = fact(start=D(2026, 3, 9), end=D(2026, 3, 10))  # 2 days: 4 in all
    b5 = fact(start=D(2026, 3, 9), end=D(2026, 3, 11))  # 3 days: 5 in all
    assert SignalCode.SPREAD_SICKNESS not in signals(a, b4)
    assert SignalCode.SPREAD_SICKNESS in signals(a, b5)


def test_spread_sickness_needs_at_least_two_reports():
    assert signals(fact(start=D(2026, 3, 2), end=D(2026, 3, 6))) == set()  # 5 days, 1 report


def test_spread_sickness_counts_only_the_days_within_the_last_30_days():
    # The window starts on Tuesday 17 February (today minus 29 days).
    b = fact(start=D(2026, 3, 9), end=D(2026, 3, 11))  # 3 days
    straddling = fact(start=D(2026, 2, 16), end=D(2026, 2, 18))  # 2 of its 3 days inside
    just_before = fact(start=D(2026, 2, 16), end=D(2026, 2, 16))  # ends before the window
    assert SignalCode.SPREAD_SICKNESS in signals(straddling, b)
    assert SignalCode.SPREAD_SICKNESS not in signals(just_before, b)
    shorter = fact(start=D(2026, 2, 17), end=D(2026, 2, 17))  # 1 day inside: 4 in all
    assert SignalCode.SPREAD_SICKNESS not in signals(shorter, b)


def test_striking_sickness_flagged_by_the_school():
    day = TODAY - datetime.timedelta(days=3)
    assert signals(fact(start=day, end=day, striking=True)) == {SignalCode.STRIKING_SICKNESS}
    medical = fact("medical_psychological", start=day, end=day, striking=True)
    assert signals(medical) == {SignalCode.STRIKING_SICKNESS}
    assert signals(fact("unauthorised", start=day, end=day, striking=True)) == set()
    assert signals(fact(start=day, end=day, striking=False)) == set()


def test_striking_sickness_counts_for_two_months():
    def striking(days_ago):
        day = TODAY - datetime.timedelta(days=days_ago)
        return fact(start=day, end=day, reported_on=day, striking=True)

    assert signals(striking(60)) == {SignalCode.STRIKING_SICKNESS}
    assert signals(striking(61)) == set()
