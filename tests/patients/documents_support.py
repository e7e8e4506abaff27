"""Files for the document tests: the first bytes of each type we take, and of some we refuse."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.fakes.storage import RecordingStorage

PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def upload(content: bytes = PDF_BYTES, name: str = "letter.pdf", content_type: str = "") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type or "application/pdf")


@pytest.fixture
def documents_store(settings, tmp_path):
    """Documents kept under this test's temporary folder, every open recorded."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "tests.fakes.storage.RecordingStorage",
            "OPTIONS": {"location": str(tmp_path / "documents"), "base_url": None},
        },
    }
    RecordingStorage.opened = []
    return tmp_path / "documents"
