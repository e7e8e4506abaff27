"""The words of the assessment pages and the paper form, in one place, in English; their Welsh
is in the gettext catalogue (locale/cy/LC_MESSAGES/django.po) with every other page's.

The questions themselves (questionnaire, domain and concern titles) are data, with their Welsh
alongside (`title_cy`, `text_cy`); this is the interface around them. An assessment is shown in
its own language (`Assessment.language`), which may not be the page's, so the views ask for
the words in it by `labels(language)`.
"""

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from navigator.language import in_language as language_override

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ENGLISH = "en"
WELSH = "cy"
LANGUAGES = (ENGLISH, WELSH)

LABELS: dict[str, "StrOrPromise"] = {
    "back": _("Back"),
    "step": _("Step {step} of {total}"),
    "problem": _("There is a problem"),
    "error": _("Error:"),
    "concerns_hint": _(
        "Tick anything that has worried you in the past week. Then say how much, from 0 (not at all) to 10 (very much). If nothing here worries you, just continue."
    ),
    "how_much": _("How much does this bother you, from 0 to 10?"),
    "matters_most": _("This matters most to me"),
    "save_continue": _("Save and continue"),
    "save_later": _("Save and come back later"),
    "rating_choose": _("Choose how much “{text}” bothers you, from 0 to 10"),
    "rating_range": _("How much “{text}” bothers you must be a number from 0 to 10"),
    "distress_heading": _("How distressed have you felt in the past week?"),
    "distress_hint": _("0 means no distress at all. 10 means the worst distress you can imagine."),
    "distress_range": _("Your distress score must be a number from 0 to 10"),
    "distress_choose": _("Choose a number from 0 to 10 for how distressed you have felt"),
    "anything_else": _("Is there anything else you want to tell us? (optional)"),
    "anything_else_hint": _(
        "For example something not on the list, or a question for your navigator."
    ),
    "check_heading": _("Check your answers"),
    "answers_heading": _("Your answers"),
    "sent_on": _("Sent {date}."),
    "matters_most_tag": _("Matters most"),
    "out_of_10": _("{n} out of 10"),
    "change": _("Change"),
    "nothing_ticked": _("Nothing ticked"),
    "feeling_heading": _("How you have been feeling"),
    "distress_week": _("Distress in the past week"),
    "not_answered": _("Not answered"),
    "anything_else_short": _("Anything else"),
    "nothing": _("Nothing"),
    "send": _("Send my answers"),
    "paper_caption": _("Paper form"),
    "paper_intro": _(
        "Fill this in with a pen, then give or post it to your cancer support team. We will type your answers in and agree a care plan with you."
    ),
    "paper_how": _(
        "For each thing that has worried you in the past week, circle how much, from 0 (not at all) to 10 (very much). Leave it blank if it has not worried you. Tick the box by the ones that matter most to you."
    ),
    "name": _("Name"),
    "nhs_number": _("NHS number"),
    "date": _("Date"),
    "matters_most_box": _("Matters most"),
    "priorities_heading": _("Which of your concerns matter most?"),
    "priorities_hint": _("Tick them above, or write them here."),
    "version": _("Form {code}, version {version}"),
    "office_use": _("For the cancer support team: keyed in by ______________ on ___________"),
    "print": _("Print this form"),
    "print_hint": _("Use your browser's print option. On a phone, use Share and then Print."),
    "paper_return": _("Please give or post it to {team}."),
    "phone": _("Phone"),
    "pdf": _("Download it as a PDF"),
}

# The switch offers the other language, named in that language, so it is not translated.
SWITCH = {
    ENGLISH: {"switch": "Darllenwch hwn yn Gymraeg", "switch_to": WELSH},
    WELSH: {"switch": "Read this in English", "switch_to": ENGLISH},
}


def labels(language: str) -> dict[str, str]:
    """The interface words in `language` ("en" or "cy"), from the gettext catalogue."""
    with language_override(language):
        words = {key: str(text) for key, text in LABELS.items()}
    return {**words, **SWITCH.get(language, SWITCH[ENGLISH])}


def in_language(obj: Any, field: str, language: str) -> str:
    """A questionnaire, domain or concern's `field` in `language`: the Welsh text where the
    data has one, else the English."""
    if language == WELSH:
        welsh = getattr(obj, f"{field}_cy", "")
        if welsh:
            return str(welsh)
    return str(getattr(obj, field))
