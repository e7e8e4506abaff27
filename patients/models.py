import datetime as dt
import uuid

import phonenumbers
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from navigator.choices import ChoiceLabels
from navigator.organisations.models import Organisation, Team
from patients.validators import validate_nhs_number, validate_uk_postcode


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class Channel(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")


class Language(models.TextChoices):
    """Languages we write to people in; anyone else gets an interpreter (see Patient)."""

    ENGLISH = "en", _("English")
    WELSH = "cy", _("Welsh (Cymraeg)")


# For the audit trail and other staff-facing records, which stay in English whatever language
# the change was made in (the choices' labels follow the reader's language).
LANGUAGE_NAMES_IN_ENGLISH: dict[str, str] = {
    Language.ENGLISH: "English",
    Language.WELSH: "Welsh (Cymraeg)",
}


class Patient(ChoiceLabels, models.Model):
    """A person with cancer. May have no account until they accept an invitation.

    Rules:
    - `version` goes up by one on every change of contact details, so a form opened before
      someone else's change is refused instead of silently overwriting it;
    - the phone is stored in E.164 and the postcode in its standard form (`LS2 5ZN`).
    """

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
    language = models.CharField(
        "preferred language", max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    address = models.TextField(blank=True, help_text="Lines of the address, without the postcode.")
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_uk_postcode])
    needs_large_print = models.BooleanField("large print", default=False)
    needs_interpreter = models.BooleanField("an interpreter", default=False)
    interpreter_language = models.CharField(max_length=60, blank=True)
    needs_hearing_support = models.BooleanField(
        "a British Sign Language interpreter or hearing loop", default=False
    )
    other_needs = models.CharField("other needs", max_length=300, blank=True)
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
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def phone_display(self) -> str:
        """The stored E.164 number as people write it: 07700 900123, or +33 6 12 34 56 78."""
        if not self.phone:
            return ""
        try:
            number = phonenumbers.parse(self.phone)
        except phonenumbers.NumberParseException:
            return self.phone
        style = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if number.country_code == 44
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(number, style)

    @property
    def communication_needs(self) -> list[str]:
        """What people contacting this person must know, in words, for lists and letters."""
        needs = []
        if self.needs_large_print:
            needs.append(gettext("Large print"))
        if self.needs_interpreter:
            language = self.interpreter_language or gettext("language not given")
            needs.append(gettext("Interpreter (%(language)s)") % {"language": language})
        if self.needs_hearing_support:
            needs.append(gettext("British Sign Language interpreter or hearing loop"))
        if self.other_needs:
            needs.append(self.other_needs)
        return needs

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
    - a closed case stays readable to those who could read it, but takes no new work;
    - one open case per person per diagnosis (tumour site).
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
    stage = models.CharField(max_length=50, blank=True, help_text="As the clinical team wrote it.")
    treating_providers = models.ManyToManyField(
        Organisation, blank=True, related_name="treated_cases"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    # When it closed: the retention policy counts its years from here (patients.retention).
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["navigator", "status"], name="case_navigator_status"),
            # The daily retention job reads closed cases oldest first, by this index alone.
            models.Index(
                fields=["closed_at"], name="case_closed_at", condition=Q(closed_at__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                "patient",
                Lower("tumour_site"),
                condition=Q(status="open"),
                name="one_open_case_per_diagnosis",
                violation_error_message="This person already has an open case for this diagnosis.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} — {self.tumour_site}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CareTeamMember(ChoiceLabels, models.Model):
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


class CarerAccess(ChoiceLabels, models.Model):
    """A patient's grant to a carer: read only, or act on their behalf. Revocable at any time."""

    class Level(models.TextChoices):
        READ = "read", _("See my record")
        ACT = "act", _("See my record and act on my behalf")

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


class TimelineEvent(ChoiceLabels, models.Model):
    """One thing that happened in a case, in the order it happened: the shared story.

    Rules:
    - `occurred_at` is when it happened; with `time_known` off only its date (in Europe/London)
      means anything, and it is stored at that day's local midnight;
    - the pathway clocks start and stop on these kinds (see appointments.PathwayStandard);
    - the patient and their carers see an event's kind, date and summary only when
      `shared_with_patient` is on; the detail is for the care team.
    """

    class Kind(models.TextChoices):
        REFERRAL = "referral", _("Referral")
        URGENT_REFERRAL = "urgent_referral", _("Urgent suspected cancer referral")
        DIAGNOSIS = "diagnosis", _("Diagnosis")
        DECISION_TO_TREAT = "decision_to_treat", _("Decision to treat")
        FIRST_TREATMENT = "first_treatment", _("First treatment")
        APPOINTMENT = "appointment", _("Appointment")
        RESULT = "result", _("Test or scan result")
        DISCHARGE = "discharge", _("Discharge from hospital")
        END_OF_TREATMENT = "end_of_treatment", _("End of treatment")
        MESSAGE = "message", _("Message")
        ASSESSMENT = "assessment", _("Needs assessment")
        PLAN_CHANGE = "plan_change", _("Care plan change")
        HANDOVER = "handover", _("New navigator")
        DOCUMENT = "document", _("Letter or document")
        NOTE = "note", _("Note")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    time_known = models.BooleanField(default=False)
    summary = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    shared_with_patient = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-recorded_at"]
        indexes = [models.Index(fields=["case", "-occurred_at"], name="timeline_case_occurred")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%d %b %Y}: {self.summary}"

    @property
    def occurred_on(self) -> dt.date:
        return timezone.localdate(self.occurred_at)


class CaseMessage(models.Model):
    """One secure message in a case's conversation between the patient's side and the care team.

    Rules:
    - the patient's side is the patient and their carers; the team's side is staff on the case;
    - a message arriving by text (`author_kind` sms) is from the patient's side;
    - read tracking is per side: `read_by_patient_at` is when anyone on the patient's side first
      read it, `read_by_team_at` likewise for the team; a message is born read by its own side;
    - the text stays inside the service: nudges about it carry a link, never the text.
    """

    class AuthorKind(models.TextChoices):
        PATIENT = "patient", "Patient"
        CARER = "carer", "Carer"
        STAFF = "staff", "Care team"
        SMS = "sms", "Patient, by text message"

    PATIENT_SIDE = frozenset({AuthorKind.PATIENT, AuthorKind.CARER, AuthorKind.SMS})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_by_patient_at = models.DateTimeField(null=True, blank=True)
    read_by_team_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["case", "created_at"], name="message_case_created")]

    def __str__(self) -> str:
        return f"{self.get_author_kind_display()} message on {self.created_at:%d %b %Y}"

    @property
    def from_patient_side(self) -> bool:
        return self.author_kind in self.PATIENT_SIDE

    @property
    def author_display(self) -> str:
        """Who wrote it, as the conversation shows it (reads `author` and `case.patient`)."""
        if self.author_kind == self.AuthorKind.STAFF:
            return self.author.get_full_name() if self.author else "The care team"
        if self.author_kind == self.AuthorKind.CARER:
            name = self.author.get_full_name() if self.author else "A carer"
            return f"{name} (carer)"
        return self.case.patient.full_name


