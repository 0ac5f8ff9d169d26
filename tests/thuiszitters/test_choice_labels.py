"""``get_FOO_display()`` of the models with ``ChoiceLabels``: the label of the value in the
active language, translated once per language (Django's own translates every choice at every
call)."""

from unittest import mock

from django.utils import translation

from cases.models import Case, CaseEvent, CaseEventKind
from thuiszitters.models import Organisation, OrganisationKind


def test_the_label_of_the_value_in_the_active_language():
    event = CaseEvent(kind=CaseEventKind.OPENED)
    with translation.override("nl"):
        dutch = event.get_kind_display()
    with translation.override("en"):
        english = event.get_kind_display()
    assert dutch == "Casus geopend"
    assert english == "Case opened"
    assert Organisation(kind=OrganisationKind.SCHOOL).get_kind_display() == str(
        OrganisationKind.SCHOOL.label
    )


def test_a_value_without_a_choice_shows_itself_and_none_stays_none():
    assert CaseEvent(kind="no_such_kind").get_kind_display() == "no_such_kind"
    assert Case(waiting_list_for=None).get_waiting_list_for_display() in (None, "")


def test_the_labels_translate_once_per_language_not_per_row():
    events = [CaseEvent(kind=kind) for kind in CaseEventKind.values] * 3
    with translation.override("en"):
        events[0].get_kind_display()
        with mock.patch(
            "django.utils.translation._trans.gettext", wraps=translation._trans.gettext
        ) as gettext:
            labels = [event.get_kind_display() for event in events]
        english = [str(label) for label in CaseEventKind.labels]
    assert gettext.call_count == 0
    assert labels[: len(english)] == english and "Case opened" in english
