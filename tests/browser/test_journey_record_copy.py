"""A copy of his record, walked as Paul at phone width with axe-core on every page: he asks
from his home page, the worker prepares it, he sees it is ready and downloads the zip."""

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from playwright.sync_api import expect

from caseload.models import RecordCopy
from caseload.tasks import prepare_record_copy
from patients.models import CaseDocument
from patients.services.documents import document_add
from tests.browser.conftest import axe_check, fits, sign_in
from tests.conftest import Cast
from tests.patients.documents_support import PDF_BYTES, documents_store, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["documents_store"]

WIDTH = 375


def check(page: Any) -> None:
    axe_check(page)
    fits(page, WIDTH)


def test_paul_asks_for_a_copy_of_his_record_and_downloads_it(
    page: Any, live_server: Any, cast: Cast, documents_store: Any
) -> None:
    document_add(
        case=cast.paul_case,
        by=cast.nadia,
        upload=upload(PDF_BYTES),
        kind=CaseDocument.Kind.CLINIC_LETTER,
        title="Clinic letter",
        dated=dt.date(2026, 11, 2),
        visibility=CaseDocument.Visibility.SHARED,
    )
    sign_in(page, live_server, cast.paul)
    page.goto("/")
    expect(page.get_by_role("heading", name="Get a copy of your record")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Get a copy of your record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A copy of your record")
    expect(page.get_by_text("We are preparing your copy")).to_be_visible()
    check(page)

    # The worker's turn: the real task, as a worker runs it.
    copy = RecordCopy.objects.get()
    assert prepare_record_copy(str(copy.pk)) == "ready"

    page.get_by_role("link", name="Back").click()
    expect(page.get_by_text("Your copy is ready until")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Download your copy").click()
    expect(page.get_by_text("Your copy is ready. You can download it until")).to_be_visible()
    check(page)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the copy").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".zip")
    with open(download.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert {"summary.pdf", "record.json"} <= set(archive.namelist())
    assert "documents/2026-11-02-Clinic-letter.pdf" in archive.namelist()


def test_lena_produces_a_copy_for_a_subject_access_request_from_the_case_page(
    page: Any, live_server: Any, cast: Cast, documents_store: Any
) -> None:
    sign_in(page, live_server, cast.lena)
    page.goto(f"/cases/{cast.paul_case.pk}/")
    expect(page.get_by_role("heading", name="Subject access request")).to_be_visible()
    page.get_by_role("button", name="Produce a copy of the record").click()
    expect(page.get_by_text("The copy is being prepared")).to_be_visible()
    check(page)

    copy = RecordCopy.objects.get()
    assert prepare_record_copy(str(copy.pk)) == "ready"
    page.reload()
    page.get_by_role("link", name="Asked for on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Copy of the record for a subject access request"
    )
    check(page)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the copy").click()
    assert downloading.value.suggested_filename.endswith(".zip")
