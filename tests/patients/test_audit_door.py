"""The case door records access; the service records the write, once.

A form sent back with errors leaves only the door's entry (a view of the case) in the trail;
a good one leaves that and exactly one write entry, written by the service.
"""

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.urls import reverse

from navigator.audit.models import AuditEvent
from patients.access import get_case_for_user
from patients.models import CarerInvitation, CareTeamMember
from patients.services import appointment_question_add, carer_invite
from tests.audit_support import ACCESS, Form, entries_during, form_sent, others_in, writes_in
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def afternoon(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 16, 0, tzinfo=LONDON), tick=False)


def _url(name: str, *extra: Any) -> Callable[[Cast, Any], str]:
    return lambda cast, obj: reverse(
        f"patients:{name}", args=[cast.paul_case.pk, *(e(obj) for e in extra)]
    )


def _timeline(**overrides: str) -> dict[str, str]:
    return {
        "kind": "note",
        "occurred_at-day": "20",
        "occurred_at-month": "11",
        "occurred_at-year": "2026",
        "occurred_time": "2:30pm",
        "summary": "Rang Paul about transport",
        "detail": "",
        **overrides,
    }


def _contact(**overrides: str) -> dict[str, str]:
    return {
        "version": "1",
        "phone": "07700 900 777",
        "email": "paul.new@example.test",
        "address": "2 Mill Lane\nNorthtown",
        "postcode": "ls1 4ap",
        "preferred_channel": "email",
        "language": "en",
        **overrides,
    }


def _summary(**overrides: str) -> dict[str, str]:
    return {
        "diagnosis": "Non-small cell lung cancer, right upper lobe, stage 2.",
        "treatment_given": "Lobectomy on 2 June 2026.",
        "treatment_ended_on-day": "15",
        "treatment_ended_on-month": "10",
        "treatment_ended_on-year": "2026",
        "intent": "curative",
        "side_effects": "Tiredness.",
        "red_flags": "New cough with blood: call the lung CNS the same day.",
        "gp_actions": "Cancer Care Review due by May 2027.",
        "contacts": "Lung CNS team, 0113 000 1111.",
        "written_by": "Dr Asha Patel",
        "written_on-day": "20",
        "written_on-month": "10",
        "written_on-year": "2026",
        **overrides,
    }


def _question(cast: Cast) -> Any:
    return appointment_question_add(case=cast.paul_case, by=cast.paul, text="Can I drive?")


