"""The quarterly OOGO report's HTML and the PDF renderer of the reports' documents.

The renderer itself is the core's (``thuiszitters.pdf``: tagged PDF/UA-1, nothing from the
network); here it may read files under the reports' own template folder only. The HTML is
rendered by Django templates; its style sheet is inlined and its charts are inline SVG, so the
document needs no resource at all.
"""

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuiszitters import pdf as core_pdf
from thuiszitters.pdf import RefusedURL, RenderedPdf, css_string

from .models import ScopeKind
from .periods import Quarter
from .selectors import dimension_labels
from .suppression import HIDDEN, is_hidden, legend

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "reports" / "pdf"

__all__ = ["TEMPLATE_DIR", "RefusedURL", "RenderedPdf", "css_string", "html_to_pdf", "url_fetcher"]


def url_fetcher():
    """A WeasyPrint URL fetcher that loads nothing from the network (see the module doc)."""
    return core_pdf.url_fetcher(TEMPLATE_DIR)


def html_to_pdf(html: str) -> RenderedPdf:
    """The tagged PDF of ``html`` and its number of pages (``thuiszitters.pdf``)."""
    return core_pdf.html_to_pdf(html, base_dir=TEMPLATE_DIR)


# --- The report's HTML -------------------------------------------------------------------

_CHART_MAX_CATEGORIES = 15


def _date(text: str):
    return datetime.date.fromisoformat(text)


def _change(now, before):
    """``+3`` / ``-2`` / ``0`` between two shown counts; None when either is hidden or
    missing (a difference with a suppressed count would give it back)."""
    if not isinstance(now, int) or not isinstance(before, int):
        return None
    delta = now - before
    return f"+{delta}" if delta > 0 else ("0" if delta == 0 else f"\u2212{-delta}")


def _summary(figs: dict) -> dict:
    totals = figs["totals"]
    quarter = Quarter.of(_date(figs["period"]["start"]))
    previous = next((t for t in figs["trend"] if t["quarter"] == str(quarter.previous())), None)
    before = previous or {}

    def row(label, key, trend_key=None):
        value = totals[key]
        return {
            "label": label,
            "value": value,
            "previous": before.get(trend_key) if trend_key else None,
            "change": _change(value, before.get(trend_key)) if trend_key else None,
        }

    return {
        "previous_label": previous["label"] if previous else "",
        "definitions": [
            {
                "label": _("Thuiszitters op de peildatum"),
                "broad": row("", "broad", "broad"),
                "narrow": row("", "narrow", "narrow"),
            },
            {
                "label": _("waarvan langer dan 3 maanden zonder passend aanbod"),
                "broad": row("", "past_three_months_broad"),
                "narrow": row("", "past_three_months_narrow"),
            },
        ],
        "cases": [
            row(_("Open casussen op de peildatum"), "open", "open"),
            row(_("Nieuwe casussen in het kwartaal"), "new", "new"),
            row(_("Gesloten casussen in het kwartaal"), "closed"),
            row(
                _("Open casussen langer dan 3 maanden zonder passend aanbod"),
                "past_three_months",
                "past_three_months",
            ),
        ],
    }


BREAKDOWNS: tuple[tuple[str, "StrOrPromise", "StrOrPromise"], ...] = (
    # dimension, title, note
    ("phase", gettext_lazy("Fase op de route"), ""),
    ("kind", gettext_lazy("Soort verzuim (eerste melding van de casus)"), ""),
    ("sector", gettext_lazy("Sector van de school"), ""),
    ("age_group", gettext_lazy("Leeftijd"), ""),
    ("school", gettext_lazy("School"), ""),
    (
        "cause",
        gettext_lazy("Oorzaak"),
        gettext_lazy(
            "Een casus kan meer dan één oorzaak hebben: deze kolommen tellen niet op tot "
            "het totaal."
        ),
    ),
    ("daytime_activity", gettext_lazy("Dagbesteding"), ""),
    ("waiting_list", gettext_lazy("Wachtlijst"), ""),
)


def _breakdown(figs: dict, dimension: str, title, note, labels: dict) -> dict:
    from .charts import Series, bar_chart

    rows = [
        {
            "label": row.get("label") or labels.get(dimension, {}).get(row["key"], row["key"]),
            "open": row["open"],
            "broad": row["broad"],
            "narrow": row["narrow"],
        }
        for row in figs["breakdowns"].get(dimension, [])
    ]
    charted = rows[:_CHART_MAX_CATEGORIES]
    chart = ""
    if charted:
        chart = bar_chart(
            str(title),
            [r["label"] for r in charted],
            [
                Series(str(_("Brede definitie")), [r["broad"] for r in charted]),
                Series(str(_("Smalle definitie")), [r["narrow"] for r in charted]),
            ],
            id_prefix=f"oogo-{dimension}",
        )
    if len(rows) > _CHART_MAX_CATEGORIES:
        note = _(
            "De grafiek toont de %(n)s met de meeste open casussen; de tabel toont ze allemaal."
        ) % {"n": _CHART_MAX_CATEGORIES}
    hidden = any(is_hidden(r[c]) for r in charted for c in ("broad", "narrow"))
    return {
        "key": dimension,
        "title": title,
        "note": note,
        "hidden_note": _(
            "Een verborgen aantal (<5 of x) staat in de grafiek als een kort "
            "gearceerd staafje met het teken erbij, niet op zijn lengte."
        )
        if hidden
        else "",
        "rows": rows,
        "chart": chart,
    }


