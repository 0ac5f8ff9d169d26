"""Small numbers: "<5" only for 1 to 4, "x" for a count hidden to protect another, and no
hidden count that a reader can work out from what the same report (and the one before)
publishes: hand-computed tables, the fixed dataset, the demo region and a seeded region."""

import copy

import pytest

from reports.periods import Quarter
from reports.scopes import Scope
from reports.selectors import (
    TREND_QUARTERS,
    Period,
    figures,
    frozen_figures,
    published_figures,
)
from reports.services.quarterly import figures_freeze
from reports.suppression import HIDDEN, SUPPRESSED, Table, is_small, primary, protect, suppressed

from .attacker import read, true_value
from .conftest import TODAY

S = SUPPRESSED
X = HIDDEN


def test_primary_hides_one_to_four_and_shows_zero_and_five():
    assert [primary(n) for n in (0, 1, 2, 3, 4, 5, 6, 100)] == [0, S, S, S, S, 5, 6, 100]
    assert not is_small(None)
    assert primary(None) is None
    assert primary(S) == S


def group(cells: list[int], total: int | None = None) -> list:
    """``protect`` of one group of cells (and the total they add up to)."""
    table = Table()
    for i, cell in enumerate(cells):
        table.add(i, cell)
    if total is not None:
        table.add("total", total)
        table.add_sum("total", range(len(cells)))
    shown = protect(table)
    return [shown[i] for i in range(len(cells))] + ([shown["total"]] if total is not None else [])


def test_without_a_total_only_primary():
    assert group([1, 4, 0, 5, 9]) == [S, S, 0, 5, 9]


def test_one_hidden_cell_hides_the_next_smallest_non_zero_cell_as_x():
    assert group([3, 7, 9], 19) == [S, X, 9, 19]
    # Zero is no candidate: it gives nothing away and hides nothing.
    assert group([0, 3, 8, 12], 23) == [0, S, X, 12, 23]
    # A tie goes to the first.
    assert group([6, 2, 6], 14) == [X, S, 6, 14]


def test_two_small_cells_that_add_up_to_too_little_take_a_third():
    # 1 + 1 = 2 of 12: each "<5" is at least 1, so both would be exactly 1.
    assert group([1, 1, 10], 12) == [S, S, X, 12]
    # 2 + 3 = 5: either could be 1 to 4.
    assert group([2, 3, 10], 15) == [S, S, 10, 15]
    assert group([5, 6], 11) == [5, 6, 11]
    assert group([0, 0], 0) == [0, 0, 0]


def test_a_small_total_hides_itself_and_its_only_cell_with_it():
    assert group([3, 0], 3) == [S, 0, S]


def test_an_x_says_nothing_about_its_count():
    # 1 + 5 = 6 of 14 - 8: the "<5" is 1 to 4, the "x" 2 to 5, as far as a reader knows.
    assert group([1, 5, 8], 14) == [S, X, 8, 14]


def test_a_scope_of_small_numbers_turns_a_small_number_into_x():
    # Four rows, each "<5" (a row is shown because it has a case), of a total "<5": each
    # would be exactly 1. Nothing is 5 or more, so one "<5" becomes "x".
    assert group([1, 1, 1, 1], 4) == [X, S, S, S, S]


def test_a_relation_the_figures_break_is_left_out_not_a_server_error(caplog):
    # 3 + 9 is not 13: no reader can use that sum, and a programme with it has no solution.
    table = Table()
    for key, value in {"a": 3, "b": 9, "total": 13}.items():
        table.add(key, value)
    table.add_sum("total", ["a", "b"])
    table.add_order("a", "b")
    assert table.sums == [] and table.order == []
    assert protect(table) == {"a": S, "b": 9, "total": 13}
    assert "not the sum of its cells" in caplog.text


