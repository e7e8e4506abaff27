"""How many SMS segments a text costs: GSM-7 when every character is in the GSM 03.38 alphabet
(160 characters in one segment, 153 a segment when split), otherwise UCS-2 (70, or 67 a
segment). Welsh's circumflexed letters (â ê î ô û ŵ ŷ) and curly quotes are not in GSM-7, so one
of them turns the whole text into UCS-2 and can double its segments."""

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Each costs two characters (an escape, then the character).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"


def sms_encoding(text: str) -> str:
    """GSM-7 if every character has a GSM-7 code, else UCS-2."""
    allowed = GSM7_BASIC | GSM7_EXTENSION
    return GSM7 if all(ch in allowed for ch in text) else UCS2


def sms_segments(text: str) -> tuple[str, int]:
    """The encoding a text needs and how many segments it is sent in."""
    encoding = sms_encoding(text)
    if encoding == GSM7:
        length = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi = 160, 153
    else:
        # Characters outside the Basic Multilingual Plane take two UTF-16 units.
        length = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, multi = 70, 67
    if length <= single:
        return encoding, 1
    return encoding, -(-length // multi)


def sms_problem_characters(text: str) -> str:
    """The characters that force UCS-2, once each, in order: what to reword."""
    allowed = GSM7_BASIC | GSM7_EXTENSION
    return "".join(dict.fromkeys(ch for ch in text if ch not in allowed))
