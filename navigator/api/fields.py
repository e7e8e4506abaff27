"""Input fields that take only the JSON type the OpenAPI schema documents.

DRF's own fields coerce: a CharField turns `0` into "0", an IntegerField takes "5", a
BooleanField takes "yes" and 1, a UUIDField takes an integer. A client sending the wrong type
has misread the schema, so it gets a 400 naming the field rather than a record it did not mean.
Query parameters arrive as text, so there a boolean is the schema's `true` or `false`.

A date or time before 1900 is refused too: no appointment or event is that old, and the UK's offset
from UTC before 1847 has seconds in it, which no RFC 3339 date-time (the schema's format) can
carry, so such a time could not be given back as the schema says.
"""

import datetime as dt
from typing import Any

from rest_framework import serializers


class CharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class IntegerField(serializers.IntegerField):
    """Within what the database's integer columns hold (PostgreSQL's `integer`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -(2**31))
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class UUIDField(serializers.UUIDField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class BooleanField(serializers.BooleanField):
    """`true` or `false`: a JSON boolean in a body, the words in a query string."""

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        if data in ("true", "false"):
            return data == "true"
        self.fail("invalid", input=data)
        raise AssertionError  # fail() raises; this line is never reached


class ChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


EARLIEST_TIME = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


class DateTimeField(serializers.DateTimeField):
    default_error_messages = {"too_early": "Give a time in 1900 or later."}

    def to_internal_value(self, value: Any) -> dt.datetime:
        if not isinstance(value, str):
            self.fail("invalid", format="an ISO 8601 date and time")
        parsed = super().to_internal_value(value)
        if parsed < EARLIEST_TIME:
            self.fail("too_early")
        return parsed


class DateField(serializers.DateField):
    default_error_messages = {"too_early": "Give a date in 1900 or later."}

    def to_internal_value(self, value: Any) -> dt.date:
        if not isinstance(value, str):
            self.fail("invalid", format="an ISO 8601 date (YYYY-MM-DD)")
        parsed = super().to_internal_value(value)
        if parsed < EARLIEST_TIME.date():
            self.fail("too_early")
        return parsed
