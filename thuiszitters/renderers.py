"""The form renderer: widgets through Jinja2 where Django ships Jinja2 templates for them."""

from pathlib import Path

import django.forms
from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.template.backends.jinja2 import Jinja2 as Jinja2Backend
from django.utils.functional import cached_property

# Our own versions of a few of Django's Jinja2 widget templates (the select and the checkbox
# list, their options inline), found first; tests/thuiszitters/test_widgets.py compares them.
OWN_WIDGETS = Path(__file__).resolve().parent / "jinja2"


class _Jinja2(Jinja2):
    @cached_property
    def engine(self):
        return Jinja2Backend(
            {
                "APP_DIRS": True,
                "DIRS": [OWN_WIDGETS, Path(django.forms.__file__).resolve().parent / "jinja2"],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )


class FormRenderer(BaseRenderer):
    """Django's own Jinja2 widget templates (a select with a region's schools renders several
    times faster than through the Django template engine, about a third of a list page's
    time; docs/performance.md), and the Django engine for widgets that exist only there
    (the admin's)."""

    def __init__(self) -> None:
        self.jinja2 = _Jinja2()
        self.django = DjangoTemplates()
        # Names Jinja2 does not have: its loader searches the disk again on every miss.
        self.django_only: set[str] = set()

    def get_template(self, template_name: str):
        if template_name not in self.django_only:
            try:
                return self.jinja2.get_template(template_name)
            except TemplateDoesNotExist:
                self.django_only.add(template_name)
        return self.django.get_template(template_name)
