"""Small numbers are not shown outside the circle that may see the cases (DESIGN.md 4.5,
ADR 0021).

Two markers, each a true statement:

- ``SUPPRESSED`` ("<5"): the count is 1, 2, 3 or 4 (primary suppression). Zero is shown: it
  describes no child.
- ``HIDDEN`` ("x"): a count hidden so that another cannot be worked out (secondary
  suppression). It says nothing about the count: it may be any number, 0 included. Where
  it can, suppression hides a count of 5 or more; in a scope with only small numbers it
  turns a "<5" (or a 0) into "x" instead.

A reader can combine everything a table publishes: that the rows of a breakdown add up to
the totals, that the narrow definition is part of the broad one and both part of the open
cases (so ``open >= broad >= narrow`` in every row), that an escalation step's triggers add
up to its total, that a target's met and missed add up to the measured. ``suppressed``
describes each figure as such a system of sums and inequalities and hides further cells,
smallest first, until no hidden cell can be pinned to one value by it: an exact check with
a linear programme per connected group of hidden cells (HiGHS), not a rule of thumb. A
percentage or a "target reached" verdict built on a hidden count is withheld as well.

``suppressed(figures)`` returns a copy of ``reports.selectors.figures`` output in which
every count is an ``int``, ``SUPPRESSED`` or ``HIDDEN``.
"""

import copy
import functools
import itertools
import json
import logging
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

SMALL = 5
SUPPRESSED = "<5"
HIDDEN = "x"
MARKERS = (SUPPRESSED, HIDDEN)

_SHOWN = "shown"
_INF = math.inf
_EPSILON = 1e-6
_PAIRS_FROM = 8  # pairs of protectors are tried among the smallest this many

Key = Hashable
# A row: {hidden key: coefficient}, lower, upper (``lower <= sum <= upper``).
_Row = tuple[dict[Key, int], float, float]


def legend() -> list[str]:
    """The two markers explained, for every page, export and PDF that shows them."""
    from django.utils.translation import gettext as _

    return [
        _("<5: een aantal van 1 tot en met 4."),
        _(
            "x: verborgen, zodat een ander klein aantal niet terug te rekenen is; het kan elk "
            "aantal zijn, ook 0. Een percentage of oordeel dat op een verborgen aantal rust, "
            "tonen we niet."
        ),
    ]


def is_small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < SMALL


def is_hidden(value) -> bool:
    """The figure is one of the two markers."""
    return isinstance(value, str) and value in MARKERS


def primary(value):
    return SUPPRESSED if is_small(value) else value


