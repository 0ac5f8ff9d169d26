"""Celery tasks of cases: thin wrappers that call one service each (STYLE.md 12)."""

from celery import shared_task


@shared_task(name="cases.retention_purge", ignore_result=True, acks_late=True)
def retention_purge() -> int:
    """Sent daily by beat: delete the closed cases past their retention date (and the
    pupils nothing else holds). Harmless to repeat: a second run finds nothing past the
    date that is still there, and writes nothing."""
    from django.utils import timezone

    from thuiszitters.system import RETENTION

    from .services.retention import retention_purge as purge

    return purge(as_of=timezone.localdate(), actor=RETENTION, dry_run=False).cases
