"""Paul answers "did you get the help you needed?" by replying to the text: the answer is recorded
on his plan item, and anything but yes puts it on Nadia's worklist.

The question goes out through the fake Twilio; the reply arrives as Twilio's signed webhook, as in
tests/navigator/test_inbound_sms.py.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from twilio.request_validator import RequestValidator

from appointments.hooks import REPLY_HANDLERS, reply_handler_register
from appointments.models import ChaseTask, ItemKind, TrackedItem
from careplans import services
from careplans.models import CarePlan, PlanItem
from careplans.services.actions import feedback_answer_from_text, signpost_feedback_sms_reply
from careplans.tasks import ask_signpost_feedback_due
from caseload.worklist import Worklist, WorklistFilters
from navigator.audit.models import AuditEvent
from navigator.messaging.models import InboundSms, OutboundMessage
from navigator.messaging.services import message_deliver
from patients.models import CaseMessage, TimelineEvent
from tests.careplans.conftest import complete
from tests.fakes.twilio import AUTH_TOKEN, fake_twilio

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PUBLIC = "https://navigator.example.nhs.uk"
PATH = "/webhooks/twilio/sms/"
PAUL_PHONE = "+447700900123"
CLINICAL_WORDS = (
    "money",
    "Money",
    "pain",
    "Pain",
    "lung",
    "Lung",
    "Breathe",
    "diagnos",
    "Distress",
)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def twilio_settings(settings):
    settings.SITE_URL = settings.TWILIO_WEBHOOK_BASE_URL = PUBLIC
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 21, 8


@pytest.fixture
def agreed(cast, directory) -> CarePlan:
    """Paul's agreed plan of 3 March 2025, money signposted on the 4th."""
    cast.paul_patient.postcode = "CF14 1AA"
    cast.paul_patient.save()
    with time_machine.travel(at(2025, 3, 3, 10), tick=False):
        plan = complete(cast.paul_case, cast.paul, ratings={"money": 6, "pain": 5}, distress=2).plan
        plan = services.care_plan_agree(
            plan=plan, lock_version=plan.lock_version, actor=cast.paul, how="online"
        )
    with time_machine.travel(at(2025, 3, 4, 10), tick=False):
        services.plan_item_signpost(item=money(plan), actor=cast.nadia)
    return plan


def money(plan: CarePlan) -> PlanItem:
    return plan.items.get(concern__code="money")


@pytest.fixture
def asked(agreed, settings) -> OutboundMessage:
    """The question, sent on its day through the (fake) Twilio."""
    with fake_twilio(settings) as twilio, time_machine.travel(at(2025, 3, 18, 10), tick=False):
        assert ask_signpost_feedback_due() == 1
        question = OutboundMessage.objects.get(kind="signpost_feedback")
        message_deliver(message_id=question.pk)
        assert [create["To"] for create in twilio.creates] == [PAUL_PHONE]
    question.refresh_from_db()
    assert question.status == "sent"
    return question


