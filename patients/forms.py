"""Forms for the case record pages: they parse what was typed; the rules live in `services`.

Each form keeps every value typed when it is shown again with errors. Service errors are put
beside the matching field by `add_service_errors`, so the page shows them like its own.
"""

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from navigator.accounts.models import STAFF_ROLES, User
from navigator.organisations.models import Organisation, Team
from patients.models import (
    CareTeamMember,
    Case,
    Channel,
    Language,
    Nation,
    TimelineEvent,
    TreatmentSummary,
)
from patients.services import (
    NAVIGATOR_ROLES,
    CommunicationNeeds,
    DuplicatePatient,
    contact_details_clean,
    patient_duplicate_check,
)
from patients.validators import validate_nhs_number

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class NhsDateWidget(forms.MultiWidget):
    """Day, month and year boxes, as the NHS date input pattern has them."""

    def __init__(self) -> None:
        super().__init__(
            {"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput}
        )
        self.widgets_names = ["-day", "-month", "-year"]

    def decompress(self, value: dt.date | None) -> list[Any]:
        return [value.day, value.month, value.year] if value else [None, None, None]


def _required(label: Any) -> str:
    return gettext("Enter the %(field)s") % {"field": str(label).lower()}


# Lazy: the field is made when its form class is defined, the message shown in the reader's
# language at the time.
_required_message = lazy(_required, str)


class NhsDateField(forms.MultiValueField):
    """A date typed as day, month and year, with the NHS service manual's error messages."""

    widget = NhsDateWidget

    def __init__(self, *, label: "StrOrPromise", required: bool = True, **kwargs: Any) -> None:
        fields = (forms.CharField(required=False),) * 3
        super().__init__(
            fields,
            label=label,
            required=required,
            require_all_fields=False,
            error_messages={"required": _required_message(label)},
            **kwargs,
        )

    def compress(self, data_list: list[str]) -> dt.date | None:
        parts = [(p or "").strip() for p in (data_list or ["", "", ""])]
        if not any(parts):
            return None
        name = str(self.label).capitalize() if self.label else gettext("Date")
        missing = (
            gettext("%(name)s must include a day"),
            gettext("%(name)s must include a month"),
            gettext("%(name)s must include a year"),
        )
        for part, message in zip(parts, missing, strict=True):
            if not part:
                raise ValidationError(message % {"name": name}, code="incomplete")
        real = gettext("%(name)s must be a real date, like 27 3 2007") % {"name": name}
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValidationError(real, code="invalid_date")
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValidationError(real, code="invalid_date") from None


class NhsFormMixin:
    """What our templates need from every form: the error summary's links, in field order."""

    def error_items(self) -> list[dict[str, str]]:
        form: Any = self
        items = [{"href": "", "message": str(m)} for m in form.non_field_errors()]
        for field in form:
            anchor = field.auto_id
            if isinstance(field.field, NhsDateField):
                anchor += "-day"
            for message in field.errors:
                items.append({"href": f"#{anchor}", "message": str(message)})
        return items


def add_service_errors(
    form: forms.Form, error: ValidationError, *, rename: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: beside its field when the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    rename = rename or {}
    for key, errors in error.error_dict.items():
        field = rename.get(key, key)
        form.add_error(field if field in form.fields else None, errors)


class ContactFieldsMixin(forms.Form):
    """Contact details and preferences, shared by opening a case and changing details later."""

    phone = forms.CharField(
        label=_("Mobile phone number"),
        required=False,
        max_length=30,
        help_text=_("For text messages and calls. For example, 07700 900 982."),
    )
    email = forms.CharField(
        label=_("Email address"),
        required=False,
        max_length=254,
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("House number, street and town."),
    )
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=10)
    preferred_channel = forms.ChoiceField(
        label=_("How should we send messages?"),
        choices=Channel.choices,
        initial=Channel.SMS,
        error_messages={"required": _("Choose how we should send messages")},
    )
    language = forms.ChoiceField(
        label=_("Which language should we write in?"),
        choices=Language.choices,
        initial=Language.ENGLISH,
        error_messages={"required": _("Choose a language we write in")},
    )
    needs_large_print = forms.BooleanField(label=_("Large print"), required=False)
    needs_interpreter = forms.BooleanField(label=_("An interpreter"), required=False)
    interpreter_language = forms.CharField(
        label=_("Which language?"), required=False, max_length=60
    )
    needs_hearing_support = forms.BooleanField(
        label=_("A British Sign Language interpreter or hearing loop"), required=False
    )
    other_needs = forms.CharField(
        label=_("Anything else that would help"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example, easy read, or someone to be with them at appointments."),
    )

    def clean(self) -> dict[str, Any]:
        # The service's own checks, so one submission shows every problem at once.
        data = super().clean() or {}
        try:
            contact_details_clean(**self.contact_arguments())
        except ValidationError as error:
            fresh = {k: v for k, v in error.error_dict.items() if k not in self.errors}
            add_service_errors(self, ValidationError(fresh))
        return data

    def contact_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "phone": data.get("phone", ""),
            "email": data.get("email", ""),
            "address": data.get("address", ""),
            "postcode": data.get("postcode", ""),
            "preferred_channel": data.get("preferred_channel", ""),
            "language": data.get("language", ""),
            "communication_needs": CommunicationNeeds(
                large_print=data.get("needs_large_print", False),
                interpreter=data.get("needs_interpreter", False),
                interpreter_language=data.get("interpreter_language", ""),
                hearing_support=data.get("needs_hearing_support", False),
                other=data.get("other_needs", ""),
            ),
        }


class CaseOpenForm(NhsFormMixin, ContactFieldsMixin):
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        empty_label=None,
        required=False,
        error_messages={"invalid_choice": "Choose one of your teams"},
    )
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=20,
        help_text="10 digits, like 999 123 4567.",
        error_messages={"required": "Enter the NHS number"},
    )
    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the first name"}
    )
    family_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the last name"}
    )
    date_of_birth = NhsDateField(label="Date of birth", help_text="For example, 15 3 1984.")
    gp_practice = forms.CharField(
        label="GP practice ODS code (optional)",
        required=False,
        max_length=10,
        help_text="The practice's code, like Y01234. It is on letters from the practice.",
    )
    nation = forms.ChoiceField(
        label="Which nation's NHS is treating them?",
        choices=Nation.choices,
        initial=Nation.ENGLAND,
        help_text="This decides which waiting-time standards apply.",
        error_messages={"required": "Choose the nation"},
    )
    tumour_site = forms.CharField(
        label="Cancer type",
        max_length=100,
        help_text="For example, lung, breast or bowel.",
        error_messages={"required": "Enter the cancer type"},
    )
    diagnosis_date = NhsDateField(
        label="Date of diagnosis",
        required=False,
        help_text="Leave blank if the diagnosis is not confirmed yet.",
    )
    stage = forms.CharField(
        label="Stage (optional)", required=False, max_length=50, help_text="As the team wrote it."
    )
    treating_providers = forms.ModelMultipleChoiceField(
        label="Hospitals and services treating them (optional)",
        queryset=Organisation.objects.filter(
            kind__in=[Organisation.Kind.TRUST, Organisation.Kind.HOSPICE]
        ),
        required=False,
    )

    field_order = [
        "team",
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "phone",
        "email",
        "address",
        "postcode",
        "preferred_channel",
        "language",
        "needs_large_print",
        "needs_interpreter",
        "interpreter_language",
        "needs_hearing_support",
        "other_needs",
        "gp_practice",
        "nation",
        "tumour_site",
        "diagnosis_date",
        "stage",
        "treating_providers",
    ]

    duplicate: DuplicatePatient | None = None

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(memberships__user=user).order_by("name")
        field: Any = self.fields["team"]
        field.queryset = teams
        if len(teams) == 1:
            field.initial = teams[0]

    def clean_nhs_number(self) -> str:
        number = "".join(self.cleaned_data["nhs_number"].split())
        validate_nhs_number(number)
        try:
            patient_duplicate_check(nhs_number=number)
        except DuplicatePatient as duplicate:
            # Said at once, whatever else is missing: the page links to the existing record.
            self.duplicate = duplicate
            raise ValidationError(duplicate.error_dict["nhs_number"]) from None
        return number

    def clean_team(self) -> Team:
        teams: Any = self.fields["team"]
        team = self.cleaned_data.get("team")
        if team is None and len(teams.queryset) == 1:
            return teams.queryset[0]  # the only choice is shown as text, not a field
        if team is None:
            raise ValidationError("Choose the team")
        return team

    def clean_gp_practice(self) -> Organisation | None:
        code = self.cleaned_data["gp_practice"].strip().upper()
        if not code:
            return None
        practice = Organisation.objects.filter(
            ods_code=code, kind=Organisation.Kind.GP_PRACTICE
        ).first()
        if practice is None:
            raise ValidationError(
                f"No GP practice has the ODS code {code}. Check the code, or leave it blank."
            )
        return practice

    def case_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **self.contact_arguments(),
            "team": data["team"],
            "nhs_number": data["nhs_number"],
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "date_of_birth": data["date_of_birth"],
            "gp_practice": data["gp_practice"],
            "nation": data["nation"],
            "tumour_site": data["tumour_site"],
            "diagnosis_date": data["diagnosis_date"],
            "stage": data["stage"],
            "treating_providers": data["treating_providers"],
        }


