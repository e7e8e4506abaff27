import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from navigator.language import reading_welsh


class InformationResource(models.Model):
    """A piece of tailored information (an information prescription): a starter pack for a
    cancer, questions to ask at appointments, a leaflet about a concern. Maintained as data.

    Rules:
    - blank `tumour_sites` means it suits any cancer; blank `concern_codes` means it suits
      anyone, whatever they marked; otherwise both must match for it to be attached to a plan;
    - a retired resource is never attached again but stays on plans that have it.
    """

    class Kind(models.TextChoices):
        STARTER_PACK = "starter_pack", _("Starter pack")
        QUESTIONS = "questions", _("Questions to ask")
        LEAFLET = "leaflet", _("Leaflet")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    title_cy = models.CharField("title (Welsh)", max_length=200, blank=True)
    summary = models.TextField(help_text="Plain English, reading age about 9.")
    summary_cy = models.TextField("summary (Welsh)", blank=True)
    url = models.URLField(blank=True)
    tumour_sites = models.CharField(
        max_length=200, blank=True, help_text="Comma-separated; blank for all cancers."
    )
    concern_codes = models.CharField(
        max_length=300,
        blank=True,
        help_text="Comma-separated checklist concern codes; blank for everyone.",
    )
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def local_title(self) -> str:
        """The title in the page's language: the Welsh where there is one, else the English."""
        return self.title_cy if self.title_cy and reading_welsh() else self.title

    @property
    def local_summary(self) -> str:
        """The summary in the page's language, as `local_title`."""
        return self.summary_cy if self.summary_cy and reading_welsh() else self.summary

    def tumour_site_list(self) -> list[str]:
        return [s.strip().lower() for s in self.tumour_sites.split(",") if s.strip()]

    def concern_code_list(self) -> list[str]:
        return [c.strip() for c in self.concern_codes.split(",") if c.strip()]

    def suits(self, *, tumour_site: str, concern_codes: set[str]) -> bool:
        sites = self.tumour_site_list()
        if sites and tumour_site.strip().lower() not in sites:
            return False
        codes = self.concern_code_list()
        return not codes or bool(set(codes) & concern_codes)
