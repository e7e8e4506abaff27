"""Where documents are kept is chosen by settings: local disk by default, any S3-compatible
store through django-storages, with no public access asked for. Read from a fresh interpreter,
as a process starting with those variables would."""

import json
import os
import subprocess
import sys

import pytest

from patients.documents import PrivateFileSystemStorage

SHOW = (
    "import django; django.setup();"
    "from django.core.files.storage import storages;"
    "s = storages['documents'];"
    "print(json.dumps({'backend': type(s).__module__ + '.' + type(s).__name__,"
    " 'bucket': getattr(s, 'bucket_name', None), 'endpoint': getattr(s, 'endpoint_url', None),"
    " 'acl': getattr(s, 'default_acl', 'n/a'), 'overwrite': getattr(s, 'file_overwrite', None),"
    " 'location': str(getattr(s, 'location', ''))}))"
)


def _settings(**env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DOCUMENTS_", "DATABASE_URL"))
    }
    environment.update(DJANGO_SETTINGS_MODULE="navigator.settings", DEBUG="true", **env)
    return subprocess.run(
        [sys.executable, "-c", "import json;" + SHOW],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_local_disk_by_default_with_no_url(tmp_path):
    result = _settings(VAR_DIR=str(tmp_path))
    shown = json.loads(result.stdout)
    assert shown["backend"] == "patients.documents.PrivateFileSystemStorage"
    assert shown["location"] == str(tmp_path / "documents")


def test_a_document_on_local_disk_has_no_url(tmp_path):
    storage = PrivateFileSystemStorage(location=str(tmp_path))
    with pytest.raises(ValueError, match="no URL"):
        storage.url("case/letter.pdf")


def test_s3_compatible_store_chosen_by_environment(tmp_path):
    result = _settings(
        VAR_DIR=str(tmp_path),
        DOCUMENTS_STORAGE="s3",
        DOCUMENTS_S3_BUCKET="navigator-documents",
        DOCUMENTS_S3_ENDPOINT_URL="https://objects.example.test",
    )
    shown = json.loads(result.stdout)
    assert shown["backend"] == "storages.backends.s3.S3Storage"
    assert (shown["bucket"], shown["endpoint"]) == (
        "navigator-documents",
        "https://objects.example.test",
    )
    assert shown["acl"] is None and shown["overwrite"] is False


def test_s3_without_a_bucket_refuses_to_start_naming_it(tmp_path):
    result = _settings(VAR_DIR=str(tmp_path), DOCUMENTS_STORAGE="s3")
    assert result.returncode != 0
    assert "DOCUMENTS_S3_BUCKET" in result.stderr


def test_an_unknown_store_is_refused(tmp_path):
    result = _settings(VAR_DIR=str(tmp_path), DOCUMENTS_STORAGE="ftp")
    assert result.returncode != 0
    assert "DOCUMENTS_STORAGE must be local or s3" in result.stderr