class AppointmentQuestion(models.Model):
    """A question the patient wants to ask at their next appointment.

    Rules:
    - the patient and carers who act for them keep the list; everyone on the case can read it;
    - `asked_at` is set when it is ticked off, and cleared when it is unticked.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=500)
    asked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_asked(self) -> bool:
        return self.asked_at is not None


class CarerInvitation(models.Model):
    """A patient's invitation to a carer: the account invitation, plus whose record and how much.

    Rules:
    - the link and its expiry are the `accounts.Invitation`'s; accepting it creates the
      `CarerAccess` at `level` for `patient`, in the same transaction;
    - the patient may withdraw it until it is accepted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invitation = models.OneToOneField(
        "accounts.Invitation", on_delete=models.CASCADE, related_name="carer_invitation"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="carer_invitations")
    carer_name = models.CharField(max_length=200)
    level = models.CharField(
        max_length=10, choices=CarerAccess.Level.choices, default=CarerAccess.Level.READ
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Carer invitation for {self.carer_name} ({self.level})"


class TreatmentSummary(models.Model):
    """The end-of-treatment summary for a case, for the GP and the patient, in plain words.

    Rules:
    - one per case, written by the hospital team and recorded (or transcribed) by the staff on
      the case; each save adds one to `version` and stamps `updated_at` and `updated_by`, and a
      save made from an older version is refused (`patients.services.treatment_summaries`);
    - when present it is shown on the GP's care plan link and printed with the care plan;
    - it carries no advice of our own: it is what the treating team wrote.
    """

    class Intent(models.TextChoices):
        CURATIVE = "curative", _("Curative: to remove or cure the cancer")
        NON_CURATIVE = "non_curative", _("Non-curative: to control the cancer or ease symptoms")
        NOT_STATED = "not_stated", _("Not stated by the treating team")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="treatment_summary")
    diagnosis = models.TextField(help_text="The cancer, its stage, and when it was diagnosed.")
    treatment_given = models.TextField(help_text="Each treatment with its dates.")
    treatment_ended_on = models.DateField(null=True, blank=True)
    intent = models.CharField(max_length=20, choices=Intent.choices)
    side_effects = models.TextField(
        blank=True, help_text="Possible side effects and late effects to watch for."
    )
    red_flags = models.TextField(help_text="Red-flag symptoms and what to do about them.")
    gp_actions = models.TextField(blank=True, help_text="What the GP is asked to do.")
    contacts = models.TextField(help_text="Who to contact with questions, and how.")
    written_by = models.CharField(
        max_length=200, help_text="Who wrote the summary: name and role, as the team gave it."
    )
    written_on = models.DateField()
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = "treatment summaries"

    def __str__(self) -> str:
        return f"Treatment summary, version {self.version}"


