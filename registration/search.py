"""No BSN in any URL: a search that may carry a BSN goes by POST.

A query string ends up in access logs, browser history and Referer headers. The pages and
the API refuse a GET whose search parameter looks like a BSN (400, pointing to POST), and
their forms post; a POST search is answered in its own response, never by a redirect that
would put the BSN in a ``Location`` header.
"""

import re

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .identity import bsn_normalise

# Nine digits in a row once spaces, dots and hyphens are gone; a date (02-03-2012) has eight.
_BSN_RUN = re.compile(r"\d{9}")
_SEPARATORS = re.compile(r"[\s.\-]")

BSN_IN_URL_MESSAGE = _(
    "Zoeken op BSN kan niet via het webadres (GET): een BSN komt dan in logbestanden terecht. "
    "Gebruik het zoekformulier of, in de API, POST /api/v1/pupils/search/."
)


def looks_like_bsn(text: str | None) -> bool:
    """True when the text holds a BSN (9 digits, however written)."""
    return bool(_BSN_RUN.search(_SEPARATORS.sub("", text or "")))


def posted_search(data: QueryDict) -> QueryDict:
    """The posted search with a BSN typed as ``111 222 333`` or ``111.222.333`` made plain."""
    bsn = bsn_normalise(data.get("q"))
    if not (bsn.isdigit() and len(bsn) == 9):
        return data
    data = data.copy()
    data["q"] = bsn
    return data


def bsn_in_url_refused(request: HttpRequest, *, back_url: str) -> HttpResponse:
    """The 400 page for a GET whose query string carries a BSN."""
    return render(
        request,
        "registration/bsn_in_url.html",
        {"back_url": back_url, "message": BSN_IN_URL_MESSAGE, "bsn_in_url": True},
        status=400,
    )
