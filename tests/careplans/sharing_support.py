"""Builders for the GP sharing and printed plan tests: an agreed plan, and a shared link."""

from typing import Any

from django.utils import timezone

from careplans import services
from careplans.models import CarePlan, OwnerKind
from careplans.services import sharing
from tests import factories as f
from tests.careplans.conftest import complete

# Every concern in the checklist, for plans long enough to print on several pages.
ALL_CONCERNS = (
    "pain tiredness sleep eating breathing moving bladder-bowel skin-hair worry low-mood anger "
    "loneliness memory future money work housing travel housework caring forms partner children "
    "carer-worry friends sex talking faith meaning regret end-of-life rituals why-me "
    "understanding exercise diet smoking alcohol hobbies who-to-ask"
).split()


def agreed_plan(
    cast: Any, *, concerns: tuple[str, ...] = ("pain", "money", "sleep"), extra: tuple = ()
) -> CarePlan:
    """Paul's plan from an assessment marking `concerns`, plus `extra` (concern, goal) items
    added by Nadia, agreed online by Paul."""
    plan = complete(cast.paul_case, cast.paul, ratings=dict.fromkeys(concerns, 5), distress=2).plan
    for concern_text, goal in extra:
        services.plan_item_add(
            plan=plan,
            lock_version=plan.lock_version,
            actor=cast.nadia,
            concern_text=concern_text,
            goal=goal,
            actions="",
            owner_kind=OwnerKind.NAVIGATOR,
        )
        plan.refresh_from_db()
    return services.care_plan_agree(
        plan=plan, lock_version=plan.lock_version, actor=cast.paul, how="online"
    )


def shared(cast: Any, **kwargs: Any) -> sharing.NewLink:
    """An agreed plan for Paul, shared by Nadia with his GP practice."""
    agreed_plan(cast, **kwargs)
    return sharing.share_link_create(case=cast.paul_case, actor=cast.nadia)


def plan_due_today(cast: Any, n: int) -> CarePlan:
    """A bare agreed plan, due for review today, for a new patient of Nadia's ("Pat<n> Review")."""
    case = f.make_case(
        patient=f.make_patient(given=f"Pat{n}", family="Review"),
        team=cast.team,
        navigator=cast.nadia,
    )
    now = timezone.now()
    return CarePlan.objects.create(
        case=case,
        version=1,
        status=CarePlan.Status.AGREED,
        created_at=now,
        updated_at=now,
        agreed_at=now,
        agreed_how=CarePlan.AgreedHow.BY_PHONE,
        review_date=timezone.localdate(),
    )
