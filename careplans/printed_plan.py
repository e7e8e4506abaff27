"""The printed care plan: its HTML from a template and its stylesheet, in English or Welsh,
standard or large print. Made into a PDF, and cached, by `careplans.services.printing`.

Speed (bench/pdf.py keeps an eye on the cost per page). Layout is plain blocks, on purpose:
WeasyPrint lays nested flex and grid out very slowly; an item is a heading and paragraphs with
no wrapping block, kept on one page by break rules in plan.css (see there). The running footer
is one @page margin box of fixed width, so WeasyPrint need not measure its text to share the
width out; the patient's name reaches it by `string-set`, so the stylesheet holds no patient
data and is parsed once per print size and language and reused (`plan_stylesheets`), and
warmed with a sample before the first fork (`navigator.pdf.font_config`).

The typeface is Liberation Sans (Arial's metrics, the NHS's fallback face; the Dockerfile
installs fonts-liberation), not DejaVu Sans. It covers Welsh (ŵ, ŷ and the other accents) and,
being narrower, sets the same text on fewer lines, and a plan's cost is per line of text
(WeasyPrint shapes each line with Pango two or three times, again to draw it, then writes every
glyph from Python). Measured by `python -m bench pdf` (CPU time in one warm process): the plan
went from about 70 to 65-68 ms, per_page_ratio from 3.60 to 3.41-3.49 (four runs). It still
prints on 4 pages in standard print and in Welsh, with the same page breaks; large print (17pt,
unchanged) on 6 pages instead of 8. The 2.5x target is still not met: what is left is the text
itself (about 110 lines over 4 pages, each page with its 16 margin-box slots and the footer);
nothing tried that keeps the printed plan as it is came near (see bench/README.md).

Translated through gettext (Welsh in locale/cy/LC_MESSAGES/django.po): the fixed labels
(LABELS), month names (Django's Welsh locale),
the owner of each item, the treatment summary's aim, and concern names where the checklist has
a Welsh text and the item still uses the checklist's wording. Text typed by people (goals,
actions, services, the treatment summary) is printed as typed.
"""

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from weasyprint import CSS

from careplans.models import CarePlan, OwnerKind, PlanItem, Signpost
from navigator.language import in_language as language_override
from navigator.pdf import css_string, stylesheet_load
from patients.models import Case, Patient, TreatmentSummary
from patients.services import treatment_summary_for_case

SIZES = ("standard", "large")
LANGUAGES = ("en", "cy")


LABELS: dict[str, Any] = {
    "title": _("My care plan"),
    "nhs_number": _("NHS number"),
    "born": _("Born"),
    "page": _("Page"),
    "of": _("of"),
    "version": _("Version"),
    "agreed_on": _("Agreed on"),
    "draft": _("Draft: not yet agreed"),
    "superseded": _("Replaced by a newer version"),
    "review_by": _("We will look at this plan again with you by"),
    "navigator": _("Your navigator"),
    "team_phone": _("Team phone"),
    "email": _("Email"),
    "concern": _("Concern"),
    "goal": _("Goal"),
    "actions": _("What will happen"),
    "who": _("Who"),
    "by_when": _("By when"),
    "to_be_agreed": _("To be agreed"),
    "outcome": _("Outcome"),
    "services": _("Services that could help"),
    "services_heading": _("Services and how to contact them"),
    "phone": _("Phone"),
    "website": _("Website"),
    "how_to_refer": _("How to get in touch"),
    "other_concerns": _("Other things we talked about"),
    "nothing": _("There is nothing in this plan yet."),
    "urgent_heading": _("If you feel very unwell"),
    "urgent": _(
        "Call your acute oncology helpline on {line}, any time, day or night. In an emergency call 999."
    ),
    "urgent_short": _("Feeling very unwell? Call {line}, any time. Emergency: 999."),
    "no_advice": _("This plan is not medical advice."),
    "printed": _("Printed"),
    "treatment_summary": _("Treatment summary"),
    "diagnosis": _("Diagnosis"),
    "treatment_given": _("Treatment given"),
    "treatment_ended": _("Treatment ended on"),
    "intent": _("Aim of the treatment"),
    "side_effects": _("Side effects and late effects to watch for"),
    "red_flags": _("Red-flag symptoms and what to do"),
    "gp_actions": _("What the GP is asked to do"),
    "contacts": _("Who to contact"),
    "written_by": _("Written by"),
}


