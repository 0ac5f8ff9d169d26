"""Dates in the Jinja2 rows (ADR 0020) read as Django's ``date`` filter writes them: the
numeric formats are written directly, in the current time zone."""

import datetime
import zoneinfo

import pytest
from django.template import engines
from django.utils import timezone

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
VALUES = [
    datetime.date(2026, 3, 1),
    datetime.date(999, 12, 31),
    datetime.datetime(2026, 3, 29, 0, 30, tzinfo=datetime.UTC),  # the night summer time starts
    datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC),  # the night it ends
    datetime.datetime(2026, 12, 31, 23, 59, tzinfo=datetime.UTC),  # a new year in Amsterdam
    None,
    "",
]


@pytest.mark.parametrize("fmt", ["d-m-Y", "d-m-Y H:i", "j F Y"])
@pytest.mark.parametrize("value", VALUES)
def test_the_rows_dates_read_as_in_django_templates(settings, fmt, value):
    settings.TIME_ZONE = "Europe/Amsterdam"
    template = engines["jinja2"].from_string("{{ value|date(fmt) }}")
    django = engines["django"].from_string("{{ value|date:fmt }}")
    context = {"value": value, "fmt": fmt}
    with timezone.override(AMSTERDAM):
        if type(value) is datetime.date and "H" in fmt:  # a day has no time: both refuse
            with pytest.raises(TypeError):
                django.render(context)
            with pytest.raises(TypeError):
                template.render(context)
            return
        assert template.render(context) == django.render(context)
