from celery import shared_task

from .services import heartbeat_record


@shared_task(name="core.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Proves that beat and a worker run: sent by beat every HEARTBEAT_INTERVAL_SECONDS.

    A second run only moves the timestamp, so duplicates are harmless.
    """
    return heartbeat_record(name="celery").last_seen.isoformat()
