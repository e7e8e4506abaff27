"""Plan items trigger action and the loop closes: referral and signposting messages, "did you get
the help you needed?", completion, overdue items and the review date chased."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from appointments.models import ChaseTask, ItemKind, TrackedItem
from careplans import services
from careplans.models import CarePlan, OwnerKind, PlanItem, TriageSettings
from careplans.services.actions import NotOnAgreedPlan
from careplans.tasks import ask_signpost_feedback_due, track_overdue_plan_items
from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from patients.models import Case, TimelineEvent
from tests.careplans.conftest import complete

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def agreed(cast, directory):
    """Paul's agreed plan (3 March 2025): money (owned by Cardiff Money Matters) and pain."""
    cast.paul_patient.postcode = "CF14 1AA"
    cast.paul_patient.save()
    directory.money_local.email = "money@matters.test"
    directory.money_local.save()
    with time_machine.travel(at(2025, 3, 3, 10), tick=False):
        plan = complete(cast.paul_case, cast.paul, ratings={"money": 6, "pain": 5}, distress=2).plan
        plan = services.care_plan_agree(
            plan=plan, lock_version=plan.lock_version, actor=cast.paul, how="online"
        )
    return plan


def money(plan: CarePlan) -> PlanItem:
    return plan.items.get(concern__code="money")


def assert_no_clinical_detail(message: OutboundMessage, *words: str) -> None:
    for word in ("money", "pain", "Pain", "lung", "Distress", *words):
        assert word not in message.body, (word, message.body)
        assert word not in message.subject, (word, message.subject)


def test_a_referral_emails_the_service_who_to_call_and_nothing_personal(cast, agreed):
    item = money(agreed)
    assert item.owner_kind == OwnerKind.SERVICE
    with time_machine.travel(at(2025, 3, 4, 10), tick=False):
        services.plan_item_refer(item=item, actor=cast.nadia)
        services.plan_item_refer(item=item, actor=cast.nadia)  # twice: one email
    (message,) = OutboundMessage.objects.filter(kind="service_referral")
    assert message.channel == "email" and message.to_address == "money@matters.test"
    # Addressed to the service by its own name, from the team; nothing about the person.
    assert "Cardiff Money Matters" in message.body
    assert "Lung navigation" in message.body and "Nadia Khan" in message.body
    assert_no_clinical_detail(message, cast.paul_patient.given_name, cast.paul_patient.nhs_number)
    item.refresh_from_db()
    assert item.referral_sent_at == at(2025, 3, 4, 10)
    assert item.feedback_due_on == dt.date(2025, 3, 18)  # the team's default, 14 days
    assert AuditEvent.objects.filter(
        object_id=str(item.pk), summary="Referral sent to Cardiff Money Matters"
    ).exists()


def test_a_referral_needs_an_agreed_plan_and_a_service_with_an_email(cast, directory):
    cast.paul_patient.postcode = "CF10 1AA"
    cast.paul_patient.save()
    draft = complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=2).plan
    with pytest.raises(ValidationError, match="Agree the plan"):
        services.plan_item_refer(item=money(draft), actor=cast.nadia)
    plan = services.care_plan_agree(
        plan=draft, lock_version=draft.lock_version, actor=cast.paul, how="online"
    )
    with pytest.raises(ValidationError, match="no email address. Refer by phone on 029"):
        services.plan_item_refer(item=money(plan), actor=cast.nadia)
    assert not OutboundMessage.objects.filter(kind="service_referral").exists()


def test_signposting_sends_the_patient_a_phone_number_and_a_link_only(cast, agreed):
    item = agreed.items.get(concern__code="pain")
    services.plan_item_signpost(item=item, actor=cast.nadia)
    (message,) = OutboundMessage.objects.filter(kind="signpost")
    assert message.to_address == cast.paul_patient.phone
    assert "029 2000 0000" in message.body
    assert f"/plans/{agreed.pk}/#item-{item.pk}" in message.body
    assert_no_clinical_detail(message, "Breathe Easy", "Lung")


def test_feedback_is_asked_once_on_the_day_and_the_answer_recorded(cast, agreed):
    TriageSettings.objects.create(team=cast.team, signpost_feedback_after_days=10)
    item = money(agreed)
    with time_machine.travel(at(2025, 3, 4, 10), tick=False):
        services.plan_item_signpost(item=item, actor=cast.nadia)
    with time_machine.travel(at(2025, 3, 13, 10), tick=False):
        assert ask_signpost_feedback_due() == 0
    with time_machine.travel(at(2025, 3, 14, 10), tick=False):
        assert ask_signpost_feedback_due() == 1
        assert ask_signpost_feedback_due() == 0
    (question,) = OutboundMessage.objects.filter(kind="signpost_feedback")
    assert "Did you get the help you needed?" in question.body
    assert_no_clinical_detail(question)

    services.signpost_feedback_record(item=item, answer="partly", via="sms")
    item.refresh_from_db()
    assert (item.feedback_answer, item.feedback_via) == ("partly", "sms")
    assert AuditEvent.objects.filter(
        object_id=str(item.pk), summary__startswith="Did they get the help they needed: Partly"
    ).exists()


def test_feedback_refuses_nonsense_and_items_nobody_was_sent_to(cast, agreed):
    item = money(agreed)
    with pytest.raises(ValidationError, match="Nobody has been put in touch"):
        services.signpost_feedback_record(item=item, answer="yes", via="web")
    services.plan_item_signpost(item=item, actor=cast.nadia)
    with pytest.raises(ValidationError):
        services.signpost_feedback_record(item=item, answer="maybe", via="web")
    with pytest.raises(ValidationError):
        services.signpost_feedback_record(item=item, answer="yes", via="pigeon")


