"""Django's ``makemessages``, reading the Jinja2 templates (``.jinja``, ADR 0020) with Jinja's
own extractor.

Django turns every non-Python file into Python with its template lexer, which finds
``_("...")`` only at the start of ``{{ ... }}``: a text handed to a macro
(``case_form(form, url, _("..."))``) was not found, so a run marked its translation obsolete
and the page fell back to Dutch. Jinja's ``babel_extract`` parses the template and finds every
gettext call; each becomes a line of Python at the template's line number for xgettext.
"""

import json

from django.core.management.commands import makemessages
from jinja2.ext import GETTEXT_FUNCTIONS, babel_extract


def jinja_as_python(path: str) -> str:
    """The gettext calls of a Jinja2 template as Python, each on the line it was found."""
    calls: dict[int, list[str]] = {}
    with open(path, "rb") as fh:
        found = babel_extract(
            fh, GETTEXT_FUNCTIONS, [], {"extensions": "jinja2.ext.i18n", "trimmed": "false"}
        )
        for line, function, message, _comments in found:
            texts = message if isinstance(message, tuple) else (message,)
            arguments = ", ".join(json.dumps(t, ensure_ascii=False) for t in texts if t)
            calls.setdefault(line, []).append(f"{function}({arguments})")
    last = max(calls, default=0)
    return "\n".join("; ".join(calls.get(n, ())) for n in range(1, last + 1)) + "\n"


class JinjaBuildFile(makemessages.BuildFile):
    def preprocess(self):
        if not self.path.endswith(".jinja"):
            return super().preprocess()
        with open(self.work_path, "w", encoding="utf-8") as fh:
            fh.write(jinja_as_python(self.path))


class Command(makemessages.Command):
    build_file_class = JinjaBuildFile