def test_a_hidden_cell_cannot_be_recovered_from_the_definitions_of_its_row():
    """Two rows hidden in the open column (their sum is known from the total) while their
    broad counts are shown: if the broad counts use up the sum, open = broad in both rows."""
    table = Table()
    rows = {"a": (3, 3, 0), "b": (9, 9, 6), "c": (20, 12, 7)}
    for row, values in rows.items():
        for column, value in zip(("open", "broad", "narrow"), values, strict=True):
            table.add((row, column), value)
        table.add_chain([(row, "open"), (row, "broad"), (row, "narrow")])
    for i, column in enumerate(("open", "broad", "narrow")):
        table.add(column, sum(v[i] for v in rows.values()))
        table.add_sum(column, [(row, column) for row in rows])
    shown = protect(table)
    published = {key: shown[key] for key in table.values}
    # Per column, hiding the 9 next to the 3 would have been enough; with the rows it is not.
    assert published[("a", "open")] == S
    for key, (low, high) in _attack_table(table, published).items():
        assert low < high, (key, low, high)


def _attack_table(table: Table, published: dict) -> dict:
    """The reader's ranges for a hand-made table (the same sums and order as ``table``)."""
    from .attacker import Reader

    reader = Reader()
    variables = {key: reader.cell(key, value) for key, value in published.items()}
    for total, cells in table.sums:
        reader.equal(variables[total], [variables[c] for c in cells])
    for larger, smaller in table.order:
        reader.at_least(variables[larger], variables[smaller])
    return reader.ranges()


def assert_markers_true(raw: dict, published: dict) -> None:
    """Every "<5" is 1 to 4 and every "x" 5 or more, in every table of the figures."""

    def walk(raw_value, shown_value, where):
        if isinstance(raw_value, dict):
            for key in raw_value:
                walk(raw_value[key], shown_value[key], (*where, key))
        elif isinstance(raw_value, list):
            for i, (a, b) in enumerate(zip(raw_value, shown_value, strict=True)):
                walk(a, b, (*where, i))
        elif shown_value == S:
            assert is_small(raw_value), where
        elif shown_value == X:
            assert isinstance(raw_value, int) and raw_value >= 0, where
        elif isinstance(shown_value, int) and not isinstance(shown_value, bool):
            assert shown_value == raw_value, where

    walk(raw, published, ())


def assert_unrecoverable(raw, published, previous_raw=None, previous=None) -> int:
    """The reader's range of every hidden cell holds its true value and more than it."""
    reader = read(published, previous)
    assert reader.admits(lambda name: true_value(raw, name, previous_raw))
    ranges = reader.ranges()
    for name, (low, high) in ranges.items():
        assert low < high, (name, true_value(raw, name, previous_raw), low, high)
    return len(ranges)


def dataset_scopes(world):
    return (
        Scope("swv", world.swv.pk, world.swv.name, world.region.pk, sector="po"),
        Scope("municipality", world.m1.pk, world.m1.name, world.region.pk),
    )


