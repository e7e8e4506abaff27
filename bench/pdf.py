"""Care plan PDF: the time per page of a typical plan against a trivial one-page document.

Both are rendered in this warm process by the same WeasyPrint call
(`navigator.pdf.render_pdf_in_process`: our fetcher, PDF/UA tagging, the process's shared
fonts), after warm-up renders, and timed over `rounds` renders each, in alternation; the figure
is the median. The plan is printed as a request prints it: HTML built from the database, and the
plan's stylesheet, parsed once (`plan_stylesheets`); the trivial page is one line with no
stylesheet of its own. Rendering is single-threaded CPU work, so it is timed by this process's
CPU time (`time.process_time`): on a shared machine wall time swung the ratio from 3 to 5.5
between runs, CPU time by a few tenths. `per_page_ratio` = (plan median / plan pages) / trivial
median: how much dearer a page of a real plan is than the cheapest page there is. Target: within
2.5.

Progress lines break each document's time into steps (`_phases`), and give the same figure
through `render_pdf` (the forked child with the time cap, the path a request takes), in wall
time (the child's CPU is not this process's); forking adds the same fixed cost to both
documents, which flatters that ratio, so it is not the summary figure.
"""

import datetime as dt
import gc
import io
import statistics
import time
from collections.abc import Callable

from django.utils import timezone
from pypdf import PdfReader
from weasyprint import CSS, HTML

from bench.harness import progress
from careplans.models import (
    CarePlan,
    Concern,
    DirectoryOrganization,
    DirectoryService,
    OwnerKind,
    PlanItem,
    Signpost,
)
from careplans.printed_plan import plan_html, plan_stylesheets
from navigator.accounts.models import Role, User
from navigator.organisations.models import Organisation, Team
from navigator.pdf import (
    BASE_URL,
    StaticOnlyFetcher,
    font_config,
    render_pdf,
    render_pdf_in_process,
)
from patients.models import Case, Patient

TRIVIAL = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Trivial</title>'
    "</head><body><p>One short line of text.</p></body></html>"
)
# A typical plan: about a dozen concerns with full goals and actions, as an HNA leaves it.
TYPICAL_ITEMS = 12
WARMUP = 2


