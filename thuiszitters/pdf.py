"""HTML to a tagged PDF (PDF/UA-1) with WeasyPrint, loading nothing from the network.

Used by the quarterly OOGO report and the subject-access copy (``reports.pdf``) and by the
case file (``cases.views.case_file``). WeasyPrint is imported inside the functions only
(STYLE.md 14): a web request that loads this module does not pay for it. Each caller renders
its HTML with Django templates, inlines its style sheet and names the one folder its document
may read files from (``base_dir``); the URL fetcher refuses everything but ``data:`` URLs and
files under that folder, so that a stray ``<img src="http://...">`` or ``file:///etc/...`` in
the HTML cannot make the worker fetch or embed anything.
"""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit


class RefusedURL(ValueError):
    """A resource the document may not load (WeasyPrint logs it and goes on without it)."""


def _allowed_file(url: str, base_dir: Path) -> bool:
    path = Path(unquote(urlsplit(url).path)).resolve()
    return path.is_relative_to(base_dir.resolve())


def url_fetcher(base_dir: Path):
    """A WeasyPrint URL fetcher for ``data:`` URLs and files under ``base_dir`` only."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def __init__(self, **kwargs):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, **kwargs)

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "file" and not _allowed_file(url, base_dir):
                raise RefusedURL(f"file outside the document's templates: {url[:80]}")
            if scheme not in ("data", "file"):
                raise RefusedURL(f"remote resource refused: {url[:80]}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher()


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def html_to_pdf(html: str, *, base_dir: Path) -> RenderedPdf:
    """The PDF of ``html`` and its number of pages (from WeasyPrint's layout, which is the
    number of pages written; pypdf is a test dependency, not a runtime one).

    Tagged (PDF/UA-1): structure, reading order, document language (``<html lang>``) and
    title (``<title>``, shown in the window) for screen readers. The HTML must carry both.
    """
    from weasyprint import HTML

    document = HTML(
        string=html, base_url=base_dir.as_uri() + "/", url_fetcher=url_fetcher(base_dir)
    ).render()
    return RenderedPdf(
        content=document.write_pdf(pdf_variant="pdf/ua-1"), pages=len(document.pages)
    )


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for ``content:`` in ``@page`` margin boxes)."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;-_()'/" else f"\\{ord(ch):x} " for ch in str(text)
    )
    return f'"{escaped}"'


def page_of_pages_css(text: str) -> str:
    """``content:`` of a "page X of Y" margin box from a translated text with ``%(page)s``
    and ``%(pages)s`` (each part escaped by ``css_string``)."""
    before, rest = text.split("%(page)s", 1)
    middle, after = rest.split("%(pages)s", 1)
    return (
        f"{css_string(before)} counter(page) {css_string(middle)} counter(pages)"
        f" {css_string(after)}"
    )
