"""Forms: allauth's sign-in forms with plain labels (through gettext: allauth has no Welsh),
and the invitation forms."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from navigator.accounts.models import Invitation, User
from navigator.accounts.services import phone_to_e164

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EMAIL_LABEL = _("Email address")
# Error messages in the NHS.UK style: say what to do.
EMAIL_ERRORS = {
    "required": _("Enter your email address"),
    "invalid": _("Enter an email address in the correct format, like name@example.com"),
}
CODE_ERRORS = {"required": _("Enter the code")}


def _errors(field: forms.Field, messages: "Mapping[str, StrOrPromise]") -> None:
    field.error_messages = {**field.error_messages, **messages}


class LoginForm(account_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = EMAIL_LABEL
        _errors(self.fields["login"], EMAIL_ERRORS)
        # allauth's hint is a "forgot your password?" link; the page has its own.
        self.fields["password"].help_text = ""
        _errors(self.fields["password"], {"required": _("Enter your password")})


class RequestLoginCodeForm(account_forms.RequestLoginCodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL
        self.fields["email"].help_text = _("Use the email address your care team has for you.")
        _errors(self.fields["email"], EMAIL_ERRORS)


class ConfirmLoginCodeForm(account_forms.ConfirmLoginCodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Sign-in code")
        _errors(self.fields["code"], {"required": _("Enter the sign-in code we sent you")})


class RequestTextCodeForm(forms.Form):
    """A patient or carer asks for a sign-in code by text message to their mobile number."""

    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=30,
        help_text=_(
            "Use the mobile number your care team has for you. For example, 07700 900 982."
        ),
        error_messages={"required": _("Enter your mobile phone number")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    def clean_phone(self) -> str:
        return phone_to_e164(self.cleaned_data["phone"])


class ResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL
        _errors(self.fields["email"], EMAIL_ERRORS)


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = "New password"
        self.fields["password2"].label = "Type your new password again"
        _errors(self.fields["password1"], {"required": "Enter a new password"})
        _errors(self.fields["password2"], {"required": "Type your new password again"})


class AuthenticateForm(mfa_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from your authenticator app"
        self.fields["code"].help_text = "Or enter one of your recovery codes."
        _errors(self.fields["code"], CODE_ERRORS)


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from your authenticator app"
        self.fields["code"].help_text = "The app shows a 6-digit code for this service."
        _errors(self.fields["code"], CODE_ERRORS)


class StaffInvitationAcceptForm(forms.Form):
    """A new member of staff names themselves and chooses a password."""

    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    password1 = forms.CharField(
        label=_("Create a password"),
        strip=False,
        error_messages={"required": _("Create a password")},
        help_text=_("Use 12 characters or more. Do not use a password you use anywhere else."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Type your password again"),
        strip=False,
        error_messages={"required": _("Type your password again")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        self.invitation = invitation
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The passwords do not match")
        elif password1:
            # Unsaved, so the similarity check can compare the password with their name and email.
            candidate = User(email=self.invitation.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PersonInvitationAcceptForm(forms.Form):
    """A patient or carer gives their name (we greet them by it) and confirms the email
    address they will get their sign-in codes at."""

    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=EMAIL_LABEL,
        error_messages=EMAIL_ERRORS,
        help_text=_(
            "We will email you a code each time you sign in. You will not need a password."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        self.invitation = invitation
        super().__init__(*args, **kwargs)
        if invitation.email:
            # The link reached them at this address, which proves it is theirs: nothing to ask.
            del self.fields["email"]
        elif invitation.phone:
            # Invited by text: they may sign in with codes sent to that phone instead.
            self.fields["email"].required = False
            self.fields["email"].help_text = (
                "We will email you a code each time you sign in. If you have no email address,"
                " leave this blank: we will text the code to your phone instead."
            )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"] or "").strip().lower()

    @property
    def email_address(self) -> str:
        return self.invitation.email or self.cleaned_data["email"]


class InvitationForm(forms.Form):
    """A member of staff invites someone; the choices are only what they are allowed to send."""

    email = forms.EmailField(
        label=EMAIL_LABEL,
        required=False,
        error_messages=EMAIL_ERRORS,
        help_text=_(
            "Staff need one. For a patient or carer, give an email address or a mobile number."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone number"),
        required=False,
        max_length=30,
        help_text=_("We send the invitation by text message if there is no email address."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "tel"}),
    )
    role = forms.ChoiceField(label=_("They are a"), error_messages={"required": _("Choose a role")})
    team = forms.ChoiceField(label=_("Team"), required=False)

    def __init__(
        self,
        *args: Any,
        roles: list[tuple[str, str]],
        teams: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "Choose a role"), *roles]
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "No team"), *teams]
