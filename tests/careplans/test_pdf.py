"""The printed care plan: its content on every page, safe rendering, large print, Welsh, who may
print it, the cache, the time cap and batch rendering."""

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from careplans import printed_plan, services
from careplans.models import CarePlan, OwnerKind
from careplans.services import printing
from careplans.services.printing import care_plan_pdf, care_plan_pdfs_prepare_due
from navigator.audit.models import AuditEvent
from navigator.pdf import PdfRenderError, StaticOnlyFetcher, render_pdf, static_path
from tests.careplans.conftest import complete
from tests.careplans.sharing_support import ALL_CONCERNS, agreed_plan, plan_due_today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page laid out as it prints, top to bottom (pypdf's layout mode, like
    `pdftotext -layout`), so a page's first line is what a reader sees first on it."""
    return [
        page.extract_text(extraction_mode="layout") for page in PdfReader(io.BytesIO(data)).pages
    ]


def font_sizes(data: bytes) -> list[float]:
    """The size in points of every run of text on every page."""
    sizes: list[float] = []

    def visit(text, cm, tm, font_dict, font_size):  # noqa: ANN001 - pypdf's callback
        if text.strip():
            sizes.append(round(font_size * abs(tm[0]) * abs(cm[0]) or font_size, 1))

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def cache_table() -> str | None:
    """The table of Django's database cache, which is the cache when REDIS_URL is unset."""
    default = settings.CACHES["default"]
    return default["LOCATION"] if default["BACKEND"].endswith(".DatabaseCache") else None


def table_read(sql: str) -> str:
    return sql.split(" FROM ")[1].split()[0].strip('"')


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def long_plan(cast, directory):
    return agreed_plan(cast, concerns=tuple(ALL_CONCERNS))


def test_every_page_carries_the_patient_and_page_numbers_and_all_items_print(cast, long_plan):
    data = care_plan_pdf(plan=long_plan)
    pages = pdf_pages(data)
    assert len(pages) >= 3
    number = cast.paul_patient.nhs_number_display
    for n, text in enumerate(pages, start=1):
        flat = one_line(text)
        assert f"Paul Jones · NHS number {number} · Born 14 March 1950" in flat, n
        assert f"Page {n} of {len(pages)}" in flat, n
        assert "Feeling very unwell? Call 0800 000 0000" in flat, n
    whole = one_line(" ".join(pages))
    for item in long_plan.items.all():
        assert one_line(item.concern_text) in whole
        assert one_line(item.goal) in whole
    assert "Your navigator Nadia Khan, Lung navigation" in whole
    assert "Version 1. Agreed on" in whole
    # Grouped by the checklist's domains, with services' contact details.
    for domain in ("Your body", "Your feelings", "Everyday things", "Family and friends"):
        assert domain in whole
    # Each item names its services; their contact details are listed once, at the end.
    assert "Services that could help: National Cancer Money Line." in whole
    assert "Services and how to contact them" in whole
    assert "Taff Valley Cancer Support. Phone: 029 2000 0000." in whole
    assert whole.count("How to get in touch: Call the team or ask your navigator.") == len(
        {s.service_id for i in long_plan.items.all() for s in i.signposts.all()}
    )
    assert "If you feel very unwell" in whole


def test_an_item_is_never_split_between_pages(cast, long_plan):
    """Items have no wrapping block (it was slow); headings and paragraphs carry the breaks."""
    data = care_plan_pdf(plan=long_plan)
    pages = pdf_pages(data)
    items = list(long_plan.items.select_related("concern__domain"))
    headings = {one_line(item.concern_text) for item in items}
    headings |= {item.concern.domain.title for item in items if item.concern}
    headings |= {s.service.name for item in items for s in item.signposts.all()}
    headings |= {"Services and how to contact them", "Other things we talked about"}
    assert len(pages) >= 3
    for n, text in enumerate(pages[1:], start=2):
        first = one_line(text.strip().splitlines()[0])
        assert first in headings, (n, first)  # a page starts with a heading, not mid-item
    html = printed_plan.plan_html(plan=long_plan)
    assert 'class="item"' not in html and html.count('class="keep"') > len(items)


