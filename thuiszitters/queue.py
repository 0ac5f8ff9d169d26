"""Sending Celery tasks without letting a broker outage fail the request (issue 15).

Work that must happen is never *only* a message on the broker: its own row (a notification
to e-mail, a report to render) is committed first and is the outbox entry, and the
dispatcher that beat runs every minute (``outbox.dispatch``) picks up whatever a lost or
unsent message left. So a message here is a hint to start early; when the broker does not
take it, that is logged and the request goes on.
"""

import logging
import time
from functools import partial
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


# After a failed publish, messages are not tried for this long: a connection attempt to a
# broker that is down waits CELERY_BROKER_CONNECTION_TIMEOUT, and a request may send several.
PAUSE_SECONDS = 10.0
_paused_until = 0.0


def enqueue(task: Task, **kwargs: Any) -> bool:
    """Send ``task`` now; False (logged) when the broker does not take it."""
    global _paused_until
    if time.monotonic() < _paused_until:
        logger.info("Task %s not sent (broker was unreachable moments ago).", task.name)
        return False
    try:
        # No publish retries: a request must not wait for a broker that is down.
        task.apply_async(kwargs=kwargs, retry=False)
    except Exception:
        _paused_until = time.monotonic() + PAUSE_SECONDS
        logger.warning(
            "Task %s not sent (broker unreachable); the outbox dispatcher picks it up.",
            task.name,
            exc_info=True,
        )
        return False
    _paused_until = 0.0
    return True


def enqueue_on_commit(task: Task, **kwargs: Any) -> None:
    """Send ``task`` after the current transaction commits (never for a rollback)."""
    transaction.on_commit(partial(enqueue, task, **kwargs))
