import pytest

from careplans.models import Assessment, CarePlan, CaseFlag
from navigator.audit.models import AuditEvent
from tests.careplans.conftest import complete

pytestmark = pytest.mark.django_db


def base(case) -> str:
    return f"/cases/{case.pk}"


def start(client, user, case) -> Assessment:
    client.force_login(user)
    response = client.post(f"{base(case)}/assessments/start/")
    assert response.status_code == 302, response
    return Assessment.objects.filter(case=case).latest("started_at")


def test_paul_completes_an_assessment_step_by_step_and_gets_a_draft_plan(client, cast):
    assessment = start(client, cast.paul, cast.paul_case)
    assert assessment.completed_by == Assessment.CompletedBy.PATIENT
    url = f"{base(cast.paul_case)}/assessments/{assessment.pk}/step"

    page = client.get(f"{url}/1/").content.decode()
    assert "Step 1 of 7" in page and "Your body" in page

    response = client.post(f"{url}/3/", {"c-money": "yes", "r-money": "8", "p-money": "yes"})
    assert response.headers["Location"] == f"{url}/4/"
    # Back to step 3 shows what was saved.
    page = client.get(f"{url}/3/").content.decode()
    assert 'name="r-money" type="text" inputmode="numeric" value="8"' in page

    response = client.post(f"{url}/7/", {"distress_score": "8", "anything_else": "Parking costs"})
    check = f"{base(cast.paul_case)}/assessments/{assessment.pk}/check/"
    assert response.headers["Location"] == check
    page = client.get(check).content.decode()
    assert "Money or paying bills" in page and "8 out of 10" in page and "Parking costs" in page

    response = client.post(check)
    plan = CarePlan.objects.get(case=cast.paul_case)
    assert response.headers["Location"] == f"{base(cast.paul_case)}/plans/{plan.pk}/"
    assert CaseFlag.objects.filter(case=cast.paul_case, acknowledged_at=None).exists()
    page = client.get(response.headers["Location"]).content.decode()
    assert "Know what money help I can get" in page
    assert "your navigator will contact you soon" in page


def test_a_rating_outside_0_to_10_is_shown_back_with_what_was_typed(client, cast):
    assessment = start(client, cast.paul, cast.paul_case)
    url = f"{base(cast.paul_case)}/assessments/{assessment.pk}/step/3/"
    response = client.post(
        url, {"c-money": "yes", "r-money": "12", "c-housing": "yes", "r-housing": "4"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert (
        '<a href="#r-money">How much “Money or paying bills” bothers you must be a number from 0 to 10</a>'
        in page
    )
    assert 'value="12"' in page
    assert 'id="c-housing" name="c-housing" type="checkbox" value="yes" checked' in page
    assert not assessment.answers.exists()


def test_save_and_come_back_later_keeps_answers(client, cast):
    assessment = start(client, cast.paul, cast.paul_case)
    url = f"{base(cast.paul_case)}/assessments/{assessment.pk}/step/1/"
    response = client.post(url, {"c-pain": "yes", "r-pain": "3", "action": "later"})
    assert response.headers["Location"] == f"{base(cast.paul_case)}/assessments/"
    assert assessment.answers.get(selected=True).concern.code == "pain"


def test_nadia_completes_it_with_paul_on_the_phone(client, cast):
    assessment = start(client, cast.nadia, cast.paul_case)
    assert assessment.completed_by == Assessment.CompletedBy.STAFF_WITH_PATIENT
    assert assessment.started_by == cast.nadia


@pytest.mark.parametrize("who", ["carol", "oscar", "olive", "adam"])
def test_others_cannot_start_or_fill_in_pauls_assessment(client, cast, who):
    assessment = start(client, cast.paul, cast.paul_case)
    client.force_login(getattr(cast, who))
    assert client.post(f"{base(cast.paul_case)}/assessments/start/").status_code == 404
    step = f"{base(cast.paul_case)}/assessments/{assessment.pk}/step/1/"
    assert client.get(step).status_code == 404
    assert client.post(step, {"c-pain": "yes", "r-pain": "2"}).status_code == 404
    assert not assessment.answers.exists()


def test_plan_permissions(client, cast, directory):
    plan = complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=1).plan
    url = f"{base(cast.paul_case)}/plans/{plan.pk}/"
    item = plan.items.get()
    edit = f"{url}items/{item.pk}/edit/"
    for who, can_read, can_edit, can_agree in [
        ("paul", True, False, True),
        ("nadia", True, True, True),
        ("carol", True, False, False),
        ("oscar", False, False, False),
        ("olive", False, False, False),
    ]:
        user = getattr(cast, who)
        client.force_login(user)
        # Accesses only: a refused attempt is the security log's (AuditEvent.objects.refusals).
        before = AuditEvent.objects.about_patient(cast.paul_patient.pk).filter(actor=user).count()
        assert client.get(url).status_code == (200 if can_read else 404), who
        assert client.get(edit).status_code == (200 if can_edit else 404), who
        assert client.get(f"{url}agree/").status_code == (200 if can_agree else 404), who
        written = AuditEvent.objects.about_patient(cast.paul_patient.pk).filter(actor=user).count()
        assert written - before == can_read + can_edit + can_agree, who
    client.force_login(cast.olive)
    assert client.get(f"{base(cast.olive_case)}/plans/{plan.pk}/").status_code == 404


def test_carol_can_read_but_not_change_or_agree(client, cast, directory):
    plan = complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=1).plan
    client.force_login(cast.carol)
    url = f"{base(cast.paul_case)}/plans/{plan.pk}/"
    page = client.get(url).content.decode()
    assert "Know what money help I can get" in page
    assert "Agree this plan" not in page
    assert client.post(f"{url}agree/", {"lock_version": plan.lock_version}).status_code == 404
    plan.refresh_from_db()
    assert plan.status == CarePlan.Status.DRAFT


