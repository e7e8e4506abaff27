from celery import shared_task

from patients.services.retention import retention_due_list


@shared_task(acks_late=True)
def list_records_due_for_removal() -> dict[str, int]:
    """Daily (navigator/celery.py): list the closed cases whose records the retention policy no
    longer keeps, for a team lead to confirm. Idempotent, so a rerun or a second runner lists
    nothing twice."""
    return {"cases_seen": retention_due_list()}
