"""Small helpers for rendering Django form fields as NHS.UK frontend components."""

from typing import Any

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def is_selected(field: BoundField, value: Any) -> bool:
    """Whether `value` (a choice) is the field's current value, or one of them."""
    current = field.value()
    if current is None:
        return False
    if isinstance(current, list | tuple | set):
        chosen = {str(getattr(v, "pk", v)) for v in current}
    else:
        chosen = {str(getattr(current, "pk", current))}
    return str(value) in chosen


@register.filter
def describedby(field: BoundField) -> str:
    """The aria-describedby ids of a field's hint and error message, as our includes name them."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def part(field: BoundField, index: int) -> Any:
    """One of a multi-part field's typed values (day, month, year), keeping what was typed."""
    value = field.value()
    if isinstance(value, list | tuple):
        return value[index] if index < len(value) and value[index] is not None else ""
    if value is None:
        return ""
    return field.field.widget.decompress(value)[index] or ""