def labels_for(language: str) -> dict[str, str]:
    """The printed plan's fixed words in `language` ("en" or "cy"), from the gettext catalogue."""
    with language_override(language):
        return {key: str(text) for key, text in LABELS.items()}


@dataclass
class PrintedItem:
    concern: str
    goal: str
    actions: str
    owner: str
    due: str
    outcome: str
    priority: bool
    services: list[Signpost] = field(default_factory=list)


@dataclass
class Group:
    title: str
    items: list[PrintedItem] = field(default_factory=list)


def _date(value: dt.date | dt.datetime | None, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    with language_override(language):
        return formats.date_format(value, "j F Y")


def plan_groups(plan: CarePlan, language: str) -> list[Group]:
    """The plan's items grouped by the checklist's domain (physical, emotional, ...)."""
    labels = labels_for(language)
    items = (
        PlanItem.objects.filter(plan=plan)
        .select_related("owner_service", "concern__domain")
        # One query for the signposts with their services and organisations, not three.
        .prefetch_related(
            Prefetch(
                "signposts",
                queryset=Signpost.objects.select_related("service__organization"),
            )
        )
        .order_by("concern__domain__order", "-is_priority", "order")
    )
    groups: OrderedDict[Any, Group] = OrderedDict()
    others = Group(labels["other_concerns"])
    for item in items:
        concern = item.concern
        concern_text = item.concern_text
        if language == "cy" and concern and concern.text_cy and concern_text == concern.text:
            concern_text = concern.text_cy
        with language_override(language):
            owner = str(OwnerKind(item.owner_kind).label)
        if item.owner_kind == OwnerKind.SERVICE and item.owner_service:
            owner = item.owner_service.name
        printed = PrintedItem(
            concern=concern_text,
            goal=item.goal,
            actions=item.actions,
            owner=owner,
            due=_date(item.due_date, language) or labels["to_be_agreed"],
            outcome=item.outcome,
            priority=item.is_priority,
            services=list(item.signposts.all()),
        )
        if concern is None:
            others.items.append(printed)
            continue
        domain = concern.domain
        title = domain.title_cy if language == "cy" and domain.title_cy else domain.title
        groups.setdefault(domain.pk, Group(title)).items.append(printed)
    result = list(groups.values())
    if others.items:
        result.append(others)
    return result


def signposted_services(groups: list[Group]) -> list[Any]:
    """Every service the plan signposts, once each, in the order they first appear."""
    seen: dict[Any, Any] = {}
    for group in groups:
        for item in group.items:
            for signpost in item.services:
                seen.setdefault(signpost.service.pk, signpost.service)
    return list(seen.values())


def page_css(*, labels: dict[str, str], large: bool) -> str:
    """The @page rules: one footer on every page with who the plan is for (the `.identity`
    line, by string-set), page X of Y, and the urgent help line.

    Built here, not in the template, so every text is escaped as a CSS string. One margin box
    of fixed width: each box is laid out on every page, and with `width: auto` WeasyPrint lays
    its text out twice more to measure it (three boxes cost about a tenth of a plan's render).
    A standard page keeps the 46mm of margins it had with a header as well; large print's
    footer wraps to four lines, so it takes more."""
    size, top, bottom = ("16pt", "12mm", "40mm") if large else ("9pt", "16mm", "30mm")
    urgent = labels["urgent_short"].format(line=settings.URGENT_HELP_LINE)
    page = f" · {labels['page']} "
    return (
        f"@page {{ size: A4; margin: {top} 16mm {bottom} 16mm;"
        " font-family: 'Liberation Sans', sans-serif;"
        f" @bottom-left {{ content: string(identity) {css_string(page)} counter(page)"
        f" {css_string(' ' + labels['of'] + ' ')} counter(pages) '\\A ' {css_string(urgent)};"
        f" white-space: pre-wrap; width: 100%; font-size: {size}; vertical-align: top;"
        " padding-top: 2.5mm; border-top: 0.5pt solid #768692; } }"
        " .identity { string-set: identity content(text); }"
    )


# A sample with every kind of text the plan prints, laid out once per stylesheet so the fonts
# and sizes it uses are loaded before the first fork (see `navigator.pdf.font_config`).
_SAMPLE = (
    '<html lang="en-GB"><body class="{size}"><h1>Care plan</h1><p class="identity">Name</p>'
    "<h2>Contact</h2><h3>Concern</h3><p>Goal</p><p><strong>Draft</strong></p>"
    '<p class="small">Small</p></body></html>'
)


@lru_cache(maxsize=len(SIZES) * len(LANGUAGES) * 2)
def _plan_stylesheet(large: bool, language: str, help_line: str) -> CSS:
    css = page_css(labels=labels_for(language), large=large) + render_to_string(
        "careplans/pdf/plan.css"
    )
    return stylesheet_load(css, warm_up=_SAMPLE.format(size="large" if large else "standard"))


def plan_stylesheets(*, large: bool, language: str) -> list[CSS]:
    """The plan's stylesheet, parsed once per print size and language and reused."""
    return [_plan_stylesheet(large, language, settings.URGENT_HELP_LINE)]


def plan_context(*, plan: CarePlan, large: bool, language: str) -> dict[str, Any]:
    case: Case = plan.case
    patient = case.patient
    labels = labels_for(language)
    groups = plan_groups(plan, language)
    identity = (
        f"{patient.full_name} · {labels['nhs_number']} {patient.nhs_number_display} · "
        f"{labels['born']} {_date(patient.date_of_birth, language)}"
    )
    summary = treatment_summary_for_case(case)
    return {
        "summary": summary,
        "summary_intent": _intent(summary.intent, language) if summary else "",
        "summary_ended_on": _date(summary.treatment_ended_on, language) if summary else "",
        "summary_written_on": _date(summary.written_on, language) if summary else "",
        "plan": plan,
        "case": case,
        "patient": patient,
        "navigator": case.navigator,
        "team": case.team,
        "t": labels,
        "language": language,
        "large": large,
        "identity": identity,
        "groups": groups,
        "services": signposted_services(groups),
        "agreed_on": _date(plan.agreed_at, language),
        "review_by": _date(plan.review_date, language),
        "urgent": labels["urgent"].format(line=settings.URGENT_HELP_LINE),
        "title": f"{labels['title']}: {patient.full_name}",
        "service_name": settings.SERVICE_NAME,
    }


def _intent(intent: str, language: str) -> str:
    with language_override(language):
        return str(TreatmentSummary.Intent(intent).label) if intent else ""


def plan_html(*, plan: CarePlan, large: bool = False, language: str = "en") -> str:
    with language_override(language):
        return render_to_string(
            "careplans/pdf/plan.html", plan_context(plan=plan, large=large, language=language)
        )


def pdf_filename(plan: CarePlan, *, large: bool, language: str) -> str:
    parts = ["care-plan", f"v{plan.version}"]
    if large:
        parts.append("large-print")
    if language != "en":
        parts.append(language)
    return "-".join(parts) + ".pdf"


def print_settings(patient: Patient) -> tuple[bool, str]:
    """How a patient's plan is printed unless asked otherwise: large print, and language."""
    return patient.needs_large_print, patient.language if patient.language in LANGUAGES else "en"
