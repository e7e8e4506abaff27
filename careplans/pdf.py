"""Printed care plans: HTML from a template, made into a tagged PDF by WeasyPrint.

Safety. WeasyPrint's default fetcher opens any URL a document names (http, file, data) and can
embed local files as attachments. Ours (`StaticOnlyFetcher`) serves only our own static files,
found through Django's staticfiles finders by a normalised relative path; every other URL is
refused, so nothing is fetched over the network and no file outside the static folders is read.
All text from people (plan items, names, services) goes through Django's autoescaping, so a
typed `<img src=...>` is printed as text and never becomes markup the renderer would act on.

Time cap. Rendering runs in a forked child process that is killed after
settings.PDF_RENDER_TIMEOUT seconds (`PdfRenderError`), so a pathological document cannot hold
a web worker or a Celery worker for ever. The child only lays out the HTML it is given: it
touches no database or cache, and leaves by os._exit so it cannot close the parent's
connections.

Cache. A plan's PDF is cached per plan version, size and language, and also per the details it
prints from outside the plan (the patient's and navigator's names and contact details), for a
day; agreed versions never change, so most prints after the first are served from the cache.

Layout is plain blocks and floats, on purpose: WeasyPrint lays nested flex and grid out very
slowly (bench/pdf.py keeps an eye on the cost per page).

Translated: the fixed labels (LABELS, English and Welsh), month names (Django's Welsh locale),
the owner of each item, and concern names where the checklist has a Welsh text and the item
still uses the checklist's wording. Text typed by people (goals, actions, services) is printed as
typed.
"""

import datetime as dt
import hashlib
import os
import posixpath
import select
import signal
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from careplans.models import CarePlan, OwnerKind, PlanItem, Signpost
from patients.models import Case

# The made-up origin documents are rendered against: "/static/x.css" becomes
# https://pdf.invalid/static/x.css, the only kind of URL the fetcher serves.
BASE_URL = "https://pdf.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
CACHE_SECONDS = 24 * 3600
# Bump when the template or its CSS changes, so cached PDFs of the old layout are not served.
LAYOUT_VERSION = 1
SIZES = ("standard", "large")
LANGUAGES = ("en", "cy")


class PdfRenderError(Exception):
    """The PDF could not be made (too slow, or the renderer failed); nothing was cached."""


class StaticOnlyFetcher(URLFetcher):
    """Serves our own static files and refuses every other URL (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=["https"], allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = static_path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"Only our own static files may be used in a PDF, not {url[:80]!r}")
        found = finders.find(path)
        if not found or isinstance(found, list):
            self.refused.append(url)
            raise ValueError(f"No static file {path!r}")
        with open(found, "rb") as handle:
            body = handle.read()
        content_type = "text/css" if path.endswith(".css") else ""
        return URLFetcherResponse(url, body, {"Content-Type": content_type} if content_type else {})


def static_path(url: str) -> str | None:
    """The static file a URL names, as a clean relative path; None if it is not one."""
    if not url.startswith(STATIC_PREFIX):
        return None
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        return None
    relative = unquote(parts.path[len("/static/") :])
    if not relative or "\\" in relative or "\x00" in relative or relative.startswith("/"):
        return None
    normal = posixpath.normpath(relative)
    if normal != relative or normal.startswith("..") or "/../" in f"/{normal}/":
        return None
    return normal


def write_pdf(html: str) -> bytes:
    """Lay out `html` and return the PDF (tagged, PDF/UA-1), in this process, no time cap."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1", attachments=None)


