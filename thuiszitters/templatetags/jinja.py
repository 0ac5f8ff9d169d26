"""``{% jinja "name.jinja" key=value ... %}``: a Jinja2 template inside a Django template, with
only the given values and ``request`` (thuiszitters.jinja2env, ADR 0020)."""

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values) -> SafeString:
    rendered = (
        engines["jinja2"].get_template(template_name).render(values, request=context.get("request"))
    )
    # Jinja2 escapes every value itself (autoescape is on for the whole environment).
    return mark_safe(rendered)  # noqa: S308
