"""API token authentication: tokens expire, and guessing them is throttled.

DRF's `TokenAuthentication` keeps a token for ever, and a wrong token fails before any throttle
runs (authentication comes first), so nothing would slow down someone trying keys. Here a token
stops working `API_TOKEN_LIFETIME_DAYS` after it was issued, and each client address may fail
`API_TOKEN_FAILURES_PER_MINUTE` times a minute before every token request it makes gets a 429.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

from navigator.accounts.models import User
from navigator.organisations.models import Organisation, OrganisationCredential
from navigator.organisations.services import organisation_credential_check

FAILURE_WINDOW_SECONDS = 60


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


def _failures_key(request: Request) -> str:
    return f"api-token-failures:{request.META.get('REMOTE_ADDR', '')}"


def _refuse_if_guessing(request: Request) -> None:
    if cache.get(_failures_key(request), 0) >= settings.API_TOKEN_FAILURES_PER_MINUTE:
        raise exceptions.Throttled(
            wait=FAILURE_WINDOW_SECONDS,
            detail="Too many requests with a wrong API token. Wait a minute and try again.",
        )


def _failure_count(request: Request) -> None:
    key = _failures_key(request)
    # add() starts the window; incr() counts within it without extending it.
    if not cache.add(key, 1, FAILURE_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, FAILURE_WINDOW_SECONDS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate(self, request: Request) -> tuple[User, Token] | None:
        _refuse_if_guessing(request)
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            _failure_count(request)
            raise

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= token_expires_at(token):
            raise exceptions.AuthenticationFailed(
                "This API token has expired. Sign in to the website and get a new one."
            )
        return user, token


@dataclass(frozen=True)
class OrganisationPrincipal:
    """`request.user` for a provider's own system: its organisation, by one of its keys.

    Not a person: no role, no sign-in, no rule in `patients/rules.py` lets it see a case. Its
    `pk` is the key's, so the API's per-user throttle counts each key on its own.
    """

    credential: OrganisationCredential
    is_authenticated: ClassVar[bool] = True
    is_active: ClassVar[bool] = True

    @property
    def pk(self) -> Any:
        return self.credential.pk

    @property
    def organisation(self) -> Organisation:
        return self.credential.organisation

    def __str__(self) -> str:
        return f"{self.organisation} system: {self.credential.name} (key {self.credential.prefix})"


class OrganisationKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`, a key an administrator issued to an organisation
    (`manage.py organisation_key`). Wrong keys count towards the same per-address limit as
    wrong API tokens."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[OrganisationPrincipal, Any] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        _refuse_if_guessing(request)
        credential = None
        if len(header) == 2:
            try:
                credential = organisation_credential_check(header[1].decode())
            except UnicodeError:
                credential = None
        if credential is None:
            _failure_count(request)
            raise exceptions.AuthenticationFailed(
                "This key is not valid, or it was revoked. Ask the service's administrators for "
                "a new one."
            )
        return OrganisationPrincipal(credential), credential

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="fhir"'
