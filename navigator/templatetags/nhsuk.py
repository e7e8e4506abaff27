"""Django form fields in NHS.UK frontend markup: the one template-tag library every app loads.

Two kinds of template use it. Our components in `templates/components/` write each input's markup
themselves and ask this library which choice is selected, what a date's parts were and which ids
describe a field. allauth's element templates (`templates/allauth/elements/`) let Django render
each widget, so input types, autocomplete hints and the rule that passwords are never sent back
stay as the form defines them; `nhsuk_widget` adds the NHS.UK classes and the ids that tie a field
to its hint and error message. The error summary's links come from `error_links` for both.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()

# allauth asks for one-time codes in fields with these names; they are short, so the input is too.
CODE_FIELD_NAMES = frozenset({"code"})


@dataclass(frozen=True)
class ErrorLink:
    href: str
    message: str


@register.filter
def hint_id(bound_field: forms.BoundField) -> str:
    """The id of a field's hint, which its aria-describedby names."""
    return f"{bound_field.auto_id}-hint"


@register.filter
def error_id(bound_field: forms.BoundField) -> str:
    """The id of a field's error message, which its aria-describedby names."""
    return f"{bound_field.auto_id}-error"


def _described_by(bound_field: forms.BoundField, *, has_error: bool) -> str:
    ids = []
    if bound_field.help_text:
        ids.append(hint_id(bound_field))
    if has_error:
        ids.append(error_id(bound_field))
    return " ".join(ids)


@register.filter
def describedby(bound_field: forms.BoundField) -> str:
    """The aria-describedby ids of a field's hint and error message, as our components name them."""
    return _described_by(bound_field, has_error=bool(bound_field.errors))


@register.filter
def is_selected(bound_field: forms.BoundField, value: Any) -> bool:
    """Whether `value` (a choice) is the field's current value, or one of them."""
    current = bound_field.value()
    if current is None:
        return False
    if isinstance(current, list | tuple | set):
        chosen = {str(getattr(v, "pk", v)) for v in current}
    else:
        chosen = {str(getattr(current, "pk", current))}
    return str(value) in chosen


@register.filter
def part(bound_field: forms.BoundField, index: int) -> Any:
    """One of a multi-part field's typed values (day, month, year), keeping what was typed."""
    value = bound_field.value()
    if isinstance(value, list | tuple):
        return value[index] if index < len(value) and value[index] is not None else ""
    if value is None:
        return ""
    return bound_field.field.widget.decompress(value)[index] or ""


@register.filter
def errors_with_form_errors(bound_field: forms.BoundField) -> list[str]:
    """The field's own errors; the first field also carries the errors about the whole form.

    allauth's forms say a wrong email and password pair is not the fault of either field, but the
    person starts putting it right at the first one, which is where the error summary's link takes
    them. Our own forms' components show `field.errors` only.
    """
    errors = [str(message) for message in bound_field.errors]
    form = bound_field.form
    visible = form.visible_fields()
    if visible and visible[0].name == bound_field.name:
        errors = [str(message) for message in form.non_field_errors()] + errors
    return errors


@register.filter
def nhsuk_input_kind(bound_field: forms.BoundField) -> str:
    """Which NHS.UK component draws this field: checkbox, radios, textarea, select, password, input."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    return "input"


@register.filter
def nhsuk_widget(bound_field: forms.BoundField) -> SafeString:
    """Django's own rendering of the field's widget, with NHS.UK classes and describing ids."""
    kind = nhsuk_input_kind(bound_field)
    has_error = bool(errors_with_form_errors(bound_field))
    classes = {
        "checkbox": ["nhsuk-checkboxes__input"],
        "radios": ["nhsuk-radios__input"],
        "textarea": ["nhsuk-textarea"] + (["nhsuk-textarea--error"] if has_error else []),
        "select": ["nhsuk-select"] + (["nhsuk-select--error"] if has_error else []),
        "password": ["nhsuk-input", "nhsuk-password-input__input", "nhsuk-js-password-input-input"]
        + (["nhsuk-input--error"] if has_error else []),
        "input": ["nhsuk-input"] + (["nhsuk-input--error"] if has_error else []),
    }[kind]
    if bound_field.name in CODE_FIELD_NAMES:
        classes += ["nhsuk-input--width-10", "nhsuk-input--code"]
    attrs: dict[str, Any] = {
        "class": " ".join(classes),
        # Placeholders vanish as people type and are often read as a filled-in value; the label
        # and hint say it instead.
        "placeholder": False,
        "aria-describedby": _described_by(bound_field, has_error=has_error) or False,
    }
    if kind == "password" or bound_field.name in CODE_FIELD_NAMES:
        attrs.update({"spellcheck": "false", "autocapitalize": "none"})
    return bound_field.as_widget(attrs=attrs)


def _form_error_links(form: forms.BaseForm) -> list[ErrorLink]:
    # A form may say where each of its errors links (patients' NhsFormMixin sends a date's errors
    # to its day box, and leaves errors about the whole form unlinked).
    error_items = getattr(form, "error_items", None)
    if error_items is not None:
        return [ErrorLink(item["href"], item["message"]) for item in error_items()]
    # Otherwise errors about the whole form (such as a wrong email and password pair) link to the
    # first field, where the person will start to put it right.
    visible = form.visible_fields()
    first_href = f"#{visible[0].id_for_label}" if visible else ""
    links = [ErrorLink(first_href, str(message)) for message in form.non_field_errors()]
    for bound_field in visible:
        links += [
            ErrorLink(f"#{bound_field.id_for_label}", str(message))
            for message in bound_field.errors
        ]
    for bound_field in form.hidden_fields():
        links += [ErrorLink("", str(message)) for message in bound_field.errors]
    return links


@register.simple_tag
def error_links(*sources: object, prefix: str = "") -> list[ErrorLink]:
    """One link per error, in field order, for the error summary.

    A source is a Django form, or a mapping of input id (after `prefix`) to message for pages whose
    views check typed values themselves. Templates pass context variables that may be missing (an
    empty string), unbound, or the same form under two names (allauth's `form` is also its
    `verify_form`); those are skipped.
    """
    links: list[ErrorLink] = []
    seen: set[int] = set()
    for source in sources:
        if id(source) in seen:
            continue
        if isinstance(source, forms.BaseForm):
            if not source.is_bound or not source.errors:
                continue
            seen.add(id(source))
            links += _form_error_links(source)
        elif isinstance(source, Mapping) and source:
            seen.add(id(source))
            links += [ErrorLink(f"#{prefix}{key}", str(message)) for key, message in source.items()]
    return links
