"""The patient's text of the day names what is chased in their language, however many things."""

from appointments.services.chase_nudges import _phrases

RESULT, SUMMARY, REVIEW, CHECK_IN = (
    "your test or scan result",
    "your treatment summary",
    "a review with your GP",
    "a check-in with you",
)


def test_english_phrases_join_as_before():
    assert _phrases([RESULT]) == RESULT
    assert _phrases([RESULT, SUMMARY, RESULT]) == f"{RESULT} and {SUMMARY}"
    assert (
        _phrases([RESULT, SUMMARY, REVIEW, CHECK_IN]) == f"{RESULT}, {SUMMARY} and 2 other things"
    )


def test_welsh_phrases_are_translated_then_joined():
    assert _phrases([RESULT, SUMMARY], language="cy") == (
        "canlyniad eich prawf neu sgan a hefyd crynodeb eich triniaeth"
    )
    assert _phrases([RESULT, SUMMARY, REVIEW, CHECK_IN], language="cy") == (
        "canlyniad eich prawf neu sgan, crynodeb eich triniaeth a hefyd 2 peth arall"
    )
