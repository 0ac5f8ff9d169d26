"""The English catalogue is complete and compiled: every Dutch message has a translation."""

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"


def _po_entries(text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry of a .po file (plural forms: the singular)."""
    entries, current, key, fuzzy = [], {}, None, False
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if current.get("msgid"):
                entries.append((current["msgid"], current.get("msgstr", ""), fuzzy))
            current, key, fuzzy = {}, None, False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith(("msgid ", "msgstr ", "msgstr[0] ")):
            key = "msgid" if line.startswith("msgid ") else "msgstr"
            current[key] = ast.literal_eval(line.split(" ", 1)[1])
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif line.startswith(("msgid_plural", "msgstr[")):
            key = None
    return entries


def test_every_message_is_translated_and_compiled():
    entries = _po_entries((LOCALE / "django.po").read_text())
    assert len(entries) > 100
    assert not [m for m, s, fuzzy in entries if not s or fuzzy]
    with (LOCALE / "django.mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = [m for m, s, _ in entries if catalogue.gettext(m) != s and "%(" not in m]
    assert not stale, f"django.mo is older than django.po: run compilemessages ({stale[:3]})"


def test_every_text_of_the_jinja_templates_is_in_the_catalogue():
    """The Jinja2 templates (ADR 0020) translate with ``_("...")`` only, the form makemessages
    finds with ``-e jinja``; a text missing here stays Dutch in English."""
    import re

    templates = Path(__file__).resolve().parents[2] / "templates"
    texts = {
        text
        for path in templates.rglob("*.jinja")
        for text in re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', path.read_text())
    }
    assert texts, "no Jinja2 template found"
    with (LOCALE / "django.mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    missing = sorted(t for t in texts if t not in catalogue._catalog)  # (some stay the same)
    assert not missing, f"not translated (run makemessages -e html,txt,py,jinja): {missing}"
    # Only the extractable form: a plural or a call with arguments would be lost.
    for path in templates.rglob("*.jinja"):
        assert not re.search(r"ngettext|\{% *trans|_\([^\")]", path.read_text()), path


def test_makemessages_finds_every_text_of_the_jinja_templates():
    """The project's makemessages reads ``.jinja`` with Jinja's extractor: every ``_("...")``
    becomes a gettext call for xgettext on its own line, also a text handed to a macro, which
    Django's template lexer missed (a run then marked its translation obsolete)."""
    import re

    from thuiszitters.management.commands.makemessages import jinja_as_python

    templates = Path(__file__).resolve().parents[2] / "templates"
    for path in templates.rglob("*.jinja"):
        source = path.read_text()
        written = {
            ast.literal_eval(f'"{t}"') for t in re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', source)
        }
        python = jinja_as_python(str(path))
        found = {}
        for number, line in enumerate(python.splitlines(), start=1):
            for node in ast.walk(ast.parse(line)):
                if isinstance(node, ast.Call):
                    found[node.args[0].value] = number
        assert written <= set(found), (path.name, written - set(found))
        lines = source.splitlines()
        for text, number in found.items():
            assert text in lines[number - 1] or "\n" in text, (path.name, text, number)
