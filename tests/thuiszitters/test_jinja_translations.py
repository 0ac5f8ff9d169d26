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
