import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

ods_code_validator = RegexValidator(
    r"^[A-Z0-9]{3,6}$", "An ODS code is 3 to 6 capital letters and digits, such as RQM or Y01234."
)


class Organisation(models.Model):
    """A provider of care: an NHS trust, a GP practice, a hospice, a local authority or charity."""

    class Kind(models.TextChoices):
        TRUST = "trust", "NHS trust or health board"
        GP_PRACTICE = "gp_practice", "GP practice"
        HOSPICE = "hospice", "Hospice"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        CHARITY = "charity", "Charity or voluntary service"
        OTHER = "other", "Other provider"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ods_code = models.CharField(
        "ODS code", max_length=6, unique=True, validators=[ods_code_validator]
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    email = models.EmailField(
        blank=True, help_text="Secure team mailbox (e.g. an nhs.net address)."
    )
    phone = models.CharField(max_length=30, blank=True)
    other_contact = models.CharField(
        "other contact route",
        max_length=200,
        blank=True,
        help_text="How else to reach them, such as a referral portal or a named contact.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    @property
    def can_be_emailed(self) -> bool:
        """The chase emails organisations; one without an address is contacted another way."""
        return bool(self.email)


class Team(models.Model):
    """A navigation team: the navigators, clinicians and team lead who share a caseload."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    phone = models.CharField("team phone line", max_length=30, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    is_lead = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class OrganisationCredential(models.Model):
    """A key a provider's own system uses to send us events as that organisation (`POST /fhir/`).

    Rules:
    - the key is shown once, when an administrator issues it; only its SHA-256 is kept (the key
      carries 256 random bits, so a slow password hash would add nothing);
    - `prefix`, the key's first part, finds the row; the rest is compared by hash in constant
      time (`navigator.organisations.services.organisation_credential_check`);
    - a revoked key stops working at once; a key is never deleted, so the audit trail can
      always say which key did what.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="credentials"
    )
    name = models.CharField(
        max_length=100, help_text="Which system holds the key, such as 'Northshire PAS'."
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.ods_code}, key {self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
