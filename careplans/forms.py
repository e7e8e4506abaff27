import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from careplans.models import (
    Assessment,
    Concern,
    ConcernTopic,
    DirectoryService,
    OwnerKind,
    Questionnaire,
    TaxonomyTerm,
)
from careplans.models.assessments import RATING_MAX, RATING_MIN
from careplans.services import AnswerInput


class PlanItemForm(forms.Form):
    """One plan item as the navigator edits it; `lock_version` is the plan version they saw."""

    concern_text = forms.CharField(
        label="Concern", max_length=200, error_messages={"required": "Enter what the concern is"}
    )
    goal = forms.CharField(
        label="Goal", max_length=300, error_messages={"required": "Enter the goal"}
    )
    actions = forms.CharField(label="What will happen", required=False, widget=forms.Textarea)
    owner_kind = forms.ChoiceField(
        label="Who will do this",
        choices=OwnerKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who will do this"},
    )
    owner_service = forms.ModelChoiceField(
        label="Which service", queryset=DirectoryService.objects.none(), required=False
    )
    due_date = forms.DateField(
        label="By when",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as day, month and year"},
    )
    outcome = forms.CharField(label="Outcome so far", required=False, widget=forms.Textarea)
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, current_service: DirectoryService | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        services = DirectoryService.objects.filter(status=DirectoryService.Status.ACTIVE)
        if current_service is not None:
            services = services | DirectoryService.objects.filter(pk=current_service.pk)
        self.fields["owner_service"].queryset = services.order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("owner_kind") == OwnerKind.SERVICE and not data.get("owner_service"):
            self.add_error("owner_service", "Choose which service will do this")
        return data


class PaperAssessmentForm(forms.Form):
    """A paper assessment as staff key it in, all on one page: who filled it in and when, a
    0-10 rating for each concern circled (blank for one left alone), which matter most, the
    distress score and anything else. Each error names the concern, so the summary says which
    box to look at again; what was typed is shown back as typed."""

    completed_by = forms.ChoiceField(
        label="Who filled in the form?",
        choices=Assessment.CompletedBy.choices,
        initial=Assessment.CompletedBy.PATIENT,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who filled in the form"},
    )
    completed_on = forms.DateField(
        label="Date written on the form",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date written on the form",
            "invalid": "Enter the date written on the form as day, month and year",
        },
    )
    distress_score = forms.CharField(label="Distress score circled", required=False)
    anything_else = forms.CharField(
        label="Anything else they wrote", required=False, widget=forms.Textarea
    )

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.domains = list(questionnaire.domains.prefetch_related("concerns"))
        self.concerns = [c for d in self.domains for c in d.concerns.all()]
        for concern in self.concerns:
            self.fields[f"r-{concern.code}"] = forms.CharField(label=concern.text, required=False)
            self.fields[f"p-{concern.code}"] = forms.BooleanField(
                label="Matters most", required=False
            )
        # Errors in the order of the paper: who and when, the concerns, then distress.
        concern_fields = [n for c in self.concerns for n in (f"r-{c.code}", f"p-{c.code}")]
        self.order_fields(["completed_by", "completed_on", *concern_fields])

    def clean_completed_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["completed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date on the form must be today or earlier")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for concern in self.concerns:
            rating = self._rating(
                f"r-{concern.code}",
                f"the rating for “{concern.text}”",
            )
            if (
                rating is None
                and data.get(f"p-{concern.code}")
                and not self.has_error(f"r-{concern.code}")
            ):
                self.add_error(
                    f"r-{concern.code}",
                    f"Enter the rating circled for “{concern.text}”: it is ticked as "
                    "mattering most",
                )
            data[f"r-{concern.code}"] = rating
        distress = self._rating("distress_score", "the distress score")
        if distress is None and not self.has_error("distress_score"):
            self.add_error(
                "distress_score",
                "Enter the distress score circled on the form, from 0 to 10. If none is "
                "circled, ask the patient",
            )
        data["distress_score"] = distress
        return data

    def _rating(self, name: str, what: str) -> int | None:
        raw = (self.data.get(self.add_prefix(name)) or "").strip()
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            self.add_error(name, f"Enter {what} as a whole number from 0 to 10, not “{raw}”")
            return None
        if not RATING_MIN <= value <= RATING_MAX:
            self.add_error(name, f"{what[0].upper()}{what[1:]} must be from 0 to 10, not {value}")
            return None
        return value

    def answers(self) -> dict[int, AnswerInput]:
        """The concerns with a rating, keyed by concern id, for `assessment_key_in`."""
        data = self.cleaned_data
        return {
            c.pk: AnswerInput(
                selected=True, rating=data[f"r-{c.code}"], is_priority=data[f"p-{c.code}"]
            )
            for c in self.concerns
            if data.get(f"r-{c.code}") is not None
        }

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, in the order of the form."""
        return [(name, str(self.errors[name][0])) for name in self.fields if name in self.errors]

    def typed(self, name: str) -> Any:
        """What to show in a field: as typed after a failed submit, else its initial value."""
        if self.is_bound:
            return self.data.get(self.add_prefix(name), "")
        return self.get_initial_for_field(self.fields[name], name) or ""


def _active_hna_concerns() -> Any:
    return Concern.objects.filter(
        domain__questionnaire__code="hna", domain__questionnaire__is_active=True
    ).order_by("domain__order", "order")


class DirectorySearchForm(forms.Form):
    """Staff looking for a service: by need (a concern on the current assessment), area (a
    postcode or a local authority) and name, any of them."""

    need = forms.ChoiceField(label="Need", required=False)
    area = forms.CharField(
        label="Area",
        required=False,
        max_length=100,
        help_text="A postcode, such as NS2 7HD, or a council, such as Riverton",
    )
    name = forms.CharField(
        label="Name", required=False, max_length=100, help_text="Of the service or who runs it"
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        concerns = _active_hna_concerns()
        self.fields["need"].choices = [("", "Any need")] + [  # type: ignore[attr-defined]
            (c.code, c.text) for c in concerns
        ]


class FeedTermMappingForm(forms.Form):
    """What a feed's taxonomy term means to us: our topics, and a tumour site for a term that
    names a cancer."""

    topics = forms.MultipleChoiceField(
        label="Which of our topics does it help with?",
        required=False,
        help_text="Services under this term are suggested for the concerns these topics serve.",
    )
    tumour_site = forms.CharField(
        label="For one cancer only (optional)",
        required=False,
        max_length=50,
        help_text="For a term naming a cancer, such as Lung: its services are then suggested "
        "only for that cancer",
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.topic_rows = list(TaxonomyTerm.objects.order_by("name"))
        # Each topic with the assessment concerns it serves, so the lead maps to concerns.
        concern_text = dict(_active_hna_concerns().values_list("code", "text"))
        serves: dict[int, list[str]] = {}
        for link in ConcernTopic.objects.order_by("concern_code"):
            if link.concern_code in concern_text:
                serves.setdefault(link.term_id, []).append(concern_text[link.concern_code])
        self.fields["topics"].choices = [  # type: ignore[attr-defined]
            (t.code, f"{t.name} (for: {'; '.join(serves[t.pk])})" if t.pk in serves else t.name)
            for t in self.topic_rows
        ]

    def clean_topics(self) -> list[TaxonomyTerm]:
        codes = set(self.cleaned_data.get("topics") or [])
        return [t for t in self.topic_rows if t.code in codes]
