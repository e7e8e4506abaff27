import logging
from dataclasses import asdict

from celery import shared_task
from django.conf import settings

from careplans.services import (
    assessment_offers_make_due,
    flags_escalate_due,
    plan_items_track_overdue,
    signpost_feedback_ask_due,
)
from careplans.services.directory import directory_feed_import_from
from careplans.services.printing import care_plan_pdfs_prepare_agreed, care_plan_pdfs_prepare_due
from careplans.services.surveys import survey_invitations_nudge_due

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def escalate_unacknowledged_flags() -> int:
    """Periodic: urgent flags nobody picked up in time go to the team lead."""
    return flags_escalate_due()


@shared_task(acks_late=True)
def offer_assessments_due() -> int:
    """Periodic: offer assessments after pathway events and on each team's review interval."""
    return assessment_offers_make_due()


@shared_task(acks_late=True)
def ask_signpost_feedback_due() -> int:
    """Periodic: ask "did you get the help you needed?" when each signposted item's day comes."""
    return signpost_feedback_ask_due()


@shared_task(acks_late=True)
def track_overdue_plan_items() -> int:
    """Periodic: agreed plan items past their due date become chased tracked items."""
    return plan_items_track_overdue()


@shared_task(acks_late=True, soft_time_limit=60 * 60)
def render_care_plans_due_for_review(days_ahead: int = 14) -> dict[str, int]:
    """Periodic (nightly, navigator/celery.py): make the PDF of every agreed plan due for review
    within `days_ahead` days, each in its patient's language and print size, so the team can
    print them all in the morning. Reruns and overlapping runs make nothing twice."""
    return asdict(care_plan_pdfs_prepare_due(days_ahead=days_ahead))


@shared_task(acks_late=True, soft_time_limit=60 * 60)
def prepare_care_plans_for_printing(plan_ids: list[str]) -> dict[str, int]:
    """From the "plans due for review" page: make these agreed plans' PDFs now, each in its
    patient's language and print size, so the team can print them straight away. Plans no
    longer agreed (a newer version, say) are left out; reruns make nothing twice."""
    return asdict(care_plan_pdfs_prepare_agreed(plan_ids=plan_ids))


@shared_task(acks_late=True, soft_time_limit=15 * 60)
def import_directory_feed() -> str:
    """Periodic (nightly): import the service directory from DIRECTORY_FEED_URL, all or nothing;
    each run is kept as a `DirectoryImport` with its problems. Off while the URL is blank."""
    if not settings.DIRECTORY_FEED_URL:
        logger.info("Directory feed import is off: DIRECTORY_FEED_URL is not set.")
        return "off"
    result = directory_feed_import_from(source=settings.DIRECTORY_FEED_URL)
    if not result.ok:
        logger.error("%s", result.summary())
    return result.record.outcome


@shared_task(acks_late=True)
def nudge_feedback_surveys_due() -> int:
    """Periodic: a feedback invitation that has opened gets its nudge, once."""
    return survey_invitations_nudge_due()
