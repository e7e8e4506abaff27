from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join by invitation; open sign-up is off unless a service turns it on.
        return bool(settings.ACCOUNT_SIGNUP_OPEN)


class MFAAdapter(DefaultMFAAdapter):
    pass
