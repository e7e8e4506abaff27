"""The patient's own invitation: the navigator sends it from the case page; the patient opens
the link, confirms their date of birth and signs in with a code, by email or text message."""

from typing import Any
from uuid import UUID

from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from navigator.accounts.services import invitation_for_token
from navigator.http import AuthenticatedHttpRequest
from navigator.messaging.services import MessagingError
from patients.access import get_case_for_user
from patients.forms import NhsDateField, NhsFormMixin, add_service_errors
from patients.models import Channel, PatientInvitation
from patients.services import patient_invitation_accept, patient_invite, patient_invite_channels


class PatientInviteForm(NhsFormMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("How should we send the invitation?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how to send the invitation")},
    )

    def __init__(self, *args: Any, patient: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        addresses = {Channel.SMS: patient.phone_display, Channel.EMAIL: patient.email}
        field: Any = self.fields["channel"]
        field.choices = [
            (channel, f"{Channel(channel).label} to {addresses[Channel(channel)]}")
            for channel in patient_invite_channels(patient=patient)
        ]
        if field.choices:
            field.initial = field.choices[0][0]


class DateOfBirthForm(NhsFormMixin, forms.Form):
    date_of_birth = NhsDateField(
        label=_("Your date of birth"),
        help_text=_("For example, 15 3 1984. We check it against your record."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def patient_invite_page(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """Invite the case's patient to use the service, by text or email to the record's details."""
    writing = request.method == "POST"
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.change_case",
        summary="Sent the invitation form" if writing else "Opened the invitation form",
    )
    patient = case.patient
    form = PatientInviteForm(request.POST or None, patient=patient)
    if writing and form.is_valid():
        try:
            patient_invite(case=case, by=request.user, channel=form.cleaned_data["channel"])
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            form.add_error(None, "You cannot invite this patient")
        except MessagingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Invitation sent to {patient.full_name}.")
            return redirect("caseload:case_detail", case_id=case.id)
    invitations = PatientInvitation.objects.filter(patient=patient).select_related(
        "invitation", "invitation__invited_by"
    )[:5]
    return render(
        request,
        "patients/patient_invite.html",
        {"case": case, "patient": patient, "form": form, "invitations": invitations},
    )


@require_http_methods(["GET", "POST"])
def patient_invitation_accept_page(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's link: confirm the date of birth, then sign in with a code.

    An unknown token is a 404; a used, withdrawn, expired or locked one says why (410 Gone).
    """
    invitation = invitation_for_token(token=token)
    patient_invitation = (
        PatientInvitation.objects.select_related("patient").filter(invitation=invitation).first()
        if invitation is not None
        else None
    )
    if invitation is None or patient_invitation is None:
        raise Http404("No such invitation")
    context: dict[str, Any] = {"invitation": invitation, "patient_invitation": patient_invitation}
    if patient_invitation.locked_at is not None:
        return render(request, "patients/patient_invitation_locked.html", context, status=410)
    if not invitation.is_usable:
        return render(request, "accounts/invitation_unusable.html", context, status=410)
    if request.user.is_authenticated:
        return render(request, "accounts/invitation_signed_in.html", context)
    form = DateOfBirthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = patient_invitation_accept(
                patient_invitation=patient_invitation,
                date_of_birth=form.cleaned_data["date_of_birth"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if check.locked:
                return render(
                    request, "patients/patient_invitation_locked.html", context, status=410
                )
            if check.user is None:
                form.add_error(
                    "date_of_birth",
                    ngettext(
                        "The date of birth does not match our record. Check it and try again:"
                        " you have %(count)s more try",
                        "The date of birth does not match our record. Check it and try again:"
                        " you have %(count)s more tries",
                        check.checks_left,
                    )
                    % {"count": check.checks_left},
                )
            else:
                user = check.user
                # Signed in by a code to where the link reached them: their phone or email.
                try:
                    if patient_invitation.channel == Channel.SMS:
                        LoginCodeVerificationProcess.initiate(
                            request=request, user=user, phone=user.phone
                        )
                    else:
                        LoginCodeVerificationProcess.initiate(
                            request=request, user=user, email=user.email
                        )
                except MessagingError:
                    # Their phone refuses our texts (they replied STOP): the account stands.
                    messages.warning(
                        request,
                        gettext(
                            "Your account is ready, but we cannot send a text message to your phone."
                            " Sign in with your email address, or phone your cancer support team."
                        ),
                    )
                    return redirect("account_login")
                return redirect("account_confirm_login_code")
    return render(request, "patients/patient_invitation_accept.html", {**context, "form": form})
