"""Reading settings from environment variables.

Every variable read through these helpers is registered with its help text, default and the
settings module that read it, so ``docs/configuration.md`` can be checked against the code
(see ``tests/thuiszitters/test_configuration_docs.py``).
"""

import os
from dataclasses import dataclass
from typing import overload

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class EnvVar:
    name: str
    default: object
    help: str


REGISTRY: dict[str, EnvVar] = {}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _register(name: str, default: object, help: str) -> str | None:
    REGISTRY.setdefault(name, EnvVar(name, default, help))
    return os.environ.get(name)


@overload
def env_str(name: str, default: str, *, help: str) -> str: ...
@overload
def env_str(name: str, default: None, *, help: str) -> str | None: ...
def env_str(name: str, default: str | None, *, help: str) -> str | None:
    value = _register(name, default, help)
    return default if value is None else value


def env_bool(name: str, default: bool, *, help: str) -> bool:
    value = _register(name, default, help)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int, *, help: str) -> int:
    value = _register(name, default, help)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str], *, help: str) -> list[str]:
    value = _register(name, default, help)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
