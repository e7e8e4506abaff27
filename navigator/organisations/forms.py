from typing import Any, cast

from django import forms

from navigator.organisations.models import Organisation


class OrganisationForm(forms.ModelForm):
    """A provider: its ODS code, name, kind and how the chase reaches it."""

    class Meta:
        model = Organisation
        fields = ["name", "ods_code", "kind", "email", "phone", "other_contact"]
        labels = {"name": "Name", "email": "Email address", "phone": "Phone number"}
        help_texts = {
            "ods_code": "3 to 6 capital letters and digits, such as RQM or Y01234.",
            "email": "The chase emails this team mailbox (for example an nhs.net address).",
        }
        error_messages = {
            "name": {"required": "Enter the organisation's name"},
            "ods_code": {
                "required": "Enter the ODS code",
                "unique": "Another organisation already has this ODS code",
            },
            "kind": {"required": "Choose what kind of organisation it is"},
            "email": {"invalid": "Enter an email address like team@nhs.net"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [("", "Choose a kind"), *Organisation.Kind.choices]

    def clean_ods_code(self) -> str:
        # Kept as typed when it is wrong (the page shows it back); compared in capitals.
        return str(self.cleaned_data["ods_code"]).strip().upper()
