"""Carers: the patient invites someone (read only, or act on my behalf), sees who has access,
withdraws invitations and takes access away; the invited person accepts through the link.

Taking access away needs nothing more than the grant's `revoked_at`: the rules look at live
grants on every request, so the carer's next page is a 404.
"""

from typing import Any
from uuid import UUID

from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from navigator.accounts.models import Invitation, User
from navigator.accounts.services import invitation_for_token
from navigator.http import AuthenticatedHttpRequest
from navigator.language import language_of
from navigator.messaging.services import MessagingError
from patients.access import get_case_for_user
from patients.forms import NhsFormMixin, add_service_errors
from patients.models import CarerAccess, CarerInvitation, Case
from patients.selectors import carer_invitations_pending, carers_for_case
from patients.services import (
    carer_access_revoke,
    carer_invitation_accept,
    carer_invitation_accept_new_account,
    carer_invitation_withdraw,
    carer_invite,
)


class CarerInviteForm(NhsFormMixin, forms.Form):
    carer_name = forms.CharField(
        label=_("Their name"),
        max_length=200,
        error_messages={
            "required": _("Enter the name of the person you are inviting"),
            "max_length": _("The name must be 200 characters or fewer"),
        },
    )
    email = forms.CharField(
        label=_("Their email address"),
        required=False,
        max_length=254,
        help_text=_("We will send the invitation here. Leave blank to send it by text message."),
    )
    phone = forms.CharField(
        label=_("Their mobile phone number"),
        required=False,
        max_length=30,
        help_text=_("For example, 07700 900 982. Leave blank to send the invitation by email."),
    )
    level = forms.ChoiceField(
        label=_("What can they do?"),
        choices=[
            (CarerAccess.Level.READ, _("See my record, but not change anything")),
            (
                CarerAccess.Level.ACT,
                _(
                    "See my record and act for me: send messages, keep my questions and "
                    "change my contact details"
                ),
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what they can do")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Said here too, so it shows with the form's own errors rather than after them.
        if not data.get("email", "").strip() and not data.get("phone", "").strip():
            self.add_error("email", _("Enter their email address or mobile phone number"))
        return data


class CarerAcceptForm(NhsFormMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name")},
    )
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_(
            "We will email you a code each time you sign in. You will not need a password."
        ),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the right format, like name@example.com"),
        },
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if invitation.email:
            # The link reached them at this address, which proves it is theirs.
            del self.fields["email"]
        elif invitation.phone:
            # Invited by text: they may sign in with codes sent to that phone instead.
            self.fields["email"].required = False
            self.fields["email"].help_text = _(
                "We will email you a code each time you sign in. If you have no email address,"
                " leave this blank: we will text the code to your phone instead."
            )


def _manage(request: AuthenticatedHttpRequest, case_id: UUID, summary: str) -> Case:
    return get_case_for_user(request, case_id, perm="patients.manage_carers", summary=summary)


@login_required
@require_http_methods(["GET"])
def carers(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """The patient's own page: who can see their record, and invitations not yet accepted."""
    case = _manage(request, case_id, "Looked at who can see the record")
    return render(
        request,
        "patients/carers.html",
        {
            "case": case,
            "patient": case.patient,
            "grants": carers_for_case(case=case),
            "pending": carer_invitations_pending(patient=case.patient),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def carer_invite_page(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    case = _manage(
        request,
        case_id,
        "Sent the carer invitation form" if writing else "Opened the carer invitation form",
    )
    form = CarerInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            carer_invitation, _link = carer_invite(
                patient=case.patient, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except MessagingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("Invitation sent to %(name)s.") % {"name": carer_invitation.carer_name},
            )
            return redirect("patients:carers", case_id=case.id)
    return render(
        request, "patients/carer_invite.html", {"case": case, "patient": case.patient, "form": form}
    )


@login_required
@require_POST
def carer_revoke(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    case = _manage(request, case_id, "Asked to take away a carer's access")
    # The grant's id travels in the form body, and only grants on this patient are found.
    grant = get_object_or_404(
        CarerAccess.objects.select_related("carer", "patient"),
        pk=_uuid(request.POST.get("grant", "")),
        patient_id=case.patient_id,
        revoked_at__isnull=True,
    )
    carer_access_revoke(grant=grant, by=request.user)
    messages.success(
        request,
        gettext("%(name)s can no longer see your record.") % {"name": grant.carer.get_full_name()},
    )
    return redirect("patients:carers", case_id=case.id)


@login_required
@require_POST
def carer_invitation_withdraw_page(
    request: AuthenticatedHttpRequest, case_id: UUID
) -> HttpResponse:
    case = _manage(request, case_id, "Asked to withdraw a carer invitation")
    carer_invitation = get_object_or_404(
        CarerInvitation.objects.select_related("invitation", "patient"),
        pk=_uuid(request.POST.get("invitation", "")),
        patient_id=case.patient_id,
    )
    carer_invitation_withdraw(carer_invitation=carer_invitation, by=request.user)
    messages.success(
        request,
        gettext("Invitation to %(name)s withdrawn.") % {"name": carer_invitation.carer_name},
    )
    return redirect("patients:carers", case_id=case.id)


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
def carer_invitation_accept_page(request: HttpRequest, token: str) -> HttpResponse:
    """The invited carer's link: accept while signed in, or set up a carer account here.

    An unknown token is a 404; a used, withdrawn or expired one says why (410 Gone).
    """
    invitation = invitation_for_token(token=token)
    carer_invitation = (
        CarerInvitation.objects.select_related("patient").filter(invitation=invitation).first()
        if invitation is not None
        else None
    )
    if invitation is None or carer_invitation is None:
        raise Http404("No such invitation")
    if not invitation.is_usable:
        return render(
            request, "accounts/invitation_unusable.html", {"invitation": invitation}, status=410
        )
    user = request.user
    context: dict[str, Any] = {"invitation": invitation, "carer_invitation": carer_invitation}
    if user.is_authenticated:
        error = ""
        if request.method == "POST":
            try:
                carer_invitation_accept(carer_invitation=carer_invitation, user=user)
            except ValidationError as refused:
                error = " ".join(refused.messages)
            else:
                patient = carer_invitation.patient
                messages.success(
                    request,
                    gettext("You can now see %(name)s's record.") % {"name": patient.full_name},
                )
                case = patient.cases.order_by("status", "-opened_at").first()
                return redirect(f"{reverse('home')}?case={case.pk}" if case else "home")
        return render(request, "patients/carer_accept_signed_in.html", {**context, "error": error})
    if invitation.email and User.objects.filter(email__iexact=invitation.email).exists():
        # They have an account already: sign in first, then come back here to accept.
        return redirect_to_login(request.get_full_path())
    form = CarerAcceptForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        email = invitation.email or (form.cleaned_data["email"] or "").strip().lower()
        try:
            new_user, _grant = carer_invitation_accept_new_account(
                carer_invitation=carer_invitation,
                email=email,
                full_name=form.cleaned_data["full_name"],
                language=language_of(translation.get_language()),
            )
        except ValidationError as error:
            message = " ".join(error.messages)
            if any(e.code == "email_taken" for e in error.error_list):
                message = gettext(
                    "Someone already has an account with this email address. Sign in first, "
                    "then open this link again."
                )
            form.add_error("email" if "email" in form.fields else None, message)
        else:
            # As the accounts app does: send a sign-in code (by text to someone with no email
            # address) and ask for it.
            if new_user.email:
                LoginCodeVerificationProcess.initiate(
                    request=request, user=new_user, email=new_user.email
                )
            else:
                LoginCodeVerificationProcess.initiate(
                    request=request, user=new_user, phone=new_user.phone
                )
            return redirect("account_confirm_login_code")
    return render(request, "patients/carer_accept.html", {**context, "form": form})
