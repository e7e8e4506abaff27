"""Django form fields in NHS.UK frontend markup, for allauth's element templates and our own forms.

Django still renders each widget, so input types, autocomplete hints and the rule that passwords
are never sent back stay as the form defines them; we add the NHS.UK classes and the ids that tie
a field to its hint and error message.
"""

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


def field_errors(bound_field: forms.BoundField) -> list[str]:
    """The field's own errors; the first field also carries the errors about the whole form.

    A wrong email and password pair is not the fault of either field, but the person starts
    putting it right at the first one, which is where the error summary's link takes them.
    """
    errors = [str(message) for message in bound_field.errors]
    form = bound_field.form
    visible = form.visible_fields()
    if visible and visible[0].name == bound_field.name:
        errors = [str(message) for message in form.non_field_errors()] + errors
    return errors


def hint_id(bound_field: forms.BoundField) -> str:
    return f"{bound_field.auto_id}-hint"


def error_id(bound_field: forms.BoundField) -> str:
    return f"{bound_field.auto_id}-error"


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
    kind = nhsuk_input_kind(bound_field)
    has_error = bool(field_errors(bound_field))
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
    described_by = []
    if bound_field.help_text:
        described_by.append(hint_id(bound_field))
    if has_error:
        described_by.append(error_id(bound_field))
    attrs: dict[str, Any] = {
        "class": " ".join(classes),
        # Placeholders vanish as people type and are often read as a filled-in value; the label
        # and hint say it instead.
        "placeholder": False,
        "aria-describedby": " ".join(described_by) or False,
    }
    if kind == "password" or bound_field.name in CODE_FIELD_NAMES:
        attrs.update({"spellcheck": "false", "autocapitalize": "none"})
    return bound_field.as_widget(attrs=attrs)


@register.filter
def nhsuk_errors(bound_field: forms.BoundField) -> list[str]:
    return field_errors(bound_field)


@register.filter
def nhsuk_error_id(bound_field: forms.BoundField) -> str:
    return error_id(bound_field)


@register.filter
def nhsuk_hint_id(bound_field: forms.BoundField) -> str:
    return hint_id(bound_field)


@register.simple_tag
def nhsuk_error_links(*forms_: object) -> list[ErrorLink]:
    """One link per error, in field order, for the error summary.

    Errors about the whole form (such as a wrong email and password pair) link to the first field,
    where the person will start to put it right.
    """
    links: list[ErrorLink] = []
    seen: set[int] = set()
    for form in forms_:
        # Templates pass context variables that may be missing (an empty string), unbound, or
        # the same form under two names (allauth's `form` is also its `verify_form`).
        if not isinstance(form, forms.BaseForm) or not form.is_bound or not form.errors:
            continue
        if id(form) in seen:
            continue
        seen.add(id(form))
        visible = form.visible_fields()
        first_href = f"#{visible[0].id_for_label}" if visible else ""
        links += [ErrorLink(first_href, str(message)) for message in form.non_field_errors()]
        for bound_field in visible:
            links += [
                ErrorLink(f"#{bound_field.id_for_label}", str(message))
                for message in bound_field.errors
            ]
        for bound_field in form.hidden_fields():
            links += [ErrorLink("", str(message)) for message in bound_field.errors]
    return links
