"""``errors_onto_form``: a service's ValidationError lands on the form's fields."""

from django import forms
from django.core.exceptions import ValidationError

from thuiszitters.forms import errors_onto_form


class NoteForm(forms.Form):
    service_field_map = {"phase": "step"}

    step = forms.CharField(required=False)
    note = forms.CharField(required=False)
    file = forms.CharField(required=False)


def bound() -> NoteForm:
    form = NoteForm({"step": "a", "note": "b"})
    assert form.is_valid()
    return form


def test_field_errors_go_to_their_field_and_the_rest_to_the_top():
    form = bound()
    errors_onto_form(form, ValidationError({"note": ["Te kort."], "who": ["Onbekend."]}))
    assert form.errors["note"] == ["Te kort."]
    assert form.non_field_errors() == ["Onbekend."]


def test_a_plain_error_goes_to_the_top_or_to_the_default_field():
    form = bound()
    errors_onto_form(form, ValidationError(["Eén.", "Twee."]))
    assert form.non_field_errors() == ["Eén.", "Twee."]
    other = bound()
    errors_onto_form(other, ValidationError("Kapot bestand."), default="file")
    assert other.errors == {"file": ["Kapot bestand."]}


def test_the_forms_map_and_rename_translate_the_services_names():
    form = bound()
    errors_onto_form(
        form,
        ValidationError({"phase": ["Geen stap."], "text": ["Leeg."], "note": ["Weg."]}),
        rename={"text": "note", "note": None},
    )
    assert form.errors["step"] == ["Geen stap."]
    assert form.errors["note"] == ["Leeg."]
    assert form.non_field_errors() == ["Weg."]


def test_a_message_already_shown_is_not_repeated():
    form = bound()
    form.add_error("note", "Te kort.")
    errors_onto_form(form, ValidationError({"note": ["Te kort.", "Te vaag."]}))
    assert form.errors["note"] == ["Te kort.", "Te vaag."]
