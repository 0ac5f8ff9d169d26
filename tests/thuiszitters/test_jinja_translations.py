"""``_("...")`` in the Jinja2 templates (ADR 0020) translates as Django's ``gettext`` in
every language, in any order, though the texts are kept per language."""

from django.template import engines
from django.utils import translation


def test_texts_follow_the_language_of_each_render():
    template = engines["jinja2"].from_string('{{ _("Volgende stap") }}')
    seen = []
    for language in ("nl", "en", "nl", "en"):
        with translation.override(language):
            seen.append(template.render({}))
            assert seen[-1] == translation.gettext("Volgende stap")
    assert seen == ["Volgende stap", "Next step", "Volgende stap", "Next step"]


def test_a_render_by_render_jinja_reads_language_and_script_prefix_once_and_keeps_them():
    """``render_jinja`` reads the language and the script prefix at the start of a render;
    its texts and links follow them, render after render, in any order."""
    from types import SimpleNamespace

    from django.urls import reverse, set_script_prefix

    from cases.selectors import JournalPage
    from thuiszitters.jinja2env import render_jinja

    context = {"case": SimpleNamespace(pk=3), "page": JournalPage([], 5), "appended": False}
    seen = []
    for language, prefix in (("nl", "/"), ("en", "/onder/"), ("nl", "/onder/"), ("en", "/")):
        set_script_prefix(prefix)
        try:
            with translation.override(language):
                html = render_jinja("cases/page/_journal_entries.jinja", context)
                link = reverse("cases:journal", args=[3]) + "?voor=5"
                assert f'href="{link}"' in html and link.startswith(prefix)
                seen.append(translation.gettext("Oudere berichten tonen") in html)
        finally:
            set_script_prefix("/")
    assert seen == [True] * 4
    with translation.override("en"):
        assert "Show older entries" in render_jinja("cases/page/_journal_entries.jinja", context)
