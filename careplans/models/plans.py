import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from careplans.models.assessments import Assessment, Concern
from careplans.models.directory import DirectoryService
from navigator.choices import ChoiceLabels
from patients.models import Case


class OwnerKind(models.TextChoices):
    PATIENT = "patient", _("You")
    NAVIGATOR = "navigator", _("Your navigator")
    GP = "gp", _("Your GP")
    SERVICE = "service", _("A support service")


class CarePlan(ChoiceLabels, models.Model):
    """One version of a case's personalised care and support plan.

    Rules:
    - a case has at most one draft and at most one agreed version at a time;
    - only a draft may be edited; every edit bumps `lock_version`, and an edit made against
      an older `lock_version` is refused, so nobody silently overwrites someone else's change;
    - changing an agreed plan makes a new draft version; the agreed one stays readable and
      becomes superseded only when the new version is agreed.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AGREED = "agreed", _("Agreed")
        SUPERSEDED = "superseded", _("Replaced by a newer version")

    class AgreedHow(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        BY_PHONE = "by_phone", _("by phone")
        ONLINE = "online", _("online")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="care_plans")
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="care_plans"
    )
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    lock_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who recorded the agreement: the patient online, or staff for them.",
    )
    agreed_how = models.CharField(max_length=12, choices=AgreedHow.choices, blank=True)
    review_date = models.DateField(null=True, blank=True)
    review_tracked_item_id = models.UUIDField(
        null=True, blank=True, help_text="The appointments tracked item that chases the review."
    )
    information = models.ManyToManyField(
        "careplans.InformationResource", related_name="plans", blank=True
    )

    class Meta:
        ordering = ["case", "-version"]
        indexes = [
            # The plans due for review (`selectors.plans_due_for_review`): agreed plans by date.
            models.Index(
                fields=["review_date"], condition=Q(status="agreed"), name="careplan_agreed_review"
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="plan_version"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="draft"), name="one_draft_plan"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="agreed"), name="one_agreed_plan"
            ),
        ]

    def __str__(self) -> str:
        return f"Care plan version {self.version} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class FeedbackAnswer(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class FeedbackVia(models.TextChoices):
    WEB = "web", "on the website"
    SMS = "sms", "by text message"
    STAFF = "staff", "told to staff"


class PlanItem(models.Model):
    """One concern in a plan: the goal, what will be done, by whom and when, and where to get help.

    Rules:
    - `lineage` stays the same when an item is copied into the next version, so versions can be
      compared item by item;
    - a referral or signposting message sets `signposted_at` and `feedback_due_on`; on that day
      the person is asked "did you get the help you needed?", once; the answer is kept here;
    - completing an item records its outcome; completion and feedback are progress on the
      agreed plan, not changes to what was agreed, so they do not make a new version;
    - an item past its due date and not complete is chased (an appointments tracked item).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="items")
    concern = models.ForeignKey(
        Concern, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concern_text = models.CharField("concern", max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    is_priority = models.BooleanField(default=False)
    goal = models.CharField(max_length=300)
    actions = models.TextField(blank=True)
    owner_kind = models.CharField(max_length=20, choices=OwnerKind.choices)
    owner_service = models.ForeignKey(
        DirectoryService, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referral_sent_at = models.DateTimeField(null=True, blank=True)
    signposted_at = models.DateTimeField(null=True, blank=True)
    feedback_due_on = models.DateField(null=True, blank=True)
    feedback_asked_at = models.DateTimeField(null=True, blank=True)
    feedback_answer = models.CharField(max_length=10, choices=FeedbackAnswer.choices, blank=True)
    feedback_via = models.CharField(max_length=10, choices=FeedbackVia.choices, blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    tracked_item_id = models.UUIDField(
        null=True, blank=True, help_text="The appointments tracked item that chases this item."
    )
    services = models.ManyToManyField(
        DirectoryService, through="Signpost", related_name="plan_items", blank=True
    )

    class Meta:
        ordering = ["plan", "-is_priority", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "lineage"], name="one_item_per_lineage"),
        ]

    def __str__(self) -> str:
        return self.concern_text

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class Signpost(models.Model):
    """A directory service suggested for a plan item, with the reasons it matched."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="signposts")
    service = models.ForeignKey(DirectoryService, on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "service"], name="one_signpost_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.service} for {self.item}"
