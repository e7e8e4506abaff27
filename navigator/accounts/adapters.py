import secrets
from typing import Any

from allauth.account import stages
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import (
    get_authentication_records,
    record_authentication,
)
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from navigator.accounts.models import Role, User
from navigator.crypto import seal, unseal
from navigator.language import ENGLISH, in_language
from navigator.messaging.services import Recipient, message_send

# Who may sign in with a code by text message: staff sign in with a password and an
# authenticator app, never by a code alone.
TEXT_SIGN_IN_ROLES = (Role.PATIENT, Role.CARER)


class EmailVerificationStage(stages.EmailVerificationStage):
    """allauth's "verify your email address first", except for people with no email address.

    A patient or carer who has only a mobile number signs in with a code texted to it: that
    code is the proof, and there is no address to verify. Everyone with an address still
    verifies it (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
    """

    def handle(self) -> tuple[Any, bool]:
        if self.login.user is not None and not getattr(self.login.user, "email", ""):
            return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
    # Plain English in the NHS.UK style: say what to do, not what went wrong.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # allauth ships no Welsh, so what a patient or carer can meet signing in is ours.
        "account_inactive": _("This account cannot be used. Phone your cancer support team"),
        "email_password_mismatch": _("Enter a correct email address and password"),
        "incorrect_code": _(
            "Enter the code from the email or text message we sent you. Codes stop working "
            "after 10 minutes"
        ),
        "too_many_login_attempts": _(
            "You have tried to sign in too many times. Wait 5 minutes, then try again"
        ),
        "rate_limited": _("You have asked too many times. Wait a few minutes, then try again"),
        "enter_current_password": _("Enter your current password"),
        "incorrect_password": _("Enter your password correctly"),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join by invitation; open sign-up is off unless a service turns it on.
        return bool(settings.ACCOUNT_SIGNUP_OPEN)

    def post_login(
        self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
    ) -> HttpResponse:
        """Staff without an authenticator yet are sent to set one up, which allauth guards
        with "enter your password again". They typed it seconds ago, on the sign-in page:
        that sign-in counts, so they are asked for their password once, not twice."""
        person: Any = user
        records = get_authentication_records(request, user)
        if (
            person.is_staff_role
            and records
            and records[-1].get("method") == "password"
            and not person.has_mfa
        ):
            record_authentication(request, user, method="password", reauthenticated=True)
        # The page that signed them in was in the browser's language; "You are signed in as
        # ..." is shown on the next one, which is in theirs (staff pages are English).
        language = ENGLISH if person.is_staff_role else person.language
        with in_language(language):
            return super().post_login(request, user, **kwargs)

    def get_login_stages(self) -> list[str]:
        return [
            "navigator.accounts.adapters.EmailVerificationStage"
            if path == "allauth.account.stages.EmailVerificationStage"
            else path
            for path in super().get_login_stages()
        ]

    # Phone numbers for allauth's sign-in by code: the mobile number on the account (E.164),
    # which came from the record the care team keeps, and the code goes by our messaging door.

    def get_phone(self, user: AbstractBaseUser) -> tuple[str, bool] | None:
        phone = getattr(user, "phone", "")
        # The number was entered by the person's care team, and each sign-in code proves it.
        return (phone, True) if phone else None

    def set_phone(self, user: AbstractBaseUser, phone: str, verified: bool) -> None:
        User.objects.filter(pk=user.pk).update(phone=phone)

    def set_phone_verified(self, user: AbstractBaseUser, phone: str) -> None:
        # Nothing to store: receiving the code is the proof, every time.
        return None

    def get_user_by_phone(self, phone: str) -> AbstractBaseUser | None:
        """The one active patient or carer with this mobile number; None if none, or if more
        than one share it (a family phone), since a code must not open the wrong record."""
        users = list(
            User.objects.filter(phone=phone, is_active=True, role__in=TEXT_SIGN_IN_ROLES)[:2]
        )
        return users[0] if len(users) == 1 else None

    def send_verification_code_sms(
        self, user: AbstractBaseUser, phone: str, code: str, **kwargs: Any
    ) -> None:
        """Text the sign-in code: no name, no care details, only the code (urgent, so quiet
        hours do not hold it back: the person is waiting for it)."""
        person: Any = user
        message_send(
            recipient=Recipient(
                name=person.full_name,
                phone=phone,
                email="",
                preferred_channel="sms",
                language=person.language,
            ),
            kind="sign_in_code",
            context={"code": code},
            # A new key each time: a resent code is a new message, never a duplicate.
            idempotency_key=f"sign-in-code:{person.pk}:{secrets.token_hex(8)}",
            channel="sms",
            urgent=True,
        )


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "Enter the code your authenticator app shows now, or a recovery code",
    }

    # allauth calls these for every secret it keeps in `mfa_authenticator.data` (the TOTP
    # secret, the recovery codes' seed): whoever reads the table or a backup without the key
    # cannot mint anyone's second factor. A value no key opens is refused, never used as is.

    def encrypt(self, text: str) -> str:
        return seal(text)

    def decrypt(self, encrypted_text: str) -> str:
        return unseal(encrypted_text)
