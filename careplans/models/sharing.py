"""Sharing a case's agreed care plan with the GP practice by a read-only link."""

import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from navigator.organisations.models import Organisation
from patients.models import Case, Patient

# Wrong date-of-birth or NHS-number answers a link takes, over its whole life, before it locks.
MAX_FAILED_CHECKS = 5


def token_hash(token: str) -> str:
    """The SHA-256 of a link's token: what is stored and looked up, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


class PlanSharingConsent(models.Model):
    """Whether a patient lets their care plan be shared with their GP practice by link.

    Rules:
    - no row means sharing is allowed (the plan is agreed with the patient and sharing with
      the GP is part of the plan's purpose);
    - withdrawing revokes every live link for the patient at once (careplans.services.sharing), and no
      new link can be made until the patient allows sharing again.
    """

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="plan_sharing")
    allowed = models.BooleanField(default=True)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.patient}: sharing {'allowed' if self.allowed else 'withdrawn'}"


class ShareLink(models.Model):
    """A read-only link to a case's agreed care plan for one GP practice.

    Rules:
    - the token is shown once, when the link is made; only its SHA-256 hash is stored;
    - it always shows the case's latest agreed plan (`plan` is the version first shared);
    - it works until `expires_at`, unless revoked; revoking takes effect on the next request;
    - opening it needs a second check (the patient's date of birth or NHS number); after
      MAX_FAILED_CHECKS wrong answers it is locked and only a new link helps.
    """

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        LOCKED = "locked", "Locked after wrong answers"
        REVOKED = "revoked", "Stopped"
        EXPIRED = "expired", "Expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="share_links")
    plan = models.ForeignKey(
        "careplans.CarePlan",
        on_delete=models.PROTECT,
        related_name="share_links",
        help_text="The agreed version when the link was made.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    practice = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sent_to = models.EmailField(help_text="The practice mailbox the link was sent to.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_reason = models.CharField(max_length=200, blank=True)
    failed_checks = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the practice said it had received the plan."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "-created_at"], name="sharelink_case_created")]

    def __str__(self) -> str:
        return f"Care plan link for {self.practice.name} ({self.get_state_display()})"

    def state(self, now: dt.datetime) -> str:
        """Revoked first (a deliberate act), then expired, then locked."""
        if self.revoked_at is not None:
            return self.State.REVOKED
        if now >= self.expires_at:
            return self.State.EXPIRED
        if self.locked_at is not None:
            return self.State.LOCKED
        return self.State.ACTIVE

    def get_state_display(self) -> str:
        return str(self.State(self.state(timezone.now())).label)


class ShareLinkAccess(models.Model):
    """One use of a share link by the practice: when, what, and coarse client information.

    Only the browser family and device class are kept, not the address or full user agent:
    enough for the patient to recognise a view, not enough to track anyone.
    """

    class Kind(models.TextChoices):
        VIEWED = "viewed", "Viewed the plan"
        DOWNLOADED = "downloaded", "Downloaded the plan as a PDF"
        ACKNOWLEDGED = "acknowledged", "Confirmed it was received"
        CHECK_FAILED = "check_failed", "Wrong date of birth or NHS number"

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="accesses")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    plan_version = models.PositiveIntegerField(null=True, blank=True)
    browser = models.CharField(max_length=30, blank=True)
    device = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
