import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from careplans.models.assessments import Assessment
from navigator.messaging.models import OutboundMessage
from patients.models import Case, TimelineEvent


class AssessmentOffer(models.Model):
    """An assessment offered to a person at a point in their pathway, and what became of it.

    Rules:
    - at most one open ("offered") offer per case: a new trigger while one is open is not offered
      again, so the person is asked once;
    - the status uses the national cancer dataset's offer codes (`Assessment.OfferStatus`):
      starting the assessment makes it "accepted"; staff record "declined", "not offered",
      "unable to complete" or "not required" with a note;
    - an offer made because of a timeline event (diagnosis, first treatment, end of treatment,
      discharge) names that event, once: an event never makes two offers;
    - an open offer not taken by `take_by` is chased (an appointments tracked item).
    """

    class Reason(models.TextChoices):
        DIAGNOSIS = "diagnosis", "At diagnosis"
        START_OF_TREATMENT = "start_of_treatment", "At the start of treatment"
        END_OF_TREATMENT = "end_of_treatment", "At the end of treatment"
        DISCHARGE = "discharge", "After leaving hospital"
        ON_REQUEST = "on_request", "Asked for"
        REVIEW = "review", "Regular review"

    Status = Assessment.OfferStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessment_offers")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    pathway_point = models.CharField(max_length=30, choices=Assessment.PathwayPoint.choices)
    status = models.CharField(
        max_length=20, choices=Assessment.OfferStatus.choices, default=Status.OFFERED
    )
    source_event = models.OneToOneField(
        TimelineEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessment_offer",
    )
    offered_at = models.DateTimeField()
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    take_by = models.DateField(help_text="An offer still open after this day is chased.")
    message = models.ForeignKey(
        OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    not_sent_reason = models.CharField(max_length=200, blank=True)
    assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="offer"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    tracked_item_id = models.UUIDField(
        null=True, blank=True, help_text="The appointments tracked item that chases this offer."
    )

    class Meta:
        ordering = ["-offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="offered"), name="one_open_offer_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} assessment offer ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OFFERED
