import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Channel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"


class OutboundMessage(models.Model):
    """One SMS or email to one person: the outbox row is the truth, the broker only a hint.

    Rules:
    - the row is written in the transaction of the change that caused it, and sent after commit;
    - `idempotency_key` is unique, so the same event never sends twice;
    - status moves queued -> sending -> sent -> delivered, or to failed; a worker claims a row
      by moving it from queued to sending, so two workers never both send it;
    - a row left in sending (no answer from the provider) is reconciled by the sweep against the
      provider, never blindly resent; if the provider cannot be asked for
      settings.MESSAGE_ATTENTION_AFTER_MINUTES it "needs attention" (shown on the case's
      messages page) and the sweep keeps asking, least recently asked first (`checked_at`);
    - `subject_id` is the patient the message is about (a plain UUID: the platform does not
      depend on the patients app); the body never carries clinical detail;
    - a link or code that lets someone in (a GP's care plan link, a sign-in code) is never in
      `body` or `body_html`, only in `sealed_body`, sealed, until the message is sent or fails.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        # Stuck in sending: whether it went is unknown, and the provider cannot tell us yet.
        ATTENTION = "attention", "Needs attention"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    idempotency_key = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    to_address = models.CharField(max_length=254)
    language = models.CharField(max_length=10, default="en")
    kind = models.CharField(max_length=60)
    subject = models.CharField("email subject", max_length=200, blank=True)
    body = models.TextField(help_text="As sent, except any link or code it carries (withheld).")
    body_html = models.TextField(blank=True)
    sealed_body = models.TextField(
        blank=True,
        help_text="For a message that carries a link or code: its words as sent, sealed with "
        "DATA_ENCRYPTION_KEYS, and wiped once it is sent or has failed for good.",
    )
    subject_id = models.UUIDField(
        null=True, blank=True, help_text="The patient this message is about."
    )
    reference = models.CharField(
        max_length=100,
        blank=True,
        help_text="The record the message is about, as `app.model:id` (such as the appointment a "
        "reminder is for), so a reply can be matched to it.",
    )
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    not_before = models.DateTimeField(help_text="Not sent before this time (quiet hours, backoff).")
    enqueued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the delivery task was last due to run; the sweep re-enqueues rows whose "
        "task seems lost.",
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the sweep last asked the provider whether this stuck message went.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        # A constraint rather than unique=True: PostgreSQL then keeps one index on the key, not
        # a second LIKE-pattern copy that no query uses (the outbox's hottest write is the key).
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="outbox_one_per_key"),
        ]
        indexes = [
            models.Index(fields=["subject_id", "-created_at"], name="outbox_subject_created"),
            # Only sent messages have a provider id (status callbacks look them up); queued rows
            # stay out of the index, which keeps the chase's batched inserts cheap.
            models.Index(
                fields=["provider_id"], condition=~Q(provider_id=""), name="outbox_provider_id"
            ),
            # Matching a reply to the latest message sent to that number.
            models.Index(fields=["to_address", "-created_at"], name="outbox_to_created"),
            # The sweep's two queries; partial, so they stay small however long the outbox grows.
            models.Index(
                fields=["not_before"], condition=Q(status="queued"), name="outbox_queued_due"
            ),
            models.Index(
                fields=["sending_started_at"],
                condition=Q(status__in=["sending", "attention"]),
                name="outbox_stuck_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.channel} ({self.status})"

    @property
    def kind_label(self) -> str:
        """The kind in words for staff: "new_update" is "New update"."""
        return self.kind.replace("_", " ").capitalize()

    @property
    def to_address_masked(self) -> str:
        """The address with most of it hidden: enough for staff to recognise it, not to copy it."""
        address = self.to_address
        if self.channel == Channel.EMAIL and "@" in address:
            local, _, domain = address.partition("@")
            return f"{local[:1]}•••@{domain}"
        if len(address) <= 6:
            return "•" * len(address)
        return f"{address[:3]}•••••{address[-3:]}"


class EarlyDeliveryReport(models.Model):
    """A provider's delivery report that came before we had saved the provider's id for its
    message: Twilio can call back before its answer to our send has reached us and been saved.
    Kept until the id is saved (by the send, or by the sweep finding the message at the
    provider), then applied and deleted; the sweep drops any that never match after a day.
    """

    provider_id = models.CharField(max_length=200)
    status = models.CharField(max_length=20, help_text="The provider's word (sent, delivered…).")
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at"]
        constraints = [
            # The same report again is one row (it also serves lookups by provider id).
            models.UniqueConstraint(
                fields=["provider_id", "status"], name="one_early_report_per_status"
            ),
        ]
        indexes = [models.Index(fields=["received_at"], name="early_report_received")]

    def __str__(self) -> str:
        return f"{self.status} for {self.provider_id}"


class SmsOptOut(models.Model):
    """A phone number that must get no more SMS: the person replied STOP, or the carrier says so.

    Rules:
    - one row per number (E.164); opting back in (START) deletes it;
    - `reason` says whether the person opted out (replied STOP, or Twilio reports they had) or
      the phone network cannot deliver to the number (not a mobile, no longer in service);
      either way no SMS goes to it and messages go by email where we have an address;
    - checked when a message is queued (to choose another channel) and again just before sending.
    """

    class Reason(models.TextChoices):
        OPTED_OUT = "opted_out", "Opted out"
        UNDELIVERABLE = "undeliverable", "Cannot receive text messages"

    phone = models.CharField("mobile phone (E.164)", max_length=20, unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.OPTED_OUT)
    keyword = models.CharField(
        max_length=40,
        help_text="What they replied, such as STOP; or the network's error, such as Twilio 30006.",
    )
    detail = models.CharField(max_length=200, blank=True, help_text="The network's reason.")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "SMS opt-out"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.phone} ({self.keyword})"

    @property
    def explanation(self) -> str:
        """Why no SMS goes to this number, in words for staff: "they opted out of text messages
        (replied STOP)", or "their number cannot receive text messages (…)"."""
        if self.reason == self.Reason.UNDELIVERABLE:
            because = f"{self.keyword}: {self.detail}" if self.detail else self.keyword
            return f"their number cannot receive text messages ({because})"
        return f"they opted out of text messages (replied {self.keyword})"


class InboundSms(models.Model):
    """One text message a person sent to our number, as Twilio's inbound webhook delivered it.

    Rules:
    - one row per Twilio MessageSid: the same webhook delivered again finds its row and has no
      further effect;
    - `keyword` is the first word in capitals when the text is a keyword we act on (STOP, START,
      CONFIRM, HELP…), otherwise empty;
    - `in_reply_to` is the latest SMS we sent to that number before it arrived, and `subject_id`
      the patient it was matched to (a plain UUID: the platform does not depend on patients);
    - `outcome` says, for staff, what was done with it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message_sid = models.CharField(max_length=64, unique=True)
    from_number = models.CharField(max_length=20)
    to_number = models.CharField(max_length=20, blank=True)
    body = models.TextField(blank=True)
    keyword = models.CharField(max_length=20, blank=True)
    in_reply_to = models.ForeignKey(
        OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    subject_id = models.UUIDField(
        null=True, blank=True, help_text="The patient it was matched to, if any."
    )
    outcome = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "inbound SMS"
        verbose_name_plural = "inbound SMS"
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["from_number", "-received_at"], name="inbound_from_received")
        ]

    def __str__(self) -> str:
        return f"SMS from {self.from_number_masked} ({self.keyword or 'text'})"

    @property
    def from_number_masked(self) -> str:
        number = self.from_number
        return f"{number[:3]}•••••{number[-3:]}" if len(number) > 6 else "•" * len(number)
