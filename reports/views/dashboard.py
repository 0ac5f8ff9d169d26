"""The dashboard of an SWV, a municipality or the region (DESIGN.md 4.5) and its downloads.

Both read ``selectors.figures`` once for the scope and quarter in the query string and
show them as tables (the same ``Table`` the download writes) with a chart per table. Who
may not see the cases (directors, policy users) gets the suppressed figures; who may, also
gets links from the phase rows to the case list.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import charts
from ..exports import FORMATS, Table, export_response
from ..periods import Quarter
from ..scopes import Scope, report_scopes_for, scope_for
from ..selectors import (
    TREND_QUARTERS,
    dimension_labels,
    published_figures,
    published_figures_key,
)
from ..suppression import HIDDEN, legend

DEFINITIONS = ("both", "narrow", "broad")
CHART_WIDTH = 640

BREAKDOWNS = (
    "phase",
    "kind",
    "school",
    "sector",
    "age_group",
    "cause",
    "daytime_activity",
    "waiting_list",
    "duration",
)
TABLES = ("totals", "targets", "trend", "escalations", *BREAKDOWNS)


def _breakdown_titles() -> dict[str, str]:
    """Dimension -> title of its table and chart, in the order of the page."""
    return {
        "phase": _("Open casussen per fase"),
        "kind": _("Open casussen per soort verzuim (eerste melding)"),
        "school": _("Open casussen per school"),
        "sector": _("Open casussen per onderwijssoort"),
        "age_group": _("Open casussen per leeftijdsgroep"),
        "cause": _("Open casussen per oorzaak"),
        "daytime_activity": _("Open casussen per dagbesteding"),
        "waiting_list": _("Open casussen per wachtlijst"),
        "duration": _("Open casussen naar duur thuis"),
    }


def _column_labels() -> dict[str, str]:
    return {
        "open": _("Open casussen"),
        "narrow": _("Thuiszitters (smal)"),
        "broad": _("Thuiszitters (breed)"),
        "new": _("Nieuw"),
        "past_three_months": _("3 maanden of langer zonder passend aanbod"),
    }


@dataclass(frozen=True)
class Filters:
    scope: Scope
    quarter: Quarter
    definition: str
    today: datetime.date
    scopes: list[Scope] = field(default_factory=list)  # all the user may choose from

    @property
    def definitions(self) -> list[str]:
        """The definitions shown: both side by side, or the one chosen."""
        return ["narrow", "broad"] if self.definition == "both" else [self.definition]

    @property
    def running(self) -> bool:
        return self.quarter == Quarter.of(self.today)

    def query(self) -> str:
        return urlencode(
            {"scope": self.scope.key, "period": str(self.quarter), "definition": self.definition}
        )


def _filters(request) -> Filters:
    """The scope (404 when out of reach), the quarter (the running one unless a past one is
    asked for) and the definition, from the query string."""
    scopes = report_scopes_for(request.user)
    scope = scope_for(request.user, request.GET.get("scope"), scopes)
    today = timezone.localdate()
    current = Quarter.of(today)
    try:
        quarter = Quarter.parse(request.GET.get("period", ""))
    except ValueError:
        quarter = current
    if quarter > current:
        quarter = current
    definition = request.GET.get("definition")
    if definition not in DEFINITIONS:
        definition = "both"
    return Filters(scope, quarter, definition, today, scopes)


def _figures(filters: Filters) -> dict:
    return published_figures(filters.scope, filters.quarter, today=filters.today)


# --- Tables ----------------------------------------------------------------------------------


@dataclass
class Section:
    """One table of the page, what its download writes, with its chart and row links."""

    key: str
    table: Table
    chart: SafeString | None = None
    links: list = field(default_factory=list)
    note: str = ""

    @property
    def rows(self) -> list[dict]:
        links = self.links or [None] * len(self.table.rows)
        return [
            {"head": row[0], "cells": row[1:], "link": link}
            for row, link in zip(self.table.rows, links, strict=True)
        ]


def _yes_no(value) -> str:
    if value is None:
        return ""
    return _("ja") if value else _("nee")


def _totals_table(data: dict, filters: Filters) -> Table:
    totals = data["totals"]
    labels = _column_labels()
    rows = [
        [_("Open casussen op de peildatum"), totals["open"]],
        [_("Nieuwe casussen in het kwartaal"), totals["new"]],
        [_("Gesloten casussen in het kwartaal"), totals["closed"]],
    ]
    rows += [[labels[d], totals[d]] for d in filters.definitions]
    rows.append([labels["past_three_months"], totals["past_three_months"]])
    rows += [
        [f"{labels['past_three_months']}, {labels[d].lower()}", totals[f"past_three_months_{d}"]]
        for d in filters.definitions
    ]
    return Table(_("Kerncijfers"), [_("Cijfer"), _("Aantal")], rows)


def _percent(target: dict):
    """The percentage, or ``HIDDEN`` when suppression withheld it (not: nothing measured)."""
    return HIDDEN if target.get("withheld") else target["percent"]


def _percent_text(target: dict) -> str | None:
    if target.get("withheld"):
        return _("verborgen")
    return None if target["percent"] is None else f"{target['percent']}%"


def _achieved_text(target: dict) -> str:
    return _("verborgen") if target.get("withheld") else _yes_no(target["achieved"])


def _targets_table(data: dict) -> Table:
    header = [
        _("Doel"),
        _("Gehaald"),
        _("Niet gehaald"),
        _("Gemeten"),
        _("Percentage"),
        _("Streefwaarde"),
        _("Doel bereikt"),
    ]
    rows = [
        [
            t["label"],
            t["met"],
            t["missed"],
            t["measured"],
            _percent_text(t),
            f"{t['target_percent']}%",
            _achieved_text(t),
        ]
        for t in data["targets"]
    ]
    return Table(_("Doelen uit het convenant"), header, rows)


def _trend_columns(filters: Filters) -> list[str]:
    return ["open", *filters.definitions, "past_three_months"]


def _trend_table(data: dict, filters: Filters) -> Table:
    labels = _column_labels()
    columns = ["new", *_trend_columns(filters)]
    rows = [[q["label"], *(q[c] for c in columns)] for q in data["trend"]]
    return Table(
        _("Verloop over de laatste %(n)s kwartalen") % {"n": TREND_QUARTERS},
        [_("Kwartaal"), *(labels[c] for c in columns)],
        rows,
    )


def _escalations_table(data: dict, labels: dict) -> Table:
    header = [
        _("Stap"),
        _("Totaal"),
        _("Op tijd"),
        _("Te laat"),
        _("Door de termijn"),
        _("Met de hand"),
        _("Na de doorbraaktoets"),
    ]
    rows = [
        [
            labels.get(row["key"], row["key"]),
            row["total"],
            row["on_time"],
            row["late"],
            row["by_timer"],
            row["by_person"],
            row["by_assessment"],
        ]
        for row in data["escalations"]
    ]
    return Table(_("Escalaties per stap"), header, rows)


def _breakdown_table(dimension: str, title: str, rows: list, labels: dict, columns) -> Table:
    column_labels = _column_labels()
    header = [_dimension_header(dimension), *(column_labels[c] for c in columns)]
    body = [
        [row.get("label") or labels.get(row["key"], row["key"]), *(row[c] for c in columns)]
        for row in rows
    ]
    return Table(title, header, body)


def _dimension_header(dimension: str) -> str:
    return {
        "phase": _("Fase"),
        "kind": _("Soort verzuim"),
        "school": _("School"),
        "sector": _("Onderwijssoort"),
        "age_group": _("Leeftijdsgroep"),
        "cause": _("Oorzaak"),
        "daytime_activity": _("Dagbesteding"),
        "waiting_list": _("Wachtlijst"),
        "duration": _("Duur thuis"),
    }[dimension]


def dashboard_tables(data: dict, filters: Filters) -> dict[str, Table]:
    """Every table of the dashboard by its download name (totals, targets, trend,
    escalations and one per dimension)."""
    labels = dimension_labels()
    columns = ["open", *filters.definitions]
    tables = {
        "totals": _totals_table(data, filters),
        "targets": _targets_table(data),
        "trend": _trend_table(data, filters),
        "escalations": _escalations_table(data, labels["step"]),
    }
    for dimension, title in _breakdown_titles().items():
        tables[dimension] = _breakdown_table(
            dimension, title, data["breakdowns"][dimension], labels.get(dimension, {}), columns
        )
    return tables


# --- Charts ----------------------------------------------------------------------------------


def _series(table: Table, first_column: int = 1) -> list[charts.Series]:
    return [
        charts.Series(name, [row[i] for row in table.rows])
        for i, name in enumerate(table.header[first_column:], start=first_column)
    ]


def _categories(table: Table) -> list[str]:
    return [str(row[0]) for row in table.rows]


def _sections(data: dict, filters: Filters) -> dict[str, Section]:
    tables = dashboard_tables(data, filters)
    sections = {key: Section(key, table) for key, table in tables.items()}

    targets = sections["targets"]
    targets.chart = charts.target_chart(
        targets.table.title,
        [(t["label"], _percent(t), t["target_percent"]) for t in data["targets"]],
        width=CHART_WIDTH,
        id_prefix="chart-targets",
    )
    trend = sections["trend"]
    trend_series = _series(trend.table, first_column=2)  # "new" is in the table only
    trend.chart = charts.line_chart(
        trend.table.title,
        _categories(trend.table),
        trend_series,
        width=CHART_WIDTH,
        id_prefix="chart-trend",
    )
    escalations = sections["escalations"]
    if escalations.table.rows:
        escalations.chart = charts.bar_chart(
            escalations.table.title,
            _categories(escalations.table),
            _series(escalations.table)[:3],  # total, on time, late
            width=CHART_WIDTH,
            id_prefix="chart-escalations",
        )
    for dimension in _breakdown_titles():
        section = sections[dimension]
        if section.table.rows:
            section.chart = charts.bar_chart(
                section.table.title,
                _categories(section.table),
                _series(section.table),
                width=CHART_WIDTH,
                id_prefix=f"chart-{dimension}",
            )
    sections["cause"].note = _("Een casus met meer oorzaken telt bij elke oorzaak mee.")
    sections["kind"].note = _("Elke casus telt één keer, bij de soort van de eerste melding.")
    if filters.scope.personal_data and filters.running:
        # The case list shows today's phase, so it only fits the running quarter.
        base = reverse("caselists:case_list")
        sections["phase"].links = [
            f"{base}?{urlencode({'phase': row['key']})}" for row in data["breakdowns"]["phase"]
        ]
    return sections


def _tiles(data: dict, filters: Filters) -> list[dict]:
    totals = data["totals"]
    labels = {"narrow": _("smal"), "broad": _("breed")}
    return [
        {"label": _("Open casussen"), "values": [("", totals["open"])]},
        {"label": _("Nieuw in het kwartaal"), "values": [("", totals["new"])]},
        {"label": _("Gesloten in het kwartaal"), "values": [("", totals["closed"])]},
        {
            "label": _("Thuiszitters"),
            "values": [(labels[d], totals[d]) for d in filters.definitions],
        },
        {
            "label": _("3 maanden of langer zonder passend aanbod"),
            "values": [("", totals["past_three_months"])],
        },
    ]


# --- Views -----------------------------------------------------------------------------------


@require_GET
def dashboard(request):
    """The figures of one scope and quarter: tiles, targets, trend, breakdowns, escalations.
    The figures part is the same for everyone who sees the scope the same way: it is kept
    rendered with the figures, under their key, until a write in the scope."""
    filters = _filters(request)
    key = published_figures_key(filters.scope, filters.quarter, filters.today)
    key = f"{key}:dashboard:{filters.definition}" if key else None
    kept = cache.get(key) if key else None
    if kept is None:
        data = _figures(filters)
        kept = {
            "period": data["period"],
            "figures_html": _figures_html(data, filters),
        }
        if key:
            cache.set(key, kept, settings.FIGURES_CACHE_SECONDS)
    quarters = Quarter.of(filters.today).last(TREND_QUARTERS)[::-1]
    if filters.quarter not in quarters:
        quarters.append(filters.quarter)
    return render(
        request,
        "reports/dashboard.html",
        {
            "filters": filters,
            "scope": filters.scope,
            "scopes": filters.scopes,
            "quarters": quarters,
            "definitions": [
                ("both", _("Beide definities naast elkaar")),
                ("narrow", _("Smal (Inspectie)")),
                ("broad", _("Breed")),
            ],
            "period": kept["period"],
            "on": parse_date(kept["period"]["on"]),
            "figures_html": mark_safe(kept["figures_html"]),  # noqa: S308 - our own template
        },
    )


def _figures_html(data: dict, filters: Filters) -> str:
    sections = _sections(data, filters)
    return render_to_string(
        "reports/_dashboard_figures.html",
        {
            "filters": filters,
            "scope": filters.scope,
            "is_suppressed": bool(data.get("suppressed")),
            "legend": legend() if data.get("suppressed") else [],
            "query": filters.query(),
            "tiles": _tiles(data, filters),
            "totals": sections["totals"],
            "targets": sections["targets"],
            "trend": sections["trend"],
            "escalations": sections["escalations"],
            "breakdowns": [sections[d] for d in _breakdown_titles()],
        },
    )


@require_GET
def key_figures(request):
    """The running quarter's key figures of the user's first scope, as on the dashboard: the
    start page of who works with figures loads them after the page (``hx-trigger="load"``)."""
    filters = _filters(request)
    data = _figures(filters)
    tiles = _tiles(data, filters)
    # The legend only when a tile shows a marker ("<5", "x") rather than a count.
    marked = any(isinstance(value, str) for tile in tiles for _unit, value in tile["values"])
    return render(
        request,
        "reports/_key_figures.html",
        {
            "scope": filters.scope,
            "period": data["period"],
            "on": parse_date(data["period"]["on"]),
            "tiles": tiles,
            "legend": legend() if marked else [],
        },
    )


@require_GET
def dashboard_export(request, table: str, fmt: str):
    """One table of the dashboard as CSV or XLSX; aggregates only, so no audit entry."""
    if fmt not in FORMATS or table not in TABLES:
        raise Http404
    filters = _filters(request)
    data = _figures(filters)
    export = dashboard_tables(data, filters)[table]
    if data.get("suppressed"):
        export.notes = legend()
    return export_response(
        request,
        export,
        fmt,
        filename=f"{table}-{filters.scope.name}-{filters.quarter}",
        personal_data=False,
    )
