"""The readable summary in a copy of a person's record: one PDF, in the language of the person
who asked, with what they may see of each case (who the patient is, the case, care team and
named navigator, what happened, assessments and care plans, appointments, results and
referrals being tracked, when messages were sent, and the documents).

Printed through the same door and with the same NHS.UK print styles as the care plan
(`navigator.pdf.render_pdf`, `careplans.printed_plan.plan_stylesheets`): the footer names the
patient on every page and gives the urgent help line. Text people typed is printed as typed,
escaped by the template.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from appointments.models import TrackedItem
from appointments.selectors import PATIENT_ITEM_KINDS, case_tracked_items
from careplans.models import Assessment, CarePlan
from careplans.printed_plan import LANGUAGES, plan_stylesheets
from navigator.accounts.models import User
from navigator.language import in_language
from navigator.pdf import render_pdf
from patients.models import CareTeamMember, Case, CaseDocument, CaseMessage, Patient, TimelineEvent
from patients.selectors import (
    care_team_for_case,
    documents_visible,
    messages_for_case,
    timeline_for_case,
)

LABELS: dict[str, Any] = {
    "title": _("A copy of your record"),
    "made_on": _("Made on"),
    "for_whom": _("Asked for by"),
    "about": _(
        "This is what your cancer support team keeps about you. The file record.json in the "
        "same folder holds the same record in the standard form health services use (FHIR)."
    ),
    "you": _("About you"),
    "name": _("Name"),
    "nhs_number": _("NHS number"),
    "born": _("Born"),
    "phone": _("Phone"),
    "email": _("Email"),
    "not_given": _("Not given"),
    "case": _("Your care"),
    "cancer": _("Cancer"),
    "diagnosed": _("Diagnosed"),
    "status": _("Status"),
    "navigator": _("Your navigator"),
    "team": _("Team"),
    "care_team": _("Your care team"),
    "timeline": _("What has happened"),
    "assessments": _("Your needs assessments"),
    "started": _("Started"),
    "sent": _("Sent"),
    "not_sent": _("Not sent"),
    "distress": _("Distress score (0 to 10)"),
    "plans": _("Your care plans"),
    "version": _("Version"),
    "agreed_on": _("Agreed on"),
    "goal": _("Goal"),
    "tracked": _("Appointments, results and referrals"),
    "expected_by": _("Expected by"),
    "messages": _("Messages"),
    "messages_note": _("When messages were sent and by whom. What they said is in record.json."),
    "from_team": _("From the care team"),
    "from_you": _("From you or your carer"),
    "documents": _("Letters and documents"),
    "documents_note": _("The files are in the documents folder of this copy."),
    "none": _("None"),
}


@dataclass
class CaseSummary:
    case: Case
    care_team: list[CareTeamMember]
    events: list[TimelineEvent]
    assessments: list[Assessment]
    plans: list[CarePlan]
    items: list[TrackedItem]
    messages: list[CaseMessage]
    documents: list[CaseDocument]
    extra: dict[str, Any] = field(default_factory=dict)


def case_summary(*, case: Case, user: User) -> CaseSummary:
    """What `user` may see of one case, for the summary: the staff on the case everything, the
    patient's side what their own pages show them (shared events, shared documents, the
    appointments, results and referrals they are shown)."""
    staff = user.has_perm("patients.change_case", case)
    items = case_tracked_items(case=case)
    if not staff:
        items = [i for i in items if i.kind in PATIENT_ITEM_KINDS]
    return CaseSummary(
        case=case,
        care_team=list(care_team_for_case(case=case)),
        events=list(timeline_for_case(case=case, shared_only=not staff)),
        assessments=list(
            Assessment.objects.filter(case=case)
            .select_related("questionnaire")
            .order_by("-started_at")
        ),
        plans=list(
            CarePlan.objects.filter(case=case).prefetch_related("items").order_by("-version")
        ),
        items=items,
        messages=list(messages_for_case(case=case)),
        documents=list(documents_visible(case=case, user=user)),
    )


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "j F Y")


def summary_language(user: User) -> str:
    language = getattr(user, "language", "en")
    return language if language in LANGUAGES else "en"


def summary_html(
    *, patient: Patient, cases: list[CaseSummary], requested_by: User, language: str
) -> str:
    with in_language(language):
        labels = {key: str(value) for key, value in LABELS.items()}
        identity = (
            f"{patient.full_name} · {labels['nhs_number']} {patient.nhs_number_display} · "
            f"{labels['born']} {_date(patient.date_of_birth)}"
        )
        return render_to_string(
            "caseload/pdf/record.html",
            {
                "t": labels,
                "language": language,
                "patient": patient,
                "born": _date(patient.date_of_birth),
                "identity": identity,
                "made_on": _date(timezone.now()),
                "requested_by": requested_by.get_full_name() or requested_by.email,
                "cases": cases,
                "service_name": settings.SERVICE_NAME,
            },
        )


def summary_pdf(
    *, patient: Patient, cases: list[CaseSummary], requested_by: User, language: str
) -> bytes:
    """The summary as a tagged PDF, in the care plan's print styles (large print when the
    patient needs it)."""
    html = summary_html(patient=patient, cases=cases, requested_by=requested_by, language=language)
    return render_pdf(
        html, stylesheets=plan_stylesheets(large=patient.needs_large_print, language=language)
    )
