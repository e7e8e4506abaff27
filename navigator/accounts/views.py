from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import record_authentication
from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from allauth.account.utils import perform_login
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from navigator.accounts.forms import (
    InvitationForm,
    PersonInvitationAcceptForm,
    RequestTextCodeForm,
    StaffInvitationAcceptForm,
)
from navigator.accounts.models import INVITATION_LIFETIME, Invitation, Role, User
from navigator.accounts.services import (
    invitation_accept,
    invitation_choices,
    invitation_create,
    invitation_for_token,
)
from navigator.http import AuthenticatedHttpRequest
from navigator.messaging.models import SmsOptOut
from navigator.messaging.services import MessagingError


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """Set up an account from an invitation link.

    An unknown token is a 404, like any other wrong address; a known one that can no longer be
    used says why (410 Gone), so the person knows to ask for a new one rather than retry.
    """
    invitation = invitation_for_token(token=token)
    if invitation is None:
        raise Http404("No such invitation")
    if not invitation.is_usable:
        return render(
            request, "accounts/invitation_unusable.html", {"invitation": invitation}, status=410
        )
    if request.user.is_authenticated:
        return render(request, "accounts/invitation_signed_in.html", {"invitation": invitation})

    # Bound on every POST: the patients' form can have no fields at all.
    data = request.POST if request.method == "POST" else None
    form: StaffInvitationAcceptForm | PersonInvitationAcceptForm
    if invitation.is_staff_role:
        form = StaffInvitationAcceptForm(data, invitation=invitation)
    else:
        form = PersonInvitationAcceptForm(data, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(form, StaffInvitationAcceptForm):
                user = invitation_accept(
                    invitation=invitation,
                    email=invitation.email,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
            else:
                user = invitation_accept(
                    invitation=invitation,
                    email=form.email_address,
                    full_name=form.cleaned_data["full_name"],
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if user.is_staff_role:
                # Signed in at once; StaffMfaRequiredMiddleware holds them at authenticator
                # set-up until they have one.
                response = perform_login(
                    request,
                    user,
                    email_verification=allauth_settings.EMAIL_VERIFICATION,
                    redirect_url=reverse("mfa_activate_totp"),
                )
                # Adding an authenticator needs a password entered just now, and they have
                # just chosen one: recorded as such, allauth does not ask for it yet again.
                record_authentication(request, user, method="password", reauthenticated=True)
                return response
            return _send_sign_in_code(request, user=user)
    return render(
        request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form}
    )


def _send_sign_in_code(request: HttpRequest, *, user: User) -> HttpResponse:
    """Send a sign-in code (by email, or by text to someone with no email address) and go to
    the page that asks for it, as "Email me a sign-in code" does.

    allauth has no public call for this; its login-by-code view makes this same one.
    """
    if user.email:
        LoginCodeVerificationProcess.initiate(request=request, user=user, email=user.email)
    else:
        LoginCodeVerificationProcess.initiate(request=request, user=user, phone=user.phone)
    return redirect("account_confirm_login_code")


@require_http_methods(["GET", "POST"])
def request_login_code_by_text(request: HttpRequest) -> HttpResponse:
    """ "Text me a sign-in code": allauth's sign-in by code, sent to a mobile number.

    allauth's own page asks for an email address (phone is not one of our login methods,
    so staff keep signing in with an email address and password); this page asks for the
    mobile number and starts the same code process, with the same rate limit, the same
    attempts and the same confirm page. The adapter finds the account and sends the text.
    Whether or not the number has an account, the next page reads the same.
    """
    if request.user.is_authenticated:
        return redirect("home")
    form = RequestTextCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        adapter = get_adapter(request)
        cannot_text = gettext(
            "We cannot send a text message to this number. Sign in with your email address"
            " instead, or phone your cancer support team"
        )
        if not ratelimit.consume(request, action="request_login_code", key=phone):
            form.add_error("phone", adapter.error_messages["too_many_login_attempts"])
        elif SmsOptOut.objects.filter(phone=phone).exists():
            # Checked for every number, account or not, so the answer reveals no account.
            form.add_error("phone", cannot_text)
        else:
            try:
                LoginCodeVerificationProcess.initiate(
                    request=request, user=adapter.get_user_by_phone(phone), phone=phone
                )
            except MessagingError:
                form.add_error("phone", cannot_text)
            else:
                return redirect("account_confirm_login_code")
    return render(request, "account/request_login_code_text.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Invite someone by email or text message. Only staff who may invite see this page."""
    user = request.user
    roles, teams = invitation_choices(inviter=user)
    if not roles:
        raise Http404("No such page")
    form = InvitationForm(
        request.POST if request.method == "POST" else None,
        roles=[(role, str(Role(role).label)) for role in roles],
        teams=[(str(team.pk), team.name) for team in teams],
    )
    if request.method == "POST" and form.is_valid():
        team = next((t for t in teams if str(t.pk) == form.cleaned_data["team"]), None)
        try:
            invitation, _link = invitation_create(
                invited_by=user,
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                role=form.cleaned_data["role"],
                team=team,
            )
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied:
            form.add_error(None, "You cannot invite someone to this role in this team")
        except MessagingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Invitation sent to {invitation.email or invitation.phone}.")
            return redirect("invitation_new")
    sent = Invitation.objects.filter(invited_by=user).select_related("team")[:20]
    return render(
        request,
        "accounts/invitation_new.html",
        {"form": form, "sent": sent, "valid_days": INVITATION_LIFETIME.days},
    )


def _add_errors(form: InvitationForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)
