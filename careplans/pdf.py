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
prints from outside the plan (the patient's and navigator's names and contact details, the
version of the case's treatment summary), for a day; agreed versions never change, so most
prints after the first are served from the cache. The nightly batch of plans due for review
(`plans_due_for_review_render`) fills the same cache, claiming each PDF before making it.

Speed (bench/pdf.py keeps an eye on the cost per page). Layout is plain blocks, on purpose:
WeasyPrint lays nested flex and grid out very slowly; an item is a heading and paragraphs with
no wrapping block, kept on one page by break rules in plan.css (see there). The running footer
is one @page margin box of fixed width, so WeasyPrint need not measure its text to share the
width out; the patient's name reaches it by `string-set`, so the stylesheet holds no patient
data and is parsed once per print size and language and reused (`plan_stylesheets`). Fonts are
loaded once per process into one `FontConfiguration` (`font_config`), warmed before the first
fork so every forked render inherits the loaded fonts; loading them afresh was a tenth or more
of a plan's render and half of a one-line page's. The forked child does without Python's cycle
collector. Fonts are subset by HarfBuzz (Debian's libharfbuzz-subset0; WeasyPrint falls back to
the much slower fontTools without it).

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

Translated: the fixed labels (LABELS, English and Welsh), month names (Django's Welsh locale),
the owner of each item, the treatment summary's aim, and concern names where the checklist has
a Welsh text and the item still uses the checklist's wording. Text typed by people (goals,
actions, services, the treatment summary) is printed as typed.
"""

import datetime as dt
import gc
import hashlib
import logging
import os
import posixpath
import select
import signal
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from careplans.models import CarePlan, OwnerKind, PlanItem, Signpost
from patients.models import Case, TreatmentSummary
from patients.services import treatment_summary_for_case

# The made-up origin documents are rendered against: "/static/x.css" becomes
# https://pdf.invalid/static/x.css, the only kind of URL the fetcher serves.
BASE_URL = "https://pdf.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
CACHE_SECONDS = 24 * 3600
# Plans read, and their cache entries looked up, at a time by the batch.
BATCH_SIZE = 100
# "Due for review" for printing: the review falls within this many days (or has passed).
REVIEW_DAYS_AHEAD = 14
# A batch's claim on one PDF outlives the render's time cap by this much.
CLAIM_MARGIN_SECONDS = 60
# Bump when the template or its CSS changes, so cached PDFs of the old layout are not served.
LAYOUT_VERSION = 4
SIZES = ("standard", "large")
LANGUAGES = ("en", "cy")


logger = logging.getLogger(__name__)


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


_fonts_lock = threading.Lock()
_fonts: FontConfiguration | None = None
# What the warm-up lays out: the weights the plan prints, so their faces are loaded once.
_WARM_UP = (
    '<html lang="en"><body style="font-family: \'Liberation Sans\', sans-serif">'
    "<p>Warm up</p><p><strong>Warm up</strong></p></body></html>"
)


def font_config() -> FontConfiguration:
    """This process's fonts, loaded on first use and kept (Pango caches the faces in it).

    Rendering with one configuration from several threads at once is not safe, so in a web or
    worker process only the warm-ups lay out with it, under the lock; renders for requests and
    tasks happen in forked children (`render_pdf`), each with its own copy of the warm fonts.
    `write_pdf` in this process (the benchmark, tests) is for single-threaded callers."""
    global _fonts
    with _fonts_lock:
        if _fonts is None:
            fonts = FontConfiguration()
            HTML(string=_WARM_UP).write_pdf(font_config=fonts)
            _fonts = fonts
        return _fonts


def write_pdf(
    html: str, *, stylesheets: Sequence[CSS] = (), fonts: FontConfiguration | None = None
) -> bytes:
    """Lay out `html` and return the PDF (tagged, PDF/UA-1), in this process, no time cap."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(
        pdf_variant="pdf/ua-1",
        attachments=None,
        stylesheets=list(stylesheets),
        font_config=fonts or font_config(),
    )


