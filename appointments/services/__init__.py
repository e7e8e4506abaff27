"""Writes to tracked items and the chase, by subject: each validates, runs in a transaction and
is audited. This package only re-exports them, so callers import from `appointments.services`."""

from appointments.services.chase import (
    DEFAULT_BATCH_SIZE,
    ChaseReport,
    chase_claimable,
    chase_record,
    chase_run,
    chase_task_open,
)
from appointments.services.chase_nudges import (
    DEFAULT_NUDGES,
    ESCALATION_MESSAGE,
    PATIENT_MESSAGE,
    PROFESSIONAL_MESSAGE,
)
from appointments.services.follow_ups import CHECK_IN_LATE_LIMIT_DAYS, follow_ups_from_event
from appointments.services.tracked_items import (
    tracked_item_create,
    tracked_item_move_to,
    tracked_item_transition,
)

__all__ = [
    "CHECK_IN_LATE_LIMIT_DAYS",
    "ChaseReport",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_NUDGES",
    "ESCALATION_MESSAGE",
    "PATIENT_MESSAGE",
    "PROFESSIONAL_MESSAGE",
    "chase_claimable",
    "chase_record",
    "chase_run",
    "chase_task_open",
    "follow_ups_from_event",
    "tracked_item_create",
    "tracked_item_move_to",
    "tracked_item_transition",
]
