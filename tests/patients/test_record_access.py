import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from tests import factories as f

pytestmark = pytest.mark.django_db


def page_url(case) -> str:
    return reverse("patients:case_record_access", kwargs={"case_id": case.pk})


def rows(response) -> list[list[str]]:
    """The table's rows as lists of cell texts, without the mobile-only headings."""
    html = response.content.decode()
    body = html.split('<tbody class="nhsuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    result = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        texts = []
        for cell in cells:
            cell = re.sub(
                r'<span class="nhsuk-table__heading"[^>]*>.*?</span>', "", cell, flags=re.S
            )
            texts.append(" ".join(re.sub(r"<[^>]+>", " ", cell).split()))
        result.append(texts)
    return result


def test_the_patient_sees_who_looked_with_their_own_views_as_you(client, cast):
    with time_machine.travel(dt.datetime(2025, 7, 1, 8, 5, tzinfo=dt.UTC), tick=False):
        audit_record(
            actor=cast.nadia, action="view", obj=cast.paul_case, patient_id=cast.paul_patient.pk
        )
    with time_machine.travel(dt.datetime(2025, 12, 1, 14, 30, tzinfo=dt.UTC), tick=False):
        client.force_login(cast.paul)
        response = client.get(page_url(cast.paul_case))
    assert response.status_code == 200
    assert "Who has looked at your record" in response.content.decode()
    assert rows(response) == [
        # Newest first; December is GMT, July is BST (one hour ahead of UTC).
        ["You", "Looked at who has seen the record", "1 December 2025 at 2:30pm"],
        ["Nadia Khan (navigator)", "Viewed the case", "1 July 2025 at 9:05am"],
    ]


def test_staff_on_the_case_and_the_carer_see_names_and_roles(client, cast):
    client.force_login(cast.paul)
    client.get(page_url(cast.paul_case))
    for user in (cast.carol, cast.nadia, cast.lena, cast.colin):
        client.force_login(user)
        response = client.get(page_url(cast.paul_case))
        assert response.status_code == 200, user
        whos = [row[0] for row in rows(response)]
        assert whos[0] == "You", user
        assert "Paul Jones (patient)" in whos, user


def test_it_is_a_404_to_everyone_else(client, cast):
    for user in (cast.olive, cast.oscar, cast.adam):
        client.force_login(user)
        assert client.get(page_url(cast.paul_case)).status_code == 404, user
    # Only in the security log: nothing the patient's "who has looked" shows.
    assert not AuditEvent.objects.about_patient(cast.paul_patient.pk).exists()
    refused = AuditEvent.objects.filter(patient_id=cast.paul_patient.pk)
    assert {(e.actor, e.action) for e in refused} == {
        (user, AuditEvent.Action.REFUSE) for user in (cast.olive, cast.oscar, cast.adam)
    }


def test_it_needs_signing_in(client, cast):
    response = client.get(page_url(cast.paul_case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_shows_only_this_patients_entries(client, cast):
    audit_record(
        actor=cast.oscar, action="view", obj=cast.olive_case, patient_id=cast.olive_patient.pk
    )
    client.force_login(cast.paul)
    whos = [row[0] for row in rows(client.get(page_url(cast.paul_case)))]
    assert whos == ["You"]


def test_looking_at_the_page_is_itself_recorded(client, cast):
    client.force_login(cast.carol)
    client.get(page_url(cast.paul_case))
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.patient_id, event.object_id) == (
        cast.carol,
        AuditEvent.Action.VIEW,
        cast.paul_patient.pk,
        str(cast.paul_case.pk),
    )


def test_it_pages_through_older_entries(client, cast):
    reader = f.make_user("reader@nav.test", role="navigator", name="Reader")
    for n in range(30):
        audit_record(
            actor=reader,
            action="view",
            obj=cast.paul_case,
            patient_id=cast.paul_patient.pk,
            summary=f"Read {n}",
        )
    client.force_login(cast.paul)
    first = client.get(page_url(cast.paul_case))
    first_rows = rows(first)
    assert len(first_rows) == 25
    assert first_rows[0][1] == "Looked at who has seen the record"
    assert first_rows[1][1] == "Read 29"
    assert 'rel="next"' in first.content.decode()
    second_rows = rows(client.get(page_url(cast.paul_case) + "?page=2"))
    # Each visit adds an entry of its own: 32 entries by now, 25 on the first page.
    assert [row[1] for row in second_rows] == [f"Read {n}" for n in range(6, -1, -1)]