def render_pdf(
    html: str, *, stylesheets: Sequence[CSS] = (), timeout: float | None = None
) -> bytes:
    """`write_pdf` in a forked child, killed after `timeout` seconds (PDF_RENDER_TIMEOUT)."""
    limit = settings.PDF_RENDER_TIMEOUT if timeout is None else timeout
    # Taken before the fork and handed over, so the child never touches the lock. Forking
    # under the lock means no other thread of this process is laying out a warm-up at that
    # moment, so the child cannot inherit Pango or fontconfig half-way through a call.
    fonts = font_config()
    read_end, write_end = os.pipe()
    with _fonts_lock:
        pid = os.fork()
    if pid == 0:  # the child: render, write the answer, leave without any cleanup
        os.close(read_end)
        # The child leaves by os._exit straight after one render, so Python's cycle collector
        # would only be tidying memory about to be dropped (about a tenth of a plan's render).
        gc.disable()
        status = 1
        try:
            try:
                payload = b"\x00" + write_pdf(html, stylesheets=stylesheets, fonts=fonts)
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
        "treatment_summary": "Treatment summary",
        "diagnosis": "Diagnosis",
        "treatment_given": "Treatment given",
        "treatment_ended": "Treatment ended on",
        "intent": "Aim of the treatment",
        "side_effects": "Side effects and late effects to watch for",
        "red_flags": "Red-flag symptoms and what to do",
        "gp_actions": "What the GP is asked to do",
        "contacts": "Who to contact",
        "written_by": "Written by",
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
        "treatment_summary": "Crynodeb o'r driniaeth",
        "diagnosis": "Diagnosis",
        "treatment_given": "Y driniaeth a gafwyd",
        "treatment_ended": "Daeth y driniaeth i ben ar",
        "intent": "Nod y driniaeth",
        "side_effects": "Sgil-effeithiau ac effeithiau hwyr i gadw llygad amdanynt",
        "red_flags": "Symptomau rhybudd a beth i'w wneud",
        "gp_actions": "Beth y gofynnir i'r meddyg teulu ei wneud",
        "contacts": "Pwy i gysylltu â nhw",
        "written_by": "Ysgrifennwyd gan",
    },
}