@dataclass
class Table:
    """Counts and what a reader knows about them: ``sums`` (a total and the cells that add up
    to it) and ``order`` (pairs ``(larger, smaller)``: the smaller is a part of the larger).
    One key can stand in several places of the output (the open cases of the totals are
    also the number measured by the offer target): give it once."""

    values: dict[Key, int] = field(default_factory=dict)
    sums: list[tuple[Key, list[Key]]] = field(default_factory=list)
    order: list[tuple[Key, Key]] = field(default_factory=list)

    def add(self, key: Key, value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            self.values[key] = value

    def add_sum(self, total: Key, cells: Iterable[Key]) -> None:
        cells = [c for c in cells if c in self.values]
        if total in self.values and cells:
            # Only what holds: a reader cannot use a relation the figures break, and a
            # programme with one would have no solution (a bug in this model, logged).
            if self.values[total] == sum(self.values[c] for c in cells):
                self.sums.append((total, cells))
            else:
                logger.warning("suppression: %s is not the sum of its cells; left out", total)

    def add_order(self, larger: Key, smaller: Key) -> None:
        if larger in self.values and smaller in self.values:
            if self.values[larger] >= self.values[smaller]:
                self.order.append((larger, smaller))
            else:
                logger.warning("suppression: %s < %s; the order is left out", larger, smaller)

    def add_chain(self, keys: Sequence[Key]) -> None:
        """``keys[0] >= keys[1] >= ...`` (each pair, so a difference over a hidden middle
        is known too)."""
        for i, larger in enumerate(keys):
            for smaller in keys[i + 1 :]:
                self.add_order(larger, smaller)


def protect(table: Table) -> dict[Key, str | int]:
    """What to publish for each key of ``table``: its value, ``SUPPRESSED`` or ``HIDDEN``."""
    state = {k: (SUPPRESSED if is_small(v) else _SHOWN) for k, v in table.values.items()}
    audit = _Audit(table)
    while pinned := audit.pinned(state):
        # The first pinned cell of each group: groups apart cannot free one another.
        for keys in pinned:
            state.update(dict.fromkeys(audit.protector(state, keys[0]), HIDDEN))
    return {k: (table.values[k] if s == _SHOWN else s) for k, s in state.items()}


class _Audit:
    """The bounds of the hidden cells, group by group: a group of hidden cells linked by the
    sums and pairs is solved again only when it changed."""

    def __init__(self, table: Table):
        import highspy

        self.table = table
        self.solver = highspy.Highs()
        self.solver.setOptionValue("output_flag", False)
        self.solved: dict[tuple, dict[Key, tuple[float, float]]] = {}
        positions = {k: i for i, k in enumerate(table.values)}
        self.position = positions.__getitem__
        self.totals = {total for total, _cells in table.sums}

    def groups(self, state: dict[Key, str]) -> tuple[list[_Row], list[list[Key]]]:
        hidden = [k for k in self.table.values if state[k] != _SHOWN]
        rows = _rows(self.table, state)
        return rows, _components(hidden, rows)

    def bounds(self, state, rows, component, only=None) -> dict[Key, tuple[float, float]]:
        signature = (tuple((k, state[k]) for k in component), only)
        if signature not in self.solved:
            members = set(component)
            own = [row for row in rows if not members.isdisjoint(row[0])]
            self.solved[signature] = _solve(self.solver, component, own, state, only)
        return self.solved[signature]

    def pinned(self, state: dict[Key, str]) -> list[list[Key]]:
        """Per group of hidden cells that has any, the hidden keys whose whole numbers
        allowed by what is published are one value (in table order)."""
        rows, components = self.groups(state)
        out = []
        for component in components:
            keys = [
                key
                for key, (low, high) in self.bounds(state, rows, component).items()
                if _one_value(low, high)
            ]
            if keys:
                out.append(sorted(keys, key=self.position))
        return sorted(out, key=lambda keys: self.position(keys[0]))

    def protector(self, state: dict[Key, str], key: Key) -> list[Key]:
        """The counts to hide as "x" so that ``key`` is no longer pinned, from the sums and
        pairs of ``key`` and of the hidden cells it is linked with: one count, else one with
        the rest of its row, else two. Cells before totals; a shown count of 5 or more before
        a "<5" before a 0; the smallest first. If nothing frees it, the first candidate (the
        next round goes on)."""
        rows, components = self.groups(state)
        linked = set(next(c for c in components if key in c))
        related: list[Key] = []
        for total, cells in self.table.sums:
            if total in linked or not linked.isdisjoint(cells):
                related.extend([total, *cells])
        for larger, smaller in self.table.order:
            if larger in linked or smaller in linked:
                related.extend([larger, smaller])
        values = self.table.values
        candidates = [k for k in dict.fromkeys(related) if state[k] != HIDDEN]
        if not candidates:
            # Everything around it is "x" already: any other count will do.
            candidates = [k for k, s in state.items() if s != HIDDEN]
        if not candidates:
            raise RuntimeError("suppression: nothing left to hide")

        def tier(k: Key) -> int:
            if state[k] == SUPPRESSED:
                return 1
            return 0 if values[k] > 0 else 2

        def cost(keys: tuple[Key, ...]) -> tuple:
            return (
                sum(k in self.totals for k in keys),
                sum(tier(k) for k in keys),
                sum(values[k] for k in keys),
                [self.position(k) for k in keys],
            )

        candidates.sort(key=lambda k: cost((k,)))
        singles = [(k,) for k in candidates]
        # A cell with the shown cells of its row (open, broad, narrow): a row pinned by one
        # column through the order of its definitions needs the others hidden with it.
        partners: dict[Key, set[Key]] = {k: {k} for k in candidates}
        for larger, smaller in self.table.order:
            for a, b in ((larger, smaller), (smaller, larger)):
                if a in partners and state[b] == _SHOWN and values[b] > 0:  # its row's counts
                    partners[a].add(b)
        rows_of = sorted(
            {tuple(sorted(p, key=self.position)) for p in partners.values() if len(p) > 1},
            key=cost,
        )
        firsts = candidates[:_PAIRS_FROM]
        pairs = sorted(itertools.combinations(firsts, 2), key=cost)
        for keys in [*singles, *rows_of, *pairs]:
            trial = {**state, **dict.fromkeys(keys, HIDDEN)}
            rows, components = self.groups(trial)
            component = next(c for c in components if key in c)
            low, high = self.bounds(trial, rows, component, only=key)[key]
            if not _one_value(low, high):
                return list(keys)
        return candidates[:1]


def _one_value(low: float, high: float) -> bool:
    """At most one whole number lies in [low, high]."""
    return high != _INF and math.ceil(low - _EPSILON) >= math.floor(high + _EPSILON)


# --- the linear programme --------------------------------------------------------------------


def _rows(table: Table, state: dict[Key, str]) -> list[_Row]:
    rows: list[_Row] = []

    def hidden(key: Key) -> bool:
        return state[key] != _SHOWN

    for total, cells in table.sums:
        coefficients: dict[Key, int] = {}
        constant = 0
        for key, sign in [(total, 1), *((c, -1) for c in cells)]:
            if hidden(key):
                coefficients[key] = coefficients.get(key, 0) + sign
            else:
                constant += sign * table.values[key]
        if any(coefficients.values()):
            rows.append((coefficients, -constant, -constant))
    for larger, smaller in table.order:
        if hidden(larger) or hidden(smaller):
            coefficients = {}
            constant = 0
            for key, sign in ((larger, 1), (smaller, -1)):
                if hidden(key):
                    coefficients[key] = sign
                else:
                    constant += sign * table.values[key]
            rows.append((coefficients, -constant, _INF))
    return rows


def _components(hidden: list[Key], rows: list[_Row]) -> list[list[Key]]:
    parent = {k: k for k in hidden}

    def find(k: Key) -> Key:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for coefficients, _low, _high in rows:
        keys = list(coefficients)
        for other in keys[1:]:
            parent[find(other)] = find(keys[0])
    groups: dict[Key, list[Key]] = {}
    for k in hidden:
        groups.setdefault(find(k), []).append(k)
    return list(groups.values())


def _solve_one(key: Key, rows: list[_Row], state) -> dict[Key, tuple[float, float]]:
    """A hidden cell alone among shown ones: each row bounds it directly."""
    low, high = (1.0, float(SMALL - 1)) if state[key] == SUPPRESSED else (0.0, _INF)
    for coefficients, row_low, row_high in rows:
        c = coefficients.get(key)
        if not c:
            continue
        ends = sorted((row_low / c, row_high / c))
        low, high = max(low, ends[0]), min(high, ends[1])
    return {key: (low, high)}


def _solve(
    solver, keys: list[Key], rows: list[_Row], state, only: Key | None = None
) -> dict[Key, tuple[float, float]]:
    import highspy
    import numpy as np

    if len(keys) == 1:
        return _solve_one(keys[0], rows, state)
    index = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    solver.clearModel()
    lower = [1.0 if state[k] == SUPPRESSED else 0.0 for k in keys]
    upper = [float(SMALL - 1) if state[k] == SUPPRESSED else highspy.kHighsInf for k in keys]
    solver.addVars(n, np.array(lower), np.array(upper))
    for coefficients, low, high in rows:
        if not any(k in index for k in coefficients):
            continue
        columns = np.array([index[k] for k in coefficients], dtype=np.int32)
        values = np.array(list(coefficients.values()), dtype=float)
        solver.addRow(
            low, highspy.kHighsInf if high == _INF else high, len(columns), columns, values
        )
    # Every optimum is a feasible point: a cell seen at two values far enough apart is not
    # pinned and needs no programme of its own.
    seen_low = np.full(n, _INF)
    seen_high = np.full(n, -_INF)
    result = {}
    everything = np.arange(n, dtype=np.int32)
    alternate = np.where(everything % 2 == 0, 1.0, -1.0)
    for cost in () if only is not None else (np.ones(n), alternate):
        solver.changeColsCost(n, everything, cost)
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            solver.changeObjectiveSense(sense)
            solver.run()
            if solver.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                point = np.array(solver.getSolution().col_value)
                seen_low = np.minimum(seen_low, point)
                seen_high = np.maximum(seen_high, point)
    for k in [only] if only is not None else keys:
        i = index[k]
        if (
            only is None
            and seen_low[i] <= seen_high[i]
            and not _one_value(seen_low[i], seen_high[i])
        ):
            result[k] = (float(seen_low[i]), float(seen_high[i]))
            continue
        cost = np.zeros(n)
        cost[i] = 1.0
        solver.changeColsCost(n, everything, cost)
        ends = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            solver.changeObjectiveSense(sense)
            solver.run()
            status = solver.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                ends.append(solver.getInfo().objective_function_value)
                point = np.array(solver.getSolution().col_value)
                seen_low = np.minimum(seen_low, point)
                seen_high = np.maximum(seen_high, point)
            elif status == highspy.HighsModelStatus.kUnbounded:
                ends.append(_INF)
            else:  # the true values satisfy every row: this cannot be infeasible
                raise RuntimeError(f"suppression: the figures contradict themselves ({status})")
        result[k] = (ends[0], ends[1])
    return result


# --- the figures -----------------------------------------------------------------------------

_COLUMNS = ("open", "broad", "narrow")


def figures_table(figures: dict, fixed: Iterable[str] = ()) -> tuple[Table, dict[Key, Key]]:
    """The figures as a ``Table``, and for each place in the output that repeats another
    count (``alias``) the key it repeats. ``fixed``: quarters of the trend published
    elsewhere already (left out)."""
    fixed = set(fixed)
    table = Table()
    alias: dict[Key, Key] = {}
    totals = figures["totals"]

    def total(name: str) -> tuple[str, str]:
        return ("totals", name)

    for name, value in totals.items():
        table.add(total(name), value)
    table.add_chain([total("open"), total("broad"), total("narrow")])
    past = ["past_three_months", "past_three_months_broad", "past_three_months_narrow"]
    table.add_chain([total(p) for p in past])
    for column, past_column in zip(_COLUMNS, past, strict=True):
        table.add_order(total(column), total(past_column))
    table.add_order(total("open"), total("past_three_months_broad"))
    table.add_order(total("open"), total("past_three_months_narrow"))
    table.add_order(total("broad"), total("past_three_months_narrow"))

    for dimension, rows in figures["breakdowns"].items():
        for i, row in enumerate(rows):
            cells = [("breakdowns", dimension, i, c) for c in _COLUMNS]
            for key, column in zip(cells, _COLUMNS, strict=True):
                table.add(key, row[column])
            table.add_chain(cells)
        # Causes overlap (a case may have several): their rows do not add up to a total.
        if dimension != "cause":
            for column in _COLUMNS:
                table.add_sum(
                    total(column),
                    [("breakdowns", dimension, i, column) for i in range(len(rows))],
                )

    for i, row in enumerate(figures["escalations"]):

        def esc(name: str, i: int = i) -> tuple:
            return ("escalations", i, name)

        for name in ("total", "by_timer", "by_person", "by_assessment", "timed", "on_time", "late"):
            table.add(esc(name), row[name])
        table.add_sum(esc("total"), [esc("by_timer"), esc("by_person"), esc("by_assessment")])
        table.add_sum(esc("timed"), [esc("on_time"), esc("late")])
        table.add_order(esc("total"), esc("timed"))

    for i, target in enumerate(figures["targets"]):
        keys: dict[str, tuple] = {
            name: ("targets", i, name) for name in ("met", "missed", "measured")
        }
        if target.get("code") == "offer" and target["measured"] == totals.get("open"):
            # The offer target measures the open cases on the reference date.
            alias[keys["measured"]] = total("open")
            keys["measured"] = total("open")
        for name, key in keys.items():
            if key[0] == "targets":
                table.add(key, target[name])
        table.add_sum(keys["measured"], [keys["met"], keys["missed"]])

    period = figures.get("period", {})
    for i, quarter in enumerate(figures["trend"]):
        if quarter["quarter"] in fixed:
            continue
        keys = {
            name: ("trend", i, name)
            for name in ("new", "open", "broad", "narrow", "past_three_months")
        }
        if quarter.get("on") == period.get("on"):
            # The quarter of the report: its standing counts are the totals.
            for name in ("open", "broad", "narrow", "past_three_months"):
                if quarter[name] == totals.get(name):
                    alias[keys[name]] = keys[name] = total(name)
            if quarter.get("label") == period.get("label") and quarter["new"] == totals.get("new"):
                alias[keys["new"]] = keys["new"] = total("new")
        for name, key in keys.items():
            if key[0] == "trend":
                table.add(key, quarter[name])
        table.add_chain([keys["open"], keys["broad"], keys["narrow"]])
        table.add_order(keys["open"], keys["past_three_months"])
    return table, alias


def suppressed(figures: dict, frozen: dict[str, dict] | None = None) -> dict:
    """A copy of ``figures`` fit for people without access to the cases (see module doc).

    ``frozen``: the frozen figures of earlier quarters (``FiguresSnapshot.figures`` by
    ``"2026-Q1"``). The trend then shows such a quarter as that quarter's own report did,
    with its own markers: its report may have hidden a total as "x" that this report's trend
    would otherwise show, and the two together would give the hidden cells back."""
    on = figures.get("period", {}).get("on")
    # Frozen figures do not change: each earlier quarter is suppressed once per process,
    # not again whenever this quarter's figures change.
    earlier = {
        quarter: suppressed_memo(data)["totals"]
        for quarter, data in (frozen or {}).items()
        if data.get("period", {}).get("on") != on
    }
    table, alias = figures_table(figures, fixed=earlier)
    shown = protect(table)

    def put(key: Key, target: dict, name: str) -> None:
        key = alias.get(key, key)
        if key in shown:
            target[name] = shown[key]

    out = copy.deepcopy(figures)
    for name in out["totals"]:
        put(("totals", name), out["totals"], name)
    for dimension, rows in out["breakdowns"].items():
        for i, row in enumerate(rows):
            for column in _COLUMNS:
                put(("breakdowns", dimension, i, column), row, column)
    for i, row in enumerate(out["escalations"]):
        for name in ("total", "by_timer", "by_person", "by_assessment", "timed", "on_time", "late"):
            put(("escalations", i, name), row, name)
    for i, target in enumerate(out["targets"]):
        for name in ("met", "missed", "measured"):
            put(("targets", i, name), target, name)
        # A percentage or a verdict would give a hidden count back (or rest on one).
        target["withheld"] = any(is_hidden(target[n]) for n in ("met", "missed", "measured"))
        if target["withheld"]:
            target["percent"] = None
            target["achieved"] = None
    for i, quarter in enumerate(out["trend"]):
        for name in ("new", "open", "broad", "narrow", "past_three_months"):
            if quarter["quarter"] in earlier:
                quarter[name] = earlier[quarter["quarter"]][name]
            else:
                put(("trend", i, name), quarter, name)
    out["suppressed"] = True
    return out


def suppressed_memo(figures: dict, frozen: dict[str, dict] | None = None) -> dict:
    """``suppressed``, remembered per process by the figures themselves (the same figures
    give the same answer, so nothing goes stale): a dashboard asked again, or its exports,
    skip the programmes."""
    key = json.dumps([figures, frozen or {}], sort_keys=True, default=str)
    return copy.deepcopy(_suppressed_of(key))


@functools.lru_cache(maxsize=256)
def _suppressed_of(key: str) -> dict:
    figures, frozen = json.loads(key)
    return suppressed(figures, frozen)