class ContactForm(NhsFormMixin, ContactFieldsMixin):
    # The version the form was opened at: a later save by someone else makes this one stale.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


class TimelineEventForm(NhsFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What happened?",
        choices=[("", "Choose a kind of event"), *TimelineEvent.Kind.choices],
        error_messages={"required": "Choose what kind of event this is"},
    )
    occurred_at = NhsDateField(label="Date it happened", help_text="For example, 27 3 2026.")
    occurred_time = forms.CharField(
        label="Time (optional)",
        required=False,
        max_length=10,
        help_text="For example, 14:30 or 2:30pm. Leave blank if you do not know.",
    )
    summary = forms.CharField(
        label="Summary",
        max_length=200,
        help_text="One line, in plain words. The patient may see it.",
        error_messages={
            "required": "Enter a summary of what happened",
            "max_length": "The summary must be 200 characters or fewer",
        },
    )
    detail = forms.CharField(
        label="Detail (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For the care team only.",
    )
    shared_with_patient = forms.BooleanField(
        label="Show the date and summary to the patient and their carers", required=False
    )

    def clean_occurred_time(self) -> dt.time | None:
        text = self.cleaned_data["occurred_time"].strip()
        if not text:
            return None
        match = _TIME.match(text)
        hour = int(match.group(1)) if match else -1
        minute = int(match.group(2) or 0) if match else -1
        meridiem = (match.group(3) or "").lower() if match else ""
        if meridiem:
            hour = -1 if not 1 <= hour <= 12 else hour % 12 + (12 if meridiem == "pm" else 0)
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise ValidationError("Enter a real time, like 14:30 or 2:30pm")
        return dt.time(hour, minute)

    def event_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        day, time = data["occurred_at"], data["occurred_time"]
        occurred_at: dt.date | dt.datetime = day
        if time is not None:
            occurred_at = timezone.make_aware(
                dt.datetime.combine(day, time), timezone.get_default_timezone()
            )
        return {
            "kind": data["kind"],
            "occurred_at": occurred_at,
            "summary": data["summary"],
            "detail": data["detail"],
            "shared_with_patient": data["shared_with_patient"],
        }


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Show", choices=[("", "All events"), *TimelineEvent.Kind.choices], required=False
    )


