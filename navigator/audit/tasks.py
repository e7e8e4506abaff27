from typing import Any

from celery import shared_task

from navigator.audit.partitions import audit_partitions_ensure


@shared_task(acks_late=True)
def make_audit_partitions() -> dict[str, Any]:
    """Daily (navigator/celery.py): the audit trail's partitions for this month and the next few.
    Idempotent, so a rerun or a second runner makes nothing twice."""
    return {"partitions": audit_partitions_ensure()}
