from celery import shared_task

from caseload.services import (
    record_copies_purge_expired,
    record_copies_requeue_stuck,
    record_copy_prepare,
)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def prepare_record_copy(copy_id: str) -> str:
    """Make one copy of a person's record (enqueued by `record_copy_request` on commit)."""
    copy = record_copy_prepare(copy_id=copy_id)
    return copy.status if copy else "not claimed"


@shared_task(acks_late=True)
def purge_expired_record_copies() -> dict[str, int]:
    """Hourly (navigator/celery.py): delete the files of copies whose link has expired, and
    enqueue again any copy whose task was lost."""
    return {"purged": record_copies_purge_expired(), "requeued": record_copies_requeue_stuck()}
