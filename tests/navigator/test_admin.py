"""The Django admin without back doors (navigator.adminsite): platform administration only,
nothing about a patient whoever signs in (the admin role, a superuser), no secret on the
authenticator page, and every admin page and change in the audit trail."""

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db.models import Model
from django.test import Client

from appointments.models import ItemKind
from appointments.services import tracked_item_create
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.crypto import unseal
from navigator.messaging.models import InboundSms, SmsOptOut
from navigator.messaging.services import Recipient, message_send
from navigator.models import BankHoliday
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

# Everything the admin may hold: data a service maintains, and staff authenticators (without
# their secrets). Adding a model to the admin means adding it here, having checked it holds
# nothing about a patient.
PLATFORM = {
    "auth.group",
    "navigator.bankholiday",
    "mfa.authenticator",
    "appointments.pathwaystandard",
    "appointments.followuprule",
    "careplans.informationresource",
    "careplans.triagesettings",
    "careplans.directoryservice",
    "careplans.directoryorganization",
}
# Whatever points at one of these is about a patient.
PATIENT_ROOTS = {
    "patients.patient",
    "patients.case",
    "messaging.outboundmessage",
    "messaging.inboundsms",
}
# Rows about patients (or about any person, patients included) that name them by a plain UUID,
# a phone number or the user account rather than by a key to the patient or the case.
NAMED_WITHOUT_A_KEY = {
    "messaging.outboundmessage",
    "messaging.inboundsms",
    "messaging.smsoptout",
    "messaging.earlydeliveryreport",
    "audit.auditevent",
    "accounts.user",
    "accounts.invitation",
    "account.emailaddress",
    "account.emailconfirmation",
    "mfa.authenticator",
    "authtoken.token",
    "authtoken.tokenproxy",
    "sessions.session",
    "admin.logentry",
}


def _reaches_a_patient(model: type[Model], depth: int = 4) -> bool:
    if model._meta.label_lower in PATIENT_ROOTS:
        return True
    if depth == 0:
        return False
    return any(
        field.is_relation
        and field.related_model is not None
        and field.related_model is not model
        and (field.many_to_one or field.one_to_one or field.many_to_many)
        and not field.auto_created
        and _reaches_a_patient(field.related_model, depth - 1)
        for field in model._meta.get_fields()
    )


PATIENT_LINKED = sorted(
    {model._meta.label_lower for model in apps.get_models() if _reaches_a_patient(model)}
    | NAMED_WITHOUT_A_KEY
)


def test_the_list_of_patient_linked_models_is_the_whole_record():
    # The walk above must find what the issue names, or the tests below prove little.
    for label in [
        "patients.patient",
        "patients.case",
        "patients.carerAccess",
        "patients.timelineevent",
        "patients.casemessage",
        "appointments.trackeditem",
        "appointments.chasetask",
        "appointments.chaserecord",
        "appointments.chasedigest",
        "careplans.careplan",
        "careplans.sharelink",
        "messaging.outboundmessage",
        "messaging.inboundsms",
        "messaging.smsoptout",
        "audit.auditevent",
        "account.emailaddress",
        "mfa.authenticator",
    ]:
        assert label.lower() in PATIENT_LINKED, label
    assert len(PATIENT_LINKED) >= 35


def test_the_admin_holds_only_platform_administration():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == PLATFORM
    # Only the authenticator (staff's, shown without its secret) is about a person.
    assert registered & set(PATIENT_LINKED) == {"mfa.authenticator"}


@pytest.fixture
def records(cast: Cast) -> dict[str, str]:
    """One row of each kind the probe found readable or deletable, to aim the URLs at."""
    tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.RESULT,
        title="CT chest: suspected recurrence",
        expected_by=dt.date(2026, 3, 1),
        actor=cast.nadia,
    )
    message_send(
        recipient=Recipient(name="Paul", phone="+447700900123", email="paul@example.test"),
        kind="new_update",
        context={"link": "/"},
        idempotency_key="admin-test",
        subject_id=cast.paul_patient.pk,
    )
    SmsOptOut.objects.create(phone="+447700900123", keyword="STOP")
    InboundSms.objects.create(message_sid="SM1", from_number="+447700900123", body="my pain")
    audit_record(actor=cast.nadia, action=AuditEvent.Action.VIEW, obj=cast.paul_case)
    found = {}
    for label in PATIENT_LINKED:
        row = apps.get_model(label).objects.order_by("pk").first()
        found[label] = str(row.pk) if row is not None else str(uuid.uuid4())
    return found


