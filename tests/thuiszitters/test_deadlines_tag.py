"""``{% days_left %}``: the days to a deadline in words, in Dutch and in English."""

import pytest
from django.template import Context, Template
from django.utils import translation


def render(days: int, language: str = "nl") -> str:
    with translation.override(language):
        return Template("{% load deadlines %}{% days_left days %}").render(Context({"days": days}))


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (3, "(nog 3 dagen)"),
        (1, "(nog 1 dag)"),
        (0, "(vandaag)"),
        (-1, '<strong class="app-overdue">(1 dag over de termijn)</strong>'),
        (-4, '<strong class="app-overdue">(4 dagen over de termijn)</strong>'),
    ],
)
def test_days_left_in_dutch(days, text):
    assert render(days) == text


def test_days_left_is_translated():
    assert render(2, "en") == "(2 days left)"
    assert render(0, "en") == "(today)"
    assert render(-2, "en") == '<strong class="app-overdue">(2 days overdue)</strong>'
