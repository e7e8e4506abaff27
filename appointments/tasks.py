"""The chase job as a Celery task. Beat runs it every few minutes (navigator/celery.py)."""

from typing import Any

from celery import shared_task

from appointments.services import DEFAULT_BATCH_SIZE, chase_run


@shared_task(acks_late=True)
def chase_overdue_items(batch_size: int = DEFAULT_BATCH_SIZE) -> dict[str, Any]:
    """Chase every overdue tracked item once. Safe to run concurrently and to rerun: each
    batch is claimed with SKIP LOCKED and commits its messages with its new chase dates."""
    return chase_run(batch_size=batch_size).as_dict()
