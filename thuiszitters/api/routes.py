"""The API's routes that the apps add: the core's router names no app (docs/architecture.md).

An app registers its viewsets in ``AppConfig.ready()`` by dotted path; the router imports them
when the URLconf is built. Order matters where prefixes overlap (``reports/quarterly`` before
``reports``), and a later registration of the same prefix replaces the earlier one.
"""

from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class ApiRoute:
    prefix: str
    viewset: str
    basename: str


API_ROUTES: dict[str, ApiRoute] = {}


def register_api_route(prefix: str, viewset: str, *, basename: str) -> None:
    API_ROUTES[prefix] = ApiRoute(prefix, viewset, basename)


def registered_routes() -> list[tuple[str, type, str]]:
    return [(r.prefix, import_string(r.viewset), r.basename) for r in API_ROUTES.values()]
