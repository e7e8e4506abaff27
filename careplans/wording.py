"""The words of the assessment pages and the paper form, in English and Welsh, in one place.

The questions themselves (questionnaire, domain and concern titles) are data, with their Welsh
alongside (`title_cy`, `text_cy`); this is the interface around them. A plain dict rather than
gettext: no compiled catalogues to build, and a translator reads and checks it in one file (as
careplans.printed_plan.LABELS does for the printed plan). Anything without a Welsh version falls back to
English.
"""

from typing import Any

ENGLISH = "en"
WELSH = "cy"
LANGUAGES = (ENGLISH, WELSH)

LABELS: dict[str, dict[str, str]] = {
    ENGLISH: {
        "back": "Back",
        "step": "Step {step} of {total}",
        "problem": "There is a problem",
        "error": "Error:",
        "concerns_hint": "Tick anything that has worried you in the past week. Then say how "
        "much, from 0 (not at all) to 10 (very much). If nothing here worries you, just "
        "continue.",
        "how_much": "How much does this bother you, from 0 to 10?",
        "matters_most": "This matters most to me",
        "save_continue": "Save and continue",
        "save_later": "Save and come back later",
        "rating_choose": "Choose how much “{text}” bothers you, from 0 to 10",
        "rating_range": "How much “{text}” bothers you must be a number from 0 to 10",
        "distress_heading": "How distressed have you felt in the past week?",
        "distress_hint": "0 means no distress at all. 10 means the worst distress you can imagine.",
        "distress_range": "Your distress score must be a number from 0 to 10",
        "distress_choose": "Choose a number from 0 to 10 for how distressed you have felt",
        "anything_else": "Is there anything else you want to tell us? (optional)",
        "anything_else_hint": "For example something not on the list, or a question for your "
        "navigator.",
        "check_heading": "Check your answers",
        "answers_heading": "Your answers",
        "sent_on": "Sent {date}.",
        "matters_most_tag": "Matters most",
        "out_of_10": "{n} out of 10",
        "change": "Change",
        "nothing_ticked": "Nothing ticked",
        "feeling_heading": "How you have been feeling",
        "distress_week": "Distress in the past week",
        "not_answered": "Not answered",
        "anything_else_short": "Anything else",
        "nothing": "Nothing",
        "send": "Send my answers",
        "switch": "Darllenwch hwn yn Gymraeg",
        "switch_to": WELSH,
        # The paper form.
        "paper_caption": "Paper form",
        "paper_intro": "Fill this in with a pen, then give or post it to your cancer support "
        "team. We will type your answers in and agree a care plan with you.",
        "paper_how": "For each thing that has worried you in the past week, circle how much, "
        "from 0 (not at all) to 10 (very much). Leave it blank if it has not worried you. Tick "
        "the box by the ones that matter most to you.",
        "name": "Name",
        "nhs_number": "NHS number",
        "date": "Date",
        "matters_most_box": "Matters most",
        "priorities_heading": "Which of your concerns matter most?",
        "priorities_hint": "Tick them above, or write them here.",
        "version": "Form {code}, version {version}",
        "office_use": "For the cancer support team: keyed in by ______________ on ___________",
        "print": "Print this form",
        "print_hint": "Use your browser's print option. On a phone, use Share and then Print.",
        "paper_return": "Please give or post it to {team}.",
        "phone": "Phone",
        "pdf": "Download it as a PDF",
    },
    WELSH: {
        "back": "Yn ôl",
        "step": "Cam {step} o {total}",
        "problem": "Mae yna broblem",
        "error": "Gwall:",
        "concerns_hint": "Ticiwch unrhyw beth sydd wedi eich poeni yn ystod yr wythnos "
        "ddiwethaf. Yna dywedwch faint, o 0 (dim o gwbl) i 10 (yn fawr iawn). Os nad oes dim "
        "byd yma yn eich poeni, ewch ymlaen.",
        "how_much": "Faint mae hyn yn eich poeni, o 0 i 10?",
        "matters_most": "Mae hyn yn bwysicaf i mi",
        "save_continue": "Cadw a pharhau",
        "save_later": "Cadw a dod yn ôl yn nes ymlaen",
        "rating_choose": "Dewiswch faint mae “{text}” yn eich poeni, o 0 i 10",
        "rating_range": "Rhaid i faint mae “{text}” yn eich poeni fod yn rhif o 0 i 10",
        "distress_heading": "Pa mor ofidus ydych chi wedi teimlo yn ystod yr wythnos ddiwethaf?",
        "distress_hint": "Mae 0 yn golygu dim gofid o gwbl. Mae 10 yn golygu'r gofid gwaethaf "
        "y gallwch ei ddychmygu.",
        "distress_range": "Rhaid i'ch sgôr gofid fod yn rhif o 0 i 10",
        "distress_choose": "Dewiswch rif o 0 i 10 i ddangos pa mor ofidus rydych chi wedi teimlo",
        "anything_else": "Oes unrhyw beth arall rydych chi am ei ddweud wrthym? (dewisol)",
        "anything_else_hint": "Er enghraifft, rhywbeth sydd ddim ar y rhestr, neu gwestiwn i'ch "
        "llywiwr.",
        "check_heading": "Gwiriwch eich atebion",
        "answers_heading": "Eich atebion",
        "sent_on": "Anfonwyd {date}.",
        "matters_most_tag": "Pwysicaf",
        "out_of_10": "{n} allan o 10",
        "change": "Newid",
        "nothing_ticked": "Dim wedi'i dicio",
        "feeling_heading": "Sut rydych chi wedi bod yn teimlo",
        "distress_week": "Gofid yn ystod yr wythnos ddiwethaf",
        "not_answered": "Heb ei ateb",
        "anything_else_short": "Unrhyw beth arall",
        "nothing": "Dim",
        "send": "Anfon fy atebion",
        "switch": "Read this in English",
        "switch_to": ENGLISH,
        "paper_caption": "Ffurflen bapur",
        "paper_intro": "Llenwch hon gyda beiro, yna rhowch hi neu ei phostio i'ch tîm cymorth "
        "canser. Byddwn yn teipio eich atebion ac yn cytuno ar gynllun gofal gyda chi.",
        "paper_how": "Ar gyfer pob peth sydd wedi eich poeni yn ystod yr wythnos ddiwethaf, "
        "rhowch gylch o amgylch faint, o 0 (dim o gwbl) i 10 (yn fawr iawn). Gadewch yn wag os "
        "nad yw wedi eich poeni. Ticiwch y blwch wrth y rhai sydd bwysicaf i chi.",
        "name": "Enw",
        "nhs_number": "Rhif GIG",
        "date": "Dyddiad",
        "matters_most_box": "Pwysicaf",
        "priorities_heading": "Pa rai o'ch pryderon sydd bwysicaf?",
        "priorities_hint": "Ticiwch nhw uchod, neu ysgrifennwch nhw yma.",
        "version": "Ffurflen {code}, fersiwn {version}",
        "office_use": "I'r tîm cymorth canser: teipiwyd gan ______________ ar ___________",
        "print": "Argraffu'r ffurflen hon",
        "print_hint": "Defnyddiwch yr opsiwn argraffu yn eich porwr. Ar ffôn, defnyddiwch "
        "Rhannu ac yna Argraffu.",
        "paper_return": "Rhowch hi neu ei phostio i {team}.",
        "phone": "Ffôn",
        "pdf": "Ei lawrlwytho fel PDF",
    },
}


def labels(language: str) -> dict[str, str]:
    """The interface words in `language`, English for any word not translated."""
    return {**LABELS[ENGLISH], **LABELS.get(language, {})}


def in_language(obj: Any, field: str, language: str) -> str:
    """A questionnaire, domain or concern's `field` in `language`: the Welsh text where the
    data has one, else the English."""
    if language == WELSH:
        welsh = getattr(obj, f"{field}_cy", "")
        if welsh:
            return str(welsh)
    return str(getattr(obj, field))
