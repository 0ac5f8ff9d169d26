"""A reader who wants a hidden count back: everything a published (suppressed) figures table
says, written out as an integer programme, and for each hidden cell the least and greatest
whole number it can be. Built from what is published and what the report's own text tells
(rows add up to the totals, narrow within broad within open, triggers add up to an
escalation step, met plus missed is measured, the offer target measures the open cases),
independently of ``reports.suppression`` (no code shared on purpose, though both drive HiGHS
the same way): that module's own model is what is under test.

The reader knows what the markers say: "<5" is 1 to 4, "x" any whole number (0 included),
and a "target reached" verdict bounds the count it is made of. With ``previous`` (the
published figures of the quarter before) the reader also equates that quarter's totals with
the same quarter in this report's trend.
"""

import highspy
import numpy as np

INF = highspy.kHighsInf
COLUMNS = ("open", "broad", "narrow")
ESCALATION = ("total", "by_timer", "by_person", "by_assessment", "timed", "on_time", "late")
TREND = ("new", "open", "broad", "narrow", "past_three_months")


class Reader:
    def __init__(self):
        self.bounds: list[tuple[float, float]] = []
        self.names: list[tuple] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.index: dict[tuple, int] = {}

    def cell(self, name: tuple, value) -> int | None:
        """A published figure: a number is known, a marker bounds it, anything else (None,
        a percentage) is not a count."""
        if value == "<5":
            bounds = (1.0, 4.0)
        elif value == "x":
            bounds = (0.0, INF)
        elif isinstance(value, int) and not isinstance(value, bool):
            bounds = (float(value), float(value))
        else:
            return None
        self.index[name] = len(self.bounds)
        self.bounds.append(bounds)
        self.names.append(name)
        return self.index[name]

    def row(self, terms: dict[int | None, float], low: float, high: float) -> None:
        if None in terms:
            return
        self.rows.append((terms, low, high))  # type: ignore[arg-type]

    def equal(self, total, parts) -> None:
        terms: dict = {total: 1.0}
        for part in parts:
            if part is None:
                return
            terms[part] = terms.get(part, 0.0) - 1.0
        self.row(terms, 0.0, 0.0)

    def at_least(self, larger, smaller) -> None:
        self.row({larger: 1.0, smaller: -1.0}, 0.0, INF)

    def chain(self, keys) -> None:
        for i, larger in enumerate(keys):
            for smaller in keys[i + 1 :]:
                self.at_least(larger, smaller)

    def ranges(self) -> dict[tuple, tuple[float, float]]:
        """For every hidden figure, two whole numbers it can be: its least and greatest
        (one integer programme each, per group of hidden figures that the rows link; known
        figures are constants), or two values already seen in the solutions of others. The
        same number twice: the figure is worked out."""
        free = [i for i, (low, high) in enumerate(self.bounds) if low != high]
        parent = {i: i for i in free}

        def find(i):
            while parent[i] != i:
                i = parent[i]
            return i

        for terms, _low, _high in self.rows:
            linked = [i for i in terms if i in parent]
            for other in linked[1:]:
                parent[find(other)] = find(linked[0])
        groups: dict[int, list[int]] = {}
        for i in free:
            groups.setdefault(find(i), []).append(i)
        out = {}
        for members in groups.values():
            out.update(self._group(members))
        return out

    def _group(self, members: list[int]) -> dict[tuple, tuple[float, float]]:
        local = {i: j for j, i in enumerate(members)}
        n = len(members)
        solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
        solver.addVars(
            n,
            np.array([self.bounds[i][0] for i in members]),
            np.array([self.bounds[i][1] for i in members]),
        )
        solver.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
        )
        for terms, row_low, row_high in self.rows:
            if not any(i in local for i in terms):
                continue
            constant = sum(c * self.bounds[i][0] for i, c in terms.items() if i not in local)
            inside = {local[i]: c for i, c in terms.items() if i in local}
            solver.addRow(
                row_low - constant,
                row_high - constant,
                len(inside),
                np.array(list(inside), dtype=np.int32),
                np.array(list(inside.values())),
            )
        seen_low = np.full(n, INF)
        seen_high = np.full(n, -INF)
        everything = np.arange(n, dtype=np.int32)
        out = {}
        for j, i in enumerate(members):
            if seen_high[j] - seen_low[j] >= 1:
                out[self.names[i]] = (seen_low[j], seen_high[j])  # within the range
                continue
            cost = np.zeros(n)
            cost[j] = 1.0
            solver.changeColsCost(n, everything, cost)
            ends = []
            for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                solver.changeObjectiveSense(sense)
                solver.run()
                status = solver.getModelStatus()
                if status == highspy.HighsModelStatus.kUnbounded:
                    ends.append(INF)
                    continue
                assert status == highspy.HighsModelStatus.kOptimal, (self.names[i], status)
                ends.append(round(solver.getInfo().objective_function_value))
                point = np.round(np.array(solver.getSolution().col_value))
                seen_low = np.minimum(seen_low, point)
                seen_high = np.maximum(seen_high, point)
            out[self.names[i]] = (ends[0], ends[1])
        return out

    def admits(self, value_of) -> bool:
        """Whether the true figures (``value_of(name)``) satisfy everything the reader
        assumes: a check that the reader's model of the report is right."""
        values = [value_of(name) for name in self.names]
        for i, (low, high) in enumerate(self.bounds):
            if not low <= values[i] <= high:
                return False
        return all(
            low <= sum(c * values[i] for i, c in terms.items()) <= high
            for terms, low, high in self.rows
        )


