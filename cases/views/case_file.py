"""The case file as a PDF (``cases:case_file_pdf``): what the reader sees of the case on the
case page, on paper, for an OM referral or a multidisciplinary meeting (issue 17).

The same scoping as the case page: a case the user may not see is 404 (and the refusal
audited); the restricted view gives a PDF of only what the restricted page shows. Rendered in
the request (one case, a bounded number of rows) as a tagged PDF/UA-1 document; every
download is one EXPORT entry in the audit log.
"""

from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from registration.selectors import pupils_visible_to
from thuiszitters.audit import audit_read_denied, audit_record
from thuiszitters.models import AuditAction
from thuiszitters.pdf import css_string, html_to_pdf, page_of_pages_css

from ..case_file import case_file_sections
from ..models import Action, Case
from ..selectors import case_view_of
from .case_page import PageData, restricted_view

TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "cases" / "pdf"
# A case has at most hundreds of journal rows; beyond this the oldest are left out (and the
# document says so), which keeps the rendering in the request bounded.
JOURNAL_MAX = 2000


class CaseFileData(PageData):
    """The case page's data for the whole view, with the journal complete (up to
    ``JOURNAL_MAX``) and in the order it happened."""

    @cached_property
    def whole_journal(self) -> tuple[list, int]:
        rows = list(
            self.case.events.select_related("actor").order_by("-at", "-id")[: JOURNAL_MAX + 1]
        )
        left_out = len(rows) > JOURNAL_MAX
        rows = rows[:JOURNAL_MAX]
        rows.reverse()
        return rows, (self.case.events.count() - JOURNAL_MAX if left_out else 0)

    @cached_property
    def actions_in_full(self) -> list[Action]:
        """As instances: the template shows the restricted view's own actions too."""
        return list(
            self.case.actions.select_related(
                "decision", "owner_user", "owner_organisation"
            ).order_by("due_on", "id")
        )

    @cached_property
    def pupil_visible(self) -> bool:
        """Date of birth and BSN only for a reader who may open the pupil's page too (a care
        partner or arbitrator reads the case, not the pupil's registration)."""
        return pupils_visible_to(self.user).filter(pk=self.case.pupil_id).exists()


def _title(case: Case) -> str:
    # A real en dash, not "\u2013": xgettext keeps escapes as they are, so the catalogue's
    # msgid would never match.
    return _("Dossier casus %(number)s – %(name)s") % {  # noqa: RUF001
        "number": case.pk,
        "name": case.pupil.full_name,
    }


@require_GET
def case_file_pdf(request, pk: int):
    """The case file of one case as a PDF download, whole or restricted as the case page."""
    user = request.user
    case, whole = case_view_of(user, pk)
    if case is None:
        audit_read_denied(actor=user, object_type="cases.case", object_id=pk)
        raise Http404
    printed_at = timezone.localtime()
    today = printed_at.date()
    title = _title(case)
    printed_by = user.full_name or user.email
    printed = _("Afgedrukt op %(when)s door %(who)s") % {
        "when": f"{printed_at:%d-%m-%Y %H:%M}",
        "who": printed_by,
    }
    context = {
        "case": case,
        "whole": whole,
        "title": title,
        "printed": printed,
        "sections": case_file_sections(case, whole=whole, today=today),
        "css": {
            # css_string escapes everything but a few safe characters.
            "header": mark_safe(css_string(f"{title} · {printed}")),  # noqa: S308
            "footer": mark_safe(  # noqa: S308
                css_string(_("Vertrouwelijk – bevat persoonsgegevens van een minderjarige"))  # noqa: RUF001
            ),
            "page": mark_safe(  # noqa: S308
                page_of_pages_css(_("pagina %(page)s van %(pages)s"))
            ),
        },
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    if whole:
        data = CaseFileData(request, case)
        journal, left_out = data.whole_journal
        context.update(
            d=data,
            reports=data.reports,
            actions=data.actions_in_full,
            journal=journal,
            journal_left_out=left_out,
        )
    else:
        context.update(restricted_view(user, case))
    # Without the request: the PDF needs none of the page's context processors (the menu).
    rendered = html_to_pdf(
        render_to_string("cases/pdf/case_file.html", context), base_dir=TEMPLATE_DIR
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=case,
        # The pupil's region: its administrators see who took the file out of the system.
        organisation=case.municipality,
        changes={
            "export": "case_file_pdf",
            "view": "whole" if whole else "restricted",
            "pages": rendered.pages,
        },
        reason="case file PDF downloaded",
    )
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dossier-casus-{case.pk}.pdf"'
    return response
