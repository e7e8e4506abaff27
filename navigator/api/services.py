from django.db import transaction
from rest_framework.authtoken.models import Token

from navigator.accounts.models import User


@transaction.atomic
def api_token_issue(*, user: User) -> Token:
    """Give `user` a new API token, replacing any they had, so a lost token can be replaced."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()
