"""The Jinja2 environment of the few templates rendered through Jinja2 for speed: the rows of
lists, where the Django template engine spends most of a page's time (ADR 0020).

Jinja2 templates are ``.jinja`` files under ``templates/``, included from a Django template
with ``{% jinja "name.jinja" key=value %}`` (``thuiszitters.templatetags.jinja``). They
translate with ``_("Dutch text")`` only (``makemessages -e html,txt,py,jinja`` finds that
form; no plural blocks) and have ``url(name, *args)``, ``csrf_input``, and Django's
``date``, ``linebreaksbr`` and ``localize`` filters.
"""

import datetime
import functools
import re
import threading
from typing import Any, NamedTuple

from django.conf import settings
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.template import engines
from django.template.backends.utils import csrf_input
from django.template.defaultfilters import date, linebreaksbr
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.autoreload import file_changed
from django.utils.formats import localize
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import (
    get_language,
    get_language_info,
    gettext,
    ngettext,
    override,
)
from jinja2 import Environment, StrictUndefined, pass_context


def _date(value, fmt=None) -> str:
    """Django's ``date`` filter, in the current time zone as in Django templates. The numeric
    formats of the rows are written directly: Django's formatter cost about 40 microseconds a
    value, a millisecond or two for a page of rows (issue 14)."""
    value = template_localtime(value)
    if isinstance(value, datetime.date):
        if fmt == "d-m-Y":
            return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"
        if fmt == "d-m-Y H:i" and isinstance(value, datetime.datetime):
            return (
                f"{value.day:02d}-{value.month:02d}-{value.year:04d} "
                f"{value.hour:02d}:{value.minute:02d}"
            )
    return date(value, fmt)


# Two sets of stand-in ids of different lengths: a route whose pattern limits an id's digits
# refuses one of them, and is then reversed by Django every time.
_URL_STAND_INS = ((987_654_301, 987_654_302, 987_654_303), (101, 102, 103))
# A word among the arguments (a form's or a tab's name, lower-case letters and "_"): part of
# the shape's key as itself, as the route's name is. Words hold no digits, so they cannot be
# mistaken for a stand-in id.
_WORD = re.compile(r"[a-z_]{1,40}")
# (name, the arguments' kinds (int, or the word itself), script prefix, urlconf, language: a
# translated route) -> the URL's text around its ids; None: a route that Django reverses
# every time (its ids do not appear as themselves). Kept up to _URL_SHAPES_KEPT.
_url_shapes: dict[tuple[Any, ...], tuple[str, ...] | None] = {}
_url_shapes_lock = threading.Lock()
_URL_SHAPES_KEPT = 10_000


def _url_shape(name: str, kinds: tuple[Any, ...]) -> tuple[str, ...] | None:
    shapes = []
    for stand_ins in _URL_STAND_INS:
        given = iter(stand_ins)
        args = [next(given) if kind is int else kind for kind in kinds]
        try:
            text = reverse(name, args=args)
        except Exception:  # noqa: BLE001 - a pattern refusing the stand-ins: Django decides
            return None
        parts = [text]
        for value in args:
            if type(value) is not int:
                continue
            before, found, after = parts[-1].partition(str(value))
            if not found or str(value) in after:
                return None
            parts[-1:] = [before, after]
        shapes.append(tuple(parts))
    return shapes[0] if shapes[0] == shapes[1] else None


def url(name: str, *args: Any) -> str:
    """``reverse(name, args=args)``; without arguments, or for ids (integers) and words (a
    form's name), the URL's text around the ids is worked out once per route and words, and
    the ids are written into it. A row of a list links to its case or pupil, every page has
    its menu: Django's ``reverse`` took about 15-20 microseconds a link, a millisecond a page
    (issue 14). Other arguments are reversed by Django."""
    return _url(name, args, _render_scope())


def _url(name: str, args: tuple[Any, ...], where: "_RenderScope") -> str:
    """``url`` with the script prefix, URL conf and language (``where``) given."""
    if len(args) > len(_URL_STAND_INS[0]):
        return reverse(name, args=args)
    kinds = tuple(
        int if type(a) is int else a if type(a) is str and _WORD.fullmatch(a) else None
        for a in args
    )
    if None in kinds:
        return reverse(name, args=args)
    key = (name, kinds, *where)
    try:
        shape = _url_shapes[key]
    except KeyError:
        shape = _url_shape(name, kinds)
        with _url_shapes_lock:
            if len(_url_shapes) < _URL_SHAPES_KEPT:
                _url_shapes[key] = shape
    ids = [a for a in args if type(a) is int]
    if shape is None or any(a < 0 for a in ids):
        return reverse(name, args=args)
    text = [shape[0]]
    for value, after in zip(ids, shape[1:], strict=True):
        text += (str(value), after)
    return "".join(text)


