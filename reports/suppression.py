"""Small numbers are not shown outside the circle that may see the cases (DESIGN.md 4.5).

Every count from 1 to 4 is shown as "<5" (primary suppression). A table whose total is shown
must not let a reader recover a suppressed cell by subtraction, so while a group has exactly
one hidden cell, or hidden cells that add up to less than 5, the next smallest non-zero cell
is hidden too (secondary suppression); if there is none, the total is. A percentage is only
shown when neither of the counts it is made of is suppressed (whether a target was reached
still is). Zero is shown: it describes no child.

``suppressed(figures)`` returns a copy of ``reports.selectors.figures`` output in which
every count is an ``int`` or the string ``SUPPRESSED``.
"""

import copy

SMALL = 5
SUPPRESSED = "<5"


def is_small(value) -> bool:
    return isinstance(value, int) and 0 < value < SMALL


def primary(value):
    return SUPPRESSED if is_small(value) else value


def suppress_group(cells: list[int], total: int | None = None) -> tuple[list, object]:
    """Suppress a group of counts that add up to ``total`` (given when the total is shown).

    Returns the shown cells and the shown total."""
    shown = [primary(c) for c in cells]
    shown_total = primary(total) if total is not None else None
    if total is None or shown_total == SUPPRESSED:
        return shown, shown_total
    # The total minus the shown cells is the sum of the hidden ones: one hidden cell, or
    # hidden cells adding up to less than 5 (1 + 1 of a total of 12), would give them away.
    while True:
        hidden = [i for i, v in enumerate(shown) if v == SUPPRESSED]
        hidden_sum = sum(cells[i] for i in hidden)
        if not hidden or (len(hidden) > 1 and hidden_sum >= SMALL):
            break
        candidates = [i for i, v in enumerate(shown) if v != SUPPRESSED and v > 0]
        if not candidates:
            shown_total = SUPPRESSED
            break
        shown[min(candidates, key=lambda i: (cells[i], i))] = SUPPRESSED
    return shown, shown_total


def _suppress_rows(rows: list[dict], columns: list[str], totals: dict | None) -> None:
    """In place: each column of a breakdown is a group whose total is ``totals[column]``."""
    for column in columns:
        cells = [row[column] for row in rows]
        total = totals.get(column) if totals is not None else None
        shown, _total = suppress_group(cells, total)
        for row, value in zip(rows, shown, strict=True):
            row[column] = value


def suppressed(figures: dict) -> dict:
    """A copy of ``figures`` fit for people without access to the cases (see module doc)."""
    out = copy.deepcopy(figures)
    raw_totals = figures["totals"]
    out["totals"] = {key: primary(value) for key, value in raw_totals.items()}
    columns = ["open", "broad", "narrow"]
    for dimension, rows in out["breakdowns"].items():
        # Causes overlap (a case may have several): their column does not add up to a total.
        _suppress_rows(rows, columns, None if dimension == "cause" else raw_totals)
    for row in out["escalations"]:
        by_trigger, total = suppress_group(
            [row["by_timer"], row["by_person"], row["by_assessment"]], row["total"]
        )
        row["by_timer"], row["by_person"], row["by_assessment"] = by_trigger
        row["total"] = total
        timing, timed = suppress_group([row["on_time"], row["late"]], row["timed"])
        row["on_time"], row["late"] = timing
        row["timed"] = timed
    for target in out["targets"]:
        (met, missed), measured = suppress_group(
            [target["met"], target["missed"]], target["measured"]
        )
        # The percentage would give a hidden count back; whether the target was reached does
        # not, as long as the number measured is shown.
        if SUPPRESSED in (met, missed, measured):
            target["percent"] = None
        if measured == SUPPRESSED:
            target["achieved"] = None
        target["met"], target["missed"], target["measured"] = met, missed, measured
    for quarter in out["trend"]:
        for key in ("new", "open", "broad", "narrow", "past_three_months"):
            quarter[key] = primary(quarter[key])
    out["suppressed"] = True
    return out
