"""`get_FOO_display` that translates one label, not every label of the field.

Django's own builds a dict of the field's choices each call, hashing every label, and hashing a
lazy label translates it: a timeline of five events translated every event kind five times
(about a hundred lazy translations on the case page). `ChoiceLabels` looks the value up in a
dict built once per field, keyed by value only, and translates the one label it finds.
"""

from collections.abc import Hashable
from functools import cache
from typing import Any

from django.db.models import Field
from django.utils.encoding import force_str


@cache
def _labels(field: Field) -> dict[Hashable, Any]:
    # The labels stay lazy: building the dict hashes the values only.
    return {value: label for value, label in field.flatchoices}


class ChoiceLabels:
    """Mix into a model (before `models.Model`) whose `get_FOO_display` pages call often."""

    def _get_FIELD_display(self, field: Field) -> Any:
        value = getattr(self, field.attname)
        if not isinstance(value, Hashable):
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        return force_str(_labels(field).get(value, value), strings_only=True)
