"""Reading a rendered PDF back in tests: its text (pypdf) and whether it is tagged as the
project's PDFs are (PDF/UA-1: marked content, a structure tree, the language and a title
shown in the window)."""

import io

from pypdf import PdfReader


def pdf_read(content: bytes) -> tuple[PdfReader, str]:
    """The reader and the text of all pages."""
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def assert_tagged_pdf(reader: PdfReader, *, title: str, lang: str = "nl") -> None:
    """Tagged for screen readers; ``title`` is how the metadata's title starts."""
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == lang
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None and reader.metadata.title.startswith(title)
