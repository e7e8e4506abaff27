from celery import shared_task

from careplans.services import flags_escalate_due


@shared_task(acks_late=True)
def escalate_unacknowledged_flags() -> int:
    """Periodic: urgent flags nobody picked up in time go to the team lead."""
    return flags_escalate_due()