FORMS = {
    "timeline_add": Form(
        who="nadia",
        url=_url("timeline_add"),
        bad=lambda cast, obj: _timeline(summary="", occurred_time="25:00"),
        good=lambda cast, obj: _timeline(),
        writes=((AuditEvent.Action.CREATE, "patients.timelineevent"),),
    ),
    "case_handover": Form(
        who="nadia",
        url=_url("case_handover"),
        bad=lambda cast, obj: {"to_navigator": str(cast.oscar.pk), "note": ""},
        good=lambda cast, obj: {"to_navigator": str(cast.lena.pk), "note": "Call after 2pm."},
        writes=((AuditEvent.Action.UPDATE, "patients.case"),),
    ),
    "care_team_add": Form(
        who="nadia",
        url=_url("care_team_add"),
        bad=lambda cast, obj: {"role": "social_worker"},
        good=lambda cast, obj: {"role": "social_worker", "name": "Sam Social", "contact": "0113"},
        writes=((AuditEvent.Action.CREATE, "patients.careteammember"),),
    ),
    "contact_edit": Form(
        who="paul",
        url=_url("contact_edit"),
        bad=lambda cast, obj: _contact(email="not an email address"),
        good=lambda cast, obj: _contact(),
        writes=((AuditEvent.Action.UPDATE, "patients.patient"),),
    ),
    "treatment_summary_edit": Form(
        who="nadia",
        url=_url("treatment_summary_edit"),
        bad=lambda cast, obj: _summary(diagnosis=""),
        good=lambda cast, obj: _summary(),
        writes=((AuditEvent.Action.CREATE, "patients.treatmentsummary"),),
    ),
    "questions": Form(
        who="paul",
        url=_url("questions"),
        bad=lambda cast, obj: {"text": " "},
        good=lambda cast, obj: {"text": "Can I still drive?"},
        writes=((AuditEvent.Action.CREATE, "patients.appointmentquestion"),),
    ),
    "question_edit": Form(
        who="paul",
        setup=_question,
        url=_url("question_edit", lambda question: question.pk),
        bad=lambda cast, obj: {"text": ""},
        good=lambda cast, obj: {"text": "Can I drive myself home?"},
        writes=((AuditEvent.Action.UPDATE, "patients.appointmentquestion"),),
    ),
    "carer_invite": Form(
        who="paul",
        url=_url("carer_invite"),
        bad=lambda cast, obj: {"carer_name": "Dev Patel", "email": "", "phone": "", "level": "act"},
        good=lambda cast, obj: {
            "carer_name": "Dev Patel",
            "email": "dev@example.test",
            "phone": "",
            "level": "read",
        },
        writes=((AuditEvent.Action.CREATE, "patients.carerinvitation"),),
    ),
    "messages": Form(
        who="paul",
        url=_url("messages"),
        bad=lambda cast, obj: {"body": "   "},
        good=lambda cast, obj: {"body": "Is my scan still on Friday?"},
        writes=((AuditEvent.Action.CREATE, "patients.casemessage"),),
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_a_form_sent_back_with_errors_records_the_access_and_no_write(client, cast, name):
    form = FORMS[name]
    response, written = form_sent(client, cast, form, good=False)

    assert response.status_code in (200, 400), response
    assert written == ACCESS


@pytest.mark.parametrize("name", FORMS)
def test_a_good_form_records_the_access_and_one_write_by_the_service(client, cast, name):
    form = FORMS[name]
    response, written = form_sent(client, cast, form, good=True)

    assert response.status_code == 302, response
    assert others_in(written) == ACCESS
    assert writes_in(written) == list(form.writes)


def _colin_place(cast: Cast) -> CareTeamMember:
    return CareTeamMember.objects.get(case=cast.paul_case, user=cast.colin)


def _invitation(cast: Cast) -> CarerInvitation:
    invitation, _link = carer_invite(
        patient=cast.paul_patient, by=cast.paul, carer_name="Dev", email="dev@example.test",
        phone="", level="read",
    )  # fmt: skip
    return invitation


# Buttons with no form to get wrong: one write each, and the access.
BUTTONS = {
    "care_team_remove": Form(
        who="nadia",
        setup=_colin_place,
        url=_url("care_team_remove"),
        bad=lambda cast, obj: {},
        good=lambda cast, obj: {"member": str(obj.pk)},
        writes=((AuditEvent.Action.DELETE, "patients.careteammember"),),
    ),
    "carer_revoke": Form(
        who="paul",
        url=_url("carer_revoke"),
        bad=lambda cast, obj: {},
        good=lambda cast, obj: {"grant": str(cast.carol_grant.pk)},
        writes=((AuditEvent.Action.UPDATE, "patients.careraccess"),),
    ),
    "carer_invitation_withdraw": Form(
        who="paul",
        setup=_invitation,
        url=_url("carer_invitation_withdraw"),
        bad=lambda cast, obj: {},
        good=lambda cast, obj: {"invitation": str(obj.pk)},
        writes=((AuditEvent.Action.UPDATE, "patients.carerinvitation"),),
    ),
    "question_asked": Form(
        who="paul",
        setup=_question,
        url=_url("question_asked", lambda question: question.pk),
        bad=lambda cast, obj: {},
        good=lambda cast, obj: {"asked": "yes"},
        writes=((AuditEvent.Action.UPDATE, "patients.appointmentquestion"),),
    ),
    "question_delete": Form(
        who="paul",
        setup=_question,
        url=_url("question_delete", lambda question: question.pk),
        bad=lambda cast, obj: {},
        good=lambda cast, obj: {},
        writes=((AuditEvent.Action.DELETE, "patients.appointmentquestion"),),
    ),
}


@pytest.mark.parametrize("name", BUTTONS)
def test_a_button_records_the_access_and_one_write_by_the_service(client, cast, name):
    button = BUTTONS[name]
    response, written = form_sent(client, cast, button, good=True)

    assert response.status_code == 302, response
    assert others_in(written) == ACCESS
    assert writes_in(written) == list(button.writes)


def test_a_suggestion_that_is_not_one_records_the_access_and_no_write(client, cast):
    client.force_login(cast.paul)
    url = reverse("patients:question_suggested_add", args=[cast.paul_case.pk])

    _response, written = entries_during(lambda: client.post(url, {"text": "Made up"}))

    assert written == ACCESS


@pytest.mark.parametrize(
    "action", [AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE]
)
def test_the_door_refuses_to_record_a_write(cast, action):
    request = RequestFactory().post("/")
    request.user = cast.nadia

    with pytest.raises(ValueError, match="access only"):
        get_case_for_user(request, cast.paul_case.pk, perm="patients.change_case", action=action)
    assert not AuditEvent.objects.exists()


def test_the_door_records_a_print_as_an_export(cast):
    request = RequestFactory().get("/")
    request.user = cast.nadia

    get_case_for_user(request, cast.paul_case.pk, action=AuditEvent.Action.EXPORT)

    (entry,) = AuditEvent.objects.all()
    assert (entry.action, entry.object_id) == ("export", str(cast.paul_case.pk))


# The API's writes go through the same door: a refused body leaves only the access.
API_WRITES = {
    "timeline": (
        {"kind": "note", "occurred_on": "2026-11-20", "summary": ""},
        {"kind": "note", "occurred_on": "2026-11-20", "summary": "Rang Paul"},
        (AuditEvent.Action.CREATE, "patients.timelineevent"),
    ),
    "care-team": (
        {"role": "gp"},
        {"role": "social_worker", "name": "Sam Social"},
        (AuditEvent.Action.CREATE, "patients.careteammember"),
    ),
    "messages": (
        {"body": ""},
        {"body": "Your scan is on Friday."},
        (AuditEvent.Action.CREATE, "patients.casemessage"),
    ),
}


@pytest.mark.parametrize("what", API_WRITES)
def test_an_api_write_records_the_access_and_at_most_one_write(client, cast, what):
    bad, good, writes = API_WRITES[what]
    url = reverse(f"api-case-{what}", kwargs={"case_id": cast.paul_case.pk})
    client.force_login(cast.nadia)

    def send(body: dict[str, str]) -> Any:
        return client.post(url, data=json.dumps(body), content_type="application/json")

    refused, written = entries_during(lambda: send(bad))
    assert refused.status_code == 400, refused.content
    assert written == ACCESS

    made, written = entries_during(lambda: send(good))
    assert made.status_code == 201, made.content
    assert others_in(written) == ACCESS
    assert writes_in(written) == [writes]
