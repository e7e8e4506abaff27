import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from navigator.organisations.models import Team
from patients.models import Case


class TriageSettings(models.Model):
    """A team's triage thresholds, working hours, and the intervals for offering assessments and
    asking for feedback: tunables a service changes, so they are data.

    A team without a row uses the defaults below (`for_team`).
    """

    DEFAULTS: ClassVar[dict[str, int]] = {
        "distress_threshold": 4,
        "high_rating": 7,
        "escalate_after_working_hours": 4,
        "working_day_start_hour": 9,
        "working_day_end_hour": 17,
        "assessment_review_interval_days": 180,
        "offer_take_within_days": 14,
        "signpost_feedback_after_days": 14,
    }

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="triage_settings")
    distress_threshold = models.PositiveSmallIntegerField(
        default=DEFAULTS["distress_threshold"],
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text="A distress score at or above this flags the case as urgent.",
    )
    high_rating = models.PositiveSmallIntegerField(
        default=DEFAULTS["high_rating"],
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text="Any concern rated at or above this flags the case as urgent.",
    )
    escalate_after_working_hours = models.PositiveSmallIntegerField(
        default=DEFAULTS["escalate_after_working_hours"],
        help_text="An urgent flag nobody acknowledges goes to the team lead after this long.",
    )
    working_day_start_hour = models.PositiveSmallIntegerField(
        default=DEFAULTS["working_day_start_hour"], validators=[MaxValueValidator(23)]
    )
    working_day_end_hour = models.PositiveSmallIntegerField(
        default=DEFAULTS["working_day_end_hour"], validators=[MaxValueValidator(24)]
    )

    assessment_review_interval_days = models.PositiveSmallIntegerField(
        default=DEFAULTS["assessment_review_interval_days"],
        help_text="Offer a new assessment this many days after the last one; 0 for never.",
    )
    offer_take_within_days = models.PositiveSmallIntegerField(
        default=DEFAULTS["offer_take_within_days"],
        help_text="An assessment offer not taken up within this many days is chased.",
    )
    signpost_feedback_after_days = models.PositiveSmallIntegerField(
        default=DEFAULTS["signpost_feedback_after_days"],
        help_text="Ask “did you get the help you needed?” this many days after signposting.",
    )

    class Meta:
        verbose_name_plural = "triage settings"

    def __str__(self) -> str:
        return f"Triage settings for {self.team}"

    @classmethod
    def for_team(cls, team: Team) -> "TriageSettings":
        found = cls.objects.filter(team=team).first()
        return found if found is not None else cls(team=team)


class CaseFlagQuerySet(models.QuerySet["CaseFlag"]):
    """The rules that pick flags, each spelled once: pages and jobs call these."""

    def open(self) -> "CaseFlagQuerySet":
        """Not yet acknowledged by anyone on the case (`CaseFlag.is_open`)."""
        return self.filter(acknowledged_at__isnull=True)

    def open_urgent(self) -> "CaseFlagQuerySet":
        """Open urgent-distress flags: what puts a case at the top of the worklist."""
        return self.open().filter(kind=CaseFlag.Kind.URGENT_DISTRESS)

    def escalated(self) -> "CaseFlagQuerySet":
        """Open flags the escalation job has handed to the team lead: nobody on the case picked
        them up in time, and nobody has since. What the lead's worklist lists first."""
        return self.open().filter(escalated_at__isnull=False)


class CaseFlag(models.Model):
    """Something on a case that needs a person to act now, shown on the navigator's worklist.

    Rules:
    - at most one open (unacknowledged) flag of each kind per case; a new trigger adds its
      reason to the open flag rather than raising a second one;
    - a flag nobody acknowledges by `escalate_after` goes to the team lead, once.
    """

    class Kind(models.TextChoices):
        URGENT_DISTRESS = "urgent_distress", "High distress or a severe concern"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    reason = models.TextField()
    assessment = models.ForeignKey(
        "careplans.Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField()
    escalate_after = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CaseFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(acknowledged_at__isnull=True),
                name="one_open_flag_per_kind",
            )
        ]
        indexes = [
            models.Index(
                fields=["escalate_after"],
                condition=Q(acknowledged_at__isnull=True, escalated_at__isnull=True),
                name="flag_due_escalation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.case}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