def test_the_plan_is_read_in_three_queries_however_many_items(cast, long_plan):
    plan = CarePlan.objects.select_related("case__patient", "case__navigator", "case__team").get(
        pk=long_plan.pk
    )
    assert plan.items.count() > 10
    with CaptureQueriesContext(connection) as queries:
        printed_plan.plan_html(plan=plan)
    tables = [table_read(q["sql"]) for q in queries]
    # The items (with concerns, domains and owner services), their signposts with services
    # and organisations in one query, and the treatment summary.
    assert tables == ["careplans_planitem", "careplans_signpost", "patients_treatmentsummary"]


def test_the_pdf_is_tagged_with_a_title_and_language(cast, long_plan):
    reader = PdfReader(io.BytesIO(care_plan_pdf(plan=long_plan)))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == "My care plan: Paul Jones"
    assert b"pdfuaid:part" in root["/Metadata"].get_data()


def test_large_print_is_at_least_16_point(cast, directory):
    plan = agreed_plan(cast)
    standard = font_sizes(care_plan_pdf(plan=plan))
    large = font_sizes(care_plan_pdf(plan=plan, large=True))
    assert min(large) >= 16
    assert min(standard) < 12
    pages = pdf_pages(care_plan_pdf(plan=plan, large=True))
    assert len(pages) > 1
    for n, text in enumerate(pages, start=1):  # the footer, on every page in large print too
        flat = one_line(text)
        assert "Paul Jones · NHS number" in flat and f"Page {n} of {len(pages)}" in flat, n
        assert "Feeling very unwell? Call 0800 000 0000" in flat, n


def test_the_welsh_version_has_welsh_labels_concerns_and_dates(cast, directory):
    plan = agreed_plan(cast, extra=(("Parcio yn yr ysbyty", "Parcio heb boeni"),))
    data = care_plan_pdf(plan=plan, language="cy")
    pages = pdf_pages(data)
    whole = one_line(" ".join(pages))
    assert "Fy nghynllun gofal" in whole
    assert "Rhif GIG" in whole and "Dyddiad geni 14 Mawrth 1950" in whole
    assert f"Tudalen 1 o {len(pages)}" in whole
    assert "Poen" in whole and "Eich corff" in whole  # the checklist's Welsh
    assert "Parcio yn yr ysbyty" in whole  # typed text is printed as typed
    assert "Nod:" in whole and "Pwy:" in whole and "Eich llywiwr" in whole
    # The fixed labels are all Welsh; goals and actions are printed as written.
    for label in ("My care plan", "NHS number", "Goal:", "Who:", "By when:", "Page 1 of"):
        assert label not in whole, label
    reader = PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "cy"


# Safe rendering -----------------------------------------------------------------------------------


class Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listening_server():
    Recorder.requests = []
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_crafted_plan_text_renders_as_text_and_fetches_nothing(cast, directory, listening_server):
    port = listening_server.server_address[1]
    crafted = (
        f'<img src="http://127.0.0.1:{port}/img.png">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        '<a rel="attachment" href="file:///etc/passwd">passwd</a>'
        '<img src="file:///etc/passwd">'
    )
    draft = complete(cast.paul_case, cast.paul, ratings={"pain": 5}, distress=2).plan
    services.plan_item_add(
        plan=draft,
        lock_version=draft.lock_version,
        actor=cast.nadia,
        concern_text="Crafted",
        goal=crafted,
        actions=f"url(http://127.0.0.1:{port}/bg.png) file:///etc/passwd",
        owner_kind=OwnerKind.NAVIGATOR,
    )
    draft.refresh_from_db()
    data = care_plan_pdf(plan=draft)
    whole = one_line(" ".join(pdf_pages(data)))
    assert f'<img src="http://127.0.0.1:{port}/img.png">' in whole
    assert '<img src="file:///etc/passwd">' in whole
    assert "root:x:0:0" not in whole
    assert Recorder.requests == []
    assert b"/EmbeddedFile" not in data and b"/EmbeddedFiles" not in data


