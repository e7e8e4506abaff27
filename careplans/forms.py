from typing import Any

from django import forms

from careplans.models import DirectoryService, OwnerKind


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
