"""API token authentication: tokens expire, and guessing them is throttled.

DRF's `TokenAuthentication` keeps a token for ever, and a wrong token fails before any throttle
runs (authentication comes first), so nothing would slow down someone trying keys. Here a token
stops working `API_TOKEN_LIFETIME_DAYS` after it was issued, and each client address may fail
`API_TOKEN_FAILURES_PER_MINUTE` times a minute before every token request it makes gets a 429.
"""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

from navigator.accounts.models import User

FAILURE_WINDOW_SECONDS = 60


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate(self, request: Request) -> tuple[User, Token] | None:
        key = f"api-token-failures:{request.META.get('REMOTE_ADDR', '')}"
        if cache.get(key, 0) >= settings.API_TOKEN_FAILURES_PER_MINUTE:
            raise exceptions.Throttled(
                wait=FAILURE_WINDOW_SECONDS,
                detail="Too many requests with a wrong API token. Wait a minute and try again.",
            )
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            # add() starts the window; incr() counts within it without extending it.
            if not cache.add(key, 1, FAILURE_WINDOW_SECONDS):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add() and incr()
                    cache.add(key, 1, FAILURE_WINDOW_SECONDS)
            raise

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= token_expires_at(token):
            raise exceptions.AuthenticationFailed(
                "This API token has expired. Sign in to the website and get a new one."
            )
        return user, token
