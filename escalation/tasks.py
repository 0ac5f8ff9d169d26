from celery import shared_task


@shared_task(name="escalation.sweep", ignore_result=True)
def sweep() -> str:
    """Sent by beat (ESCALATION_SWEEP_MINUTES): apply every escalation that is due.

    Idempotent and safe to run in several workers at once; see ``services.sweep``.
    """
    from .services.sweep import escalation_sweep

    return escalation_sweep().summary()


@shared_task(name="escalation.send_notification_emails", ignore_result=True)
def send_notification_emails() -> int:
    """Sent after the commit that created notifications, and by each sweep for stragglers:
    mails each wanted e-mail once."""
    from .services.mail import notification_emails_send

    return notification_emails_send()


@shared_task(name="escalation.deliver_enrolment_alerts", ignore_result=True)
def deliver_enrolment_alerts() -> int:
    """Sent after the commit of an enrolment of a known pupil, and by each sweep for any a
    lost task left: tells the pupil's other school and leerplicht."""
    from .services.notify import enrolment_alerts_deliver

    return enrolment_alerts_deliver()
