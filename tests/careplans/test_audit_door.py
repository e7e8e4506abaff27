"""The case door records access on the assessment and care plan pages; the service records the
write: a form sent back with errors leaves only the access in the trail, a good one the access
and the service's write (one per record it changes)."""

from typing import Any

import pytest

from careplans import services
from careplans.models import Assessment, CarePlan, PlanItem
from navigator.audit.models import AuditEvent
from tests.audit_support import ACCESS, Form, form_sent, others_in, writes_in
from tests.careplans.conftest import complete
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _draft(cast: Cast) -> CarePlan:
    return complete(cast.paul_case, cast.paul, ratings={"money": 6, "pain": 3}, distress=2).plan


def _agreed(cast: Cast) -> CarePlan:
    cast.paul_patient.postcode = "CF14 1AA"  # in reach of the directory's Cardiff services
    cast.paul_patient.save()
    draft = _draft(cast)
    return services.care_plan_agree(
        plan=draft, lock_version=draft.lock_version, actor=cast.paul, how="online"
    )


def _agreed_item(cast: Cast) -> PlanItem:
    return _agreed(cast).items.get(concern_text="Pain")


def _signposted(cast: Cast) -> PlanItem:
    item = _agreed(cast).items.get(concern__code="money")
    return services.plan_item_signpost(item=item, actor=cast.nadia)


def _started(cast: Cast) -> Assessment:
    return services.assessment_start(
        case=cast.paul_case, actor=cast.paul, completed_by=Assessment.CompletedBy.PATIENT
    )


def _plan_url(rest: str) -> Any:
    return lambda cast, plan: f"/cases/{cast.paul_case.pk}/plans/{plan.pk}/{rest}"


def _item_url(action: str) -> Any:
    return lambda cast, item: (
        f"/cases/{cast.paul_case.pk}/plans/{item.plan_id}/items/{item.pk}/{action}/"
    )


def _item(plan: CarePlan, **overrides: Any) -> dict[str, Any]:
    return {
        "concern_text": "Getting to appointments",
        "goal": "Transport booked",
        "actions": "",
        "owner_kind": "navigator",
        "lock_version": plan.lock_version,
        **overrides,
    }


def _first_concern(assessment: Assessment) -> str:
    return assessment.questionnaire.domains.first().concerns.first().code


PLANITEM = "careplans.planitem"
FORMS = {
    "plan_item_add": Form(
        who="nadia",
        setup=_draft,
        url=_plan_url("items/add/"),
        bad=lambda cast, plan: _item(plan, goal=""),
        good=lambda cast, plan: _item(plan),
        writes=((AuditEvent.Action.CREATE, PLANITEM),),
    ),
    "plan_item_edit": Form(
        who="nadia",
        setup=lambda cast: _draft(cast).items.get(concern_text="Pain"),
        url=_item_url("edit"),
        bad=lambda cast, item: _item(item.plan, concern_text=""),
        good=lambda cast, item: _item(item.plan, concern_text="Pain"),
        writes=((AuditEvent.Action.UPDATE, PLANITEM),),
    ),
    # The plan, the tracked item that chases its review date, and the feedback invitation a
    # first agreement makes: one entry each.
    "plan_agree": Form(
        who="paul",
        setup=_draft,
        url=_plan_url("agree/"),
        bad=lambda cast, plan: {"lock_version": str(plan.lock_version - 1)},
        good=lambda cast, plan: {"lock_version": str(plan.lock_version)},
        writes=(
            (AuditEvent.Action.CREATE, "appointments.trackeditem"),
            (AuditEvent.Action.UPDATE, "careplans.careplan"),
            (AuditEvent.Action.CREATE, "careplans.surveyinvitation"),
        ),
    ),
    "plan_item_complete": Form(
        who="nadia",
        setup=_agreed_item,
        url=_item_url("complete"),
        bad=lambda cast, item: {"outcome": " "},
        good=lambda cast, item: {"outcome": "Pain clinic appointment made"},
        writes=((AuditEvent.Action.UPDATE, PLANITEM),),
    ),
    "plan_item_feedback": Form(
        who="paul",
        setup=_signposted,
        url=_item_url("feedback"),
        bad=lambda cast, item: {"answer": "maybe"},
        good=lambda cast, item: {"answer": "yes"},
        writes=((AuditEvent.Action.UPDATE, PLANITEM),),
    ),
    "assessment_step": Form(
        who="paul",
        setup=_started,
        url=lambda cast, a: f"/cases/{cast.paul_case.pk}/assessments/{a.pk}/step/1/",
        bad=lambda cast, a: {f"c-{_first_concern(a)}": "yes", f"r-{_first_concern(a)}": "11"},
        good=lambda cast, a: {f"c-{_first_concern(a)}": "yes", f"r-{_first_concern(a)}": "4"},
        writes=((AuditEvent.Action.UPDATE, "careplans.assessment"),),
    ),
    # The offer and the tracked item that chases it: two records, one entry each.
    "offer_new": Form(
        who="nadia",
        url=lambda cast, obj: f"/cases/{cast.paul_case.pk}/offers/new/",
        bad=lambda cast, obj: {"reason": ""},
        good=lambda cast, obj: {"reason": "end_of_treatment"},
        writes=(
            (AuditEvent.Action.CREATE, "careplans.assessmentoffer"),
            (AuditEvent.Action.CREATE, "appointments.trackeditem"),
        ),
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_a_form_sent_back_with_errors_records_the_access_and_no_write(
    client, cast, directory, name
):
    form = FORMS[name]
    _response, written = form_sent(client, cast, form, good=False)

    assert written == ACCESS


@pytest.mark.parametrize("name", FORMS)
def test_a_good_form_records_the_access_and_the_services_write(client, cast, directory, name):
    form = FORMS[name]
    response, written = form_sent(client, cast, form, good=True)

    assert response.status_code == 302, response
    assert others_in(written) == ACCESS
    assert writes_in(written) == list(form.writes)