def test_feedback_is_only_for_the_agreed_plans_items(cast, agreed):
    services.plan_item_signpost(item=money(agreed), actor=cast.nadia)
    draft = services.care_plan_revise(plan=agreed, actor=cast.nadia)
    in_draft = money(draft)
    assert in_draft.signposted_at is not None  # copied with the item: only the plan refuses
    with pytest.raises(NotOnAgreedPlan, match="this is a draft of the plan"):
        services.signpost_feedback_record(item=in_draft, answer="no", via="web", actor=cast.paul)

    services.care_plan_agree(
        plan=draft, lock_version=draft.lock_version, actor=cast.nadia, how="in_person"
    )
    replaced = money(CarePlan.objects.get(pk=agreed.pk))
    assert replaced.plan.status == CarePlan.Status.SUPERSEDED
    with pytest.raises(ValidationError, match="this is an earlier version of the plan"):
        services.signpost_feedback_record(item=replaced, answer="no", via="sms")

    assert not PlanItem.objects.exclude(feedback_answer="").exists()
    assert not ChaseTask.objects.exists()
    assert not AuditEvent.objects.filter(summary__startswith="Did they get the help").exists()


def test_progress_follows_the_item_into_the_next_version(cast, agreed):
    draft = services.care_plan_revise(plan=agreed, actor=cast.nadia)
    item = money(agreed)
    services.plan_item_signpost(item=item, actor=cast.nadia)
    services.signpost_feedback_record(item=item, answer="yes", via="web", actor=cast.paul)
    services.plan_item_complete(item=item, outcome="Got the benefits check", actor=cast.nadia)
    copy = money(draft)
    assert copy.feedback_answer == "yes"
    assert copy.is_complete and copy.outcome == "Got the benefits check"


def test_completing_needs_an_outcome(cast, agreed):
    with pytest.raises(ValidationError) as error:
        services.plan_item_complete(item=money(agreed), outcome="  ", actor=cast.nadia)
    assert "outcome" in error.value.message_dict


def test_items_past_their_due_date_become_chased_tracked_items_once(cast, agreed):
    pain = agreed.items.get(concern__code="pain")  # due 10 March 2025
    done = money(agreed)
    services.plan_item_complete(item=done, outcome="Sorted", actor=cast.nadia)
    with time_machine.travel(at(2025, 3, 10, 9), tick=False):
        assert track_overdue_plan_items() == 0
    with time_machine.travel(at(2025, 3, 11, 9), tick=False):
        assert track_overdue_plan_items() == 1
        assert track_overdue_plan_items() == 0
    pain.refresh_from_db()
    tracked = TrackedItem.objects.get(pk=pain.tracked_item_id)
    assert tracked.kind == ItemKind.PLAN_ITEM
    assert tracked.expected_by == dt.date(2025, 3, 10)
    assert "Pain" not in tracked.title  # the patient-facing title carries no clinical detail
    services.plan_item_complete(item=pain, outcome="Nurse called", actor=cast.nadia)
    tracked.refresh_from_db()
    assert not tracked.is_open


def test_the_review_date_is_chased_and_replaced_with_the_next_version(cast, agreed):
    review = TrackedItem.objects.get(pk=agreed.review_tracked_item_id)
    assert review.kind == ItemKind.CARE_PLAN_REVIEW
    assert review.expected_by == agreed.review_date == dt.date(2025, 6, 1)
    draft = services.care_plan_revise(plan=agreed, actor=cast.nadia)
    services.care_plan_agree(
        plan=draft, lock_version=draft.lock_version, actor=cast.nadia, how="by_phone"
    )
    review.refresh_from_db()
    assert not review.is_open
    draft.refresh_from_db()
    assert TrackedItem.objects.get(pk=draft.review_tracked_item_id).is_open


def test_a_no_reuses_the_overdue_chase_and_a_closed_case_gets_no_new_work(cast, agreed):
    pain = agreed.items.get(concern__code="pain")  # due 10 March 2025
    services.plan_item_signpost(item=pain, actor=cast.nadia)
    with time_machine.travel(at(2025, 3, 11, 9), tick=False):
        track_overdue_plan_items()
    pain.refresh_from_db()
    overdue = pain.tracked_item_id
    services.signpost_feedback_record(item=pain, answer="no", via="staff", actor=cast.nadia)
    pain.refresh_from_db()
    assert pain.tracked_item_id == overdue  # one tracked item per item: the task goes on it
    (task,) = ChaseTask.objects.filter(item_id=overdue, status="open")
    assert task.assigned_to == cast.nadia
    event = TimelineEvent.objects.get(case=cast.paul_case, kind="other")
    assert event.recorded_by == cast.nadia and "answered no (told to staff)" in event.detail

    services.plan_item_signpost(item=money(agreed), actor=cast.nadia)
    cast.paul_case.status = Case.Status.CLOSED
    cast.paul_case.save()
    money_item = PlanItem.objects.get(pk=money(agreed).pk)
    services.signpost_feedback_record(item=money_item, answer="no", via="web", actor=cast.paul)
    money_item.refresh_from_db()
    assert money_item.feedback_answer == "no"
    assert ChaseTask.objects.filter(status="open").count() == 1  # only the one for pain
