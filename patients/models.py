import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from navigator.organisations.models import Organisation, Team
from patients.validators import validate_nhs_number


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class Channel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"


class Patient(models.Model):
    """A person with cancer. May have no account until they accept an invitation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient",
    )
    nhs_number = models.CharField(
        "NHS number", max_length=10, unique=True, validators=[validate_nhs_number]
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    phone = models.CharField("mobile phone (E.164)", max_length=20, blank=True)
    email = models.EmailField(blank=True)
    preferred_channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.SMS
    )
    language = models.CharField(max_length=10, default="en")
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND)
    gp_practice = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.GP_PRACTICE},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}"


class Case(models.Model):
    """The shared record of one person's cancer journey, held by a navigation team.

    Rules:
    - the named navigator is the patient's single point of contact and a member of the team;
    - a closed case stays readable to those who could read it, but takes no new work.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    navigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="navigated_cases"
    )
    tumour_site = models.CharField(max_length=100)
    diagnosis_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["navigator", "status"], name="case_navigator_status")]

    def __str__(self) -> str:
        return f"{self.patient} — {self.tumour_site}"


class CareTeamMember(models.Model):
    """A professional on one case's care team: a clinician with an account, or a contact route."""

    class Role(models.TextChoices):
        NAVIGATOR = "navigator", "Navigator"
        CNS = "cns", "Clinical nurse specialist"
        ONCOLOGIST = "oncologist", "Oncologist"
        GP = "gp", "GP practice"
        SOCIAL_WORKER = "social_worker", "Social worker"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="care_team_places",
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    name = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"], condition=Q(user__isnull=False), name="one_place_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user or self.name}"


class CarerAccess(models.Model):
    """A patient's grant to a carer: read only, or act on their behalf. Revocable at any time."""

    class Level(models.TextChoices):
        READ = "read", "See my record"
        ACT = "act", "See my record and act on my behalf"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="carer_grants")
    carer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carer_grants"
    )
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.READ)
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "carer"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_grant_per_carer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.carer} for {self.patient} ({self.level})"
