import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from patients.models import Case, Language

RATING_MIN = 0
RATING_MAX = 10
rating_validators = [MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]


class Questionnaire(models.Model):
    """One version of an assessment's question set (a concerns checklist).

    Rules:
    - (code, version) is unique; the active version of a code is offered to new assessments;
    - a version that any assessment uses is never edited in place: `questionnaire_revise` copies
      it to a new version, so an assessment always shows the questions its answers were given to.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(max_length=50)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    title_cy = models.CharField("title (Welsh)", max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_active=True), name="one_active_questionnaire"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def is_in_use(self) -> bool:
        return self.assessments.exists()


class Domain(models.Model):
    """A group of concerns on one screen: physical, emotional, practical and so on."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="domains"
    )
    code = models.SlugField(max_length=50)
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    title_cy = models.CharField("title (Welsh)", max_length=200, blank=True)

    class Meta:
        ordering = ["questionnaire", "order"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="domain_code"),
            models.UniqueConstraint(fields=["questionnaire", "order"], name="domain_order"),
        ]

    def __str__(self) -> str:
        return self.title


class Concern(models.Model):
    """One thing a person may be worried about, with the plan suggestions it starts from.

    The code stays the same across questionnaire versions, so directory topics and reports
    follow a concern from one version to the next.
    """

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="concerns")
    code = models.SlugField(max_length=50)
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=200)
    text_cy = models.CharField("text (Welsh)", max_length=200, blank=True)
    suggested_goal = models.CharField(max_length=300, blank=True)
    suggested_actions = models.TextField(blank=True)
    suggested_owner = models.CharField(max_length=20, blank=True)
    suggested_due_days = models.PositiveSmallIntegerField(default=14)

    class Meta:
        ordering = ["domain__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "code"], name="concern_code"),
        ]

    def __str__(self) -> str:
        return self.text


class Assessment(models.Model):
    """One Holistic Needs Assessment of a case, answered against one questionnaire version.

    Rules:
    - answers may be saved and changed until it is submitted; after that it is read-only;
    - the distress score (0-10, over the past week) is needed to submit;
    - offer status and point of pathway use the national cancer dataset's categories;
    - `completed_by` is who gave the answers; `mode` how they reached us: a paper form keyed in
      by staff (`started_by`) has the date written on it as `completed_on`;
    - `language` is the language the questions were shown in (the answers were given to that
      wording), chosen on the first screen.
    """

    class OfferStatus(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Offered and accepted"
        DECLINED = "declined", "Offered and declined"
        NOT_OFFERED = "not_offered", "Not offered"
        UNABLE = "unable", "Unable to complete"
        NOT_REQUIRED = "not_required", "Not required"

    class PathwayPoint(models.TextChoices):
        DIAGNOSIS = "diagnosis", "At diagnosis"
        START_OF_TREATMENT = "start_of_treatment", "Start of treatment"
        DURING_TREATMENT = "during_treatment", "During treatment"
        END_OF_TREATMENT = "end_of_treatment", "End of treatment"
        RECURRENCE = "recurrence", "Recurrence"
        PALLIATIVE = "palliative", "Palliative care"
        PREHABILITATION = "prehabilitation", "Prehabilitation"

    class CompletedBy(models.TextChoices):
        PATIENT = "patient", "The patient"
        PROXY = "proxy", "Someone acting for the patient"
        STAFF_WITH_PATIENT = "staff_with_patient", "Staff with the patient"

    class Mode(models.TextChoices):
        ONLINE = "online", "Online"
        PAPER = "paper", "On paper, keyed in by staff"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="assessments"
    )
    offer_status = models.CharField(
        max_length=20, choices=OfferStatus.choices, default=OfferStatus.ACCEPTED
    )
    pathway_point = models.CharField(
        max_length=30, choices=PathwayPoint.choices, default=PathwayPoint.DIAGNOSIS
    )
    completed_by = models.CharField(max_length=20, choices=CompletedBy.choices)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    completed_on = models.DateField(
        null=True, blank=True, help_text="The date written on a paper form."
    )
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    distress_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=rating_validators
    )
    anything_else = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(distress_score__isnull=True)
                | Q(distress_score__gte=RATING_MIN, distress_score__lte=RATING_MAX),
                name="distress_score_0_to_10",
            )
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.case} started {self.started_at:%d %b %Y}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Answer(models.Model):
    """One concern on one assessment: whether it applies, how much (0-10), and if it matters most."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="answers")
    selected = models.BooleanField(default=False)
    rating = models.PositiveSmallIntegerField(null=True, blank=True, validators=rating_validators)
    is_priority = models.BooleanField(default=False)

    class Meta:
        ordering = ["concern__domain__order", "concern__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "concern"], name="one_answer_per_concern"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="rating_0_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concern}: {self.rating}"
