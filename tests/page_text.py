"""Reading names back from rendered HTML in tests.

Dutch surnames carry apostrophes ("van 't Wel"), which the templates escape (Django as
``&#x27;``, Jinja2 as ``&#39;``). Compare names with the page's text, not its markup: a
plain ``name in body`` fails on such a name, and ``name not in body`` passes whatever the
page shows.
"""

import html


def shows(markup: str, text: str) -> bool:
    """Whether ``text`` appears in the text of ``markup``, entities decoded."""
    return text in html.unescape(markup)
