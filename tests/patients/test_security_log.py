"""Refused attempts at a patient's record (the case door's 404, the API's 403) go in a security
log that team leads and admins review, and never in the patient's "who has looked"."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from navigator.audit.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

LOG_URL = reverse("patients:security_log")


def case_url(case) -> str:
    return reverse("caseload:case_detail", kwargs={"case_id": case.pk})


def api_url(case) -> str:
    return reverse("api-case-detail", kwargs={"case_id": case.pk})


def refused(client, user, url: str, status: int = 404) -> None:
    client.force_login(user)
    assert client.get(url).status_code == status


def log_rows(response) -> list[list[str]]:
    html = response.content.decode()
    if '<tbody class="nhsuk-table__body">' not in html:
        return []
    body = html.split('<tbody class="nhsuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    result = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        result.append(
            [
                " ".join(
                    re.sub(
                        r"<[^>]+>",
                        " ",
                        re.sub(
                            r'<span class="nhsuk-table__heading"'
                            r"[^>]*>.*?</span>",
                            "",
                            c,
                            flags=re.S,
                        ),
                    ).split()
                )
                for c in cells
            ]
        )
    return result


def test_the_case_door_logs_a_refusal_the_patient_does_not_see(client, cast):
    refused(client, cast.oscar, case_url(cast.paul_case))

    event = AuditEvent.objects.refusals().get()
    assert (event.actor, event.actor_role, event.patient_id, event.object_id) == (
        cast.oscar,
        "navigator",
        cast.paul_patient.pk,
        str(cast.paul_case.pk),
    )
    assert (event.summary, event.path) == ("Refused GET (answered 404)", case_url(cast.paul_case))
    assert event.ip_address == "127.0.0.1"

    client.force_login(cast.paul)
    page = client.get(reverse("patients:case_record_access", kwargs={"case_id": cast.paul_case.pk}))
    assert "Oscar" not in page.content.decode()
    assert "Refused" not in page.content.decode()


def test_a_case_that_does_not_exist_is_logged_with_no_patient(client, cast):
    missing = "00000000-0000-4000-8000-000000000000"
    refused(client, cast.nadia, reverse("caseload:case_detail", kwargs={"case_id": missing}))
    event = AuditEvent.objects.refusals().get()
    assert (event.actor, event.patient_id, event.object_id) == (cast.nadia, None, missing)


def test_the_api_logs_its_404s_and_403s_about_a_case(client, cast):
    refused(client, cast.olive, api_url(cast.paul_case), status=404)
    cast.nadia.authenticator_set.all().delete()  # staff without MFA: the API answers 403
    refused(client, cast.nadia, api_url(cast.paul_case), status=403)

    events = AuditEvent.objects.refusals().order_by("id")
    assert [(e.actor, e.summary, e.patient_id) for e in events] == [
        (cast.olive, "Refused GET (answered 404)", cast.paul_patient.pk),
        (cast.nadia, "Refused GET (answered 403)", cast.paul_patient.pk),
    ]
    assert not AuditEvent.objects.about_patient(cast.paul_patient.pk).exists()


def test_a_permitted_visit_is_not_a_refusal(client, cast):
    client.force_login(cast.nadia)
    assert client.get(case_url(cast.paul_case)).status_code == 200
    assert not AuditEvent.objects.refusals().exists()


def test_team_leads_see_their_teams_people_and_cases_admins_see_all(client, cast):
    refused(client, cast.oscar, case_url(cast.paul_case))  # at Lena's team's case
    refused(client, cast.nadia, case_url(cast.olive_case))  # by Lena's team's navigator
    # Neither (a patient's side opens a case on their home page).
    refused(client, cast.carol, f"{reverse('home')}?case={cast.olive_case.pk}")

    client.force_login(cast.lena)
    lena_rows = log_rows(client.get(LOG_URL))
    client.force_login(cast.adam)
    adam_page = client.get(LOG_URL)

    assert [row[1] for row in lena_rows] == ["Nadia Khan (navigator)", "Oscar Reid (navigator)"]
    assert [row[1] for row in log_rows(adam_page)] == [
        "Carol Jones (carer)",
        "Nadia Khan (navigator)",
        "Oscar Reid (navigator)",
    ]
    assert lena_rows[1][2:] == [f"GET {case_url(cast.paul_case)}", "404", "127.0.0.1"]
    # Whose record it was is not shown: the reader need not be on their care team.
    html = adam_page.content.decode()
    assert "Olive" not in html and "Paul" not in html


@pytest.mark.parametrize("who", ["nadia", "colin", "oscar", "paul", "carol"])
def test_everyone_else_gets_a_404(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(LOG_URL).status_code == 404


def test_it_needs_mfa(client, cast):
    cast.lena.authenticator_set.all().delete()
    client.force_login(cast.lena)
    assert client.get(LOG_URL).status_code in (302, 404)


def test_leads_and_admins_reach_it_from_the_header(client, cast):
    for user, start in (
        (cast.lena, reverse("caseload:worklist")),
        (cast.adam, reverse("organisations:list")),
    ):
        client.force_login(user)
        assert f'href="{LOG_URL}"' in client.get(start).content.decode(), user
    client.force_login(cast.nadia)
    assert f'href="{LOG_URL}"' not in client.get(reverse("caseload:worklist")).content.decode()


def test_the_log_page_costs_the_same_queries_at_any_length(client, cast):
    def queries(extra: int) -> int:
        for n in range(extra):
            intruder = f.make_user(
                f"intruder{extra}-{n}@nav.test", role="navigator", name=f"I {n}", mfa=True
            )
            f.join(cast.other_team, intruder)
            refused(client, intruder, case_url(cast.paul_case))
        client.force_login(cast.lena)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LOG_URL).status_code == 200
        return len(captured.captured_queries)

    assert queries(2) == queries(20)
