from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Bulk changes are refused like single ones: the trail is only ever appended to."""

    def update(self, **kwargs: object) -> int:
        raise PermissionError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")

    def about_patient(self, patient_id: object) -> "AuditEventQuerySet":
        """What was done with a patient's record, for the patient's "who has looked": not the
        refused attempts, which are the security log's (`refusals`)."""
        return self.filter(patient_id=patient_id).exclude(action=AuditEvent.Action.REFUSE)

    def refusals(self) -> "AuditEventQuerySet":
        """The security log: every refused attempt at a patient's record (404 or 403)."""
        return self.filter(action=AuditEvent.Action.REFUSE)


class AuditEvent(models.Model):
    """One read or write of a patient's record: who, which record, what, when. Append-only.

    `patient_id` is a plain UUID, not a foreign key, so the trail outlives any record it names
    and the platform does not depend on the patients app. Updates and deletes are refused here
    (one row or in bulk) and by a database trigger. A user who appears in the trail cannot be
    deleted (deactivate them instead), so the trail always says who.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        EXPORT = "export", "Printed or exported"
        SEND = "send", "Sent"
        # An attempt at a record refused (404 by the case door, 403 from the API): the security
        # log's, never shown to the patient.
        REFUSE = "refuse", "Refused"

    id = models.BigAutoField(primary_key=True)
    # The trail is read one patient at a time (audit_patient_at), never by time or actor alone,
    # and users are never deleted: so `at` and `actor` have no index of their own, which every
    # write would pay for.
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    actor_label = models.CharField(max_length=200, help_text="Who, as shown at the time.")
    actor_role = models.CharField(max_length=20, blank=True)
    patient_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient_id", "-at"], name="audit_patient_at")]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")
