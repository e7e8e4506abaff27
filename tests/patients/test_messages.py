"""Secure messages inside a case: who reads and posts, the nudges, read tracking, the page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from patients.models import CarerAccess, Case, CaseMessage, TimelineEvent
from patients.selectors import unread_message_count
from patients.services import case_message_post, case_messages_mark_read
from tests import factories as f

pytestmark = pytest.mark.django_db

SECRET_TEXT = "My cough is worse since the chemotherapy on Tuesday"


def url(case):
    return reverse("patients:messages", args=[case.id])


def make_act_carer(cast):
    cast.carol_grant.level = CarerAccess.Level.ACT
    cast.carol_grant.save()


def test_patient_posts_and_the_navigator_is_emailed_without_the_text(client, cast):
    client.force_login(cast.paul)

    response = client.post(url(cast.paul_case), {"body": SECRET_TEXT})

    assert response.status_code == 302 and response["Location"] == url(cast.paul_case)
    message = CaseMessage.objects.get()
    assert (message.author, message.author_kind, message.body) == (
        cast.paul,
        CaseMessage.AuthorKind.PATIENT,
        SECRET_TEXT,
    )
    assert message.read_by_patient_at is not None and message.read_by_team_at is None
    nudge = OutboundMessage.objects.get()
    assert nudge.channel == "email" and nudge.to_address == cast.nadia.email
    assert nudge.idempotency_key == f"case-message:{message.pk}:user-{cast.nadia.pk}"
    assert nudge.subject_id == cast.paul_patient.pk
    everything = f"{nudge.subject} {nudge.body} {nudge.body_html}"
    assert "cough" not in everything.lower() and "Paul" not in everything
    assert url(cast.paul_case) in nudge.body
    assert AuditEvent.objects.filter(
        actor=cast.paul, action="create", object_type="patients.casemessage"
    ).exists()
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.MESSAGE)
    assert event.summary == "Message from Paul Jones" and "cough" not in event.detail


def test_staff_post_nudges_the_patient_and_carers_never_with_the_text(client, cast):
    client.force_login(cast.nadia)

    client.post(url(cast.paul_case), {"body": SECRET_TEXT})

    message = CaseMessage.objects.get()
    assert message.author_kind == CaseMessage.AuthorKind.STAFF
    assert message.read_by_team_at is not None and message.read_by_patient_at is None
    nudges = {n.idempotency_key: n for n in OutboundMessage.objects.all()}
    assert set(nudges) == {
        f"case-message:{message.pk}:patient-{cast.paul_patient.pk}",
        f"case-message:{message.pk}:user-{cast.carol.pk}",
    }
    to_paul = nudges[f"case-message:{message.pk}:patient-{cast.paul_patient.pk}"]
    assert to_paul.channel == "sms" and to_paul.to_address == cast.paul_patient.phone
    assert to_paul.body.startswith("You have a new message from your cancer support team: ")
    for nudge in nudges.values():
        assert "cough" not in f"{nudge.subject} {nudge.body} {nudge.body_html}".lower()


def test_nudges_are_once_per_message_and_recipient(cast):
    first = case_message_post(case=cast.paul_case, author=cast.nadia, body="Hello")
    second = case_message_post(case=cast.paul_case, author=cast.nadia, body="Hello again")
    keys = set(OutboundMessage.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 4
    assert all(str(first.pk) in k or str(second.pk) in k for k in keys)


def test_a_revoked_carer_is_not_nudged(cast):
    cast.carol_grant.revoked_at = cast.carol_grant.granted_at
    cast.carol_grant.save()
    case_message_post(case=cast.paul_case, author=cast.nadia, body="Hello")
    assert list(OutboundMessage.objects.values_list("to_address", flat=True)) == [
        cast.paul_patient.phone
    ]


def test_read_only_carer_reads_but_cannot_post(client, cast):
    case_message_post(case=cast.paul_case, author=cast.nadia, body="Your letter is ready")
    client.force_login(cast.carol)

    page = client.get(url(cast.paul_case))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your letter is ready" in html
    assert "You are viewing Paul Jones" in html and "record</p>" in html
    assert 'name="body"' not in html

    assert client.post(url(cast.paul_case), {"body": "Let me in"}).status_code == 404
    with pytest.raises(PermissionDenied):
        case_message_post(case=cast.paul_case, author=cast.carol, body="Let me in")
    assert CaseMessage.objects.count() == 1


def test_carer_who_acts_for_the_patient_posts_as_a_carer(client, cast):
    make_act_carer(cast)
    client.force_login(cast.carol)

    client.post(url(cast.paul_case), {"body": "Paul asked me to write"})

    message = CaseMessage.objects.get()
    assert (message.author, message.author_kind) == (cast.carol, CaseMessage.AuthorKind.CARER)
    html = client.get(url(cast.paul_case)).content.decode()
    assert "Paul asked me to write" in html


@pytest.mark.parametrize("who", ["olive", "oscar", "adam"])
def test_people_outside_the_case_get_404_reading_or_posting(client, cast, who):
    case_message_post(case=cast.paul_case, author=cast.nadia, body="Private")
    client.force_login(getattr(cast, who))

    assert client.get(url(cast.paul_case)).status_code == 404
    assert client.post(url(cast.paul_case), {"body": "hi"}).status_code == 404
    assert CaseMessage.objects.count() == 1


def test_patient_a_cannot_reach_patient_b_messages(client, cast):
    case_message_post(case=cast.olive_case, author=cast.oscar, body="For Olive only")
    client.force_login(cast.paul)
    response = client.get(url(cast.olive_case))
    assert response.status_code == 404
    assert b"For Olive only" not in response.content


def test_anonymous_is_sent_to_sign_in(client, cast):
    response = client.get(url(cast.paul_case))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_carer_loses_the_messages_on_the_next_request_after_revocation(client, cast):
    client.force_login(cast.carol)
    assert client.get(url(cast.paul_case)).status_code == 200

    cast.carol_grant.revoked_at = cast.carol_grant.granted_at
    cast.carol_grant.save()

    assert client.get(url(cast.paul_case)).status_code == 404


def test_reading_marks_the_other_sides_messages_read_and_is_audited(client, cast):
    case_message_post(case=cast.paul_case, author=cast.nadia, body="One")
    case_message_post(case=cast.paul_case, author=cast.nadia, body="Two")
    case_message_post(case=cast.paul_case, author=cast.paul, body="Mine")
    assert unread_message_count(case=cast.paul_case, user=cast.paul) == 2
    assert unread_message_count(case=cast.paul_case, user=cast.nadia) == 1

    client.force_login(cast.paul)
    html = client.get(url(cast.paul_case)).content.decode()

    assert html.count(">New</strong>") == 2
    assert unread_message_count(case=cast.paul_case, user=cast.paul) == 0
    assert unread_message_count(case=cast.paul_case, user=cast.nadia) == 1
    assert AuditEvent.objects.filter(
        actor=cast.paul, action="view", summary="Read the messages"
    ).exists()
    # A carer is on the patient's side: what Paul read is read for Carol too.
    assert unread_message_count(case=cast.paul_case, user=cast.carol) == 0
    assert html.count(">New</strong>") == 2
    again = client.get(url(cast.paul_case)).content.decode()
    assert ">New</strong>" not in again


def test_mark_read_by_staff_counts_the_patient_side_only(cast):
    case_message_post(case=cast.paul_case, author=cast.paul, body="From Paul")
    case_message_post(case=cast.paul_case, author=None, body="By text", via="sms")
    assert case_messages_mark_read(case=cast.paul_case, reader=cast.colin) == 2
    assert case_messages_mark_read(case=cast.paul_case, reader=cast.colin) == 0


def test_an_sms_reply_is_a_message_from_the_patient(cast):
    message = case_message_post(
        case=cast.paul_case, author=cast.paul, body="  Yes Thursday is fine  ", via="sms"
    )
    assert message.author_kind == CaseMessage.AuthorKind.SMS
    assert message.body == "Yes Thursday is fine"
    assert OutboundMessage.objects.get().to_address == cast.nadia.email
    with pytest.raises(PermissionDenied):
        case_message_post(case=cast.paul_case, author=cast.carol, body="x", via="sms")
    with pytest.raises(ValueError):
        case_message_post(case=cast.paul_case, author=cast.paul, body="x", via="fax")


def test_empty_long_and_closed_are_refused_with_reasons(cast):
    with pytest.raises(ValidationError) as empty:
        case_message_post(case=cast.paul_case, author=cast.paul, body="   ")
    assert empty.value.message_dict == {"body": ["Enter your message."]}
    with pytest.raises(ValidationError) as long:
        case_message_post(case=cast.paul_case, author=cast.paul, body="x" * 5001)
    assert "5000 characters" in long.value.message_dict["body"][0]
    Case.objects.filter(pk=cast.paul_case.pk).update(status=Case.Status.CLOSED)
    cast.paul_case.refresh_from_db()
    with pytest.raises(ValidationError) as closed:
        case_message_post(case=cast.paul_case, author=cast.paul, body="Hello")
    assert "closed" in closed.value.message_dict["body"][0]
    assert not CaseMessage.objects.exists()


def test_a_patient_without_an_account_is_not_nudged_but_the_message_is_kept(cast):
    patient = f.make_patient(given="Nia", family="Evans")
    case = f.make_case(patient=patient, team=cast.team, navigator=cast.nadia)
    case_message_post(case=case, author=cast.nadia, body="Hello Nia")
    assert CaseMessage.objects.filter(case=case).count() == 1
    assert not OutboundMessage.objects.exists()


def test_an_unreachable_recipient_does_not_stop_the_message(cast):
    cast.paul_patient.phone = ""
    cast.paul_patient.email = ""
    cast.paul_patient.save()
    cast.paul.email = "paul@example.test"
    case_message_post(case=cast.paul_case, author=cast.nadia, body="Hello")
    # Paul's account email is used when his record has none.
    assert OutboundMessage.objects.filter(to_address="paul@example.test").exists()


def test_an_error_keeps_what_was_typed_and_says_what_is_wrong(client, cast):
    client.force_login(cast.paul)
    long_text = "Dear Nadia " + "x" * 5000
    response = client.post(url(cast.paul_case), {"body": long_text})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and 'href="#id_body"' in html
    assert long_text in html
    assert "<title>Error: " in html


def test_htmx_post_returns_the_conversation_with_a_fresh_form(client, cast):
    client.force_login(cast.paul)
    response = client.post(url(cast.paul_case), {"body": "Via htmx"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="conversation"' in html and "<html" not in html
    assert "Via htmx" in html and "Message sent." in html
    assert '<textarea class="nhsuk-textarea" id="id_body" name="body" rows="5">' in html


def test_htmx_error_keeps_the_text_in_the_partial(client, cast):
    client.force_login(cast.paul)
    html = client.post(url(cast.paul_case), {"body": "  "}, HTTP_HX_REQUEST="true").content.decode()
    assert "There is a problem" in html and "Enter your message" in html and "<html" not in html


def test_staff_page_links_back_to_the_case(client, cast):
    client.force_login(cast.colin)
    html = client.get(url(cast.paul_case)).content.decode()
    assert reverse("caseload:case_detail", args=[cast.paul_case.id]) in html
    assert "There are no messages yet." in html


def _fill(cast, n):
    for i in range(n):
        author = cast.nadia if i % 2 else cast.paul
        case_message_post(case=cast.paul_case, author=author, body=f"Message {i}")


@pytest.mark.parametrize("who", ["paul", "nadia", "carol"])
def test_conversation_page_queries_do_not_grow_with_messages(
    client, cast, who, django_assert_num_queries
):
    user = getattr(cast, who)
    client.force_login(user)
    _fill(cast, 2)
    client.get(url(cast.paul_case))  # nothing unread now, so both counts read the same
    case_message_post(case=cast.paul_case, author=cast.colin, body="unread")
    case_message_post(case=cast.paul_case, author=cast.paul, body="unread too")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(cast.paul_case)).status_code == 200

    _fill(cast, 30)
    case_message_post(case=cast.paul_case, author=cast.colin, body="unread")
    case_message_post(case=cast.paul_case, author=cast.paul, body="unread too")
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url(cast.paul_case)).status_code == 200


def test_unread_counts_show_on_the_patient_home_and_the_case_page(client, cast):
    case_message_post(case=cast.paul_case, author=cast.nadia, body="One")
    case_message_post(case=cast.paul_case, author=cast.nadia, body="Two")
    case_message_post(case=cast.paul_case, author=cast.paul, body="From Paul")

    client.force_login(cast.paul)
    home = client.get(reverse("home")).content.decode()
    assert "You have 2 new messages from your care team." in home
    assert url(cast.paul_case) in home

    client.force_login(cast.colin)
    case_page = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))
    assert "1 new message from Paul's side." in case_page.content.decode()

    client.get(url(cast.paul_case))
    case_page = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))
    assert "No new messages from Paul's side." in case_page.content.decode()
    client.force_login(cast.carol)
    assert "You have 2 new messages from Paul's care team." in (
        client.get(reverse("home")).content.decode()
    )