def _read(reader: Reader, published: dict, prefix: tuple) -> dict:
    """Adds what ``published`` says; returns the totals' variables."""
    totals = published["totals"]
    t = {name: reader.cell((*prefix, "totals", name), value) for name, value in totals.items()}
    reader.chain([t["open"], t["broad"], t["narrow"]])
    past = [t["past_three_months"], t["past_three_months_broad"], t["past_three_months_narrow"]]
    reader.chain(past)
    reader.at_least(t["open"], t["past_three_months"])
    reader.at_least(t["broad"], t["past_three_months_broad"])
    reader.at_least(t["narrow"], t["past_three_months_narrow"])

    for dimension, rows in published["breakdowns"].items():
        cells = {c: [] for c in COLUMNS}
        for row in rows:
            keys = [
                reader.cell((*prefix, "breakdowns", dimension, row["key"], c), row[c])
                for c in COLUMNS
            ]
            reader.chain(keys)
            for column, key in zip(COLUMNS, keys, strict=True):
                cells[column].append(key)
        if dimension != "cause":
            for column in COLUMNS:
                reader.equal(t[column], cells[column])

    for row in published["escalations"]:
        e = {n: reader.cell((*prefix, "escalations", row["key"], n), row[n]) for n in ESCALATION}
        reader.equal(e["total"], [e["by_timer"], e["by_person"], e["by_assessment"]])
        reader.equal(e["timed"], [e["on_time"], e["late"]])
        reader.at_least(e["total"], e["timed"])

    for target in published["targets"]:
        code = target["code"]
        g = {
            n: reader.cell((*prefix, "targets", code, n), target[n])
            for n in ("met", "missed", "measured")
        }
        reader.equal(g["measured"], [g["met"], g["missed"]])
        if code == "offer":
            reader.equal(g["measured"], [t["open"]])
        goal = target["target_percent"]
        if target.get("achieved") is True:  # 100 * met >= goal * measured
            reader.row({g["met"]: 100.0, g["measured"]: -float(goal)}, 0.0, INF)
        elif target.get("achieved") is False:
            reader.row({g["met"]: 100.0, g["measured"]: -float(goal)}, -INF, -1.0)

    on = published["period"]["on"]
    for quarter in published["trend"]:
        q = {n: reader.cell((*prefix, "trend", quarter["quarter"], n), quarter[n]) for n in TREND}
        reader.chain([q["open"], q["broad"], q["narrow"]])
        reader.at_least(q["open"], q["past_three_months"])
        if quarter["on"] == on:
            for name in ("open", "broad", "narrow", "past_three_months"):
                reader.equal(q[name], [t[name]])
            if quarter["label"] == published["period"]["label"]:
                reader.equal(q["new"], [t["new"]])
    return t


def read(published: dict, previous: dict | None = None) -> Reader:
    """What a reader knows from ``published``, and from the report of the quarter before:
    its own tables, and its totals equal to that quarter in this report's trend."""
    reader = Reader()
    _read(reader, published, ())
    if previous is not None:
        before = _read(reader, previous, ("previous",))
        for quarter in published["trend"]:
            if quarter["on"] == previous["period"]["on"]:
                for name in ("open", "broad", "narrow", "past_three_months"):
                    same = reader.index.get(("trend", quarter["quarter"], name))
                    reader.equal(same, [before[name]])
    return reader


def true_value(raw: dict, name: tuple, previous_raw: dict | None = None):
    """The unsuppressed figure behind a reader's name."""
    if name[0] == "previous":
        assert previous_raw is not None
        return true_value(previous_raw, name[1:])
    kind = name[0]
    if kind == "totals":
        return raw["totals"][name[1]]
    if kind == "breakdowns":
        _kind, dimension, key, column = name
        return next(r for r in raw["breakdowns"][dimension] if r["key"] == key)[column]
    if kind == "escalations":
        return next(r for r in raw["escalations"] if r["key"] == name[1])[name[2]]
    if kind == "targets":
        return next(r for r in raw["targets"] if r["code"] == name[1])[name[2]]
    if kind == "trend":
        return next(r for r in raw["trend"] if r["quarter"] == name[1])[name[2]]
    raise KeyError(name)