def admin_role(cast: Cast) -> Client:
    """Adam, the administrator, signed in with admin access and every model permission there
    is (as a group could grant): what the admin refuses, it refuses whatever he is granted."""
    User.objects.filter(pk=cast.adam.pk).update(is_staff=True)
    cast.adam.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(cast.adam)
    return client


@pytest.fixture(params=["admin role", "superuser"])
def administrator(request, cast: Cast) -> Iterator[Client]:
    if request.param == "admin role":
        yield admin_role(cast)
        return
    else:
        user = User.objects.create_superuser("root@nav.test", "correct horse battery staple")
        f.enrol_totp(user)
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    yield client


def test_no_patient_record_is_reachable_in_the_admin(administrator, records):
    for label in PATIENT_LINKED:
        if label == "mfa.authenticator":
            continue  # staff only, without secrets: test_the_authenticator_page_shows_no_secret
        app_label, model_name = label.split(".")
        base = f"/admin/{app_label}/{model_name}/"
        pk = records[label]
        for url in [base, f"{base}add/", f"{base}{pk}/change/", f"{base}{pk}/history/"]:
            assert administrator.get(url).status_code == 404, url
        assert administrator.get(f"{base}{pk}/delete/").status_code == 404, label


def test_nothing_about_a_patient_can_be_deleted_in_the_admin(administrator, records):
    before = {label: apps.get_model(label).objects.count() for label in PATIENT_LINKED}
    for label in PATIENT_LINKED:
        if label == "mfa.authenticator":
            continue
        app_label, model_name = label.split(".")
        pk = records[label]
        base = f"/admin/{app_label}/{model_name}/"
        assert administrator.post(f"{base}{pk}/delete/", {"post": "yes"}).status_code == 404
        bulk = {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
        assert administrator.post(base, bulk).status_code == 404
    after = {label: apps.get_model(label).objects.count() for label in PATIENT_LINKED}
    after["audit.auditevent"] = before["audit.auditevent"]  # the refusals are audited
    assert after == before
    assert SmsOptOut.objects.filter(phone="+447700900123").exists()


def test_the_authenticator_page_shows_no_secret(cast: Cast):
    client = admin_role(cast)
    totp = Authenticator.objects.get(user=cast.nadia, type=Authenticator.Type.TOTP)
    sealed = totp.data["secret"]
    secret = unseal(sealed)
    for url in [
        "/admin/mfa/authenticator/",
        f"/admin/mfa/authenticator/{totp.pk}/change/",
        f"/admin/mfa/authenticator/{totp.pk}/delete/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert secret not in html and sealed not in html and '"secret"' not in html, url
    assert b"Nadia Khan" in client.get("/admin/mfa/authenticator/").content
    # Read-only: a change posted is refused.
    refused = client.post(f"/admin/mfa/authenticator/{totp.pk}/change/", {"type": "totp"})
    assert refused.status_code == 403


def test_admin_pages_and_changes_are_audited(cast: Cast):
    client = admin_role(cast)
    start = AuditEvent.objects.count()

    assert client.get("/admin/navigator/bankholiday/").status_code == 200
    opened = AuditEvent.objects.order_by("-id").first()
    assert opened.actor == cast.adam and opened.action == AuditEvent.Action.VIEW
    assert opened.object_type == "admin:navigator_bankholiday_changelist"
    assert opened.summary == "Opened the admin page /admin/navigator/bankholiday/"

    response = client.post(
        "/admin/navigator/bankholiday/add/",
        {"date": "2031-06-03", "name": "A day to celebrate", "division": "england-and-wales"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    holiday = BankHoliday.objects.get(date="2031-06-03")
    created = AuditEvent.objects.get(action=AuditEvent.Action.CREATE)
    assert (created.actor, created.object_type, created.object_id) == (
        cast.adam,
        "navigator.bankholiday",
        str(holiday.pk),
    )
    assert created.summary.startswith("Added in the admin: bank holiday")

    client.post(f"/admin/navigator/bankholiday/{holiday.pk}/delete/", {"post": "yes"})
    assert not BankHoliday.objects.filter(pk=holiday.pk).exists()
    deleted = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    assert (deleted.actor, deleted.object_id) == (cast.adam, str(holiday.pk))
    # Each page opened or submitted is an entry too: list, add (posted), delete (posted).
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count() - start >= 3


def test_someone_without_admin_access_is_sent_to_sign_in_and_not_audited(cast: Cast):
    client = Client()
    client.force_login(cast.nadia)
    response = client.get("/admin/navigator/bankholiday/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not AuditEvent.objects.filter(object_type__startswith="admin:").exists()
