"""The copy of a record made by a real Celery worker: the request enqueues the task on commit,
the worker (against the same database, broker and documents folder) makes the zip."""

import io
import zipfile

import pytest
from django.urls import reverse

from caseload.models import RecordCopy
from tests.patients.documents_support import documents_store
from tests.workerproc import celery_worker, require_services, wait_until

__all__ = ["documents_store"]


def _status(copy_id):
    return RecordCopy.objects.get(pk=copy_id).status


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_prepares_the_copy_the_patient_asked_for(client, cast, documents_store):
    require_services(postgres=True, redis=True)
    client.force_login(cast.paul)
    with celery_worker(env={"DOCUMENTS_DIR": str(documents_store)}) as worker:
        response = client.post(reverse("record_copy_ask", args=[cast.paul_case.pk]))
        copy = RecordCopy.objects.get()
        assert response["Location"] == reverse("record_copy", args=[copy.pk])
        wait_until(lambda: _status(copy.pk) == "ready", timeout=90, explain=worker.log)

    response = client.get(reverse("record_copy_download", args=[copy.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {"summary.pdf", "record.json"} <= set(archive.namelist())
