"""The service directory, shaped like Open Referral UK (organization, service, location,
taxonomy, service area, language, regular schedule) so it can be loaded from an ORUK feed."""

import uuid
from typing import Any

from django.db import models


class DirectoryOrganization(models.Model):
    """ORUK `organization`: a charity, council or NHS body that runs services."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]

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

    class Meta:
        ordering = ["name"]

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
    name = models.CharField(max_length=200)
    address_1 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)

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

    class Meta:
        ordering = ["weekday", "opens_at"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"
