"""Opening a case, "My cases", handover and the care team."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from navigator.accounts.models import Role
from navigator.audit.models import AuditEvent
from navigator.organisations.models import Organisation
from patients.models import CareTeamMember, Case, Patient, TimelineEvent
from patients.validators import normalise_postcode, phone_to_e164
from tests import factories as f

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False)
    return dt.date(2026, 11, 24)


def open_form(**overrides: str) -> dict[str, str]:
    data = {
        "nhs_number": "943 476 5919",
        "given_name": "Rita",
        "family_name": "Patel",
        "date_of_birth-day": "3",
        "date_of_birth-month": "7",
        "date_of_birth-year": "1961",
        "phone": "07700 900 456",
        "email": "Rita@Example.test",
        "address": "1 High Street\nNorthtown",
        "postcode": "ls25zn",
        "preferred_channel": "sms",
        "language": "en",
        "needs_interpreter": "on",
        "interpreter_language": "Gujarati",
        "nation": "england",
        "tumour_site": "Lung",
        "diagnosis_date-day": "10",
        "diagnosis_date-month": "11",
        "diagnosis_date-year": "2026",
        "stage": "T2 N1 M0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- opening a case ---------------------------------------------------------------------------


def test_navigator_opens_a_case_and_is_its_named_navigator(client, cast, today):
    client.force_login(cast.nadia)
    trust = Organisation.objects.get(name="Northshire Hospitals NHS Trust")
    data = open_form(
        gp_practice=cast.gp_practice.ods_code.lower(), treating_providers=str(trust.pk)
    )
    data["team"] = str(cast.team.pk)

    response = client.post(reverse("patients:case_open"), data)

    patient = Patient.objects.get(nhs_number="9434765919")
    case = patient.cases.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("caseload:case_detail", args=[case.id])
    assert case.navigator == cast.nadia and case.team == cast.team
    assert list(case.treating_providers.all()) == [trust]
    assert (patient.phone, patient.postcode, patient.email) == (
        "+447700900456",
        "LS2 5ZN",
        "rita@example.test",
    )
    assert patient.gp_practice == cast.gp_practice
    assert patient.communication_needs == ["Interpreter (Gujarati)"]
    place = case.care_team.get()
    assert (place.user, place.role) == (cast.nadia, CareTeamMember.Role.NAVIGATOR)
    diagnosis = case.timeline.get()
    assert diagnosis.kind == TimelineEvent.Kind.DIAGNOSIS
    assert diagnosis.occurred_on == dt.date(2026, 11, 10)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_id=str(case.id), actor=cast.nadia
    ).exists()
    page = client.get(response["Location"])
    assert "Case opened. You are Rita Patel&#x27;s named navigator." in page.content.decode()


def test_bad_nhs_number_phone_and_postcode_are_explained_and_typing_is_kept(client, cast, today):
    client.force_login(cast.nadia)
    data = open_form(
        nhs_number="943 476 5918", phone="12345", postcode="NOT A CODE", given_name="Rita"
    )

    response = client.post(reverse("patients:case_open"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert '<a href="#id_nhs_number">This is not a valid NHS number: check each digit' in html
    assert '<a href="#id_phone">This is not a phone number we recognise' in html
    assert '<a href="#id_postcode">Enter a full UK postcode, like LS2 5ZN' in html
    for typed in ('value="943 476 5918"', 'value="12345"', 'value="NOT A CODE"', 'value="Rita"'):
        assert typed in html
    assert 'value="1961"' in html and "Gujarati" in html
    assert 'aria-describedby="id_phone-hint id_phone-error"' in html
    assert not Patient.objects.filter(given_name="Rita").exists()


def test_short_nhs_number_and_incomplete_date_get_their_own_messages(client, cast, today):
    client.force_login(cast.nadia)
    data = open_form(nhs_number="12345", **{"date_of_birth-month": ""})

    html = client.post(reverse("patients:case_open"), data).content.decode()

    assert "An NHS number is 10 digits, like 943 476 5919." in html
    assert '<a href="#id_date_of_birth-day">Date of birth must include a month</a>' in html


def test_sms_needs_a_mobile_number(client, cast, today):
    client.force_login(cast.nadia)
    data = open_form(phone="0113 496 0000")

    html = client.post(reverse("patients:case_open"), data).content.decode()

    assert "Text messages need a mobile number" in html
    assert 'value="0113 496 0000"' in html


def test_duplicate_nhs_number_is_refused_with_a_link_to_the_existing_case(client, cast, today):
    client.force_login(cast.nadia)
    data = open_form(nhs_number=cast.paul_patient.nhs_number_display)

    response = client.post(reverse("patients:case_open"), data)

    html = response.content.decode()
    link = reverse("caseload:case_detail", args=[cast.paul_case.id])
    assert "A record for this NHS number already exists" in html
    assert f'<a href="{link}">open it</a>' in html
    assert Patient.objects.count() == 2 and Case.objects.count() == 2
    assert 'value="Rita"' in html


def test_duplicate_held_by_another_team_is_refused_without_a_link(client, cast, today):
    client.force_login(cast.nadia)
    data = open_form(nhs_number=cast.olive_patient.nhs_number)

    html = client.post(reverse("patients:case_open"), data).content.decode()

    assert "A record for this NHS number already exists" in html
    assert str(cast.olive_case.id) not in html


@pytest.mark.parametrize("who", ["colin", "paul", "carol", "adam"])
def test_only_navigators_in_a_team_may_open_cases(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("patients:case_open")).status_code == 403
    assert client.post(reverse("patients:case_open"), open_form()).status_code == 403
    assert not Patient.objects.filter(nhs_number="9434765919").exists()


def test_one_open_case_per_person_per_diagnosis(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.make_case(
            patient=cast.paul_patient, team=cast.team, navigator=cast.nadia, tumour_site="LUNG"
        )
    cast.paul_case.status = Case.Status.CLOSED
    cast.paul_case.save()
    f.make_case(patient=cast.paul_patient, team=cast.team, navigator=cast.nadia)  # a new episode


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07700 900 982", "+447700900982"),
        ("+44 7700 900982", "+447700900982"),
        ("07911 123456", "+447911123456"),
    ],
)
def test_phone_numbers_are_stored_in_e164(typed, stored):
    assert phone_to_e164(typed, mobile=True) == stored


@pytest.mark.parametrize(("typed", "stored"), [("sw1a1aa", "SW1A 1AA"), (" M1  1AE ", "M1 1AE")])
def test_postcodes_are_stored_in_standard_form(typed, stored):
    assert normalise_postcode(typed) == stored


# --- my cases ------------------------------------------------------------------------------


def test_my_cases_lists_what_i_navigate_and_a_lead_sees_the_team(client, cast):
    client.force_login(cast.nadia)
    html = client.get(reverse("patients:case_list")).content.decode()
    assert "JONES, Paul" in html and "SMITH, Olive" not in html

    client.force_login(cast.lena)
    html = client.get(reverse("patients:case_list")).content.decode()
    assert "JONES, Paul" in html and "SMITH, Olive" not in html

    client.force_login(cast.oscar)
    html = client.get(reverse("patients:case_list")).content.decode()
    assert "SMITH, Olive" in html and "JONES, Paul" not in html


def test_a_clinician_sees_the_cases_they_are_on(client, cast):
    client.force_login(cast.colin)
    html = client.get(reverse("patients:case_list")).content.decode()
    assert "JONES, Paul" in html


def test_search_by_nhs_number_or_name_finds_only_visible_cases(client, cast):
    client.force_login(cast.nadia)
    number = cast.paul_patient.nhs_number_display
    html = client.get(reverse("patients:case_list"), {"q": number}).content.decode()
    assert "JONES, Paul" in html and "1 case matching" in html
    html = client.get(reverse("patients:case_list"), {"q": "paul jon"}).content.decode()
    assert "JONES, Paul" in html

    client.force_login(cast.oscar)
    html = client.get(reverse("patients:case_list"), {"q": number}).content.decode()
    assert "JONES, Paul" not in html and "No cases match" in html


def test_patients_are_sent_home_from_the_case_list(client, cast):
    client.force_login(cast.paul)
    assert client.get(reverse("patients:case_list"))["Location"] == reverse("home")


# Session, user, the MFA check (once a request: the middleware asks, the rules reuse it), "may
# open cases", the user's teams (named in the access query), page count, page.
CASE_LIST_QUERIES = 7


def test_case_list_query_count_does_not_grow_with_cases(client, cast, django_assert_num_queries):
    client.force_login(cast.nadia)

    def add_cases(n: int) -> None:
        for i in range(n):
            patient = f.make_patient(given=f"Person{i}", family="Test")
            f.make_case(patient=patient, team=cast.team, navigator=cast.nadia)

    add_cases(1)  # with Paul's, 2 cases
    with django_assert_num_queries(CASE_LIST_QUERIES):
        html = client.get(reverse("patients:case_list")).content.decode()
    assert html.count('<tr class="nhsuk-table__row"') == 1 + 2
    add_cases(18)
    with django_assert_num_queries(CASE_LIST_QUERIES):
        html = client.get(reverse("patients:case_list")).content.decode()
    assert html.count('<tr class="nhsuk-table__row"') == 1 + 20


# --- handover ------------------------------------------------------------------------------


def test_handover_to_a_team_colleague_with_a_note(client, cast):
    client.force_login(cast.nadia)
    url = reverse("patients:case_handover", args=[cast.paul_case.id])
    assert client.get(url).status_code == 200

    response = client.post(url, {"to_navigator": str(cast.lena.pk), "note": "Call after 2pm."})

    assert response.status_code == 302
    cast.paul_case.refresh_from_db()
    assert cast.paul_case.navigator == cast.lena
    navigators = cast.paul_case.care_team.filter(role=CareTeamMember.Role.NAVIGATOR)
    assert [m.user for m in navigators] == [cast.lena]
    event = cast.paul_case.timeline.get(kind=TimelineEvent.Kind.HANDOVER)
    assert event.detail == "Call after 2pm." and event.recorded_by == cast.nadia
    assert "Lena Ward is now the named navigator" in event.summary
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, summary__startswith="Handed the case over"
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Handed over. Lena Ward is now the named navigator." in page


def test_handover_only_to_a_navigator_in_the_same_team_and_needs_a_note(client, cast):
    client.force_login(cast.nadia)
    url = reverse("patients:case_handover", args=[cast.paul_case.id])

    response = client.post(url, {"to_navigator": str(cast.oscar.pk), "note": ""})

    html = response.content.decode()
    assert '<a href="#id_to_navigator">Choose a navigator in this team</a>' in html
    assert '<a href="#id_note">Enter a note for the new navigator</a>' in html
    cast.paul_case.refresh_from_db()
    assert cast.paul_case.navigator == cast.nadia


@pytest.mark.parametrize("who", ["oscar", "paul", "carol", "adam"])
def test_handover_is_404_to_anyone_not_working_on_the_case(client, cast, who):
    client.force_login(getattr(cast, who))
    url = reverse("patients:case_handover", args=[cast.paul_case.id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"to_navigator": str(cast.oscar.pk), "note": "x"}).status_code == 404
    cast.paul_case.refresh_from_db()
    assert cast.paul_case.navigator == cast.nadia


# --- care team -----------------------------------------------------------------------------


def test_adding_a_clinician_by_email_lets_them_see_the_case(client, cast):
    oncologist = f.make_user("ola@nhs.test", role=Role.CLINICIAN, name="Ola Ade", mfa=True)
    assert not oncologist.has_perm("patients.view_case", cast.paul_case)
    client.force_login(cast.nadia)

    response = client.post(
        reverse("patients:care_team_add", args=[cast.paul_case.id]),
        {
            "role": "oncologist",
            "user": "OLA@nhs.test",
            "contact": "Oncology secretary 0113 496 0001",
        },
    )

    assert response.status_code == 302
    member = cast.paul_case.care_team.get(user=oncologist)
    assert (member.role, member.name) == ("oncologist", "Ola Ade")
    assert oncologist.has_perm("patients.view_case", cast.paul_case)
    html = client.get(response["Location"]).content.decode()
    assert "Ola Ade" in html and "Oncology secretary 0113 496 0001" in html


def test_adding_a_contact_needs_a_name_and_a_known_email(client, cast):
    client.force_login(cast.nadia)
    url = reverse("patients:care_team_add", args=[cast.paul_case.id])

    html = client.post(url, {"role": "gp", "user": "nobody@nhs.test"}).content.decode()
    assert "No staff account uses nobody@nhs.test" in html and 'value="nobody@nhs.test"' in html

    html = client.post(url, {"role": "social_worker"}).content.decode()
    assert '<a href="#id_name">Enter their name, or the name of the service.</a>' in html

    client.post(url, {"role": "social_worker", "name": "Sam Social", "contact": "0113 496 0002"})
    assert cast.paul_case.care_team.filter(name="Sam Social", user=None).exists()


def test_removing_from_the_care_team_but_never_the_named_navigator(client, cast):
    client.force_login(cast.nadia)
    url = reverse("patients:care_team_remove", args=[cast.paul_case.id])
    colin_place = cast.paul_case.care_team.get(user=cast.colin)
    nadia_place = CareTeamMember.objects.create(
        case=cast.paul_case, user=cast.nadia, role=CareTeamMember.Role.NAVIGATOR
    )

    client.post(url, {"member": str(colin_place.pk)})
    response = client.post(url, {"member": str(nadia_place.pk)}, follow=True)

    assert not cast.paul_case.care_team.filter(user=cast.colin).exists()
    assert not cast.colin.has_perm("patients.view_case", cast.paul_case)
    assert cast.paul_case.care_team.filter(user=cast.nadia).exists()
    assert "Hand the case over to another navigator" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).exists()


def test_care_team_member_of_another_case_cannot_be_removed_through_this_one(client, cast):
    other_place = CareTeamMember.objects.create(
        case=cast.olive_case, name="Breast CNS", role=CareTeamMember.Role.CNS
    )
    client.force_login(cast.nadia)
    response = client.post(
        reverse("patients:care_team_remove", args=[cast.paul_case.id]),
        {"member": str(other_place.pk)},
    )
    assert response.status_code == 404
    assert CareTeamMember.objects.filter(pk=other_place.pk).exists()


@pytest.mark.parametrize("who", ["oscar", "paul", "carol"])
def test_care_team_pages_are_404_to_anyone_not_working_on_the_case(client, cast, who):
    client.force_login(getattr(cast, who))
    add = reverse("patients:care_team_add", args=[cast.paul_case.id])
    remove = reverse("patients:care_team_remove", args=[cast.paul_case.id])
    colin_place = cast.paul_case.care_team.get(user=cast.colin)
    assert client.get(add).status_code == 404
    assert client.post(remove, {"member": str(colin_place.pk)}).status_code == 404
    assert CareTeamMember.objects.filter(pk=colin_place.pk).exists()


@pytest.mark.parametrize(
    "name",
    [
        "caseload:case_detail",
        "patients:case_handover",
        "patients:care_team_add",
        "patients:timeline",
        "patients:timeline_add",
        "patients:contact_edit",
        "patients:case_list",
    ],
)
def test_every_case_page_writes_one_audit_entry_naming_the_patient(client, cast, name):
    client.force_login(cast.lena)
    if name == "patients:case_list":
        # The list reads no one's record; opening a case from it does.
        assert client.get(reverse(name)).status_code == 200
        assert not AuditEvent.objects.exists()
        return
    assert client.get(reverse(name, args=[cast.paul_case.id])).status_code == 200
    entry = AuditEvent.objects.get()
    assert (entry.actor, entry.patient_id, entry.action) == (
        cast.lena,
        cast.paul_patient.id,
        AuditEvent.Action.VIEW,
    )
    assert entry.path == reverse(name, args=[cast.paul_case.id])
