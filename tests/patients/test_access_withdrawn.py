"""A carer whose access the patient withdrew, landing anywhere on that patient's record (an old
bookmark, a text message's link, the page sign-in sends them on to), is told their access
ended, whose and when, and nothing more; anyone who never had access gets the plain 404."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from navigator.accounts.models import Role
from patients import links
from tests import factories as f

ENDED = "Your access to Paul's record has ended"
WHEN = "Paul stopped sharing their record with you on 5 December 2026"


@pytest.fixture
def withdrawn(cast, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 5, 14, 0, tzinfo=ZoneInfo("Europe/London")))
    cast.carol_grant.revoked_at = timezone.now()
    cast.carol_grant.save()
    return cast


def _case_pages(case_id):
    return [
        reverse("patients:messages", args=[case_id]),
        reverse("patients:timeline", args=[case_id]),
        reverse("patients:documents", args=[case_id]),
        reverse("patients:contact_edit", args=[case_id]),
        reverse("careplans:assessment_list", args=[case_id]),
    ]


def test_every_page_of_the_record_tells_a_withdrawn_carer_why(client, withdrawn):
    client.force_login(withdrawn.carol)
    for url in _case_pages(withdrawn.paul_case.id):
        response = client.get(url, follow=True)  # staff-only pages send others home first
        html = response.content.decode()
        if response.redirect_chain:
            assert response.status_code == 200, url
            assert "record was withdrawn on 5 December 2026" in html, url
        else:
            assert response.status_code == 404, url
            assert ENDED in html and WHEN in html, url
            assert "Only Paul can give you access again" in html
            assert "Jones" not in html.split("<main")[1]
        # Nothing else of the record: not the navigator, the diagnosis nor the family name.
        main = html.split("<main")[1]
        assert "Nadia" not in main and "Lung" not in main


def test_the_case_page_bookmark_lands_on_home_which_says_why(client, withdrawn):
    client.force_login(withdrawn.carol)
    detail = reverse("caseload:case_detail", args=[withdrawn.paul_case.id])
    html = client.get(detail, follow=True).content.decode()
    assert "Your access to Paul Jones's record was withdrawn on 5 December 2026." in html
    assert "Nadia" not in html.split("<main")[1]


def test_a_text_message_link_lands_on_home_which_says_why(client, withdrawn):
    client.force_login(withdrawn.carol)
    link = links.home_link(case_id=withdrawn.paul_case.id, section=links.MESSAGES)
    response = client.get(link, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your access to Paul Jones's record was withdrawn on 5 December 2026." in html


def test_the_page_sign_in_sends_them_on_to_says_why(client, withdrawn):
    messages = reverse("patients:messages", args=[withdrawn.paul_case.id])
    signed_out = client.get(messages)
    assert signed_out.status_code == 302 and "next=" in signed_out["Location"]
    client.force_login(withdrawn.carol)
    response = client.get(messages)
    assert response.status_code == 404 and ENDED in response.content.decode()


def test_no_leak_to_anyone_who_never_had_access(client, withdrawn):
    stranger = f.make_user("stan@example.test", role=Role.CARER, name="Stan Lee")
    for user in (stranger, withdrawn.olive, withdrawn.oscar):
        client.force_login(user)
        pages = _case_pages(withdrawn.paul_case.id)
        if not user.is_staff_role:  # staff are sent from home to their cases
            pages.append(f"/?case={withdrawn.paul_case.id}")
        for url in pages:
            response = client.get(url, follow=True)
            html = response.content.decode()
            assert response.status_code == 404, (user, url)
            assert "Page not found" in html and "Paul" not in html and "access" not in html
    # Nor does the withdrawn carer learn of a record that was never shared with them.
    client.force_login(withdrawn.carol)
    for url in [*_case_pages(withdrawn.olive_case.id), f"/?case={withdrawn.olive_case.id}"]:
        html = client.get(url, follow=True).content.decode()
        assert "Page not found" in html and "Olive" not in html and ENDED not in html


def test_a_carer_still_sharing_a_page_they_may_not_use_gets_the_plain_404(client, cast):
    client.force_login(cast.carol)  # may look, not act
    response = client.get(reverse("patients:contact_edit", args=[cast.paul_case.id]))
    assert response.status_code == 404 and "has ended" not in response.content.decode()