def test_even_markup_that_reached_the_renderer_could_fetch_nothing(listening_server):
    """The fetcher itself, below the escaping: a raw document naming outside URLs."""
    port = listening_server.server_address[1]
    html = (
        f'<html lang="en"><head><title>t</title>'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        f'<link rel="attachment" href="file:///etc/passwd"></head>'
        f'<body><img src="http://127.0.0.1:{port}/a.png"><img src="file:///etc/passwd">'
        f'<img src="/static/../../../etc/passwd"><p>ok</p></body></html>'
    )
    data = render_pdf(html)
    assert Recorder.requests == []
    assert b"/EmbeddedFile" not in data
    assert "ok" in " ".join(pdf_pages(data))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/static/css/app.css",
        "file:///etc/passwd",
        "https://pdf.invalid/etc/passwd",
        "https://pdf.invalid/static/../../etc/passwd",
        "https://pdf.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://pdf.invalid/static//etc/passwd",
        "https://pdf.invalid/static/css/app.css?x=1",
        "https://pdf.invalid/static/css\\..\\app.css",
        "data:text/plain,hello",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [url] or static_path(url) is None


def test_the_fetcher_serves_our_own_static_files():
    response = StaticOnlyFetcher().fetch("https://pdf.invalid/static/css/app.css")
    assert b"Our own styles" in response.read()
    assert response.content_type == "text/css"


def test_rendering_is_stopped_after_the_time_cap():
    slow = "<html><body>" + "<p>words " * 40000 + "</body></html>"
    with pytest.raises(PdfRenderError, match="longer than 0.2 seconds"):
        render_pdf(slow, timeout=0.2)


