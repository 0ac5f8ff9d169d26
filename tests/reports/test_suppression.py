"""Small numbers: primary suppression of 1-4, secondary suppression so that no hidden cell can
be worked out from a shown total, and the figures of the fixed dataset once suppressed."""

import copy

import pytest

from reports.periods import Quarter
from reports.scopes import Scope
from reports.selectors import Period, figures
from reports.suppression import SUPPRESSED, is_small, primary, suppress_group, suppressed

from .conftest import TODAY

S = SUPPRESSED


def test_primary_hides_one_to_four_and_shows_zero_and_five():
    assert [primary(n) for n in (0, 1, 2, 3, 4, 5, 6, 100)] == [0, S, S, S, S, 5, 6, 100]
    assert not is_small(None)
    assert primary(None) is None
    assert primary(S) == S


def test_without_a_total_only_primary():
    assert suppress_group([1, 4, 0, 5, 9]) == ([S, S, 0, 5, 9], None)


def test_one_hidden_cell_hides_the_next_smallest_non_zero_cell():
    assert suppress_group([3, 7, 9], 19) == ([S, S, 9], 19)
    # Zero is no candidate: it gives nothing away and hides nothing.
    assert suppress_group([0, 3, 8, 12], 23) == ([0, S, S, 12], 23)
    # A tie goes to the first.
    assert suppress_group([6, 2, 6], 14) == ([S, S, 6], 14)


def test_one_hidden_cell_and_no_other_candidate_hides_the_total():
    # The cells need not add up to the total (overlapping groups).
    assert suppress_group([3, 0], 10) == ([S, 0], S)


def test_two_hidden_cells_or_a_hidden_total_need_nothing_more():
    # Two hidden cells adding up to 3 of 13 would give themselves away (3 = 1 + 2 or 2 + 1).
    assert suppress_group([1, 2, 10], 13) == ([S, S, S], 13)
    assert suppress_group([2, 3, 10], 15) == ([S, S, 10], 15)
    assert suppress_group([3, 0], 3) == ([S, 0], S)
    assert suppress_group([5, 6], 11) == ([5, 6], 11)
    assert suppress_group([0, 0], 0) == ([0, 0], 0)


def hidden(values) -> int:
    return sum(1 for v in values if v == S)


def assert_nothing_recoverable(cells: list, total) -> None:
    """Exactly one hidden cell next to a shown total would give it away by subtraction."""
    assert hidden(cells) != 1 or total == S, (cells, total)


@pytest.mark.parametrize(
    ("cells", "total"),
    [
        ([1], 1),
        ([4, 5], 9),
        ([5, 1, 0], 6),
        ([9, 1, 2, 1, 1, 1], 15),
        ([6, 0, 1, 0], 7),
        ([20, 30, 4], 54),
        ([5, 5, 5, 3], 18),
        ([0, 0, 0, 2], 2),
        ([1, 1, 10], 12),
        ([1, 1, 1, 40], 43),
    ],
)
def test_suppress_group_never_leaves_a_single_hidden_cell(cells, total):
    shown, shown_total = suppress_group(cells, total)
    assert_nothing_recoverable(shown, shown_total)
    if shown_total != S:
        hidden_sum = sum(c for c, v in zip(cells, shown, strict=True) if v == S)
        assert hidden_sum == 0 or hidden_sum >= 5, (cells, shown)
    # Only small cells and at most one more are hidden; zero and large cells stay.
    assert hidden(shown) <= sum(1 for c in cells if is_small(c)) + 1
    for cell, value in zip(cells, shown, strict=True):
        assert value in (cell, S)
        if cell == 0:
            assert value == 0


