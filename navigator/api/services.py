from typing import Any

from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def api_token_issue(*, user: Any) -> Token:
    """Give `user` a new API token, replacing any they had, so a lost token can be replaced."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def api_token_revoke(*, user: Any) -> None:
    Token.objects.filter(user=user).delete()