INTENT_LABELS: dict[str, dict[str, str]] = {
    "en": dict(TreatmentSummary.Intent.choices),
    "cy": {
        TreatmentSummary.Intent.CURATIVE: "Iachaol: i dynnu'r canser neu ei wella",
        TreatmentSummary.Intent.NON_CURATIVE: "Heb fod yn iachaol: i reoli'r canser neu leddfu "
        "symptomau",
        TreatmentSummary.Intent.NOT_STATED: "Heb ei nodi gan y tîm triniaeth",
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
# and sizes it uses are loaded before the first fork (see `font_config`).
_SAMPLE = (
    '<html lang="en-GB"><body class="{size}"><h1>Care plan</h1><p class="identity">Name</p>'
    "<h2>Contact</h2><h3>Concern</h3><p>Goal</p><p><strong>Draft</strong></p>"
    '<p class="small">Small</p></body></html>'
)


@lru_cache(maxsize=len(SIZES) * len(LANGUAGES) * 2)
def _plan_stylesheet(large: bool, language: str, help_line: str) -> CSS:
    css = page_css(labels=LABELS[language], large=large) + render_to_string(
        "careplans/pdf/plan.css"
    )
    fonts = font_config()
    stylesheet = CSS(string=css, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    with _fonts_lock:
        sample = _SAMPLE.format(size="large" if large else "standard")
        HTML(string=sample).write_pdf(stylesheets=[stylesheet], font_config=fonts)
    return stylesheet


def plan_stylesheets(*, large: bool, language: str) -> list[CSS]:
    """The plan's stylesheet, parsed once per print size and language and reused."""
    return [_plan_stylesheet(large, language, settings.URGENT_HELP_LINE)]


def plan_context(*, plan: CarePlan, large: bool, language: str) -> dict[str, Any]:
    case: Case = plan.case
    patient = case.patient
    labels = LABELS[language]
    groups = plan_groups(plan, language)
    identity = (
        f"{patient.full_name} · {labels['nhs_number']} {patient.nhs_number_display} · "
        f"{labels['born']} {_date(patient.date_of_birth, language)}"
    )
    summary = treatment_summary_for_case(case)
    return {
        "summary": summary,
        "summary_intent": INTENT_LABELS[language].get(summary.intent, "") if summary else "",
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


def plan_html(*, plan: CarePlan, large: bool = False, language: str = "en") -> str:
    return render_to_string(
        "careplans/pdf/plan.html", plan_context(plan=plan, large=large, language=language)
    )


def _summary_version(case: Case) -> int | None:
    return TreatmentSummary.objects.filter(case=case).values_list("version", flat=True).first()


def _cache_key(plan: CarePlan, *, large: bool, language: str) -> str:
    return _key(plan, large=large, language=language, summary=_summary_version(plan.case))


def _key(plan: CarePlan, *, large: bool, language: str, summary: int | None) -> str:
    """The cache key of one print; `summary` is the version of the case's treatment summary."""
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
            summary,
        )
    )
    digest = hashlib.sha256(outside.encode()).hexdigest()[:16]
    stamp = plan.updated_at.timestamp() if plan.updated_at else 0
    size = "large" if large else "standard"
    return (
        f"careplan-pdf:{LAYOUT_VERSION}:{plan.pk}:{plan.lock_version}:{stamp}:{plan.status}"
        f":{size}:{language}:{digest}"
    )


def plan_pdf_render(*, plan: CarePlan, large: bool = False, language: str = "en") -> bytes:
    """Build the plan's HTML and render it in a forked child with the time cap (no cache)."""
    return render_pdf(
        plan_html(plan=plan, large=large, language=language),
        stylesheets=plan_stylesheets(large=large, language=language),
    )


def care_plan_pdf(*, plan: CarePlan, large: bool = False, language: str = "en") -> bytes:
    """The plan as a PDF, from the cache when this version was printed before."""
    if language not in LANGUAGES:
        raise ValueError(f"No printed plan in {language!r}; we print in {LANGUAGES}.")
    key = _cache_key(plan, large=large, language=language)
    cached = cache.get(key)
    if cached is not None:
        return bytes(cached)
    pdf = plan_pdf_render(plan=plan, large=large, language=language)
    _cache_pdf(key, pdf)
    return pdf


def _cache_pdf(key: str, pdf: bytes) -> None:
    """Cache a print, with a small marker saying it is ready (`plans_ready` reads the markers,
    not the PDFs)."""
    cache.set_many({key: pdf, f"{key}:ready": True}, CACHE_SECONDS)


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
    plans = printable_plans().filter(pk__in=plan_ids)
    done = 0
    for plan in plans:
        care_plan_pdf(plan=plan, large=large, language=language)
        done += 1
    return done


@dataclass(frozen=True)
class BatchReport:
    """What a batch did: PDFs made now, found in the cache, left to another worker that had
    claimed them, and failed (logged; the rest of the batch goes on)."""

    rendered: int = 0
    cached: int = 0
    claimed_elsewhere: int = 0
    failed: int = 0


def printable_plans() -> QuerySet[CarePlan]:
    """Care plans with the rows a print reads besides the plan (patient, navigator, team)."""
    return CarePlan.objects.select_related("case__patient", "case__navigator", "case__team")


def plans_due_for_review(*, days_ahead: int = REVIEW_DAYS_AHEAD) -> QuerySet[CarePlan]:
    """Agreed plans whose review falls within `days_ahead` days (or has passed), soonest first,
    with what printing them reads."""
    until = timezone.localdate() + dt.timedelta(days=days_ahead)
    return (
        printable_plans()
        .filter(status=CarePlan.Status.AGREED, review_date__lte=until)
        .order_by("review_date", "pk")
    )


def plans_due_for_review_render(*, days_ahead: int = REVIEW_DAYS_AHEAD) -> BatchReport:
    """Make and cache the PDF of every agreed plan due for review within `days_ahead` days, in
    each patient's language and print size, so the team can print them all at once."""
    return plans_render(plans_due_for_review(days_ahead=days_ahead))


def plans_render(plans: QuerySet[CarePlan]) -> BatchReport:
    """Make and cache the PDF of each of these plans in its patient's language and print size.

    Cached per plan version (and per the details printed from outside it), so a rerun renders
    nothing new. Each PDF is claimed in the cache before it is made (`cache.add`), so two
    workers running a batch at once never make the same one twice. The database is read a
    fixed number of times per BATCH_SIZE plans, however many are already cached.
    """
    counts: Counter[str] = Counter()
    for chunk in _chunks(plans.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
        prints = _prints(chunk)
        cached = cache.get_many([f"{key}:ready" for key in prints])
        counts["cached"] += len(cached)
        for key, (plan, large, language) in prints.items():
            if f"{key}:ready" not in cached:
                counts[_render_claimed(key, plan=plan, large=large, language=language)] += 1
    return BatchReport(**counts)


def plans_ready(plans: Sequence[CarePlan]) -> set[Any]:
    """The ids of these plans whose print (in their patient's language and size) is cached:
    one query for the treatment summaries and one cache read, however many plans."""
    prints = _prints(plans)
    ready = cache.get_many([f"{key}:ready" for key in prints])
    return {plan.pk for key, (plan, _, _) in prints.items() if f"{key}:ready" in ready}


def print_settings(patient: Any) -> tuple[bool, str]:
    """How a patient's plan is printed unless asked otherwise: large print, and language."""
    return patient.needs_large_print, patient.language if patient.language in LANGUAGES else "en"


def _prints(plans: Sequence[CarePlan]) -> dict[str, tuple[CarePlan, bool, str]]:
    """Each plan's print in its patient's settings, by cache key."""
    summaries = dict(
        TreatmentSummary.objects.filter(case_id__in={p.case_id for p in plans}).values_list(
            "case_id", "version"
        )
    )
    prints: dict[str, tuple[CarePlan, bool, str]] = {}
    for plan in plans:
        large, language = print_settings(plan.case.patient)
        key = _key(plan, large=large, language=language, summary=summaries.get(plan.case_id))
        prints[key] = (plan, large, language)
    return prints


def _chunks(items: Iterable[CarePlan], size: int) -> Iterator[list[CarePlan]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _render_claimed(key: str, *, plan: CarePlan, large: bool, language: str) -> str:
    claim = f"{key}:claim"
    if not cache.add(claim, os.getpid(), settings.PDF_RENDER_TIMEOUT + CLAIM_MARGIN_SECONDS):
        return "claimed_elsewhere"
    try:
        pdf = plan_pdf_render(plan=plan, large=large, language=language)
    except PdfRenderError:
        logger.warning("Could not print care plan %s in the batch", plan.pk, exc_info=True)
        return "failed"
    else:
        _cache_pdf(key, pdf)
        return "rendered"
    finally:
        cache.delete(claim)
