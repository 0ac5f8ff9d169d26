"""What a higher app adds to the case file PDF (``cases:case_file_pdf``).

The case page shows the route through an htmx partial served by ``escalation``; a PDF cannot
load one, and ``cases`` may not import ``escalation`` (docs/architecture.md). So a higher app
registers a section provider in its ``AppConfig.ready()``: called with the case and whether
the reader sees it whole, it returns the section's HTML (a PDF fragment of its own template),
or an empty string for nothing.
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

from .models import Case

SectionProvider = Callable[..., str]

_providers: list[tuple[int, SectionProvider]] = []


def register_case_file_section(provider: SectionProvider, *, order: int) -> None:
    """Add ``provider(case, *, whole, today)`` to the case file, placed by ``order`` (the
    phase and route section comes right after the pupil and case details)."""
    if all(existing is not provider for _order, existing in _providers):
        _providers.append((order, provider))
        _providers.sort(key=lambda item: item[0])


def case_file_sections(case: Case, *, whole: bool, today) -> list[SafeString]:
    """The registered sections' HTML, in order; a restricted reader's provider shows only
    what the restricted page shows (``whole=False``)."""
    parts = (provider(case, whole=whole, today=today) for _order, provider in _providers)
    # The providers render Django templates, which escape: their output is safe HTML.
    return [mark_safe(part) for part in parts if part]  # noqa: S308
