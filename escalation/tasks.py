from celery import shared_task


@shared_task(name="escalation.sweep", ignore_result=True)
def sweep() -> str:
    """Sent by beat (ESCALATION_SWEEP_MINUTES): apply every escalation that is due.

    Idempotent and safe to run in several workers at once; see ``services.sweep``.
    """
    from django.conf import settings

    from .services.sweep import escalation_sweep

    return escalation_sweep(fan_out=settings.ESCALATION_SWEEP_FAN_OUT).summary()


@shared_task(name="escalation.sweep_swv", ignore_result=True, acks_late=True)
def sweep_swv(swv_id: int, as_of: str | None = None) -> str:
    """Sent by a big sweep (``ESCALATION_SWEEP_FAN_OUT``): the route of one SWV's cases, so
    that the workers of several machines share the day. Idempotent like the sweep; a
    redelivery after a lost worker finishes what the first left."""
    import datetime

    from .services.sweep import escalation_sweep_swv

    day = datetime.date.fromisoformat(as_of) if as_of else None
    return escalation_sweep_swv(swv_id=swv_id, as_of=day).summary()


@shared_task(name="escalation.send_notification_emails", ignore_result=True)
def send_notification_emails() -> int:
    """Sent after the commit that created notifications, and by each sweep for stragglers:
    mails each wanted e-mail once."""
    from .services.mail import notification_emails_send

    return notification_emails_send()


@shared_task(name="escalation.send_notification_digests", ignore_result=True)
def send_notification_digests(retries_only: bool = False) -> int:
    """Sent by beat once a day at ``NOTIFICATION_DIGEST_HOUR``: one e-mail per digest user
    listing their new notifications; and every minute with ``retries_only`` for digests that
    failed or whose worker died. A second run finds them sent or leased and sends nothing."""
    from .services.digest import notification_digests_send

    return notification_digests_send(retries_only=retries_only)


@shared_task(name="escalation.deliver_enrolment_alerts", ignore_result=True)
def deliver_enrolment_alerts() -> int:
    """Sent after the commit of an enrolment of a known pupil, and by each sweep for any a
    lost task left: tells the pupil's other school and leerplicht."""
    from .services.notify import enrolment_alerts_deliver

    return enrolment_alerts_deliver()
