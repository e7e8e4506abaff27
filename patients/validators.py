from django.core.exceptions import ValidationError


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
        raise ValidationError("An NHS number is 10 digits, like 943 476 5919.", code="format")
    if not nhs_number_is_valid(digits):
        raise ValidationError(
            "This is not a valid NHS number: check each digit (the last digit does not match).",
            code="check_digit",
        )
