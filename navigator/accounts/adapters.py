from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    # Plain English in the NHS.UK style: say what to do, not what went wrong.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "Enter a correct email address and password",
        "incorrect_code": "Enter the code from the email we sent you. Codes stop working after 10 minutes",
        "too_many_login_attempts": "You have tried to sign in too many times. Wait 5 minutes, then try again",
        "rate_limited": "You have asked too many times. Wait a few minutes, then try again",
        "enter_current_password": "Enter your current password",
        "incorrect_password": "Enter your password correctly",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join by invitation; open sign-up is off unless a service turns it on.
        return bool(settings.ACCOUNT_SIGNUP_OPEN)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "Enter the code your authenticator app shows now, or a recovery code",
    }
