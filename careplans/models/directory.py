"""The service directory, shaped like Open Referral UK (organization, service, location,
taxonomy, service area, language, regular schedule) so it can be loaded from an ORUK feed."""

import uuid
from typing import Any

from django.db import models

# An imported row keeps the feed's own id (`feed_id`); a row added by hand (the admin) has none,
# and the feed import never touches it.
FEED_ID_LENGTH = 200


def _one_per_feed_id(model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["feed_id"], condition=~models.Q(feed_id=""), name=f"one_{model}_per_feed_id"
    )


class DirectoryOrganization(models.Model):
    """ORUK `organization`: a charity, council or NHS body that runs services."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    feed_id = models.CharField(max_length=FEED_ID_LENGTH, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [_one_per_feed_id("organization")]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """ORUK `taxonomy_term`: a topic a service helps with. `name` is the plain-English reason
    shown to a patient ("money worries")."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    name_cy = models.CharField("name (Welsh)", max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConcernTopic(models.Model):
    """Which directory topics help with an assessment concern, by the concern's stable code."""

    concern_code = models.SlugField(max_length=50, db_index=True)
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="concern_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concern_code", "term"], name="one_concern_topic")
        ]

    def __str__(self) -> str:
        return f"{self.concern_code} → {self.term}"


class FeedTaxonomyTerm(models.Model):
    """ORUK `taxonomy` as a feed names it (`service_taxonomys[].taxonomy`), and what it means to
    us: the topics (and so the assessment concerns) its services help with, and, for a term that
    names a cancer, the one tumour site its services are for. A team lead keeps this mapping
    (`/directory/topics/`); a term nobody has mapped yet makes no service match anything.

    Rule: a service's topics are the union of its feed terms' topics, and its tumour sites the
    sites its feed terms name (`careplans.services.directory`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    feed_id = models.CharField(max_length=FEED_ID_LENGTH, unique=True)
    name = models.CharField(max_length=200)
    vocabulary = models.CharField(max_length=200, blank=True)
    topics = models.ManyToManyField(TaxonomyTerm, related_name="feed_terms", blank=True)
    tumour_site = models.CharField(
        max_length=50, blank=True, help_text="For a term naming a cancer: its tumour site."
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["vocabulary", "name"]

    def __str__(self) -> str:
        return self.name


class PostcodeDistrict(models.Model):
    """The local authority a postcode district (outward code, e.g. CF10) lies in."""

    district = models.CharField(max_length=4, unique=True)
    local_authority = models.CharField(max_length=100)

    def __str__(self) -> str:
        return f"{self.district} ({self.local_authority})"


class DirectoryService(models.Model):
    """ORUK `service`: one thing a person can be referred or refer themselves to.

    Rules:
    - a withdrawn service is never suggested again, but stays on plans that signposted it,
      shown as "no longer listed";
    - blank `tumour_sites` means the service is for anyone with cancer.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    feed_id = models.CharField(max_length=FEED_ID_LENGTH, blank=True)
    organization = models.ForeignKey(
        DirectoryOrganization, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    how_to_refer = models.TextField(blank=True)
    self_refer = models.BooleanField("people can refer themselves", default=True)
    tumour_sites = models.CharField(
        max_length=200, blank=True, help_text="Comma-separated; blank for all cancers."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    taxonomy_terms = models.ManyToManyField(TaxonomyTerm, related_name="services", blank=True)
    locations: "models.ManyToManyField[Location, Any]" = models.ManyToManyField(
        "Location", related_name="services", blank=True
    )
    feed_terms = models.ManyToManyField(FeedTaxonomyTerm, related_name="services", blank=True)
    eligibility = models.CharField(max_length=200, blank=True)
    # What the feed said last, as a digest: an import that finds the same digest changes nothing.
    feed_digest = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [_one_per_feed_id("service")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_listed(self) -> bool:
        return self.status == self.Status.ACTIVE

    def tumour_site_list(self) -> list[str]:
        return [s.strip().lower() for s in self.tumour_sites.split(",") if s.strip()]


class Location(models.Model):
    """ORUK `location`: where a service is delivered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    feed_id = models.CharField(max_length=FEED_ID_LENGTH, blank=True)
    name = models.CharField(max_length=200)
    address_1 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [_one_per_feed_id("location")]

    def __str__(self) -> str:
        return self.name


class ServiceArea(models.Model):
    """ORUK `service_area`: where people must live to use the service."""

    class Kind(models.TextChoices):
        POSTCODE_DISTRICT = "postcode_district", "Postcode district"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        NATIONWIDE = "nationwide", "Anywhere in the UK"

    service = models.ForeignKey(DirectoryService, on_delete=models.CASCADE, related_name="areas")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}".strip()


class ServiceLanguage(models.Model):
    """ORUK `language`: a language the service is offered in (ISO 639-1 code)."""

    service = models.ForeignKey(
        DirectoryService, on_delete=models.CASCADE, related_name="languages"
    )
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=50)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="one_language_per_service")
        ]

    def __str__(self) -> str:
        return self.name


class RegularSchedule(models.Model):
    """ORUK `regular_schedule`: opening hours, one row per weekday."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1, "Monday"
        TUESDAY = 2, "Tuesday"
        WEDNESDAY = 3, "Wednesday"
        THURSDAY = 4, "Thursday"
        FRIDAY = 5, "Friday"
        SATURDAY = 6, "Saturday"
        SUNDAY = 7, "Sunday"

    service = models.ForeignKey(
        DirectoryService, on_delete=models.CASCADE, related_name="schedules"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField()
    # Not every week: "2nd of the month" for a monthly group (ORUK byday "2TU").
    note = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["weekday", "opens_at"]

    def __str__(self) -> str:
        hours = f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"
        return f"{hours} ({self.note})" if self.note else hours


class DirectoryImport(models.Model):
    """One run of the feed import: where from, what it did, or why it changed nothing.

    `problems` lists what was wrong with a refused feed, entry by entry: each
    `{"index", "id", "field", "problem"}` (index and id of the service in the feed, when the
    problem is in one)."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        UNCHANGED = "unchanged", "Nothing changed"
        REFUSED = "refused", "Refused"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(max_length=500)
    started_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    services_in_feed = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} at {self.started_at:%Y-%m-%d %H:%M}: {self.get_outcome_display()}"