# Wrong dates of birth allowed on one invitation before it locks.
PATIENT_INVITATION_MAX_CHECKS = 3


class PatientInvitation(models.Model):
    """A navigator's invitation to the patient on a case: the account invitation, tied to them.

    Rules:
    - the link and its expiry are the `accounts.Invitation`'s; it was sent to the contact
      details on the record, by `channel`;
    - accepting it needs the patient's date of birth, so a forwarded link opens no one's record;
      after `PATIENT_INVITATION_MAX_CHECKS` wrong dates it locks (`locked_at`) and the
      navigator must send a new one;
    - accepting links the new account to `patient`, once: a used invitation, or a patient who
      already has an account, is refused.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invitation = models.OneToOneField(
        "accounts.Invitation", on_delete=models.CASCADE, related_name="patient_invitation"
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="patient_invitations"
    )
    # The case it was sent from: whose navigator hears if it locks.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="patient_invitations")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    failed_checks = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.patient} by {self.channel}"

    @property
    def checks_left(self) -> int:
        return max(PATIENT_INVITATION_MAX_CHECKS - self.failed_checks, 0)


class CaseDocumentQuerySet(models.QuerySet["CaseDocument"]):
    def shared(self) -> "CaseDocumentQuerySet":
        """What the patient's side (the patient, their carers) may see: the rule, spelled once."""
        return self.filter(visibility=CaseDocument.Visibility.SHARED)


class CaseDocument(models.Model):
    """A letter, a photo of a letter, a report or a recording, kept with a case.

    Rules:
    - the file is in the "documents" storage (`settings.STORAGES`) under `stored_name`, an opaque
      name of our making (never the uploader's), and is only ever sent through the download door
      (`patients.access.get_document_for_user`), never from a public URL;
    - its type is what its first bytes say (`patients.documents.sniff`), never its name;
    - `visibility` SHARED: everyone on the case, the patient's side included; CARE_TEAM: the
      staff on the case only. What the patient's side adds is always SHARED;
    - adding one records a timeline event (`event`) shown to the patient's side when SHARED.
    """

    class Kind(models.TextChoices):
        APPOINTMENT_LETTER = "appointment_letter", _("Appointment letter")
        CLINIC_LETTER = "clinic_letter", _("Letter after an appointment")
        RESULT = "result", _("Test or scan result")
        DISCHARGE_LETTER = "discharge_letter", _("Discharge letter")
        TREATMENT_SUMMARY = "treatment_summary", _("Treatment summary")
        RECORDING = "recording", _("Recording of an appointment")
        OTHER = "other", _("Something else")

    class Visibility(models.TextChoices):
        SHARED = "shared", _("The care team and the patient's side")
        CARE_TEAM = "care_team", _("The care team only")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    dated = models.DateField(help_text="The date on the letter, or of the recording.")
    stored_name = models.CharField(max_length=200, unique=True, editable=False)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.SHARED
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_by_patient_side = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)
    event = models.OneToOneField(
        TimelineEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="document"
    )

    objects = CaseDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-dated", "-added_at"]
        indexes = [models.Index(fields=["case", "-dated"], name="document_case_dated")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_shared(self) -> bool:
        return self.visibility == self.Visibility.SHARED

    @property
    def is_audio(self) -> bool:
        return self.content_type.startswith("audio/")


class RetentionReview(models.Model):
    """A kind of record of a closed case that the retention policy no longer keeps, listed by
    the daily job (`patients.services.retention.retention_due_list`) for a lead of the case's
    team to confirm its removal. Listed once per case and kind, however often the job runs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="retention_reviews")
    record_kind = models.CharField(max_length=30)
    due_since = models.DateTimeField()
    listed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_since"]
        constraints = [
            models.UniqueConstraint(fields=["case", "record_kind"], name="one_review_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.record_kind} of case {self.case_id}, due since {self.due_since:%d %b %Y}"


class RetentionTombstone(models.Model):
    """What is left of records removed under the retention policy: who removed what kind of
    record, of which case, when, and under which rule. No name, no NHS number, nothing clinical:
    `case_id` and `patient_id` are the keys the audit trail already names.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case_id = models.UUIDField()
    patient_id = models.UUIDField()
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    record_kind = models.CharField(max_length=30)
    rule = models.CharField(max_length=300)
    case_closed_at = models.DateTimeField()
    removed_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    removed = models.JSONField(default=dict, help_text="How many of each record were removed.")

    class Meta:
        ordering = ["-removed_at"]
        indexes = [models.Index(fields=["case_id"], name="tombstone_case")]

    def __str__(self) -> str:
        return f"Removed {self.record_kind} of case {self.case_id} on {self.removed_at:%d %b %Y}"
