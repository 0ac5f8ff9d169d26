"""``url()`` in the Jinja2 templates (ADR 0020) and the menus answers as Django's
``reverse``: without arguments or for ids it writes them into the route's text worked out
once, for anything else it asks Django."""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls import path as route
from django.urls.converters import IntConverter

from thuiszitters.jinja2env import url


def _named_routes(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _ids_only(entry) -> int:
    """The number of ids of a route whose every argument is an id (``<int:...>``), else 0."""
    converters = getattr(entry.pattern, "converters", {})
    if converters and all(isinstance(c, IntConverter) for c in converters.values()):
        return len(converters)
    return 0


ARITY = {name: _ids_only(entry) for name, entry in _named_routes() if _ids_only(entry)}
ROUTES_WITH_IDS = sorted(ARITY)
ROUTES_WITHOUT_ARGUMENTS = sorted(
    name
    for name, entry in _named_routes()
    if not getattr(entry.pattern, "converters", {}) and not entry.pattern.regex.groups
)


def test_there_are_routes_with_ids():
    assert {"cases:case_detail", "registration:pupil_detail"} <= set(ROUTES_WITH_IDS)


@pytest.mark.parametrize("name", ROUTES_WITH_IDS)
def test_every_route_with_ids_reads_as_djangos(name):
    arity = ARITY[name]
    for ids in [(1,) * arity, (7, 1234567, 42)[:arity], (10**12 + 3,) * arity, (0,) * arity]:
        assert url(name, *ids) == reverse(name, args=ids)
        assert url(name, *ids) == reverse(name, args=ids)  # the second time from the shape


def test_every_route_without_arguments_reads_as_djangos():
    assert {"home", "caselists:case_list", "inbox:unread_count"} <= set(ROUTES_WITHOUT_ARGUMENTS)
    for name in ROUTES_WITHOUT_ARGUMENTS:
        assert url(name) == reverse(name)
        assert url(name) == reverse(name)  # the second time from the shape


def test_what_django_refuses_it_refuses():
    with pytest.raises(NoReverseMatch):
        url("cases:case_detail", -1)
    with pytest.raises(NoReverseMatch):
        url("cases:case_detail", 1, 2)
    with pytest.raises(NoReverseMatch):
        url("no-such-route", 1)
    with pytest.raises(NoReverseMatch):
        url("cases:case_detail")  # an id missing
    with pytest.raises(NoReverseMatch):
        url("no-such-route")


def test_other_arguments_go_to_django():
    assert url("cases:case_detail", "12") == reverse("cases:case_detail", args=["12"])
    with pytest.raises(NoReverseMatch):
        url("cases:case_detail", "twelve")


def test_words_keep_a_shape_each():
    """A word among the ids (a closed form's name on the case page) is part of the shape."""
    from cases.views.case_page import LAZY_FORMS

    for name in LAZY_FORMS:
        for pk in (1, 42, 10**12 + 3):
            expected = reverse("cases:case_form", args=[pk, name])
            assert url("cases:case_form", pk, name) == expected
            assert url("cases:case_form", pk, name) == expected  # from the shape
    with pytest.raises(NoReverseMatch):
        url("cases:case_form", 1, "no_such_form/")


def _as_django(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return NoReverseMatch


def _as_url(name, *args):
    try:
        return url(name, *args)
    except NoReverseMatch:
        return NoReverseMatch


@pytest.mark.parametrize("word", ["Care", "care2", "zorg-partner", "é", "x" * 41, "a/b", ""])
def test_other_strings_are_reversed_by_django(word):
    expected = _as_django("cases:case_form", 7, word)
    assert _as_url("cases:case_form", 7, word) == expected == _as_url("cases:case_form", 7, word)


def test_a_script_prefix_is_kept_apart(settings):
    from django.urls import set_script_prefix

    plain = url("cases:case_detail", 5)
    set_script_prefix("/onder/")
    try:
        assert url("cases:case_detail", 5) == "/onder" + plain
    finally:
        set_script_prefix("/")
    assert url("cases:case_detail", 5) == plain


def test_a_route_that_limits_its_digits_is_reversed_by_django(settings):
    """The stand-ins differ in length: a route of three-digit ids refuses the long one, and
    its text is never kept from the short one."""
    urlconf = type(
        "Urls", (), {"urlpatterns": [route("<int:pk>/x/", lambda r: None, name="short")]}
    )
    from django.urls import re_path

    urlconf.urlpatterns.append(re_path(r"^(?P<pk>[0-9]{3})/y/$", lambda r: None, name="three"))
    settings.ROOT_URLCONF = urlconf
    assert url("three", 123) == "/123/y/"
    with pytest.raises(NoReverseMatch):
        url("three", 12345)
    assert url("short", 5) == reverse("short", args=[5]) == "/5/x/"
