"""Tables as CSV (for Excel: BOM, semicolons) or XLSX, with exports of personal data audited.

A table is a title, a header row and rows of cells (str, int, date or None). Views build the
table from a selector and call ``export_response``; nothing here queries the database except
the one audit row.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from thuiszitters.audit import audit_record
from thuiszitters.csvfiles import spreadsheet_safe
from thuiszitters.models import AuditAction

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMATS = ("csv", "xlsx")


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # under the rows (the legend)


def _guard(value):
    return spreadsheet_safe(value) if isinstance(value, str) else value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    return str(value)


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_guard(h) for h in table.header])
    for row in table.rows:
        writer.writerow([_guard(_text(cell)) for cell in row])
    if table.notes:
        writer.writerow([])
        for note in table.notes:
            writer.writerow([_guard(str(note))])
    return out.getvalue().encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = cast("Worksheet", book.active)  # a new workbook opens on one worksheet
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31] or "Export"
    sheet.append([str(h) for h in table.header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_guard(c) if isinstance(c, str) else c for c in row])
    widths_from = sheet.max_row
    if table.notes:
        sheet.append([])
        for note in table.notes:
            sheet.append([_guard(str(note))])
    columns = zip(sheet.iter_cols(max_row=widths_from), table.header, strict=False)
    for index, (column, header) in enumerate(columns, start=1):
        width = max([len(str(header)), *(len(_text(c.value)) for c in column)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_response(
    request,
    table: Table,
    fmt: str,
    *,
    filename: str,
    personal_data: bool,
    organisation=None,
    object_type: str = "",
    reason: str = "",
) -> HttpResponse:
    """The download of ``table``; an export with personal data leaves an audit entry
    (who, which organisation's list, how many rows) before any byte is sent."""
    if fmt not in FORMATS:
        raise Http404
    if personal_data:
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            object_type=object_type,
            organisation=organisation,
            changes={"rows": len(table.rows), "format": fmt, "title": table.title},
            reason=reason or f"export: {table.title}",
        )
    body = table_csv(table) if fmt == "csv" else table_xlsx(table)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(body, content_type=_TYPES[fmt])
    name = slugify(filename) or "export"
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