# Who may print --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["paul", "carol", "nadia", "lena", "colin"])
def test_the_patient_their_carer_and_the_care_team_may_print(cast, client, directory, who):
    plan = agreed_plan(cast)
    client.force_login(getattr(cast, who))
    response = client.get(f"/cases/{cast.paul_case.pk}/plans/{plan.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="care-plan-v1.pdf"'
    assert response.content.startswith(b"%PDF-")
    entry = AuditEvent.objects.filter(action="export").latest("id")
    assert entry.actor == getattr(cast, who) and entry.patient_id == cast.paul_patient.pk


@pytest.mark.parametrize("who", ["olive", "oscar", "adam"])
def test_others_cannot_print(cast, client, directory, who):
    plan = agreed_plan(cast)
    client.force_login(getattr(cast, who))
    assert client.get(f"/cases/{cast.paul_case.pk}/plans/{plan.pk}/pdf/").status_code == 404


def test_a_plan_from_another_case_is_not_found_through_this_one(cast, client, directory):
    plan = agreed_plan(cast)
    client.force_login(cast.oscar)
    response = client.get(f"/cases/{cast.olive_case.pk}/plans/{plan.pk}/pdf/")
    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(cast, client, directory):
    plan = agreed_plan(cast)
    response = client.get(f"/cases/{cast.paul_case.pk}/plans/{plan.pk}/pdf/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_print_size_and_language_follow_the_patient_unless_asked(cast, client, directory):
    cast.paul_patient.language = "cy"
    cast.paul_patient.needs_large_print = True
    cast.paul_patient.save()
    plan = agreed_plan(cast)
    client.force_login(cast.paul)
    url = f"/cases/{cast.paul_case.pk}/plans/{plan.pk}/pdf/"
    response = client.get(url)
    assert response["Content-Disposition"] == 'inline; filename="care-plan-v1-large-print-cy.pdf"'
    assert min(font_sizes(response.content)) >= 16
    response = client.get(url + "?size=standard&lang=en")
    assert response["Content-Disposition"] == 'inline; filename="care-plan-v1.pdf"'
    assert "My care plan" in " ".join(pdf_pages(response.content))


# Cache and batches ----------------------------------------------------------------------------------


def test_a_version_is_rendered_once_then_served_from_the_cache(cast, directory):
    plan = agreed_plan(cast)
    first = care_plan_pdf(plan=plan)
    key = printing._cache_key(plan, large=False, language="en")
    assert cache.get(key) == first
    cache.set(key, b"%PDF-from-the-cache", 60)
    assert care_plan_pdf(plan=plan) == b"%PDF-from-the-cache"
    # Another size, language or version is another entry.
    assert care_plan_pdf(plan=plan, large=True) != b"%PDF-from-the-cache"
    assert printing._cache_key(plan, large=False, language="cy") != key


def test_a_change_to_the_patients_details_makes_a_new_pdf(cast, directory):
    plan = agreed_plan(cast)
    key = printing._cache_key(plan, large=False, language="en")
    cast.paul_patient.family_name = "Jones-Evans"
    cast.paul_patient.save()
    plan = CarePlan.objects.select_related("case__patient").get(pk=plan.pk)
    assert printing._cache_key(plan, large=False, language="en") != key
    assert "Paul Jones-Evans" in " ".join(pdf_pages(care_plan_pdf(plan=plan)))


def due_for_review(plan: CarePlan) -> CarePlan:
    CarePlan.objects.filter(pk=plan.pk).update(review_date=plan.agreed_at.date())
    plan.refresh_from_db()
    return plan


def test_plans_due_for_review_are_rendered_in_a_batch(cast, directory):
    plan = due_for_review(agreed_plan(cast))
    assert care_plan_pdfs_prepare_due(days_ahead=14) == printing.BatchReport(rendered=1)
    assert cache.get(printing._cache_key(plan, large=False, language="en")).startswith(b"%PDF-")
    CarePlan.objects.filter(pk=plan.pk).update(review_date=plan.review_date.replace(year=2099))
    assert care_plan_pdfs_prepare_due(days_ahead=14) == printing.BatchReport()


def test_a_rerun_renders_nothing_new_and_reads_the_database_a_fixed_number_of_times(
    cast, directory
):
    plans = [due_for_review(agreed_plan(cast))]
    assert care_plan_pdfs_prepare_due(days_ahead=14) == printing.BatchReport(rendered=1)
    with CaptureQueriesContext(connection) as one:
        assert care_plan_pdfs_prepare_due(days_ahead=14) == printing.BatchReport(cached=1)
    # Four more plans due for review, for other patients.
    plans += [plan_due_today(cast, n) for n in range(4)]
    report = care_plan_pdfs_prepare_due(days_ahead=14)
    assert report == printing.BatchReport(rendered=4, cached=1)
    with CaptureQueriesContext(connection) as five:
        assert care_plan_pdfs_prepare_due(days_ahead=14) == printing.BatchReport(cached=5)
    # The plans with their patients, then their treatment summaries; and one read of the cache
    # for every print's key. Without REDIS_URL (`make test` on SQLite) the cache is Django's
    # database cache, so that read is a query on its table too; with Redis (CI) it is none.
    for queries in (one, five):
        tables = [table_read(query["sql"]) for query in queries]
        assert [t for t in tables if t != cache_table()] == [
            "careplans_careplan",
            "patients_treatmentsummary",
        ]
        assert tables.count(cache_table()) == (1 if cache_table() else 0)
    assert len(five) == len(one)


def test_a_pdf_another_worker_is_making_is_left_to_it(cast, directory):
    plan = due_for_review(agreed_plan(cast))
    key = printing._cache_key(plan, large=False, language="en")
    cache.add(f"{key}:claim", "another worker", 60)
    assert care_plan_pdfs_prepare_due(days_ahead=14) == printing.BatchReport(claimed_elsewhere=1)
    assert cache.get(key) is None
    cache.delete(f"{key}:claim")
    assert care_plan_pdfs_prepare_due(days_ahead=14) == printing.BatchReport(rendered=1)
    assert cache.get(f"{key}:claim") is None  # the claim is let go once the PDF is made


def test_the_batch_task_runs_through_celery_and_is_on_the_beat_schedule(cast, directory):
    from careplans.tasks import render_care_plans_due_for_review
    from navigator.celery import app

    due_for_review(agreed_plan(cast))
    result = render_care_plans_due_for_review.apply(kwargs={"days_ahead": 7}).get()
    assert result == {"rendered": 1, "cached": 0, "claimed_elsewhere": 0, "failed": 0}
    entry = app.conf.beat_schedule["render-care-plans-due-for-review"]
    assert entry["task"] == render_care_plans_due_for_review.name


def test_the_template_escapes_service_text(cast, directory):
    directory.money_national.how_to_refer = "<b>Ring</b> & ask"
    directory.money_national.save()
    plan = agreed_plan(cast, concerns=("money",))
    html = printed_plan.plan_html(plan=plan)
    assert "&lt;b&gt;Ring&lt;/b&gt; &amp; ask" in html