class HandoverForm(NhsFormMixin, forms.Form):
    to_navigator = forms.ModelChoiceField(
        label="Who is taking over?",
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choose who is taking over",
            "invalid_choice": "Choose a navigator in this team",
        },
    )
    note = forms.CharField(
        label="Handover note",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What the new navigator needs to know: open actions, how the person likes to be "
        "contacted, anything worrying them.",
        error_messages={"required": "Enter a note for the new navigator"},
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["to_navigator"]
        field.queryset = (
            User.objects.filter(
                memberships__team_id=case.team_id, role__in=NAVIGATOR_ROLES, is_active=True
            )
            .exclude(pk=case.navigator_id)
            .order_by("full_name")
        )


class CareTeamAddForm(NhsFormMixin, forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role")]
        + [c for c in CareTeamMember.Role.choices if c[0] != CareTeamMember.Role.NAVIGATOR],
        error_messages={"required": "Choose their role on the care team"},
    )
    user = forms.EmailField(
        label="Their email address, if they have an account here (optional)",
        required=False,
        help_text="They will then see this case. Leave blank to add a contact only.",
        error_messages={"invalid": "Enter an email address, like name@nhs.net"},
    )
    name = forms.CharField(
        label="Name (optional if they have an account)",
        required=False,
        max_length=200,
        help_text="A person, or a service such as 'Oncology day unit'.",
    )
    organisation = forms.CharField(
        label="Organisation ODS code (optional)", required=False, max_length=10
    )
    contact = forms.CharField(
        label="How to contact them (optional)",
        required=False,
        max_length=200,
        help_text="A phone number, or a secure email address.",
    )

    def clean_user(self) -> User | None:
        email = self.cleaned_data["user"].strip().lower()
        if not email:
            return None
        user = User.objects.filter(email=email, role__in=STAFF_ROLES, is_active=True).first()
        if user is None:
            raise ValidationError(
                f"No staff account uses {email}. Check it, or leave it blank and add them "
                "as a contact."
            )
        return user

    def clean_organisation(self) -> Organisation | None:
        code = self.cleaned_data["organisation"].strip().upper()
        if not code:
            return None
        organisation = Organisation.objects.filter(ods_code=code).first()
        if organisation is None:
            raise ValidationError(f"No organisation has the ODS code {code}. Check the code.")
        return organisation


class CaseSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or NHS number", required=False, max_length=100)


class TreatmentSummaryForm(NhsFormMixin, forms.Form):
    """The end-of-treatment summary, in the order a GP reads one."""

    diagnosis = forms.CharField(
        label="Diagnosis",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The cancer, its stage, and when it was diagnosed.",
        error_messages={"required": "Enter the diagnosis"},
    )
    treatment_given = forms.CharField(
        label="Treatment given, with dates",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example, surgery on 3 March 2026, then 6 cycles of chemotherapy ending "
        "on 2 September 2026.",
        error_messages={"required": "Enter the treatment given and its dates"},
    )
    treatment_ended_on = NhsDateField(
        label="Date treatment ended (optional)",
        required=False,
        help_text="For example, 2 9 2026.",
    )
    intent = forms.ChoiceField(
        label="Aim of the treatment",
        choices=TreatmentSummary.Intent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the aim of the treatment"},
    )
    side_effects = forms.CharField(
        label="Possible side effects and late effects to watch for (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    red_flags = forms.CharField(
        label="Red-flag symptoms and what to do",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Symptoms that need urgent attention, and who to call about them.",
        error_messages={"required": "Enter the red-flag symptoms and what to do"},
    )
    gp_actions = forms.CharField(
        label="What the GP is asked to do (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, a Cancer Care Review, medicines to continue, tests to arrange.",
    )
    contacts = forms.CharField(
        label="Who to contact",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The team or person to contact with questions, and how to reach them.",
        error_messages={"required": "Enter who to contact with questions"},
    )
    written_by = forms.CharField(
        label="Written by",
        max_length=200,
        help_text="Name and role, as the treating team gave it.",
        error_messages={
            "required": "Enter who wrote the summary",
            "max_length": "Who wrote the summary must be 200 characters or fewer",
        },
    )
    written_on = NhsDateField(label="Date written", help_text="For example, 27 9 2026.")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def summary_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["expected_version"] = data.pop("version")
        return data
