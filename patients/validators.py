import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def nhs_number_is_valid(value: str) -> bool:
    """Ten digits whose last is the modulus-11 check digit of the first nine."""
    if len(value) != 10 or not value.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(value[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(value[9])


def validate_nhs_number(value: str) -> None:
    digits = value.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        raise ValidationError(_("An NHS number is 10 digits, like 943 476 5919."), code="format")
    if not nhs_number_is_valid(digits):
        raise ValidationError(
            _("This is not a valid NHS number: check each digit (the last digit does not match)."),
            code="check_digit",
        )


# Outward code, a space (optional when typed), inward code: SW1A 1AA, M1 1AE, B33 8TH, GIR 0AA.
_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """`ls25zn` or `LS2  5ZN` becomes `LS2 5ZN`; raises ValidationError if it is not a postcode."""
    compact = "".join(value.split()).upper()
    if not _POSTCODE.match(compact):
        raise ValidationError(
            _("Enter a full UK postcode, like LS2 5ZN (you can check it on a letter)."),
            code="postcode",
        )
    return f"{compact[:-3]} {compact[-3:]}"


def validate_uk_postcode(value: str) -> None:
    normalise_postcode(value)


# Ofcom keeps these ranges for drama and testing. phonenumbers calls them invalid, but demo and
# test data use them (as they use the 999 range for NHS numbers), so they must be accepted.
_FICTIONAL_MOBILE = re.compile(r"^\+447700900\d{3}$")
_FICTIONAL_LANDLINE = re.compile(r"^\+441632960\d{3}$")


def phone_to_e164(value: str, *, mobile: bool = False) -> str:
    """Parse a phone number as typed (UK by default) and return it in E.164, like +447700900123.

    With `mobile`, refuse numbers that cannot receive text messages.
    """
    message = _("Enter a phone number, like 07700 900 982 or +44 7700 900 982.")
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError(message, code="phone") from None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    fictional_mobile = bool(_FICTIONAL_MOBILE.match(e164))
    if not (
        phonenumbers.is_valid_number(number) or fictional_mobile or _FICTIONAL_LANDLINE.match(e164)
    ):
        raise ValidationError(
            _(
                "This is not a phone number we recognise: check the number of digits and the "
                "area code, like 07700 900 982."
            ),
            code="phone",
        )
    kind = phonenumbers.number_type(number)
    is_mobile = fictional_mobile or kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if mobile and not is_mobile:
        raise ValidationError(
            _(
                "Text messages need a mobile number, like 07700 900 982. Give a mobile number "
                "or choose email instead."
            ),
            code="not_mobile",
        )
    return e164
