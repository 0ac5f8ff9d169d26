"""The current request's id and client address, for logs and the audit log.

Kept free of Django imports: the logging filter is loaded before the apps are ready.
"""

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    client_address: str | None = None


_EMPTY = RequestContext()  # frozen, so safe as the shared default
_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "thuiszitters_request_context",
    default=_EMPTY,
)


def current_request_context() -> RequestContext:
    return _current.get()


@contextmanager
def set_request_context(context: RequestContext) -> Iterator[None]:
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get().request_id or "-"
        return True
