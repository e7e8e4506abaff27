"""Pages for acting on the agreed plan, answering "did you get the help you needed?", the plan's
information prescriptions, and progress over time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from careplans import services
from careplans.models import InformationResource, PlanItem
from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from tests import factories as f
from tests.careplans.conftest import complete

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
WRONG = ["paul", "carol", "oscar", "olive", "adam"]


@pytest.fixture
def agreed(cast, directory):
    cast.paul_patient.postcode = "CF14 1AA"
    cast.paul_patient.save()
    directory.money_local.email = "money@matters.test"
    directory.money_local.save()
    plan = complete(cast.paul_case, cast.paul, ratings={"money": 6, "pain": 5}, distress=2).plan
    return services.care_plan_agree(
        plan=plan, lock_version=plan.lock_version, actor=cast.paul, how="online"
    )


def item_url(item: PlanItem, action: str) -> str:
    return f"/cases/{item.plan.case_id}/plans/{item.plan_id}/items/{item.pk}/{action}/"


def test_nadia_refers_signposts_and_completes_from_the_plan(client, cast, agreed):
    money = agreed.items.get(concern__code="money")
    client.force_login(cast.nadia)
    page = client.get(f"/cases/{cast.paul_case.pk}/plans/{agreed.pk}/").content.decode()
    assert "Send referral to Cardiff Money Matters" in page
    response = client.post(item_url(money, "refer"))
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{money.pk}")
    assert client.post(item_url(money, "signpost")).status_code == 302
    assert set(OutboundMessage.objects.values_list("kind", flat=True)) == {
        "service_referral",
        "signpost",
    }
    assert client.get(item_url(money, "complete")).status_code == 200
    empty = client.post(item_url(money, "complete"), {"outcome": ""})
    assert empty.status_code == 400 and "Enter what happened" in empty.content.decode()
    assert (
        client.post(item_url(money, "complete"), {"outcome": "Got £40 a week"}).status_code == 302
    )
    money.refresh_from_db()
    assert money.is_complete and money.outcome == "Got £40 a week"
    page = client.get(f"/cases/{cast.paul_case.pk}/plans/{agreed.pk}/").content.decode()
    assert "Got £40 a week" in page and "Done" in page


def test_paul_answers_did_you_get_the_help_on_his_plan(client, cast, agreed):
    money = agreed.items.get(concern__code="money")
    services.plan_item_signpost(item=money, actor=cast.nadia)
    client.force_login(cast.paul)
    home = client.get("/").content.decode()
    assert "Did you get the help you needed?" in home
    page = client.get(f"/cases/{cast.paul_case.pk}/plans/{agreed.pk}/").content.decode()
    assert 'name="answer" value="no"' in page
    assert client.post(item_url(money, "feedback"), {"answer": "no"}).status_code == 302
    money.refresh_from_db()
    assert (money.feedback_answer, money.feedback_via) == ("no", "web")
    assert AuditEvent.objects.filter(actor=cast.paul, object_id=str(money.pk)).exists()
    assert "Did you get the help you needed?" not in client.get("/").content.decode()


def test_a_nonsense_answer_changes_nothing(client, cast, agreed):
    money = agreed.items.get(concern__code="money")
    services.plan_item_signpost(item=money, actor=cast.nadia)
    client.force_login(cast.paul)
    client.post(item_url(money, "feedback"), {"answer": "<script>"})
    money.refresh_from_db()
    assert money.feedback_answer == ""


@pytest.mark.parametrize("who", WRONG)
def test_only_staff_on_the_case_act_on_items(client, cast, agreed, who):
    money = agreed.items.get(concern__code="money")
    client.force_login(getattr(cast, who))
    for action in ("refer", "signpost"):
        assert client.post(item_url(money, action)).status_code == 404
    assert client.get(item_url(money, "complete")).status_code == 404
    assert client.post(item_url(money, "complete"), {"outcome": "x"}).status_code == 404
    assert not OutboundMessage.objects.exists()
    money.refresh_from_db()
    assert not money.is_complete


def test_an_item_not_on_the_agreed_plan_takes_no_answer(client, cast, agreed):
    services.plan_item_signpost(item=agreed.items.get(concern__code="money"), actor=cast.nadia)
    draft = services.care_plan_revise(plan=agreed, actor=cast.nadia)
    in_draft = draft.items.get(concern__code="money")
    client.force_login(cast.paul)
    assert client.post(item_url(in_draft, "feedback"), {"answer": "no"}).status_code == 404
    assert not PlanItem.objects.exclude(feedback_answer="").exists()


@pytest.mark.parametrize("who", ["carol", "oscar", "olive", "adam"])
def test_only_the_patient_or_staff_answer_for_the_patient(client, cast, agreed, who):
    money = agreed.items.get(concern__code="money")
    services.plan_item_signpost(item=money, actor=cast.nadia)
    client.force_login(getattr(cast, who))
    assert client.post(item_url(money, "feedback"), {"answer": "yes"}).status_code == 404
    money.refresh_from_db()
    assert money.feedback_answer == ""


def test_the_plan_shows_information_for_the_cancer_and_the_concerns(client, cast, agreed):
    client.force_login(cast.paul)
    page = client.get(f"/cases/{cast.paul_case.pk}/plans/{agreed.pk}/").content.decode()
    assert "Information for you" in page
    assert "Lung cancer: a starter pack" in page
    assert "Money help when you have cancer" in page
    assert "Breast cancer: a starter pack" not in page
    assert "Coping with breathlessness" not in page  # Paul did not mark breathing


def test_a_welsh_reader_gets_the_information_in_welsh(client, cast, agreed):
    cast.paul.language = "cy"
    cast.paul.save()
    client.force_login(cast.paul)
    page = client.get(f"/cases/{cast.paul_case.pk}/plans/{agreed.pk}/").content.decode()
    assert "Canser yr ysgyfaint: pecyn cychwynnol" in page and "(pecyn cychwynnol)" in page
    assert "Help gydag arian pan fydd gennych ganser" in page
    assert "Lung cancer: a starter pack" not in page and "Money help" not in page
    # Staff read the English.
    client.force_login(cast.nadia)
    page = client.get(f"/cases/{cast.paul_case.pk}/plans/{agreed.pk}/").content.decode()
    assert "Lung cancer: a starter pack" in page and "(starter pack)" in page


def test_information_is_kept_on_the_plan_when_retired_and_copied_to_new_versions(cast, agreed):
    pack = InformationResource.objects.get(code="lung-starter")
    pack.is_active = False
    pack.save()
    assert pack in agreed.information.all()
    draft = services.care_plan_revise(plan=agreed, actor=cast.nadia)
    assert pack in draft.information.all()


# Progress over time ----------------------------------------------------------------------------


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def test_progress_shows_assessments_side_by_side_with_a_chart(client, cast):
    with time_machine.travel(at(2025, 1, 6, 10), tick=False):
        complete(cast.paul_case, cast.paul, ratings={"money": 8, "pain": 3}, distress=7)
    with time_machine.travel(at(2025, 4, 7, 10), tick=False):
        complete(cast.paul_case, cast.paul, ratings={"money": 4, "tiredness": 6}, distress=3)
    client.force_login(cast.paul)
    page = client.get(f"/cases/{cast.paul_case.pk}/progress/").content.decode()
    assert '<svg class="app-chart"' in page and 'role="img"' in page
    assert "Distress went from 7 to 3" in page
    assert "6 Jan 2025" in page and "7 Apr 2025" in page
    # The table: money first (rated 8 at most), and a dash where a concern was not marked.
    assert page.index("Money or paying bills") < page.index("Feeling tired all the time")
    assert "not marked" in page
    # Every series has its own marker shape and line pattern, not just a colour.
    assert "<polygon" in page and "<rect" in page and "stroke-dasharray" in page


def test_progress_queries_stay_the_same_as_assessments_grow(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast.paul)
    complete(cast.paul_case, cast.paul, ratings={"money": 8}, distress=7)
    client.get(f"/cases/{cast.paul_case.pk}/progress/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(f"/cases/{cast.paul_case.pk}/progress/")
    for n in range(4):
        complete(cast.paul_case, cast.paul, ratings={"money": n, "pain": n, "sleep": 2}, distress=n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(f"/cases/{cast.paul_case.pk}/progress/")


def test_progress_with_nothing_sent_says_so(client, cast):
    client.force_login(cast.nadia)
    page = client.get(f"/cases/{cast.paul_case.pk}/progress/").content.decode()
    assert "There are no sent assessments yet" in page


@pytest.mark.parametrize(("who", "status"), [("carol", 200), ("colin", 200), ("lena", 200),
                                              ("oscar", 404), ("olive", 404), ("adam", 404)])  # fmt: skip
def test_progress_is_for_those_who_can_see_the_case(client, cast, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(f"/cases/{cast.paul_case.pk}/progress/").status_code == status
    assert AuditEvent.objects.filter(
        actor=getattr(cast, who), summary="Viewed assessments over time"
    ).exists() == (status == 200)


def test_a_nurse_without_mfa_is_refused(client, cast):
    nurse = f.make_user("nurse@nav.test", role="clinician", name="No Mfa")
    f.join(cast.team, nurse)
    client.force_login(nurse)
    assert client.get(f"/cases/{cast.paul_case.pk}/progress/").status_code in (302, 404)


def test_nadia_sets_the_review_date_on_a_draft_and_it_is_chased_once_agreed(client, cast):
    from appointments.models import TrackedItem

    with time_machine.travel(at(2025, 3, 3, 10), tick=False):
        plan = complete(cast.paul_case, cast.paul, ratings={"pain": 5}, distress=1).plan
        client.force_login(cast.nadia)
        url = f"/cases/{cast.paul_case.pk}/plans/{plan.pk}/review-date/"
        past = client.post(url, {"review_date": "2025-03-01", "lock_version": plan.lock_version})
        assert past.status_code == 302
        plan.refresh_from_db()
        assert plan.review_date == dt.date(2025, 6, 1)  # unchanged: the date had passed
        client.post(url, {"review_date": "2025-05-06", "lock_version": plan.lock_version})
        plan.refresh_from_db()
        assert plan.review_date == dt.date(2025, 5, 6)
        stale = client.post(url, {"review_date": "2025-07-01", "lock_version": 0})
        assert stale.status_code == 302
        plan.refresh_from_db()
        assert plan.review_date == dt.date(2025, 5, 6)
        plan = services.care_plan_agree(
            plan=plan, lock_version=plan.lock_version, actor=cast.nadia, how="by_phone"
        )
    assert TrackedItem.objects.get(pk=plan.review_tracked_item_id).expected_by == dt.date(
        2025, 5, 6
    )


@pytest.mark.parametrize("who", WRONG)
def test_only_staff_on_the_case_set_the_review_date(client, cast, who):
    plan = complete(cast.paul_case, cast.paul, ratings={"pain": 5}, distress=1).plan
    client.force_login(getattr(cast, who))
    url = f"/cases/{cast.paul_case.pk}/plans/{plan.pk}/review-date/"
    assert client.post(url, {"review_date": "2099-01-01", "lock_version": 0}).status_code == 404