@pytest.mark.django_db
def test_the_suppressed_figures_of_the_dataset(dataset):
    world = dataset.world
    scope = dataset_scopes(world)[0]
    raw = figures(scope, Period.of_quarter(Quarter(2026, 1)), TODAY)
    before = copy.deepcopy(raw)
    out = suppressed(raw)
    assert raw == before  # a copy: the figures themselves are not touched
    assert out["suppressed"] is True
    # past_three_months: 3 of open 15; closed: 1.
    assert out["totals"] == {
        "open": 15,
        "broad": 11,
        "narrow": 6,
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

    # open 7, 5, 1, 1, 1 of 15: the three 1s would each be exactly 1 (15 - 7 - 5 = 3), so
    # the 5 is hidden; in the broad column (5, 3, 1, 1, 1 of 11) the school's 5 goes too
    # (the reader tests below check that no hidden cell is left with one possible value).
    assert table("phase") == [
        ("school", 7, X, S),
        ("casusregisseur", X, S, S),
        ("doorbraak_assessment", S, S, 0),
        ("doorbraakteam", S, S, S),
        ("om_referral", S, S, S),
    ]
    # open 9, 1, 2, 1, 1, 1; broad 6, 0, 2, 1, 1, 1; narrow 5, 0, 1, 0, 0, 0: the narrow 1
    # would be exactly 1 beside a shown 5 (6 - 5).
    assert table("waiting_list") == [
        ("none", 9, X, X),
        ("diagnostics", S, 0, 0),
        ("mental_health", S, S, S),
        ("other", S, S, 0),
        ("special_education", S, S, 0),
        ("youth_care", S, S, 0),
    ]
    # Causes overlap: no total, so only primary suppression and the rows' own order.
    assert table("cause")[-1] == ("none", S, S, 0)
    assert ("bullying", S, S, S) in table("cause")

    assert out["escalations"][0] == {
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
    # 8 met, 3 missed of 11: the 3 is hidden, so the 8 as well; the percentage and whether
    # the target was reached rest on them and are withheld.
    contact = by_code["first_contact"]
    assert (contact["met"], contact["missed"], contact["measured"]) == (X, S, 11)
    assert (contact["percent"], contact["achieved"], contact["withheld"]) == (None, None, True)
    assert (by_code["offer"]["met"], by_code["offer"]["missed"]) == (X, S)
    assert by_code["offer"]["achieved"] is None
    conversation = by_code["first_conversation"]
    assert (conversation["met"], conversation["missed"], conversation["percent"]) == (5, 6, 45)
    assert (conversation["achieved"], conversation["withheld"]) == (False, False)

    # The report's own quarter in the trend is the totals, hidden alike.
    assert out["trend"][-1]["past_three_months"] == S
    assert out["trend"][-1]["open"] == 15
    assert out["trend"][4]["new"] == S  # 2025-Q2: 1
    assert out["trend"][0]["new"] == 0
    assert_markers_true(raw, out)


def publish(scope, quarter, today):
    """The raw and the published figures of ``quarter``, with every ended quarter of its
    trend frozen first (as the daily task does)."""
    for earlier in quarter.last(TREND_QUARTERS):
        if earlier.end < today:
            figures_freeze(scope=scope, quarter=earlier, today=today)
    frozen = frozen_figures(scope, [quarter])
    raw = frozen.get(str(quarter)) or figures(scope, Period.of_quarter(quarter), today)
    return raw, published_figures(scope, quarter, today)


@pytest.mark.django_db
@pytest.mark.parametrize("quarter", [Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2)])
def test_no_hidden_cell_of_the_dataset_can_be_worked_out(dataset, quarter):
    checked = 0
    for scope in dataset_scopes(dataset.world):
        previous_raw, previous = publish(scope, quarter.previous(), TODAY)
        raw, out = publish(scope, quarter, TODAY)
        assert_markers_true(raw, out)
        checked += assert_unrecoverable(raw, out, previous_raw, previous)
    assert checked  # the dataset does exercise suppression


@pytest.mark.django_db
def test_the_reader_works_out_a_cell_left_alone(dataset):
    """The reader is not a formality: in the dataset's published phase table, show every
    hidden open count but one, and the reader has that one from the total."""
    scope = dataset_scopes(dataset.world)[0]
    raw = figures(scope, Period.of_quarter(Quarter(2026, 1)), TODAY)
    out = suppressed(raw)
    assert read(out).ranges()  # hidden, and safe
    rows = out["breakdowns"]["phase"]
    hidden = [i for i, row in enumerate(rows) if row["open"] in (S, X)]
    assert len(hidden) >= 2 and isinstance(out["totals"]["open"], int)
    for i in hidden[1:]:
        rows[i]["open"] = raw["breakdowns"]["phase"][i]["open"]
    found = read(out).ranges()
    value = raw["breakdowns"]["phase"][hidden[0]]["open"]
    key = rows[hidden[0]]["key"]
    assert found[("breakdowns", "phase", key, "open")] == (value, value)


@pytest.mark.django_db
def test_the_remembered_suppression_is_the_same_and_a_copy(dataset):
    from reports.suppression import suppressed_memo

    scope = dataset_scopes(dataset.world)[0]
    raw = figures(scope, Period.of_quarter(Quarter(2026, 1)), TODAY)
    first = suppressed_memo(raw)
    assert first == suppressed(raw)
    first["totals"]["open"] = "changed by a caller"
    assert suppressed_memo(raw) == suppressed(raw)
