"""Letters and documents, and retention, walked as the people who use them, at phone width with
axe-core on every page: Paul adds his appointment letter from his home page (a web page renamed
.pdf is refused first, keeping what he typed); Nadia finds it on his case page and downloads
it; Lena, the team lead, confirms removing a case past the retention policy from her worklist."""

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.models import Case, CaseDocument, RetentionTombstone
from patients.services.retention import retention_due_list
from tests.browser.conftest import axe_check, fits, sign_in
from tests.conftest import Cast
from tests.patients.documents_support import HTML_BYTES, PDF_BYTES, documents_store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["documents_store"]

WIDTH = 375


def check(page: Any) -> None:
    axe_check(page)
    fits(page, WIDTH)


def test_paul_adds_his_letter_and_nadia_downloads_it_from_his_case(
    page: Any, chromium: Any, live_server: Any, cast: Cast, documents_store: Any
) -> None:
    sign_in(page, live_server, cast.paul)
    page.goto("/")
    check(page)
    page.get_by_role("link", name="See or add letters and documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your letters and documents")
    check(page)

    today = timezone.localdate()
    page.get_by_label("Choose the file").set_input_files(
        files=[{"name": "letter.pdf", "mimeType": "application/pdf", "buffer": HTML_BYTES}]
    )
    page.get_by_label("Appointment letter").check()
    page.get_by_label("Describe it in a few words").fill("Letter for my CT scan")
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Add the document").click()
    expect(page.get_by_role("alert")).to_contain_text("The file must be a PDF, a photo")
    expect(page.get_by_label("Describe it in a few words")).to_have_value("Letter for my CT scan")
    check(page)

    page.get_by_label("Choose the file").set_input_files(
        files=[{"name": "letter.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="Add the document").click()
    expect(page.get_by_text("Document added.")).to_be_visible()
    expect(page.get_by_role("heading", name="Letter for my CT scan")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Back").click()
    expect(page.locator(".app-timeline__summary", has_text="Letter for my CT scan")).to_be_visible()

    # Nadia, on her own phone, from her worklist to Paul's case to the letter.
    phone = chromium.new_context(
        base_url=live_server.url, viewport={"width": WIDTH, "height": 740}, bypass_csp=True
    )
    nadia = phone.new_page()
    sign_in(nadia, live_server, cast.nadia)
    nadia.goto("/")
    nadia.get_by_role("link", name="JONES, Paul").click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Paul Jones")
    check(nadia)
    nadia.get_by_role("link", name="Letters and documents").click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Letters and documents")
    check(nadia)
    with nadia.expect_download() as downloading:
        nadia.get_by_role("link", name=re.compile("Download Letter for my CT scan")).click()
    download = downloading.value
    assert open(download.path(), "rb").read() == PDF_BYTES
    assert download.suggested_filename.endswith(".pdf")

    # Later, Paul no longer needs the service: Nadia closes his case, which starts the
    # retention clock.
    nadia.get_by_role("link", name="Back").click()
    nadia.get_by_role("link", name="close the case").click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Close the case")
    check(nadia)
    nadia.get_by_role("button", name="Close the case").click()
    expect(nadia.get_by_text("The case is closed.")).to_be_visible()
    expect(nadia.get_by_text(re.compile(r"^Closed on "))).to_be_visible()
    check(nadia)
    phone.close()
    assert Case.objects.get(pk=cast.paul_case.pk).closed_at is not None
    assert CaseDocument.objects.get().added_by == cast.paul


def test_lena_confirms_removing_a_case_past_the_retention_policy(
    page: Any, live_server: Any, cast: Cast
) -> None:
    Case.objects.filter(pk=cast.paul_case.pk).update(
        status=Case.Status.CLOSED, closed_at=timezone.now() - dt.timedelta(days=365 * 31)
    )
    retention_due_list()
    sign_in(page, live_server, cast.lena)
    page.goto("/")
    page.get_by_role("link", name="Records due for removal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Records due for removal")
    check(page)

    page.get_by_role("button", name="Remove the chosen records").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the records to remove")
    check(page)
    page.get_by_label(re.compile("Paul Jones")).check()
    page.get_by_label(re.compile("I have checked")).check()
    page.get_by_role("button", name="Remove the chosen records").click()
    expect(page.get_by_text("Removed 1 record.")).to_be_visible()
    expect(page.get_by_text("Nothing is due for removal.")).to_be_visible()
    check(page)
    assert not Case.objects.filter(pk=cast.paul_case.pk).exists()
    assert RetentionTombstone.objects.get().removed_by == cast.lena
