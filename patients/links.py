"""Links to the parts of the patient's home page that explain a nudge.

Every text or email to a patient or carer carries one link, and it must land on what the message
is about, after sign-in if need be. A fragment (`/#waiting`) does not survive the sign-in
redirects, so the link is a path of its own (`/home/<case>/<section>/`, the view `home_section`
in caseload), which sends a signed-in person on to that section of their home page. The case is
named by the first 8 hex digits of its id (`case_reference`), not all 36 characters: a text has
room for two segments, and a person sees only their own few cases, among which it is unique.
"""

from uuid import UUID

from django.urls import reverse

# The sections of the home page a nudge may point at (each is an `id` in caseload/home.html).
# What the team is waiting for or chasing for them (the chase text, the check-in text).
WAITING = "waiting"
# Booked appointments (the appointment reminder and the replies to it).
COMING_UP = "coming-up"
# An assessment the team would like them to fill in (the assessment offer).
ASSESSMENT = "assessment"
# The care plan, the draft to agree first.
CARE_PLAN = "care-plan"
# Messages from the team.
MESSAGES = "messages"
# A short feedback survey after a key moment (the feedback nudge).
FEEDBACK = "feedback"

SECTIONS = (WAITING, COMING_UP, ASSESSMENT, CARE_PLAN, MESSAGES, FEEDBACK)


def case_reference(case_id: UUID | str) -> str:
    """How a nudge's link names a case: the first 8 hex digits of its id."""
    return str(case_id).split("-")[0].lower()


def case_reference_range(reference: str) -> tuple[UUID, UUID]:
    """The ids a reference may stand for, lowest and highest: a range on the primary key,
    which reads the index."""
    return UUID(reference + "0" * 24), UUID(reference + "f" * 24)


def home_link(*, case_id: UUID | str, section: str) -> str:
    """The path of one section of one person's home page, for a nudge's `link`."""
    if section not in SECTIONS:
        raise ValueError(f"No such section of the home page: {section!r}")
    return reverse(
        "home_section", kwargs={"reference": case_reference(case_id), "section": section}
    )
