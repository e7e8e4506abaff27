"""Paul, on a 375px-wide phone, finds an assessment offered on his home page, and later reads
how things have changed across his assessments. axe-core checks every page visited."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from careplans import services
from careplans.models import AssessmentOffer
from tests.browser.conftest import axe_check
from tests.careplans.conftest import complete, reference_data_restore

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    # An earlier browser test's flush may have emptied the migrated checklist.
    reference_data_restore()


def check_page(page: Any, width: int = 375) -> None:
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def sign_in(page: Any, client: Any, live_server: Any, user: Any) -> None:
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_paul_sees_the_offer_at_home_and_starts_it(cast, page, client, live_server):
    services.assessment_offer(
        case=cast.paul_case, reason=AssessmentOffer.Reason.END_OF_TREATMENT, actor=cast.nadia
    )
    sign_in(page, client, live_server, cast.paul)
    page.goto("/")
    assert page.get_by_role("heading", name="Tell us how you are").is_visible()
    check_page(page)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url("**/step/1/")
    assert page.get_by_text("Step 1 of 7").is_visible()
    assert AssessmentOffer.objects.get().status == "accepted"


def test_paul_reads_his_progress_on_a_phone(cast, page, client, live_server):
    for when, ratings, distress in [
        (dt.datetime(2025, 1, 6, 10, tzinfo=LONDON), {"money": 8, "pain": 3}, 8),
        (dt.datetime(2025, 4, 7, 10, tzinfo=LONDON), {"money": 5, "tiredness": 6}, 5),
        (dt.datetime(2025, 7, 7, 10, tzinfo=LONDON), {"money": 2, "worry": 4}, 3),
    ]:
        with time_machine.travel(when, tick=False):
            complete(cast.paul_case, cast.paul, ratings=ratings, distress=distress)
    sign_in(page, client, live_server, cast.paul)
    page.goto(f"/cases/{cast.paul_case.pk}/progress/")
    assert page.get_by_role("heading", name="How things have changed").is_visible()
    chart = page.get_by_role("img", name="Distress and top concerns, 0 to 10, in each assessment")
    assert chart.is_visible()
    assert chart.bounding_box()["width"] <= 375
    table = page.get_by_role("table")
    assert table.get_by_role("row", name="Distress (past week) 8 5 3").is_visible()
    check_page(page)

    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    check_page(page, width=320)
