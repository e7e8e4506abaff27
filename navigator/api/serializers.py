"""Output serializers for the platform's own endpoints, and the error body every endpoint shares."""

import datetime as dt
from typing import Any

from rest_framework import serializers

from navigator.accounts.models import Role
from navigator.api.authentication import token_expires_at


class ErrorOutput(serializers.Serializer):
    """What every refusal and most failures return: one sentence saying what went wrong."""

    detail = serializers.CharField()


class MeOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField(source="get_full_name")
    role = serializers.ChoiceField(choices=Role.choices)
    mfa_enrolled = serializers.BooleanField(source="has_mfa")


class TokenInput(serializers.Serializer):
    """No fields: a token is issued to whoever is signed in. Declared so a bad body is a 400."""


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(source="key")
    created = serializers.DateTimeField()
    expires = serializers.SerializerMethodField()

    def get_expires(self, token: Any) -> dt.datetime:
        return token_expires_at(token)
