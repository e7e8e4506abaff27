"""What every patients service shares: errors collected by field, the wording they share
and the time a date-only event is recorded at.

Validation errors are `ValidationError`s keyed by argument name, all found at once, so a form
can show each beside its field; callers check permissions (through `patients.access`) first.
"""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EMAIL_MESSAGE = _("Enter an email address in the right format, like name@example.com.")


class _Errors:
    """Collects errors by field so one submission reports all of them."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, error: "ValidationError | StrOrPromise") -> None:
        if not isinstance(error, ValidationError):
            error = ValidationError(error)
        self.errors.setdefault(field, []).extend(error.error_list)

    def check(self, field: str, validate: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return validate(*args, **kwargs)
        except ValidationError as error:
            self.add(field, error)
            return None

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