def deliver(client, body: str, *, sid: str = "SM" + "f" * 32):
    """Post Paul's text as Twilio does, signed for the public https address."""
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": PAUL_PHONE,
        "To": "+447700900001",
        "Body": body,
        "NumSegments": "1",
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + PATH, params)
    response = client.post(
        PATH,
        params,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="navigator.example.nhs.uk",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert response.status_code == 200
    return response


def test_the_question_carries_no_clinical_detail_and_says_how_to_reply(cast, asked):
    item = money(asked_plan(cast))
    assert asked.channel == "sms" and asked.to_address == PAUL_PHONE
    # Not "reply YES": Twilio answers YES itself, as a word to opt back in to texts.
    assert asked.body.startswith("Did you get the help you needed? Reply Y for yes or N for no")
    assert f"/plans/{item.plan_id}/#item-{item.pk}" in asked.body
    for word in (*CLINICAL_WORDS, cast.paul_patient.nhs_number, "Cardiff"):
        assert word not in asked.body, word
    # About Paul (so it is in his case's outbox) and naming the item a reply answers.
    assert asked.subject_id == cast.paul_patient.pk
    assert asked.reference == f"careplans.planitem:{item.pk}"


def asked_plan(cast) -> CarePlan:
    return CarePlan.objects.get(case=cast.paul_case, status=CarePlan.Status.AGREED)


def test_a_yes_by_text_is_recorded_and_thanked_and_makes_no_work(client, cast, asked):
    with time_machine.travel(at(2025, 3, 19, 9, 30), tick=False):
        deliver(client, "Yes")
    item = money(asked_plan(cast))
    assert (item.feedback_answer, item.feedback_via) == ("yes", "sms")
    assert item.feedback_at == at(2025, 3, 19, 9, 30)
    inbound = InboundSms.objects.get()
    assert inbound.in_reply_to == asked and inbound.subject_id == cast.paul_patient.pk
    assert inbound.outcome.endswith(
        "Recorded their answer to “did you get the help you needed?”: yes."
    )
    thanks = OutboundMessage.objects.get(kind="signpost_feedback_thanks")
    assert thanks.to_address == PAUL_PHONE and thanks.body.startswith("Thank you for letting us")
    assert "navigator will contact you" not in thanks.body
    assert not ChaseTask.objects.exists()
    assert not CaseMessage.objects.exists()  # an answer, not a message for someone to read
    assert AuditEvent.objects.filter(
        actor=cast.paul, object_id=str(item.pk), summary__contains="Yes (by text message)"
    ).exists()


def test_a_no_by_text_puts_the_item_on_the_navigators_worklist_once(client, cast, asked):
    with time_machine.travel(at(2025, 3, 19, 9, 30), tick=False):
        for _ in range(3):  # Twilio retrying the same webhook
            deliver(client, "no thanks")

        item = money(asked_plan(cast))
        assert (item.feedback_answer, item.feedback_via) == ("no", "sms")
        assert InboundSms.objects.count() == 1
        assert (
            AuditEvent.objects.filter(
                object_id=str(item.pk), summary__startswith="Did they get the help"
            ).count()
            == 1
        )

        # Nadia's task, on the chase queue and counted on her worklist.
        (task,) = ChaseTask.objects.filter(status="open")
        assert task.assigned_to == cast.nadia
        tracked = task.item
        assert tracked.pk == item.tracked_item_id
        assert tracked.kind == ItemKind.PLAN_ITEM and tracked.case == cast.paul_case
        assert tracked.expected_by == dt.date(2025, 3, 19)
        assert "Money" not in tracked.title  # the patient sees tracked items' titles
        worklist = Worklist(user=cast.nadia, filters=WorklistFilters())
        (row,) = worklist.rows(list(worklist.cases))
        assert row.case == cast.paul_case and row.open_tasks == 1

        # The timeline says why, for whoever opens the case.
        (event,) = TimelineEvent.objects.filter(case=cast.paul_case, kind="other")
        assert event.summary == "Paul did not get the help they needed: Money or paying bills"
        assert "answered no (by text message)" in event.detail
        assert not event.shared_with_patient
        assert AuditEvent.objects.filter(
            object_type="appointments.chasetask", object_id=str(task.pk)
        ).exists()

        (thanks,) = OutboundMessage.objects.filter(kind="signpost_feedback_thanks")
        assert "Your navigator will contact you to help." in thanks.body
        for word in CLINICAL_WORDS:
            assert word not in thanks.body


def test_completing_the_item_closes_the_navigators_task(client, cast, asked):
    deliver(client, "N")
    item = money(asked_plan(cast))
    services.plan_item_complete(item=item, outcome="Called them together", actor=cast.nadia)
    assert not TrackedItem.objects.get(pk=item.tracked_item_id).is_open
    assert not ChaseTask.objects.filter(status="open").exists()


def test_a_no_on_the_page_after_a_no_by_text_adds_no_second_task(client, cast, asked):
    deliver(client, "NO")
    client.force_login(cast.paul)
    item = money(asked_plan(cast))
    url = f"/cases/{cast.paul_case.pk}/plans/{item.plan_id}/items/{item.pk}/feedback/"
    response = client.post(url, {"answer": "no"}, follow=True)
    assert "Your navigator will contact you to help." in response.content.decode()
    assert ChaseTask.objects.filter(status="open").count() == 1
    assert TimelineEvent.objects.filter(case=cast.paul_case, kind="other").count() == 1


def test_partly_on_the_page_also_makes_work(client, cast, agreed):
    client.force_login(cast.paul)
    item = money(agreed)
    url = f"/cases/{cast.paul_case.pk}/plans/{item.plan_id}/items/{item.pk}/feedback/"
    assert client.post(url, {"answer": "partly"}).status_code == 302
    assert ChaseTask.objects.get(status="open").assigned_to == cast.nadia
    assert TimelineEvent.objects.get(case=cast.paul_case, kind="other").summary == (
        "Paul got only some of the help they needed: Money or paying bills"
    )


def test_an_answer_about_an_item_no_longer_on_the_agreed_plan_is_a_message_instead(
    client, cast, asked
):
    """Asked about money on version 1; version 2, agreed since, has no money item. The reply
    is refused by the service's rule, as on the page and through the API, and Nadia reads it."""
    first = asked_plan(cast)
    with time_machine.travel(at(2025, 3, 18, 15), tick=False):
        draft = services.care_plan_revise(plan=first, actor=cast.nadia)
        services.plan_item_remove(
            item=money(draft), lock_version=draft.lock_version, actor=cast.nadia
        )
        draft.refresh_from_db()
        services.care_plan_agree(
            plan=draft, lock_version=draft.lock_version, actor=cast.nadia, how="in_person"
        )
    first.refresh_from_db()
    assert first.status == CarePlan.Status.SUPERSEDED

    with time_machine.travel(at(2025, 3, 19, 9, 30), tick=False):
        deliver(client, "No")

    assert money(first).feedback_answer == ""
    assert CaseMessage.objects.get().body == "No"
    assert not ChaseTask.objects.exists()
    assert not AuditEvent.objects.filter(summary__startswith="Did they get the help").exists()
    assert not OutboundMessage.objects.filter(kind="signpost_feedback_thanks").exists()


def test_any_other_text_is_a_message_for_the_navigator(client, cast, asked):
    deliver(client, "Yes but they never rang me back")
    item = money(asked_plan(cast))
    assert item.feedback_answer == ""
    assert CaseMessage.objects.get().body == "Yes but they never rang me back"


def test_yes_to_another_message_is_not_taken_as_an_answer(client, cast, asked):
    later = services.plan_item_signpost(
        item=asked_plan(cast).items.get(concern__code="pain"), actor=cast.nadia
    )
    OutboundMessage.objects.filter(kind="signpost").exclude(pk=asked.pk).update(status="sent")
    deliver(client, "yes")
    assert money(asked_plan(cast)).feedback_answer == ""
    later.refresh_from_db()
    assert later.feedback_answer == ""


def test_stop_still_stops(client, cast, asked):
    deliver(client, "STOP")
    assert money(asked_plan(cast)).feedback_answer == ""
    assert TimelineEvent.objects.filter(summary__startswith="Text messages stopped").exists()


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ("Yes", "yes"),
        ("y", "yes"),
        ("YES!", "yes"),
        ("Yes thank you.", "yes"),
        ("yeah", "yes"),
        ("Do", "yes"),
        ("No", "no"),
        ("n", "no"),
        ("no thanks", "no"),
        ("Not yet", "no"),
        ("I didn't", "no"),
        ("Naddo", "no"),
        ("partly", "partly"),
        ("a bit", "partly"),
        ("Thank you", None),
        ("Yes but nobody answered", None),
        ("Nobody rang", None),
        ("", None),
    ],
)
def test_sensible_answers_are_understood(body, answer):
    assert feedback_answer_from_text(body) == answer


def test_the_reply_handler_is_registered_for_the_question_only():
    assert REPLY_HANDLERS["signpost_feedback"] is signpost_feedback_sms_reply
    with pytest.raises(ValueError, match="already go to"):
        reply_handler_register(kind="signpost_feedback", handler=lambda **kwargs: None)


def test_a_welsh_speaker_is_asked_and_thanked_in_welsh(client, cast, agreed, settings):
    cast.paul_patient.language = "cy"
    cast.paul_patient.save()
    with time_machine.travel(at(2025, 3, 18, 10), tick=False):
        ask_signpost_feedback_due()
    question = OutboundMessage.objects.get(kind="signpost_feedback")
    assert question.body.startswith("Gawsoch chi'r help oedd ei angen arnoch chi?")
    question.status = "sent"
    question.save()
    deliver(client, "Naddo")
    assert money(asked_plan(cast)).feedback_answer == "no"
    thanks = OutboundMessage.objects.get(kind="signpost_feedback_thanks")
    assert thanks.body.startswith("Diolch am roi gwybod i ni.")
