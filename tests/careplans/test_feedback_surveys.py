"""Feedback after key moments: invited once per case and moment (diagnosis and discharge on the
timeline, a plan agreed), nudged once when it opens, answered online or by a number texted back,
and never shown to staff with a name unless the patient asks for a reply."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from twilio.request_validator import RequestValidator

from appointments.models import ChaseTask
from careplans import services
from careplans.models import SurveyInvitation, SurveyResponse
from careplans.selectors import FeedbackCount, feedback_answer_counts
from careplans.services.surveys import survey_invite, survey_response_submit
from careplans.tasks import nudge_feedback_surveys_due
from navigator.messaging.models import InboundSms, OutboundMessage, SmsOptOut
from navigator.messaging.services import message_deliver
from patients.models import TimelineEvent
from patients.services import timeline_event_add
from tests.careplans.conftest import complete
from tests.fakes.twilio import AUTH_TOKEN, fake_twilio

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
PUBLIC = "https://navigator.example.nhs.uk"
PATH = "/webhooks/twilio/sms/"
PAUL_PHONE = "+447700900123"
Moment = SurveyInvitation.Moment
CLINICAL = ("diagnos", "Diagnos", "hospital", "discharge", "Lung", "lung", "cancer diagnosis")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def twilio_settings(settings):
    settings.SITE_URL = settings.TWILIO_WEBHOOK_BASE_URL = PUBLIC
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 21, 8


def record(cast, kind, when):
    return timeline_event_add(
        case=cast.paul_case, by=cast.nadia, kind=kind, occurred_at=when, summary="Recorded"
    )


def form_url(invitation) -> str:
    return f"/cases/{invitation.case_id}/feedback/{invitation.pk}/"


def open_invitation(cast, moment=Moment.DIAGNOSIS) -> SurveyInvitation:
    """An invitation for Paul, made on 2 March 2026 and open from the 16th (diagnosis)."""
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        invitation = survey_invite(case=cast.paul_case, moment=moment)
    assert invitation is not None
    return invitation


def test_a_diagnosis_invites_once_and_is_nudged_once_when_it_opens(cast):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        record(cast, TimelineEvent.Kind.DIAGNOSIS, at(2026, 3, 2, 9))
        record(cast, TimelineEvent.Kind.DIAGNOSIS, at(2026, 3, 2, 9, 30))  # keyed in twice
        assert nudge_feedback_surveys_due() == 0  # not open yet: not in the first shock
    (invitation,) = SurveyInvitation.objects.all()
    assert invitation.moment == Moment.DIAGNOSIS
    assert invitation.opens_at == at(2026, 3, 16, 10)
    with time_machine.travel(at(2026, 3, 16, 11), tick=False):
        assert nudge_feedback_surveys_due() == 1
        assert nudge_feedback_surveys_due() == 0
    (nudge,) = OutboundMessage.objects.filter(kind="feedback_survey")
    invitation.refresh_from_db()
    assert invitation.message == nudge and invitation.not_sent_reason == ""
    assert nudge.channel == "sms" and nudge.to_address == PAUL_PHONE
    assert f"/home/{str(cast.paul_case.pk)[:8]}/feedback/" in nudge.body
    for word in (*CLINICAL, cast.paul_patient.given_name):
        assert word not in nudge.body, word


def test_a_nudge_in_quiet_hours_waits_for_the_morning(cast):
    with time_machine.travel(at(2026, 3, 2, 22), tick=False):
        record(cast, TimelineEvent.Kind.DIAGNOSIS, at(2026, 3, 2, 9))
    with time_machine.travel(at(2026, 3, 16, 23), tick=False):
        assert nudge_feedback_surveys_due() == 1
    nudge = OutboundMessage.objects.get(kind="feedback_survey")
    assert nudge.not_before == at(2026, 3, 17, 8)


def test_an_opted_out_patient_gets_no_text_and_the_reason_is_kept(cast):
    cast.paul_patient.email = ""
    cast.paul_patient.save()
    SmsOptOut.objects.create(phone=PAUL_PHONE, keyword="STOP")
    invitation = open_invitation(cast)
    with time_machine.travel(at(2026, 3, 16, 11), tick=False):
        nudge_feedback_surveys_due()
    invitation.refresh_from_db()
    assert invitation.message is None and invitation.not_sent_reason.startswith("Not sent:")
    assert not OutboundMessage.objects.filter(kind__startswith="feedback_survey").exists()


def test_a_discharge_invites_once_and_history_keyed_in_invites_nothing(cast):
    with time_machine.travel(at(2026, 5, 10, 10), tick=False):
        record(cast, TimelineEvent.Kind.DISCHARGE, at(2026, 1, 2, 9))  # months ago
        assert not SurveyInvitation.objects.exists()
        record(cast, TimelineEvent.Kind.DISCHARGE, at(2026, 5, 9, 9))
        record(cast, TimelineEvent.Kind.DISCHARGE, at(2026, 5, 10, 9))
    assert list(SurveyInvitation.objects.values_list("moment", flat=True)) == [Moment.DISCHARGE]


def test_agreeing_a_plan_invites_once_and_a_new_version_asks_nothing_more(cast):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        plan = complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=2).plan
        plan = services.care_plan_agree(
            plan=plan, lock_version=plan.lock_version, actor=cast.paul, how="online"
        )
        draft = services.care_plan_revise(plan=plan, actor=cast.nadia)
        services.care_plan_agree(
            plan=draft, lock_version=draft.lock_version, actor=cast.nadia, how="by_phone"
        )
    (invitation,) = SurveyInvitation.objects.all()
    assert invitation.moment == Moment.PLAN_AGREED


def test_the_one_question_survey_is_answered_by_texting_a_number(client, cast, settings):
    with time_machine.travel(at(2026, 5, 10, 10), tick=False):
        record(cast, TimelineEvent.Kind.DISCHARGE, at(2026, 5, 10, 9))
    with fake_twilio(settings), time_machine.travel(at(2026, 5, 13, 11), tick=False):
        nudge_feedback_surveys_due()
        nudge = OutboundMessage.objects.get(kind="feedback_survey_one")
        message_deliver(message_id=nudge.pk)
    assert "Reply with a number: 1 very good, 2 good, 3 fair, 4 poor, 5 very poor" in nudge.body
    for word in CLINICAL:
        assert word not in nudge.body, word
    with time_machine.travel(at(2026, 5, 13, 12), tick=False):
        deliver(client, "2")
        deliver(client, "2")  # Twilio retrying the same webhook
        deliver(client, " 4 ", sid="SM" + "e" * 32)  # a second answer changes nothing
    (response,) = SurveyResponse.objects.all()
    assert response.via == "sms" and not response.wants_reply
    assert [(a.question.code, a.choice) for a in response.answers.all()] == [
        ("supported-leaving-hospital", "good")
    ]
    first = InboundSms.objects.get(message_sid="SM" + "f" * 32)
    assert "feedback" in first.outcome and "good" not in first.outcome.lower()


def deliver(client, body: str, *, sid: str = "SM" + "f" * 32):
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


ANSWERS = {
    "knew-who-to-contact": "yes",
    "understood-next-steps": "partly",
    "overall": "good",
}


def test_the_patient_answers_online_and_staff_see_only_counts(client, cast):
    invitation = open_invitation(cast)
    with time_machine.travel(at(2026, 3, 17, 10), tick=False):
        client.force_login(cast.paul)
        home = client.get("/").content.decode()
        assert 'id="feedback"' in home and form_url(invitation) in home
        page = client.get(form_url(invitation)).content.decode()
        assert "Did you know who to contact if you had questions?" in page
        response = client.post(form_url(invitation), {**ANSWERS, "comment": "Kind people"})
        assert response.status_code == 302
        assert 'id="feedback"' not in client.get("/").content.decode()  # answered: gone
        assert "already answered" in client.get(form_url(invitation)).content.decode()
    saved = SurveyResponse.objects.get()
    assert not saved.wants_reply and saved.via == "web"
    assert not ChaseTask.objects.exists()
    client.force_login(cast.nadia)
    case_page = client.get(f"/cases/{cast.paul_case.pk}/").content.decode()
    assert "Kind people" not in case_page and "Feedback asking for a reply" not in case_page
    counts = feedback_answer_counts(
        teams=[cast.team], start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    assert FeedbackCount("feedback-diagnosis", "overall", "good", 1) in counts
    assert len(counts) == 3


def test_a_missing_answer_is_named_and_what_was_typed_is_kept(client, cast):
    invitation = open_invitation(cast)
    with time_machine.travel(at(2026, 3, 17, 10), tick=False):
        client.force_login(cast.paul)
        page = client.post(
            form_url(invitation), {"overall": "good", "comment": "Parking was hard"}
        ).content.decode()
    assert "There is a problem" in page and "Choose an answer" in page
    assert "Parking was hard" in page
    assert not SurveyResponse.objects.exists()


def test_asking_for_a_reply_shows_the_answers_to_the_navigator_until_she_replies(client, cast):
    invitation = open_invitation(cast)
    with time_machine.travel(at(2026, 3, 17, 10), tick=False):
        client.force_login(cast.paul)
        client.post(
            form_url(invitation), {**ANSWERS, "comment": "Please call me", "wants_reply": "on"}
        )
        (task,) = ChaseTask.objects.filter(status="open")
        assert task.assigned_to == cast.nadia
        client.force_login(cast.nadia)
        worklist = client.get("/cases/worklist/").content.decode()
        assert "1 open task" in worklist  # on Paul's row
        case_page = client.get(f"/cases/{cast.paul_case.pk}/").content.decode()
        assert "Feedback asking for a reply" in case_page and "Please call me" in case_page
        saved = SurveyResponse.objects.get()
        done = f"/cases/{cast.paul_case.pk}/feedback/replies/{saved.pk}/done/"
        assert client.post(done).status_code == 302
    saved.refresh_from_db()
    assert saved.replied_by == cast.nadia
    task.refresh_from_db()
    assert task.status != "open"
    assert "Please call me" not in client.get(f"/cases/{cast.paul_case.pk}/").content.decode()


def test_only_the_patient_opens_their_feedback_form(client, cast):
    invitation = open_invitation(cast)
    with time_machine.travel(at(2026, 3, 17, 10), tick=False):
        for user in (cast.nadia, cast.lena, cast.colin, cast.oscar, cast.adam, cast.carol):
            client.force_login(user)
            assert client.get(form_url(invitation)).status_code == 404, user
            assert client.post(form_url(invitation), ANSWERS).status_code == 404, user
        client.force_login(cast.olive)
        assert client.get(form_url(invitation)).status_code == 404
        other = f"/cases/{cast.olive_case.pk}/feedback/{invitation.pk}/"
        assert client.get(other).status_code == 404  # her case, his invitation
        client.force_login(cast.paul)
        assert client.get(form_url(invitation)).status_code == 200
    assert not SurveyResponse.objects.exists()


def test_only_staff_on_the_case_record_a_reply(client, cast):
    invitation = open_invitation(cast)
    with time_machine.travel(at(2026, 3, 17, 10), tick=False):
        client.force_login(cast.paul)
        client.post(form_url(invitation), {**ANSWERS, "wants_reply": "on"})
    done = f"/cases/{cast.paul_case.pk}/feedback/replies/{SurveyResponse.objects.get().pk}/done/"
    for user in (cast.oscar, cast.olive, cast.paul, cast.carol):
        client.force_login(user)
        assert client.post(done).status_code == 404, user
    assert SurveyResponse.objects.get().replied_at is None


def test_the_form_is_in_welsh_for_a_welsh_reader(client, cast):
    cast.paul.language = "cy"
    cast.paul.save()
    invitation = open_invitation(cast)
    with time_machine.travel(at(2026, 3, 17, 10), tick=False):
        client.force_login(cast.paul)
        page = client.get(form_url(invitation), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Oeddech chi'n gwybod â phwy i gysylltu" in page or "Oeddech chi&#x27;n" in page
    assert "Did you know who to contact" not in page


def test_the_counts_are_one_query_and_follow_the_filters(cast, django_assert_num_queries):
    invitation = open_invitation(cast)
    with time_machine.travel(at(2026, 3, 17, 10), tick=False):
        services_submit(invitation, cast)
    with django_assert_num_queries(1):
        counts = feedback_answer_counts(
            teams=[cast.team.pk], start=dt.date(2026, 3, 17), end=dt.date(2026, 3, 17)
        )
    assert sum(c.responses for c in counts) == 3
    assert not feedback_answer_counts(
        teams=[cast.other_team], start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    assert not feedback_answer_counts(
        teams=[cast.team], start=dt.date(2026, 3, 18), end=dt.date(2026, 3, 31)
    )
    assert not feedback_answer_counts(
        teams=[cast.team], start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), tumour_site="Breast"
    )
    assert feedback_answer_counts(
        teams=[cast.team],
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
        tumour_site=cast.paul_case.tumour_site.upper(),
    )


def services_submit(invitation, cast):
    return survey_response_submit(
        invitation=invitation, answers=ANSWERS, via="web", actor=cast.paul
    )


def test_a_welsh_reader_gets_the_one_question_text_in_welsh(cast):
    cast.paul_patient.language = "cy"
    cast.paul_patient.save()
    with time_machine.travel(at(2026, 5, 10, 10), tick=False):
        record(cast, TimelineEvent.Kind.DISCHARGE, at(2026, 5, 10, 9))
    with time_machine.travel(at(2026, 5, 13, 11), tick=False):
        nudge_feedback_surveys_due()
    nudge = OutboundMessage.objects.get(kind="feedback_survey_one")
    assert "Atebwch gyda rhif: 1 da iawn, 2 da, 3 gweddol, 4 gwael, 5 gwael iawn." in nudge.body
