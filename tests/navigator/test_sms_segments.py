"""Welsh texts cost no more than English ones: each patient text message is rendered in both
languages with a realistic link and measured (GSM-7 or UCS-2, and segments).

Welsh's circumflexed letters (â ê î ô û ŵ ŷ) and curly apostrophes are not in GSM-7: one of
them makes the whole text UCS-2 (70 characters a segment instead of 160). So the Welsh of each
text message is worded without them ("gwasanaeth cymorth canser" rather than "tîm", "cysylltu
gyda chi" rather than "â chi", "teimlo'n wael" rather than "sâl"), and must stay GSM-7 and
within the English's number of segments, except where listed below with the reason.
"""

import datetime as dt
import uuid

import pytest

from appointments.reminders import reminder_context
from navigator.messaging.segments import (
    GSM7,
    UCS2,
    sms_encoding,
    sms_problem_characters,
    sms_segments,
)
from navigator.messaging.services import _render
from navigator.time import LONDON
from patients import links

SITE = "https://cancer-navigator.nhs.wales"
HOME = links.home_link(case_id=uuid.uuid4(), section=links.COMING_UP)
INVITATION = "/cases/invitation/" + "x" * 43 + "/"

# Texts allowed more segments in Welsh than in English, and why. Empty today: every Welsh text
# fits in as many segments as its English.
MORE_SEGMENTS_IN_WELSH: dict[str, str] = {}
# Texts allowed to be UCS-2 in Welsh, and why. Empty today.
UCS2_IN_WELSH: dict[str, str] = {}

STAFF_TEXTS = {"flag_escalated"}  # to a team lead, in English


def _context(kind: str, language: str) -> dict:
    if kind == "appointment_reminder":

        class Item:  # what reminder_context reads of a tracked item
            starts_at = dt.datetime(2026, 12, 9, 14, 30, tzinfo=LONDON)
            location = "Outpatients B, Northshire General"
            what_to_bring = "your medicines"
            case_id = uuid.uuid4()

        return reminder_context(Item(), language=language)  # type: ignore[arg-type]
    if kind == "chase_patient":
        return {"link": HOME, "what": "your test or scan result"}
    if kind in ("invitation", "patient_invitation", "carer_invitation"):
        return {"link": INVITATION}
    if kind == "sign_in_code":
        return {"code": "123456"}
    if kind == "signpost":
        return {"link": HOME, "phone": "01632 960123"}
    if kind == "signpost_feedback_thanks":
        return {"helped": False}
    if kind == "feedback_survey_one":  # the answers by number, in the reader's language
        choices = {
            "en": "1 very good, 2 good, 3 fair, 4 poor, 5 very poor",
            "cy": "1 da iawn, 2 da, 3 gweddol, 4 gwael, 5 gwael iawn",
        }
        return {"link": HOME, "choices": choices[language]}
    return {"link": HOME}


def patient_texts() -> list[str]:
    from django.conf import settings

    folder = settings.BASE_DIR / "templates" / "sms"
    return sorted({p.stem for p in folder.glob("*.txt")} - STAFF_TEXTS)


def _text(kind: str, language: str) -> str:
    return _render(kind=kind, channel="sms", language=language, context=_context(kind, language))[1]


@pytest.mark.parametrize("kind", patient_texts())
def test_the_welsh_text_costs_no_more_than_the_english(kind, settings):
    settings.SITE_URL = SITE
    english, welsh = _text(kind, "en"), _text(kind, "cy")
    assert welsh != english, "the Welsh text is missing: it came out in English"
    en_encoding, en_segments = sms_segments(english)
    cy_encoding, cy_segments = sms_segments(welsh)
    assert en_encoding == GSM7
    if kind not in UCS2_IN_WELSH:
        assert (cy_encoding, sms_problem_characters(welsh)) == (GSM7, ""), welsh
    if kind not in MORE_SEGMENTS_IN_WELSH:
        assert cy_segments <= en_segments, f"{welsh!r} ({len(welsh)} characters)"


def test_the_reminders_day_is_in_welsh(settings):
    settings.SITE_URL = SITE
    text = _text("appointment_reminder", "cy")
    assert "Mer 9 Rhag am 2:30yp" in text and "CADARNHAU" in text and "NEWID" in text


def test_segments_are_counted_as_networks_count_them():
    assert sms_segments("a" * 160) == (GSM7, 1)
    assert sms_segments("a" * 161) == (GSM7, 2)  # 153 a segment once split
    assert sms_segments("a" * 306) == (GSM7, 2)
    assert sms_segments("a" * 307) == (GSM7, 3)
    assert sms_segments("€" * 80) == (GSM7, 1)  # two characters each
    assert sms_segments("ŵ" + "a" * 69) == (UCS2, 1)
    assert sms_segments("ŵ" + "a" * 70) == (UCS2, 2)  # 67 a segment once split
    assert sms_encoding("Diolch, mae'n iawn") == GSM7
    assert sms_encoding("Diolch, mae’n iawn") == UCS2  # a curly apostrophe
    assert sms_problem_characters("tîm â sâl ŵ ŷ") == "îâŵŷ"