def render_pdf(html: str, *, timeout: float | None = None) -> bytes:
    """`write_pdf` in a forked child, killed after `timeout` seconds (PDF_RENDER_TIMEOUT)."""
    limit = settings.PDF_RENDER_TIMEOUT if timeout is None else timeout
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render, write the answer, leave without any cleanup
        os.close(read_end)
        status = 1
        try:
            try:
                payload = b"\x00" + write_pdf(html)
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                payload = b"\x01" + f"{type(exc).__name__}: {exc}".encode()[:2000]
            view = memoryview(payload)
            while view:
                written = os.write(write_end, view)
                view = view[written:]
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limit
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                raise PdfRenderError(f"The PDF took longer than {limit:g} seconds to make.")
            ready, _, _ = select.select([read_end], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    data = b"".join(chunks)
    if not data or data[:1] != b"\x00":
        reason = data[1:].decode(errors="replace") if data else "the renderer stopped"
        raise PdfRenderError(f"The PDF could not be made: {reason}")
    return data[1:]


# The care plan -------------------------------------------------------------------------------

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "My care plan",
        "nhs_number": "NHS number",
        "born": "Born",
        "page": "Page",
        "of": "of",
        "version": "Version",
        "agreed_on": "Agreed on",
        "draft": "Draft: not yet agreed",
        "superseded": "Replaced by a newer version",
        "review_by": "We will look at this plan again with you by",
        "navigator": "Your navigator",
        "team_phone": "Team phone",
        "email": "Email",
        "concern": "Concern",
        "goal": "Goal",
        "actions": "What will happen",
        "who": "Who",
        "by_when": "By when",
        "to_be_agreed": "To be agreed",
        "outcome": "Outcome",
        "services": "Services that could help",
        "services_heading": "Services and how to contact them",
        "phone": "Phone",
        "website": "Website",
        "how_to_refer": "How to get in touch",
        "other_concerns": "Other things we talked about",
        "nothing": "There is nothing in this plan yet.",
        "urgent_heading": "If you feel very unwell",
        "urgent": "Call your acute oncology helpline on {line}, any time, day or night. "
        "In an emergency call 999.",
        "urgent_short": "Feeling very unwell? Call {line}, any time. Emergency: 999.",
        "no_advice": "This plan is not medical advice.",
        "printed": "Printed",
    },
    "cy": {
        "title": "Fy nghynllun gofal",
        "nhs_number": "Rhif GIG",
        "born": "Dyddiad geni",
        "page": "Tudalen",
        "of": "o",
        "version": "Fersiwn",
        "agreed_on": "Cytunwyd ar",
        "draft": "Drafft: heb ei gytuno eto",
        "superseded": "Mae fersiwn mwy newydd wedi cymryd ei le",
        "review_by": "Byddwn yn edrych ar y cynllun hwn eto gyda chi erbyn",
        "navigator": "Eich llywiwr",
        "team_phone": "Ffôn y tîm",
        "email": "E-bost",
        "concern": "Pryder",
        "goal": "Nod",
        "actions": "Beth fydd yn digwydd",
        "who": "Pwy",
        "by_when": "Erbyn pryd",
        "to_be_agreed": "I'w gytuno",
        "outcome": "Canlyniad",
        "services": "Gwasanaethau a allai helpu",
        "services_heading": "Gwasanaethau a sut i gysylltu â nhw",
        "phone": "Ffôn",
        "website": "Gwefan",
        "how_to_refer": "Sut i gysylltu",
        "other_concerns": "Pethau eraill y buom yn siarad amdanynt",
        "nothing": "Does dim byd yn y cynllun hwn eto.",
        "urgent_heading": "Os ydych chi'n teimlo'n sâl iawn",
        "urgent": "Ffoniwch eich llinell gymorth oncoleg acíwt ar {line}, unrhyw bryd, ddydd "
        "neu nos. Mewn argyfwng ffoniwch 999.",
        "urgent_short": "Yn teimlo'n sâl iawn? Ffoniwch {line}, unrhyw bryd. Argyfwng: 999.",
        "no_advice": "Nid cyngor meddygol yw'r cynllun hwn.",
        "printed": "Argraffwyd",
    },
}