# language -> message -> translation, for ``_("...")`` in the templates (literal texts only).
_translated: dict[str | None, dict[str, str]] = {}


def _gettext_in(language: str | None, message: str) -> str:
    """Django's ``gettext``, kept per language and text: Django loads a language's catalogue
    once per process, and a list's rows ask for the same few texts at every row (about 5
    microseconds each through Django's thread-local translation, a hundred a page)."""
    table = _translated.get(language)
    if table is None:
        table = _translated.setdefault(language, {})
    text = table.get(message)
    if text is None:
        with override(language):  # in the language asked for, whatever is active
            text = table[message] = gettext(message)
    return text


@receiver(file_changed)
def _forget_translations(file_path, **kwargs: Any) -> None:
    """A catalogue changed (the development server reloads it without a restart): forget
    the kept texts as Django forgets its own (``translation_file_changed``)."""
    if file_path.suffix == ".mo":
        _translated.clear()


# What a render reads from Django's thread-locals once (``render_jinja``): the language and,
# for ``url``, the script prefix and URL conf. Each lookup costs 1-2 microseconds, and a case
# page's templates asked some 250 times (issue 14). Templates rendered otherwise (Django's
# form widgets) have none and read them as before.
_RENDER_SCOPE = "_thuiszitters_render_scope"


class _RenderScope(NamedTuple):
    """Also what ``url`` keys its shapes by, beside the route and its arguments."""

    script_prefix: str
    urlconf: Any
    language: str | None


def _render_scope() -> _RenderScope:
    return _RenderScope(get_script_prefix(), get_urlconf(), get_language())


@pass_context
def _template_gettext(context, message: str) -> str:
    scope = context.get(_RENDER_SCOPE)
    return _gettext_in(scope.language if scope else get_language(), message)


@pass_context
def _template_url(context, name: str, *args: Any) -> str:
    scope = context.get(_RENDER_SCOPE)
    if scope is None:
        return url(name, *args)
    return _url(name, args, scope)


@functools.cache
def _languages() -> list[tuple[str, str]]:
    """(code, name in that language) of each language of the site, for the language switch."""
    return [
        (code, capfirst(get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    ]


def environment(**options) -> Environment:
    # A missing value is an error, in development and in the tests alike.
    options["undefined"] = StrictUndefined
    options.pop("autoescape", None)  # (Django's default is on too; never without)
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True, **options)
    env.install_gettext_callables(_template_gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    # ``_`` straight to it: the extension's alias looks ``gettext`` up again at every call.
    env.globals["_"] = _template_gettext
    env.globals["url"] = _template_url
    env.globals["current_language"] = get_language
    env.globals["languages"] = _languages
    # As in Django templates: a timestamp in the current time zone before it is formatted.
    env.filters["date"] = _date
    env.filters["linebreaksbr"] = linebreaksbr
    # A Django template localises every number it prints (12,0 hours); Jinja2 would not.
    env.filters["localize"] = localize
    return env


def render_jinja(template_name: str, context: dict[str, Any], request=None) -> SafeString:
    """A ``.jinja`` template with ``context`` and, with a request, ``request``,
    ``csrf_input`` and ``csrf_token`` as Django's Jinja2 backend gives them, but masked once
    per render: the backend masks the token again at every use (about 30 microseconds; the
    case page has a form for every action and every participant)."""
    values = dict(context)
    values[_RENDER_SCOPE] = _render_scope()
    if request is not None:
        values.update(_request_values(request))
    # Jinja2 escapes every value itself (autoescape is on for the whole environment).
    return mark_safe(_template(template_name).render(values))  # noqa: S308


def template_module(template_name: str, request) -> Any:
    """The module of a ``.jinja`` template (its macros) made with the values of
    ``render_jinja`` for ``request``: a macro used by several templates of one page, made
    once per render instead of imported with context by each."""
    return _template(template_name).make_module(
        {**_request_values(request), _RENDER_SCOPE: _render_scope()}
    )


def _template(template_name: str):
    # The jinja2.Template inside the backend's: its render would mask the token again.
    return engines["jinja2"].get_template(template_name).template  # type: ignore[attr-defined]


def _request_values(request) -> dict[str, Any]:
    return {
        "request": request,
        "csrf_input": SimpleLazyObject(lambda: csrf_input(request)),
        "csrf_token": SimpleLazyObject(lambda: get_token(request)),
    }
