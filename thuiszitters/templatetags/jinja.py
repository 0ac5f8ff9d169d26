"""``{% jinja "name.jinja" key=value ... %}``: a Jinja2 template inside a Django template, with
only the given values and ``request`` (thuiszitters.jinja2env, ADR 0020)."""

from django import template
from django.utils.safestring import SafeString

from thuiszitters.jinja2env import render_jinja

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values) -> SafeString:
    return render_jinja(template_name, values, context.get("request"))
