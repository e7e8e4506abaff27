"""A person's own copy of their whole record (a subject access request under UK GDPR).

The copy is a zip prepared by the worker (`caseload.services.record_copies`): a readable PDF
summary, the FHIR `Patient/<id>/$everything` Bundle and the documents, each only as far as the
person who asked may see. It lives in the private "documents" storage and leaves only through
the download door (`caseload.views.record_copies`), never from a public URL.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Case, Patient


class RecordCopy(models.Model):
    """One request for a copy of a patient's record, and the zip made for it.

    Rules:
    - PATIENT copies are asked for from the home page by the patient or a carer who may act for
      them; SUBJECT_ACCESS copies by a lead of the case's team, from the case page;
    - what goes in is what `requested_by` may see when it is prepared;
    - it may be downloaded, until `expires_at`, by `requested_by` while they still hold the rule
      they asked under, and (a PATIENT copy) by the patient themselves;
    - once expired it is never served again, and the purge job deletes the file.
    """

    class Purpose(models.TextChoices):
        PATIENT = "patient", _("Asked for by the patient or their carer")
        SUBJECT_ACCESS = "subject_access", _("Subject access request handled by staff")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be made")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    # The case it was asked for from: the rules are asked about this case.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREPARING)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    stored_name = models.CharField(max_length=200, blank=True, editable=False)
    size = models.PositiveBigIntegerField(default=0)
    documents_included = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [
            # The purge job: ready copies by expiry.
            models.Index(fields=["status", "expires_at"], name="record_copy_expiry"),
            # The home page and the case page: the latest copy someone asked for.
            models.Index(
                fields=["case", "requested_by", "-requested_at"], name="record_copy_latest"
            ),
        ]

    def __str__(self) -> str:
        return f"Copy of the record of {self.patient_id} ({self.status})"

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        """Expired once its time is up, whether or not the purge job has run yet."""
        if self.status == self.Status.EXPIRED:
            return True
        now = now or timezone.now()
        return (
            self.status == self.Status.READY
            and self.expires_at is not None
            and (self.expires_at <= now)
        )

    def is_downloadable(self, now: dt.datetime | None = None) -> bool:
        return (
            self.status == self.Status.READY and not self.is_expired(now) and bool(self.stored_name)
        )

    @property
    def required_perm(self) -> str:
        """The rule `requested_by` asked under, asked again before every download."""
        if self.purpose == self.Purpose.SUBJECT_ACCESS:
            return "patients.produce_subject_access_copy"
        return "patients.request_record_copy"
