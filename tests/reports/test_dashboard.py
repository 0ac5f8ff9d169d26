"""The dashboard at ``/rapportages/`` and its downloads: who sees which scope, suppressed
or exact figures, drill-down only with sight of the cases, the definition filter, a query
budget that does not grow with the cases, and CSV/XLSX that match the page."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.periods import Quarter
from tests.page_text import shows
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory

pytestmark = pytest.mark.django_db

URL = "/rapportages/"


def _cases(world, count, phase="casusregisseur", school=None):
    return [CaseFactory(phase=phase, school=school or world.school) for _ in range(count)]


def _headers(content: bytes, table: str) -> list[str]:
    """The column headings of the dashboard table ``table`` (its download name)."""
    html = content.decode()
    start = html.index(f'data-table="{table}"')
    end = html.index("</table>", start)
    return [
        re.sub(r"\s+", " ", cell).strip()
        for cell in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html[start:end], re.S)
    ]


def _row(content: bytes, table: str, head: str) -> list[str]:
    """The cells of the row whose heading contains ``head``."""
    html = content.decode()
    start = html.index(f'data-table="{table}"')
    body = html[start : html.index("</table>", start)]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        heading = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        if heading and head in heading.group(1):
            return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    raise AssertionError(f"no row {head!r} in {table}")


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


# --- Who sees what -------------------------------------------------------------------------


def test_the_url_is_reports_dashboard():
    assert reverse("reports:dashboard") == URL
    assert reverse("reports:dashboard_export", args=["phase", "csv"]) == (
        "/rapportages/export/phase.csv/"
    )


def test_a_director_sees_small_numbers_hidden_and_no_drill_down(world, user_with_role, login):
    _cases(world, 3)
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert shows(content, world.swv.name)
    assert "&lt;5: een aantal van 1 tot en met 4." in content
    assert "x: verborgen, zodat een ander klein aantal niet terug te rekenen is" in content
    assert _row(response.content, "phase", "Casusregisseur") == ["&lt;5", "&lt;5", "&lt;5"]
    assert _row(response.content, "totals", "Open casussen op de peildatum") == ["&lt;5"]
    assert f"{reverse('caselists:case_list')}?phase=" not in content
    assert "<svg" in content and 'role="img"' in content


def test_a_consultant_sees_exact_numbers_and_drill_down_links(world, user_with_role, login):
    _cases(world, 3)
    _cases(world, 1, phase="doorbraakteam")
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    response = client.get(URL, {"scope": f"swv-{world.swv.pk}"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Kleine aantallen" not in content
    assert _row(response.content, "phase", "Casusregisseur") == ["3", "3", "3"]
    assert _row(response.content, "phase", "Doorbraakteam") == ["1", "1", "1"]
    case_list = reverse("caselists:case_list")
    assert f'href="{case_list}?phase=casusregisseur"' in content
    assert f'href="{case_list}?phase=doorbraakteam"' in content
    # The link leads to the list, filtered on that phase.
    listed = client.get(f"{case_list}?phase=casusregisseur")
    assert listed.status_code == 200


def test_drill_down_only_for_the_running_quarter(world, user_with_role, login):
    _cases(world, 2)
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    past = Quarter.of(timezone.localdate()).previous()
    response = client.get(URL, {"period": str(past)})
    assert response.status_code == 200
    assert f'<option value="{past}" selected>' in response.content.decode()
    assert f"{reverse('caselists:case_list')}?phase=" not in response.content.decode()


def test_a_policy_user_sees_only_their_municipality(world, user_with_role, login):
    CaseFactory(phase="casusregisseur", school=world.school)  # pupil in m1
    client = login(user_with_role(RoleCode.POLICY))  # works for m1
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert shows(content, world.m1.name)
    assert world.m2.name not in content
    assert 'name="scope"' in content and 'type="hidden"' in content  # one scope: no choice
    assert "Kleine aantallen" in content

    for key in (f"municipality-{world.m2.pk}", f"swv-{world.swv.pk}", f"region-{world.region.pk}"):
        assert client.get(URL, {"scope": key}).status_code == 404
        export = reverse("reports:dashboard_export", args=["phase", "csv"])
        assert client.get(export, {"scope": key}).status_code == 404
    assert client.get(URL, {"scope": f"municipality-{world.m1.pk}"}).status_code == 200


@pytest.mark.parametrize(
    "role", [RoleCode.ZORGCOORDINATOR, RoleCode.CASUSREGISSEUR, RoleCode.CARE_PARTNER]
)
def test_roles_without_aggregates_do_not_find_the_page(world, user_with_role, login, role):
    client = login(user_with_role(role))
    assert client.get(URL).status_code == 404
    export = reverse("reports:dashboard_export", args=["totals", "csv"])
    assert client.get(export).status_code == 404


def test_leerplicht_chooses_between_the_municipalities_it_serves(world, user_with_role, login):
    world.bureau.municipalities.add(world.m2)
    client = login(user_with_role(RoleCode.LEERPLICHT))
    response = client.get(URL, {"scope": f"municipality-{world.m2.pk}"})
    assert response.status_code == 200
    content = response.content.decode()
    assert '<select id="id_scope" name="scope">' in content
    assert f'<option value="municipality-{world.m2.pk}" selected>' in content
    assert "Kleine aantallen" not in content  # leerplicht may see the cases


# --- Filters ---------------------------------------------------------------------------------


def test_both_definitions_side_by_side_by_default(world, user_with_role, login):
    _cases(world, 2)
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    response = client.get(URL)
    assert _headers(response.content, "phase") == [
        "Fase",
        "Open casussen",
        "Thuiszitters (smal)",
        "Thuiszitters (breed)",
    ]
    assert 'value="both" checked' in response.content.decode()


@pytest.mark.parametrize(
    ("definition", "shown", "hidden"),
    [
        ("narrow", "Thuiszitters (smal)", "Thuiszitters (breed)"),
        ("broad", "Thuiszitters (breed)", "Thuiszitters (smal)"),
    ],
)
def test_the_definition_filter_chooses_the_columns(
    world, user_with_role, login, definition, shown, hidden
):
    _cases(world, 2)
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    response = client.get(URL, {"definition": definition})
    content = response.content.decode()
    assert _headers(response.content, "phase") == ["Fase", "Open casussen", shown]
    assert shown in _headers(response.content, "trend")
    assert hidden not in content  # not in a table, a chart's legend or its description
    assert f'value="{definition}" checked' in content
    # The download links keep the filter.
    assert f"definition={definition}" in content
    export = reverse("reports:dashboard_export", args=["phase", "csv"])
    rows = _csv(client.get(export, {"definition": definition}))
    assert rows[0] == ["Fase", "Open casussen", shown]


def test_a_bad_period_or_definition_falls_back_to_the_defaults(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    current = Quarter.of(timezone.localdate())
    for params in ({"period": "volgend jaar"}, {"period": str(current.next())}):
        response = client.get(URL, {**params, "definition": "alles"})
        assert response.status_code == 200
        content = response.content.decode()
        assert f'<option value="{current}" selected>' in content
        assert 'value="both" checked' in content


def test_the_last_eight_quarters_are_offered(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    content = client.get(URL).content.decode()
    for quarter in Quarter.of(timezone.localdate()).last(8):
        assert f'<option value="{quarter}"' in content


# --- Query budget ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [RoleCode.SWV_CONSULTANT, RoleCode.SWV_DIRECTOR])
def test_the_query_count_does_not_grow_with_the_cases(world, user_with_role, login, role):
    client = login(user_with_role(role))
    client.get(URL)  # the session's first request may write it
    _cases(world, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).status_code == 200
    for phase in ("school", "casusregisseur", "doorbraak_assessment", "doorbraakteam"):
        _cases(world, 2, phase=phase, school=world.school2)
    _cases(world, 2, phase="arbitration")
    _cases(world, 1, phase="closed")
    with CaptureQueriesContext(connection) as twelve:
        assert client.get(URL).status_code == 200
    assert len(twelve) == len(one), [q["sql"] for q in twelve.captured_queries]


# --- Key figures on the start page ----------------------------------------------------------


def _tiles(content: bytes) -> dict[str, list[str]]:
    """Tile label -> its values as shown."""
    html = content.decode()
    tiles = {}
    for label, values in re.findall(
        r'<dt class="app-report-tile__label">(.*?)</dt>\s*'
        r'<dd class="app-report-tile__values">(.*?)</dd>',
        html,
        re.S,
    ):
        tiles[label] = re.findall(r'<span class="app-report-tile__value">([^<]*)', values)
    return tiles


def test_the_key_figures_are_the_dashboards_tiles_suppressed_for_a_director(
    world, user_with_role, login
):
    _cases(world, 3)
    director = login(user_with_role(RoleCode.SWV_DIRECTOR))
    figures = director.get(reverse("reports:key_figures"))
    assert figures.status_code == 200
    tiles = _tiles(figures.content)
    assert tiles == _tiles(director.get(URL).content)
    assert [value.strip() for value in tiles["Open casussen"]] == ["&lt;5"]
    assert "&lt;5: een aantal van 1 tot en met 4." in figures.content.decode()
    assert world.swv.name in figures.content.decode()

    consultant = login(user_with_role(RoleCode.SWV_CONSULTANT))
    tiles = _tiles(consultant.get(reverse("reports:key_figures")).content)
    assert [value.strip() for value in tiles["Open casussen"]] == ["3"]


@pytest.mark.parametrize("role", [RoleCode.ZORGCOORDINATOR, RoleCode.CARE_PARTNER])
def test_the_key_figures_are_not_found_without_aggregates(world, user_with_role, login, role):
    assert login(user_with_role(role)).get(reverse("reports:key_figures")).status_code == 404


def test_the_key_figures_query_count_does_not_grow_with_the_cases(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    client.get(reverse("home"))
    _cases(world, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("reports:key_figures")).status_code == 200
    for phase in ("school", "casusregisseur", "doorbraakteam"):
        _cases(world, 3, phase=phase, school=world.school2)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(reverse("reports:key_figures")).status_code == 200
    assert len(ten) == len(one), [q["sql"] for q in ten.captured_queries]


# --- Downloads -------------------------------------------------------------------------------


def test_csv_export_of_a_breakdown(world, user_with_role, login):
    _cases(world, 3)
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    response = client.get(reverse("reports:dashboard_export", args=["phase", "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="phase-')
    rows = _csv(response)
    assert rows[0] == ["Fase", "Open casussen", "Thuiszitters (smal)", "Thuiszitters (breed)"]
    assert ["Casusregisseur", "3", "3", "3"] in rows


def test_a_hidden_cell_is_explained_to_sighted_and_screen_reader_users(
    world, user_with_role, login
):
    _cases(world, 3)
    _cases(world, 6, phase="doorbraakteam")
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.get(URL)
    cells = _row(response.content, "phase", "Doorbraakteam")
    assert "x" in response.content.decode()
    hidden = [c for c in cells if c.startswith("<abbr")]
    assert hidden, cells  # the 6 protects the 3 beside it
    assert 'title="verborgen om een ander aantal te beschermen"' in hidden[0]
    assert '<span class="app-visually-hidden"> (verborgen)</span>' in hidden[0]


def test_csv_export_of_the_totals_and_the_escalations(world, user_with_role, login):
    _cases(world, 6)
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    rows = _csv(client.get(reverse("reports:dashboard_export", args=["totals", "csv"])))
    assert rows[0] == ["Cijfer", "Aantal"]
    assert ["Open casussen op de peildatum", "6"] in rows
    assert ["Thuiszitters (smal)", "6"] in rows
    rows = _csv(client.get(reverse("reports:dashboard_export", args=["escalations", "csv"])))
    assert rows[0][:4] == ["Stap", "Totaal", "Op tijd", "Te laat"]


def test_xlsx_export_is_suppressed_for_a_director(world, user_with_role, login):
    _cases(world, 3)
    _cases(world, 2, phase="arbitration")  # two small cells: no secondary suppression
    _cases(world, 6, phase="doorbraakteam")
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.get(reverse("reports:dashboard_export", args=["phase", "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Fase", "Open casussen", "Thuiszitters (smal)", "Thuiszitters (breed)"]
    assert ["Casusregisseur", "<5", "<5", "<5"] in rows
    assert ["Doorbraakteam", 6, 6, 6] in rows


def test_xlsx_export_of_the_targets_and_the_trend(world, user_with_role, login):
    _cases(world, 2)
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    response = client.get(reverse("reports:dashboard_export", args=["targets", "xlsx"]))
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.values]
    assert rows[0][:4] == ["Doel", "Gehaald", "Niet gehaald", "Gemeten"]
    assert len(rows) == 5  # the header and four targets
    response = client.get(reverse("reports:dashboard_export", args=["trend", "xlsx"]))
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.values]
    assert rows[0][:3] == ["Kwartaal", "Nieuw", "Open casussen"]
    assert rows[-1][0] == Quarter.of(timezone.localdate()).label
    assert rows[-1][2] == 2


def test_every_table_on_the_page_can_be_downloaded(world, user_with_role, login):
    _cases(world, 2)
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    content = client.get(URL).content.decode()
    tables = set(re.findall(r'data-table="([a-z_]+)"', content))
    assert {"totals", "targets", "trend", "phase", "school", "duration"} <= tables
    for table in tables:
        for fmt in ("csv", "xlsx"):
            url = reverse("reports:dashboard_export", args=[table, fmt])
            assert url in content
            assert client.get(url).status_code == 200


@pytest.mark.parametrize(("table", "fmt"), [("unknown", "csv"), ("phase", "pdf")])
def test_unknown_tables_and_formats_are_not_found(world, user_with_role, login, table, fmt):
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    assert client.get(reverse("reports:dashboard_export", args=[table, fmt])).status_code == 404


def test_exports_of_aggregates_leave_no_audit_entry(world, user_with_role, login):
    from thuiszitters.models import AuditLogEntry

    _cases(world, 2)
    client = login(user_with_role(RoleCode.SWV_CONSULTANT))
    before = AuditLogEntry.objects.count()
    client.get(reverse("reports:dashboard_export", args=["phase", "csv"]))
    assert AuditLogEntry.objects.count() == before
