"""The search in the header: cases and pupils the user may see, by name, case number, BSN or
date of birth.

The form posts (a BSN must not travel in a URL, a browser history or a log), and the answer
is this response, never a redirect (as ``registration.search`` answers a BSN). Every search
is audited, per kind of record, with the ids shown and a keyed hash of what was typed
(ADR 0017), never the words themselves.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from registration.search import looks_like_bsn, posted_search
from thuiszitters.audit import audit_hash, audit_record
from thuiszitters.models import AuditAction

from ..selectors import case_number_in, search_everything

MAX_LENGTH = 200


def _kind_of(text: str) -> str:
    if looks_like_bsn(text):
        return "bsn"
    if case_number_in(text) is not None:
        return "case_number"
    return "name_or_date"


def _audit(user, text: str, cases, pupils) -> None:
    common = {"search": "header", "by": _kind_of(text), "term": audit_hash(text)}
    for object_type, rows in (("cases.case", cases), ("registration.pupil", pupils)):
        ids = [str(row.pk) for row in rows]
        audit_record(
            actor=user,
            action=AuditAction.READ,
            object_type=object_type,
            changes={**common, "ids": ids, "count": len(ids)},
        )


@never_cache
@require_POST
def search(request):
    text = posted_search(request.POST).get("q", "").strip()[:MAX_LENGTH]
    cases, pupils = search_everything(request.user, text)
    if text:
        _audit(request.user, text, cases, pupils)
    return render(
        request,
        "cases/search/results.html",
        {"q": text, "cases": cases, "pupils": pupils},
    )