def test_a_stale_edit_keeps_what_was_typed_and_says_why(client, cast, directory):
    plan = complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=1).plan
    item = plan.items.get()
    edit = f"{base(cast.paul_case)}/plans/{plan.pk}/items/{item.pk}/edit/"
    client.force_login(cast.nadia)
    form = {
        "concern_text": item.concern_text,
        "goal": "First edit",
        "actions": "",
        "owner_kind": "navigator",
        "lock_version": plan.lock_version,
    }
    assert client.post(edit, form).status_code == 302
    response = client.post(edit, form | {"goal": "Colin's edit, typed meanwhile"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else changed this plan" in page
    assert "Colin&#x27;s edit, typed meanwhile" in page
    item.refresh_from_db()
    assert item.goal == "First edit"


def test_paul_agrees_online_and_nadia_records_a_later_version_by_phone(client, cast, directory):
    plan = complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=1).plan
    url = f"{base(cast.paul_case)}/plans/{plan.pk}/"
    client.force_login(cast.paul)
    assert client.post(f"{url}agree/", {"lock_version": plan.lock_version}).status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.agreed_how, plan.agreed_by) == ("agreed", "online", cast.paul)

    client.force_login(cast.nadia)
    response = client.post(f"{url}revise/")
    v2 = CarePlan.objects.get(case=cast.paul_case, version=2)
    assert response.headers["Location"] == f"{base(cast.paul_case)}/plans/{v2.pk}/"
    v2_url = response.headers["Location"]
    response = client.post(f"{v2_url}agree/", {"lock_version": v2.lock_version, "how": "by_phone"})
    assert response.status_code == 302
    v2.refresh_from_db()
    assert (v2.status, v2.agreed_how, v2.agreed_by) == ("agreed", "by_phone", cast.nadia)
    page = client.get(url).content.decode()
    assert "Replaced by a newer version" in page
    compare = client.get(f"{v2_url}compare/")
    assert compare.status_code == 200
    assert "Nothing changed between these versions" in compare.content.decode()


def test_staff_acknowledge_flags_and_patients_cannot(client, cast):
    flag = complete(cast.paul_case, cast.paul, ratings={}, distress=9).flag
    url = f"{base(cast.paul_case)}/flags/{flag.pk}/acknowledge/"
    for who in ("paul", "carol", "oscar"):
        client.force_login(getattr(cast, who))
        assert client.post(url).status_code == 404, who
    client.force_login(cast.nadia)
    assert (
        "Urgent: needs contact today"
        in client.get(f"{base(cast.paul_case)}/assessments/").content.decode()
    )
    assert client.post(url).status_code == 302
    flag.refresh_from_db()
    assert flag.acknowledged_by == cast.nadia


def test_each_who_will_do_this_radio_has_its_own_id_and_label(client, cast, directory):
    import re

    plan = complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=1).plan
    item = plan.items.get()
    edit = f"{base(cast.paul_case)}/plans/{plan.pk}/items/{item.pk}/edit/"
    client.force_login(cast.nadia)

    page = client.get(edit).content.decode()

    assert 'id=""' not in page
    radios = re.findall(r'<input class="nhsuk-radios__input" id="([^"]+)"', page)
    assert radios and radios[0] == "id_owner_kind_0"
    assert len(set(radios)) == len(radios)
    for radio in radios:
        assert f'<label class="nhsuk-label nhsuk-radios__label" for="{radio}">' in page
    # An error on the choice links to the first radio, which exists.
    response = client.post(edit, {"goal": "x", "owner_kind": "nobody", "lock_version": 0})
    assert 'href="#id_owner_kind_0"' in response.content.decode()
