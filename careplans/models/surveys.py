"""Patients' feedback after key moments: short surveys (versioned question sets, like the HNA's),
the invitation to answer one, and the answers.

Answers are for the service, not about the person: staff see them only as counts
(`careplans.selectors.feedback_answer_counts`), except when the person ticks that they would like
a reply, when their navigator sees that response on the case page to reply to.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from navigator.messaging.models import OutboundMessage
from patients.models import Case, TimelineEvent


class Survey(models.Model):
    """One version of a feedback question set.

    Rules:
    - (code, version) is unique and one version of a code is active: new invitations use it;
    - a version with invitations is never edited in place (make the next version), so a response
      always shows the questions it answered.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(max_length=50)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    title_cy = models.CharField("title (Welsh)", max_length=200)
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="survey_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_active=True), name="one_active_survey"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class SurveyQuestion(models.Model):
    """One question and its answers, each `{"code", "text", "text_cy"}`, best first.

    In a survey of one question, a text reply of the answer's number (1 for the first) answers it.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=50)
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    text_cy = models.CharField("text (Welsh)", max_length=300)
    choices = models.JSONField()

    class Meta:
        ordering = ["survey", "order"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="survey_question_code"),
            models.UniqueConstraint(fields=["survey", "order"], name="survey_question_order"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def choice_codes(self) -> list[str]:
        return [choice["code"] for choice in self.choices]


class SurveyInvitation(models.Model):
    """An invitation to tell us how a key moment went, and its nudge.

    Rules:
    - one invitation per case and moment: a second diagnosis, discharge or plan agreement on the
      same case asks nothing more;
    - it opens some days after the moment (`opens_at`) and closes `closes_at`; the nudge goes
      when it opens (the periodic job), once; the home page shows it while it is open;
    - answered once: the response is then kept, never changed.
    """

    class Moment(models.TextChoices):
        DIAGNOSIS = "diagnosis", _("After your diagnosis")
        PLAN_AGREED = "plan_agreed", _("After agreeing your care plan")
        DISCHARGE = "discharge", _("After leaving hospital")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="survey_invitations")
    moment = models.CharField(max_length=20, choices=Moment.choices)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    source_event = models.ForeignKey(
        TimelineEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    nudged_at = models.DateTimeField(null=True, blank=True)
    message = models.ForeignKey(
        OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    not_sent_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "moment"], name="one_survey_per_moment")
        ]
        indexes = [
            # The nudge job's scan: opened, not yet nudged.
            models.Index(
                fields=["opens_at"], condition=Q(nudged_at__isnull=True), name="survey_to_nudge"
            )
        ]

    def __str__(self) -> str:
        return f"Feedback invitation ({self.get_moment_display()})"


class SurveyResponse(models.Model):
    """What the person told us. `wants_reply`: they asked for someone to get back to them, so
    their navigator sees this response, with their name, on the case page until replied to."""

    class Via(models.TextChoices):
        WEB = "web", "Online"
        SMS = "sms", "Text reply"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="response"
    )
    submitted_at = models.DateTimeField()
    via = models.CharField(max_length=5, choices=Via.choices)
    comment = models.TextField(blank=True)
    wants_reply = models.BooleanField(default=False)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tracked_item_id = models.UUIDField(
        null=True, blank=True, help_text="The tracked item that puts the reply on the worklist."
    )

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(
                fields=["submitted_at"],
                condition=Q(wants_reply=True, replied_at__isnull=True),
                name="survey_reply_wanted",
            )
        ]

    def __str__(self) -> str:
        return f"Feedback given {self.submitted_at:%d %b %Y}"


class SurveyAnswer(models.Model):
    """One answer: the code of the choice picked for one question."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    choice = models.CharField(max_length=50)

    class Meta:
        ordering = ["question__order"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_a_question")
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.choice}"

    @property
    def choice_text(self) -> str:
        """The answer in English, as staff read it (the code if the scale no longer has it)."""
        for choice in self.question.choices:
            if choice["code"] == self.choice:
                return str(choice["text"])
        return self.choice