@pytest.mark.django_db
def test_the_suppressed_figures_of_the_dataset(dataset):
    world = dataset.world
    scope = Scope("swv", world.swv.pk, world.swv.name, world.region.pk, sector="po")
    raw = figures(scope, Period.of_quarter(Quarter(2026, 1)), TODAY)
    before = copy.deepcopy(raw)
    out = suppressed(raw)
    assert raw == before  # a copy: the figures themselves are not touched
    assert out["suppressed"] is True
    assert out["totals"] == {
        "open": 15,
        "broad": 11,
        "narrow": 6,  # A08 is 18 on ON
        "new": 13,
        "closed": S,
        "past_three_months": S,
        "past_three_months_broad": S,
        "past_three_months_narrow": S,
    }

    def table(dimension):
        return [
            (r["key"], r["open"], r["broad"], r["narrow"]) for r in out["breakdowns"][dimension]
        ]

    assert table("phase") == [
        ("school", 7, 5, S),
        ("casusregisseur", S, S, S),
        ("doorbraak_assessment", S, S, 0),
        ("doorbraakteam", S, S, S),
        ("om_referral", S, S, S),
    ]
    # narrow: 5, 0, 1, 0, 0, 0 of 6: the 1 alone would give itself away, so the 5 goes too.
    assert table("waiting_list") == [
        ("none", 9, 6, S),
        ("diagnostics", S, 0, 0),
        ("mental_health", S, S, S),
        ("other", S, S, 0),
        ("special_education", S, S, 0),
        ("youth_care", S, S, 0),
    ]
    # Causes overlap: only primary suppression.
    assert table("cause")[-1] == ("none", S, S, 0)  # A08, the narrow one, is 18
    assert ("bullying", S, S, S) in table("cause")

    casusregisseur = out["escalations"][0]
    assert casusregisseur == {
        "key": "casusregisseur",
        "total": 5,
        "by_timer": S,  # 3
        "by_person": S,  # 2
        "by_assessment": 0,
        "timed": S,  # 4
        "on_time": S,
        "late": S,
    }

    by_code = {t["code"]: t for t in out["targets"]}
    # 8 met, 3 missed of 11: the 3 is hidden, so the 8 as well, and the percentage with them;
    # whether the target was reached stays, since the number measured is shown.
    assert {k: by_code["first_contact"][k] for k in ("met", "missed", "measured")} == {
        "met": S,
        "missed": S,
        "measured": 11,
    }
    assert (by_code["first_contact"]["percent"], by_code["first_contact"]["achieved"]) == (
        None,
        False,
    )
    assert (by_code["offer"]["met"], by_code["offer"]["missed"]) == (S, S)
    assert (by_code["offer"]["percent"], by_code["offer"]["achieved"]) == (None, True)
    # 5 met, 6 missed: nothing small, the percentage stays.
    conversation = by_code["first_conversation"]
    assert (conversation["met"], conversation["missed"], conversation["percent"]) == (5, 6, 45)

    assert out["trend"][-1]["past_three_months"] == S
    assert out["trend"][-1]["open"] == 15
    assert out["trend"][4]["new"] == S  # 2025-Q2: 1
    assert out["trend"][0]["new"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("quarter", [Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2)])
def test_no_suppressed_cell_of_the_dataset_can_be_recovered(dataset, quarter):
    world = dataset.world
    for scope in (
        Scope("swv", world.swv.pk, world.swv.name, world.region.pk, sector="po"),
        Scope("municipality", world.m1.pk, world.m1.name, world.region.pk),
    ):
        out = suppressed(figures(scope, Period.of_quarter(quarter), TODAY))
        checked = 0
        for dimension, found in out["breakdowns"].items():
            if dimension == "cause":
                continue  # overlapping: no total to subtract from
            for column in ("open", "broad", "narrow"):
                cells = [row[column] for row in found]
                assert_nothing_recoverable(cells, out["totals"][column])
                assert all(v == S or (isinstance(v, int) and not is_small(v)) for v in cells)
                checked += hidden(cells)
        assert checked  # the dataset does exercise suppression
        for row in out["escalations"]:
            assert_nothing_recoverable(
                [row["by_timer"], row["by_person"], row["by_assessment"]], row["total"]
            )
            assert_nothing_recoverable([row["on_time"], row["late"]], row["timed"])
        for found in out["targets"]:
            assert_nothing_recoverable([found["met"], found["missed"]], found["measured"])
            if S in (found["met"], found["missed"], found["measured"]):
                assert found["percent"] is None
        for found in out["trend"]:
            for key in ("new", "open", "broad", "narrow", "past_three_months"):
                assert not is_small(found[key])