def run(*, requests: int) -> dict[str, object]:
    rounds = max(3, min(requests // 100, 30))
    plan = _typical_plan()
    stylesheets = plan_stylesheets(large=False, language="en")
    pages = len(
        PdfReader(
            io.BytesIO(render_pdf_in_process(plan_html(plan=plan), stylesheets=stylesheets))
        ).pages
    )
    progress("pdf", f"typical plan: {TYPICAL_ITEMS} items, {pages} pages; {rounds} rounds each")

    plan_s, trivial_s = _medians(
        lambda: render_pdf_in_process(plan_html(plan=plan), stylesheets=stylesheets),
        lambda: render_pdf_in_process(TRIVIAL),
        rounds,
        clock=time.process_time,
    )
    ratio = (plan_s / pages) / trivial_s
    progress(
        "pdf",
        f"in process (CPU time): plan {plan_s * 1000:.0f} ms ({plan_s / pages * 1000:.0f} ms a page), "
        f"trivial page {trivial_s * 1000:.0f} ms, ratio a page {ratio:.2f}",
    )
    for name, phases in (
        ("plan", _phases(lambda: plan_html(plan=plan), stylesheets, rounds)),
        ("trivial page", _phases(lambda: TRIVIAL, [], rounds)),
    ):
        progress(
            "pdf",
            f"where the {name}'s time goes (CPU, median ms): "
            + ", ".join(f"{phase} {seconds * 1000:.1f}" for phase, seconds in phases.items()),
        )
    forked_plan, forked_trivial = _medians(
        lambda: render_pdf(plan_html(plan=plan), stylesheets=stylesheets),
        lambda: render_pdf(TRIVIAL),
        rounds,
    )
    progress(
        "pdf",
        f"forked with the time cap (wall time): plan {forked_plan * 1000:.0f} ms, trivial page "
        f"{forked_trivial * 1000:.0f} ms, ratio a page {(forked_plan / pages) / forked_trivial:.2f}",
    )
    return {"pages": pages, "per_page_ratio": round(ratio, 2)}


def _medians(
    plan: Callable[[], object],
    trivial: Callable[[], object],
    rounds: int,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[float, float]:
    """Median time of each by `clock`, timed in alternation so both see the same conditions."""
    samples: tuple[list[float], list[float]] = ([], [])
    for round_ in range(WARMUP + rounds):
        for action, times in zip((plan, trivial), samples, strict=True):
            start = clock()
            action()
            if round_ >= WARMUP:
                times.append(clock() - start)
    return statistics.median(samples[0]), statistics.median(samples[1])


def _phases(build: Callable[[], str], stylesheets: list[CSS], rounds: int) -> dict[str, float]:
    """Median CPU time of each step of one render: our HTML (template and queries), parsing
    it, styles and layout (WeasyPrint's `render`), then drawing and writing the PDF; and, across
    all the steps, Python's cycle collector (the forked child that requests use turns it off)."""
    fonts = font_config()
    samples: dict[str, list[float]] = {"html": [], "parse": [], "layout": [], "draw+write": []}
    collecting: list[float] = []
    collected = [0.0]

    def time_collections(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting.append(time.process_time())
        elif collecting:
            collected[0] += time.process_time() - collecting.pop()

    gc_times: list[float] = []
    gc.callbacks.append(time_collections)
    try:
        for round_ in range(WARMUP + rounds):
            collected[0] = 0.0
            marks = [time.process_time()]
            html = build()
            marks.append(time.process_time())
            document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
            marks.append(time.process_time())
            rendered = document.render(
                stylesheets=stylesheets, font_config=fonts, pdf_variant="pdf/ua-1"
            )
            marks.append(time.process_time())
            rendered.write_pdf(pdf_variant="pdf/ua-1", attachments=None)
            marks.append(time.process_time())
            if round_ >= WARMUP:
                pairs = zip(samples.values(), marks[:-1], marks[1:], strict=True)
                for times, start, end in pairs:
                    times.append(end - start)
                gc_times.append(collected[0])
    finally:
        gc.callbacks.remove(time_collections)
    medians = {phase: statistics.median(times) for phase, times in samples.items()}
    return {**medians, "of which cycle collection": statistics.median(gc_times)}


def _typical_plan() -> CarePlan:
    trust = Organisation.objects.create(ods_code="BEN1", name="Bench Trust", kind="trust")
    team = Team.objects.create(name="Bench navigation", organisation=trust, phone="0113 000 0000")
    navigator = User.objects.create_user(
        "pdf.navigator@bench.test", None, role=Role.NAVIGATOR, full_name="Nadia Bench"
    )
    patient = Patient.objects.create(
        nhs_number="9990000026",
        given_name="Paula",
        family_name="Bench",
        date_of_birth=dt.date(1952, 7, 9),
    )
    case = Case.objects.create(patient=patient, team=team, navigator=navigator, tumour_site="Lung")
    now = timezone.now()
    plan = CarePlan.objects.create(
        case=case,
        version=1,
        status=CarePlan.Status.AGREED,
        created_at=now,
        updated_at=now,
        agreed_at=now,
        agreed_how=CarePlan.AgreedHow.BY_PHONE,
        review_date=timezone.localdate() + dt.timedelta(days=90),
    )
    concerns = Concern.objects.filter(domain__questionnaire__code="hna").order_by(
        "domain__order", "order"
    )[:TYPICAL_ITEMS]
    charity = DirectoryOrganization.objects.create(name="Bench Cancer Support")
    services = [
        DirectoryService.objects.create(
            organization=charity,
            name=name,
            phone="0800 000 1234",
            email="help@support.example",
            url="https://support.example/help",
            how_to_refer="Call the team or ask your navigator to refer you.",
        )
        for name in ("Money Advice Line", "Local Support Centre", "Talking Therapies")
    ]
    for order, concern in enumerate(concerns, start=1):
        item = PlanItem.objects.create(
            plan=plan,
            concern=concern,
            concern_text=concern.text,
            order=order,
            is_priority=order <= 3,
            goal=concern.suggested_goal or f"Get help with {concern.text.lower()}",
            actions=(concern.suggested_actions or "Your navigator will find local help.")
            + " We will check how this is going when we next speak.",
            owner_kind=concern.suggested_owner or OwnerKind.NAVIGATOR,
            due_date=timezone.localdate() + dt.timedelta(days=7 * order),
        )
        for service in (services[order % 3], services[(order + 1) % 3]):
            Signpost.objects.create(item=item, service=service, reasons=["your area"])
    return plan