OWNER_LABELS: dict[str, dict[str, str]] = {
    "en": dict(OwnerKind.choices),
    "cy": {
        OwnerKind.PATIENT: "Chi",
        OwnerKind.NAVIGATOR: "Eich llywiwr",
        OwnerKind.GP: "Eich meddyg teulu",
        OwnerKind.SERVICE: "Gwasanaeth cymorth",
    },
}


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: quotes, backslashes and line breaks escaped."""
    escaped = "".join(
        f"\\{ord(ch):x} " if ch in '"\\\n\r\f<>' or ord(ch) < 32 else ch for ch in text
    )
    return f'"{escaped}"'


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
    with translation.override(language):
        return formats.date_format(value, "j F Y")


def plan_groups(plan: CarePlan, language: str) -> list[Group]:
    """The plan's items grouped by the checklist's domain (physical, emotional, ...)."""
    labels = LABELS[language]
    items = (
        PlanItem.objects.filter(plan=plan)
        .select_related("owner_service", "concern__domain")
        .prefetch_related("signposts__service__organization")
        .order_by("concern__domain__order", "-is_priority", "order")
    )
    groups: OrderedDict[Any, Group] = OrderedDict()
    others = Group(labels["other_concerns"])
    for item in items:
        concern = item.concern
        concern_text = item.concern_text
        if language == "cy" and concern and concern.text_cy and concern_text == concern.text:
            concern_text = concern.text_cy
        owner = OWNER_LABELS[language].get(item.owner_kind, item.owner_kind)
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


def page_css(*, identity: str, labels: dict[str, str], large: bool) -> str:
    """The @page rules: who the plan is for at the top of every page, page X of Y at the foot.

    Built here, not in the template, so every text is escaped as a CSS string."""
    size = "16pt" if large else "9pt"
    urgent = labels["urgent_short"].format(line=settings.URGENT_HELP_LINE)
    return (
        "@page { size: A4; margin: 24mm 16mm 22mm 16mm;"
        f" @top-left {{ content: {css_string(identity)}; font-size: {size};"
        " font-family: 'DejaVu Sans', sans-serif; vertical-align: bottom; padding-bottom: 3mm;"
        " border-bottom: 0.5pt solid #768692; }"
        f" @bottom-left {{ content: {css_string(urgent)}; font-size: {size};"
        " font-family: 'DejaVu Sans', sans-serif; }"
        f" @bottom-right {{ content: {css_string(labels['page'] + ' ')} counter(page)"
        f" {css_string(' ' + labels['of'] + ' ')} counter(pages); font-size: {size};"
        " font-family: 'DejaVu Sans', sans-serif; } }"
    )


def plan_context(*, plan: CarePlan, large: bool, language: str) -> dict[str, Any]:
    case: Case = plan.case
    patient = case.patient
    labels = LABELS[language]
    groups = plan_groups(plan, language)
    identity = (
        f"{patient.full_name} · {labels['nhs_number']} {patient.nhs_number_display} · "
        f"{labels['born']} {_date(patient.date_of_birth, language)}"
    )
    return {
        "plan": plan,
        "case": case,
        "patient": patient,
        "navigator": case.navigator,
        "team": case.team,
        "t": labels,
        "language": language,
        "large": large,
        "identity": identity,
        "page_css": page_css(identity=identity, labels=labels, large=large),
        "groups": groups,
        "services": signposted_services(groups),
        "agreed_on": _date(plan.agreed_at, language),
        "review_by": _date(plan.review_date, language),
        "urgent": labels["urgent"].format(line=settings.URGENT_HELP_LINE),
        "title": f"{labels['title']}: {patient.full_name}",
        "service_name": settings.SERVICE_NAME,
    }


def plan_html(*, plan: CarePlan, large: bool = False, language: str = "en") -> str:
    return render_to_string(
        "careplans/pdf/plan.html", plan_context(plan=plan, large=large, language=language)
    )


def _cache_key(plan: CarePlan, *, large: bool, language: str) -> str:
    case = plan.case
    patient = case.patient
    navigator = case.navigator
    # Everything printed from outside the plan version, so a change to it makes a new PDF.
    outside = "|".join(
        str(part)
        for part in (
            patient.given_name,
            patient.family_name,
            patient.nhs_number,
            patient.date_of_birth,
            navigator.pk,
            navigator.get_full_name(),
            navigator.email,
            case.team.name,
            case.team.phone,
            settings.URGENT_HELP_LINE,
        )
    )
    digest = hashlib.sha256(outside.encode()).hexdigest()[:16]
    stamp = plan.updated_at.timestamp() if plan.updated_at else 0
    size = "large" if large else "standard"
    return (
        f"careplan-pdf:{LAYOUT_VERSION}:{plan.pk}:{plan.lock_version}:{stamp}:{plan.status}"
        f":{size}:{language}:{digest}"
    )


def care_plan_pdf(*, plan: CarePlan, large: bool = False, language: str = "en") -> bytes:
    """The plan as a PDF, from the cache when this version was printed before."""
    if language not in LANGUAGES:
        raise ValueError(f"No printed plan in {language!r}; we print in {LANGUAGES}.")
    key = _cache_key(plan, large=large, language=language)
    cached = cache.get(key)
    if cached is not None:
        return bytes(cached)
    pdf = render_pdf(plan_html(plan=plan, large=large, language=language))
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def pdf_filename(plan: CarePlan, *, large: bool, language: str) -> str:
    parts = ["care-plan", f"v{plan.version}"]
    if large:
        parts.append("large-print")
    if language != "en":
        parts.append(language)
    return "-".join(parts) + ".pdf"


# Batches (run by Celery: careplans.tasks) ------------------------------------------------------


def plan_pdfs_render(*, plan_ids: list[Any], large: bool = False, language: str = "en") -> int:
    """Make and cache the PDFs of these plans; returns how many were made or already cached."""
    plans = CarePlan.objects.filter(pk__in=plan_ids).select_related(
        "case__patient", "case__navigator", "case__team"
    )
    done = 0
    for plan in plans:
        care_plan_pdf(plan=plan, large=large, language=language)
        done += 1
    return done


def plans_due_for_review_render(*, days_ahead: int = 14) -> int:
    """Make and cache the PDF of every agreed plan due for review within `days_ahead` days, in
    each patient's language and print size. Cached per version, so running it twice (or on two
    workers) renders each plan once and the second run only reads the cache."""
    until = timezone.localdate() + dt.timedelta(days=days_ahead)
    plans = (
        CarePlan.objects.filter(status=CarePlan.Status.AGREED, review_date__lte=until)
        .select_related("case__patient", "case__navigator", "case__team")
        .order_by("review_date")
    )
    done = 0
    for plan in plans.iterator(chunk_size=100):
        patient = plan.case.patient
        language = patient.language if patient.language in LANGUAGES else "en"
        care_plan_pdf(plan=plan, large=patient.needs_large_print, language=language)
        done += 1
    return done
