"""Forms for the tracked item and chase pages: they parse what was typed; rules live in services."""

import datetime as dt
import re
from typing import Any

from django import forms

from appointments.models import ItemKind, ItemState, TrackedItem
from navigator.organisations.models import Organisation
from patients.forms import NhsDateField, NhsFormMixin

DEFAULT_NEXT_CHASE_DAYS = 3


class ReferenceForm(NhsFormMixin, forms.Form):
    """The reference a chase email gave a provider, as they quote it back (spaces and case
    do not matter)."""

    ref = forms.CharField(
        label="Find an item by its reference",
        max_length=20,
        help_text="The 8 letters and numbers a chase email quotes, for example 3076EEC4.",
    )

    def clean_ref(self) -> str:
        ref = re.sub(r"[\s-]", "", self.cleaned_data["ref"]).lower()
        if not re.fullmatch(r"[0-9a-f]{8}", ref):
            raise forms.ValidationError(
                "Enter the reference as it is in the email: 8 letters and numbers, for example "
                "3076EEC4"
            )
        return ref


class ChaseRecordForm(NhsFormMixin, forms.Form):
    outcome = forms.CharField(
        label="What happened?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who you spoke to and what they said. For example, report typed, waiting for "
        "the consultant to sign it.",
        error_messages={
            "required": "Enter what happened when you chased it",
            "max_length": "What happened must be 500 characters or fewer",
        },
    )
    next_chase_on = NhsDateField(label="Next chase date", help_text="For example, 27 3 2026")

    @classmethod
    def for_today(cls, today: dt.date, **kwargs: Any) -> "ChaseRecordForm":
        initial = {"next_chase_on": today + dt.timedelta(days=DEFAULT_NEXT_CHASE_DAYS)}
        return cls(initial=initial, **kwargs)


class TrackedItemForm(NhsFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What is the patient waiting for?",
        choices=[("", "Choose one"), *ItemKind.choices],
        error_messages={"required": "Choose what the patient is waiting for"},
    )
    title = forms.CharField(
        label="Title the patient will see",
        max_length=200,
        help_text="Plain words and no clinical detail. For example, your scan result.",
        error_messages={
            "required": "Enter a title the patient will understand",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    expected_by = NhsDateField(label="Expected by", help_text="For example, 27 3 2026")
    responsible_provider = forms.ModelChoiceField(
        label="Responsible provider (optional)",
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="None",
    )


class TransitionForm(NhsFormMixin, forms.Form):
    to_state = forms.ChoiceField(
        label="New state", error_messages={"required": "Choose the new state"}
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        error_messages={"max_length": "The note must be 500 characters or fewer"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, item: TrackedItem, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"version": item.version})
        kwargs.setdefault("prefix", f"item-{item.pk}")
        super().__init__(*args, **kwargs)
        field: Any = self.fields["to_state"]
        field.choices = [("", "Choose one")] + [
            (state, ItemState(state).label) for state in item.allowed_states
        ]