def _achieved(target: dict) -> str:
    if target.get("withheld"):
        return str(_("verborgen"))
    if target["achieved"] is None:
        return "\u2013"
    return str(_("ja")) if target["achieved"] else str(_("nee"))


def _footer_legend() -> str:
    """The markers in a line, at the foot of every page."""
    hidden = _("x: verborgen om een ander aantal te beschermen")
    return f"{legend()[0]} \u00b7 {hidden}"


def _percent_shown(target: dict) -> str:
    if target.get("withheld"):
        return str(_("verborgen"))
    return "\u2013" if target["percent"] is None else f"{target['percent']}%"


def report_context(
    figs: dict, *, scope_kind: str, snapshot=None, generated_at: datetime.datetime
) -> dict:
    """What ``reports/pdf/report.html`` shows, from suppressed figures (see the module doc
    of ``reports.services.quarterly``); no database query."""
    from .charts import Series, line_chart, target_chart

    labels = dimension_labels()
    period = figs["period"]
    start, end, on = _date(period["start"]), _date(period["end"]), _date(period["on"])
    trend = figs["trend"]
    targets = [
        {
            **t,
            "percent_shown": _percent_shown(t),
            "achieved_shown": _achieved(t),
        }
        for t in figs["targets"]
    ]
    escalations = [
        {**row, "label": labels["step"].get(row["key"], row["key"])} for row in figs["escalations"]
    ]
    duration = _breakdown(
        figs, "duration", _("Duur thuis (sinds de start van de klok)"), "", labels
    )
    title = _("Kwartaalrapportage thuiszitters voor het OOGO")
    scope_name = figs["scope"]["name"]
    header = f"{title} \u00b7 {scope_name} \u00b7 {period['label']}"
    return {
        "title": title,
        "scope_name": scope_name,
        "scope_kind_label": ScopeKind(scope_kind).label,
        "period_label": period["label"],
        "start": start,
        "end": end,
        "on": on,
        "running": on < end,
        "generated_at": generated_at,
        "snapshot": snapshot,
        "from_snapshot": snapshot is not None,
        "summary": _summary(figs),
        "breakdowns": [_breakdown(figs, *spec, labels) for spec in BREAKDOWNS],
        "duration": duration,
        "totals": figs["totals"],
        "targets": targets,
        "targets_chart": target_chart(
            str(_("Doelen uit het convenant")),
            [
                (t["label"], HIDDEN if t.get("withheld") else t["percent"], t["target_percent"])
                for t in figs["targets"]
            ],
        )
        if targets
        else "",
        "escalations": escalations,
        "trend": trend,
        "trend_note": _(
            "In de grafiek staat een <5 als open punt op de hoogte van 1 tot 4 met een "
            "stippellijn ernaar; een x als x op de as, zonder punt."
        )
        if any(is_hidden(t[k]) for t in trend for k in ("open", "broad", "narrow"))
        else "",
        "trend_chart": line_chart(
            str(_("Verloop over de laatste kwartalen")),
            [t["label"] for t in trend],
            [
                Series(str(_("Open casussen")), [t["open"] for t in trend]),
                Series(str(_("Brede definitie")), [t["broad"] for t in trend]),
                Series(str(_("Smalle definitie")), [t["narrow"] for t in trend]),
                Series(
                    str(_("Langer dan 3 maanden zonder aanbod")),
                    [t["past_three_months"] for t in trend],
                ),
            ],
        )
        if trend
        else "",
        "legend": legend(),
        "css": {
            "legend": mark_safe(css_string(_footer_legend())),  # noqa: S308 - escaped
            "header": mark_safe(css_string(header)),  # noqa: S308 - escaped by css_string
            "page": mark_safe(  # noqa: S308 - escaped by css_string
                core_pdf.page_of_pages_css(str(_("pagina %(page)s van %(pages)s")))
            ),
        },
    }


def report_html(
    figs: dict, *, scope_kind: str, snapshot=None, generated_at: datetime.datetime
) -> str:
    """The report as HTML, in the site's default language (the OOGO reads Dutch)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = report_context(
            figs, scope_kind=scope_kind, snapshot=snapshot, generated_at=generated_at
        )
        return render_to_string("reports/pdf/report.html", context)
