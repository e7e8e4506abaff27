"""Delivery and the outbox sweep. Tasks take ids and call one service; the outbox row, not the
broker, says what still needs sending."""

import uuid

from celery import Task, shared_task

from navigator.messaging.services import message_deliver, outbox_sweep


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_message(self: Task, message_id: str) -> str:
    """Send one outbox row. The row counts the tries (settings.MESSAGE_MAX_ATTEMPTS), so Celery
    is not limited here; the service says when, if at all, to try again."""
    delivery = message_deliver(message_id=uuid.UUID(message_id))
    if delivery.retry_in is not None:
        raise self.retry(countdown=delivery.retry_in)
    return delivery.status


@shared_task
def sweep_outbox() -> dict[str, object]:
    """Every settings.OUTBOX_SWEEP_SECONDS (navigator/celery.py): re-enqueue lost rows, settle
    rows stuck in sending."""
    report = outbox_sweep()
    return {
        "requeued": report.requeued,
        "reconciled": report.reconciled,
        "early_reports_dropped": report.early_reports_dropped,
    }
