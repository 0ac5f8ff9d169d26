"""The widgets we render through our own Jinja2 templates (thuiszitters/jinja2/, for speed,
docs/performance.md) write the same markup as Django's own Jinja2 widget templates."""

import pytest
from django import forms
from django.forms.renderers import Jinja2

from thuiszitters.renderers import FormRenderer

CHOICES = [("x", "X & co"), ("Groep", [("1", "Een"), ("2", "Twee <b>")]), ("3", "Drie")]


class _Form(forms.Form):
    select = forms.ChoiceField(choices=CHOICES, required=False)
    select_styled = forms.ChoiceField(
        choices=CHOICES, required=False, widget=forms.Select(attrs={"class": "c", "data-x": True})
    )
    multiple_select = forms.MultipleChoiceField(choices=CHOICES, required=False)
    boxes = forms.MultipleChoiceField(
        choices=CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    boxes_styled = forms.MultipleChoiceField(
        choices=CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "app-checks"}),
    )
    boxes_disabled = forms.MultipleChoiceField(
        choices=CHOICES, required=False, widget=forms.CheckboxSelectMultiple, disabled=True
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"select": "2", "select_styled": "x", "multiple_select": ["x", "3"], "boxes": ["1", "3"]},
        {"boxes_styled": ["x"], "boxes_disabled": ["2"]},
    ],
)
@pytest.mark.parametrize("name", list(_Form.base_fields))
def test_our_widget_templates_write_djangos_markup(data, name):
    ours = _Form(data, renderer=FormRenderer())[name].as_widget()
    django = _Form(data, renderer=Jinja2())[name].as_widget()
    assert ours == django
    assert "X &amp; co" in ours and "Twee &lt;b&gt;" in ours


def test_our_templates_are_the_ones_used():
    renderer = FormRenderer()
    for name in ("select.html", "checkbox_select.html"):
        template = renderer.get_template(f"django/forms/widgets/{name}")
        assert "thuiszitters/jinja2" in template.template.filename
