"""audit_record_many: many entries in one INSERT, each as audit_record writes it."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from navigator.audit.models import AuditEvent
from navigator.audit.services import AuditEntry, audit_record, audit_record_many

pytestmark = pytest.mark.django_db

FIELDS = (
    "actor_id",
    "actor_label",
    "actor_role",
    "patient_id",
    "action",
    "object_type",
    "object_id",
    "summary",
    "path",
    "ip_address",
)


def test_many_entries_are_one_insert(cast):
    entries = [
        AuditEntry(action=AuditEvent.Action.UPDATE, obj=cast.paul_case, summary=f"Change {n}")
        for n in range(25)
    ]

    with CaptureQueriesContext(connection) as captured:
        events = audit_record_many(actor=None, entries=entries)

    assert len(captured.captured_queries) == 1
    assert [e.summary for e in events] == [f"Change {n}" for n in range(25)]
    assert AuditEvent.objects.count() == 25 and all(e.pk for e in events)


def test_each_entry_is_what_audit_record_writes(cast):
    request = RequestFactory().get("/cases/x/", REMOTE_ADDR="192.0.2.7")
    request.user = cast.nadia
    long = "x" * 300
    single = audit_record(
        actor=cast.nadia,
        action=AuditEvent.Action.VIEW,
        obj=cast.paul_case,
        patient_id=cast.paul_patient.id,
        summary=long,
        request=request,
    )

    [batched] = audit_record_many(
        actor=cast.nadia,
        entries=[
            AuditEntry(
                action=AuditEvent.Action.VIEW,
                obj=cast.paul_case,
                patient_id=cast.paul_patient.id,
                summary=long,
            )
        ],
        request=request,
    )

    stored = AuditEvent.objects.values(*FIELDS)
    assert stored.get(pk=batched.pk) == stored.get(pk=single.pk)
    assert stored.get(pk=batched.pk)["summary"] == "x" * 200
    assert stored.get(pk=batched.pk)["object_type"] == "patients.case"


def test_a_job_is_recorded_as_anonymous_and_nothing_is_written_for_no_entries(cast):
    with CaptureQueriesContext(connection) as captured:
        assert audit_record_many(actor=None, entries=[]) == []
    assert captured.captured_queries == []

    [event] = audit_record_many(
        actor=None, entries=[AuditEntry(action=AuditEvent.Action.UPDATE, object_type="job")]
    )

    assert (event.actor, event.actor_label, event.actor_role) == (None, "Anonymous", "")


def test_entries_written_in_bulk_stay_append_only(cast):
    audit_record_many(actor=None, entries=[AuditEntry(action=AuditEvent.Action.UPDATE)] * 2)

    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(summary="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.first().delete()
