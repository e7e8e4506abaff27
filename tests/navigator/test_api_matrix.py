"""Every API operation × every member of the cast, against Paul's records, from the OpenAPI schema.

The operations come from the generated schema, so a new endpoint is covered the moment it is
added. What each person should get comes from one function, `expected_statuses`, which asks the
rule set (`patients/rules.py`) through the permission the view declares:

- anonymous: 401 or 403;
- staff without MFA: 403;
- a service manager (who sees no patient's record): 404 everywhere but their own account;
- a path naming one of Paul's records: 2xx if the rules allow the person, otherwise 404;
- a path naming no record (lists, "me"): 2xx.

A new kind of record in a path needs a sample in SAMPLE_OBJECTS, and an operation that needs a
request body needs one in SAMPLE_BODIES: the test fails until they are added, rather than
skipping the operation. An operation that only makes sense on a record in another state (a
change to the draft care plan, where the sample plan is the agreed one) names its own samples
in OPERATION_OBJECTS; a body that depends on who sends it goes in SAMPLE_BODIES_BY_SENDER.
"""

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import rules
from django.core.cache import cache
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from navigator.accounts.models import NO_PATIENT_DATA_ROLES, Role
from navigator.api.permissions import object_permission_for
from tests import factories as f

pytestmark = pytest.mark.django_db

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
SUCCESS = frozenset({200, 201, 204})
BODY_METHODS = ("POST", "PUT", "PATCH")

# Path parameter -> Paul's record of that kind. Add one for every new kind of record in a path.
SAMPLE_OBJECTS: dict[str, Callable[[Any], Any]] = {
    "case_id": lambda cast: cast.paul_case,
    "member_id": lambda cast: cast.paul_case.care_team.get(user=cast.colin),
    "item_id": lambda cast: _paul_appointment(cast),
    "task_id": lambda cast: _paul_chase_task(cast),
    "team_id": lambda cast: cast.team,
    "assessment_id": lambda cast: _paul_agreed_plan(cast).assessment,
    "plan_id": lambda cast: _paul_agreed_plan(cast),
    "plan_item_id": lambda cast: _paul_agreed_plan(cast).items.first(),
}

# operationId -> path parameter -> a sample for that operation only, overriding SAMPLE_OBJECTS.
_ON_THE_DRAFT = {"plan_id": lambda cast: _paul_draft_plan(cast)}
_ON_A_DRAFT_ITEM = _ON_THE_DRAFT | {
    "plan_item_id": lambda cast: _paul_draft_plan(cast).items.first()
}
OPERATION_OBJECTS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "cases_care_plan_items_create": _ON_THE_DRAFT,
    "cases_care_plan_items_partial_update": _ON_A_DRAFT_ITEM,
    "cases_care_plan_items_remove": _ON_A_DRAFT_ITEM,
    "cases_care_plans_agree": _ON_THE_DRAFT,
    "cases_care_plans_review_date": _ON_THE_DRAFT,
    "cases_care_plans_compare": _ON_THE_DRAFT,  # version 2, compared with the agreed version 1
}

# operationId -> a minimal valid body, for operations whose schema requires one.
SAMPLE_BODIES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "cases_care_team_create": lambda cast: {"role": "other", "name": "Benefits adviser"},
    "cases_timeline_create": lambda cast: {
        "kind": "note",
        "occurred_on": timezone.localdate().isoformat(),
        "summary": "Phoned about transport",
    },
    "cases_messages_create": lambda cast: {"body": "Is Thursday still on?"},
    "cases_tracked_items_create": lambda cast: {
        "kind": "result",
        "title": "Your test result",
        "expected_by": timezone.localdate().isoformat(),
    },
    "cases_tracked_items_transition": lambda cast: {"to_state": "attended"},
    "cases_chase_tasks_record": lambda cast: {
        "outcome": "Phoned the clinic: booking this week",
        "next_chase_on": timezone.localdate().isoformat(),
    },
    "cases_assessment_offers_create": lambda cast: {"reason": "on_request"},
    "cases_care_plan_items_complete": lambda cast: {"outcome": "Saw the benefits adviser"},
    "cases_care_plan_items_feedback": lambda cast: {"answer": "yes"},
    "cases_care_plan_items_create": lambda cast: {
        "lock_version": _paul_draft_plan(cast).lock_version,
        "concern": "Getting to appointments",
        "goal": "Transport booked for every appointment",
    },
    "cases_care_plan_items_partial_update": lambda cast: {
        "lock_version": _paul_draft_plan(cast).lock_version,
        "due_date": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
    },
    "cases_care_plan_items_remove": lambda cast: {
        "lock_version": _paul_draft_plan(cast).lock_version
    },
    "cases_care_plans_review_date": lambda cast: {
        "lock_version": _paul_draft_plan(cast).lock_version,
        "review_date": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
    },
    "teams_hospital_import": lambda cast: {
        "source_system": "PAS",
        "rows": [
            {
                "external_id": "APPT-1",
                "kind": "appointment",
                "nhs_number": cast.paul_patient.nhs_number,
                "title": "Clinic appointment",
                "state": "booked",
                "starts_at": (timezone.now() + dt.timedelta(days=5)).isoformat(),
            }
        ],
    },
}


# operationId -> a valid query string, for operations with a required query parameter.
SAMPLE_QUERIES: dict[str, str] = {"services_match": "?concern=money"}


# operationId -> a minimal valid body from this sender (None when anonymous).
SAMPLE_BODIES_BY_SENDER: dict[str, Callable[[Any, Any], dict[str, Any]]] = {
    # Staff record how the patient agreed; the patient's side agrees online, the default.
    "cases_care_plans_agree": lambda cast, user: {
        "lock_version": _paul_draft_plan(cast).lock_version,
        **({"how": "by_phone"} if user is not None and user.is_staff_role else {}),
    },
}


def _paul_appointment(cast: Any) -> Any:
    from appointments.services import tracked_item_create

    return tracked_item_create(
        case=cast.paul_case,
        kind="appointment",
        state="booked",
        title="Clinic appointment",
        expected_by=timezone.localdate(),
        starts_at=timezone.now() + dt.timedelta(days=3),
        actor=cast.nadia,
    )


def _paul_agreed_plan(cast: Any) -> Any:
    """Paul's agreed care plan (one per test), from a sent assessment, its items signposted."""
    from careplans import services
    from careplans.models import CarePlan
    from tests.careplans.conftest import complete, reference_data_restore

    plan = CarePlan.objects.filter(case=cast.paul_case, status=CarePlan.Status.AGREED).first()
    if plan is not None:
        return plan
    reference_data_restore()
    plan = complete(cast.paul_case, cast.paul, ratings={"money": 6, "pain": 3}, distress=2).plan
    plan = services.care_plan_agree(
        plan=plan, lock_version=plan.lock_version, actor=cast.paul, how="online"
    )
    plan.items.update(signposted_at=timezone.now())
    return plan


def _paul_draft_plan(cast: Any) -> Any:
    """Version 2 of Paul's plan, started from the agreed version 1 and not yet agreed."""
    from careplans import services

    return services.care_plan_revise(plan=_paul_agreed_plan(cast), actor=cast.nadia)


def _paul_chase_task(cast: Any) -> Any:
    from appointments.models import ChaseTask

    return ChaseTask.objects.create(item=_paul_appointment(cast), assigned_to=cast.nadia)


CAST = (
    "anonymous",
    "paul",
    "carol",
    "olive",
    "nadia",
    "lena",
    "colin",
    "oscar",
    "adam",
    "nora",
    "sam",
)


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        return self.spec["operationId"]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def schema_operations() -> list[Operation]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        Operation(path, method.upper(), spec)
        for path, item in schema["paths"].items()
        for method, spec in item.items()
        if method in HTTP_METHODS
    ]


OPERATIONS = schema_operations()


def person(cast: Any, name: str) -> Any:
    if name == "anonymous":
        return None
    if name == "nora":
        # A navigator in Paul's team who has not set up MFA.
        nora = f.make_user("nora@nav.test", role=Role.NAVIGATOR, name="Nora Hale")
        f.join(cast.team, nora)
        return nora
    if name == "sam":
        # A service manager: the service's anonymised figures, no patient's record.
        return f.make_user(
            "sam.okafor@nav.test", role=Role.SERVICE_MANAGER, name="Sam Okafor", mfa=True
        )
    return getattr(cast, name)


def path_objects(operation: Operation, cast: Any) -> dict[str, Any]:
    objects = {}
    samples = SAMPLE_OBJECTS | OPERATION_OBJECTS.get(operation.id, {})
    for name in re.findall(r"{(\w+)}", operation.path):
        if name not in samples:
            pytest.fail(
                f"{operation} has the path parameter {{{name}}}, which the API matrix does not "
                f"know. Add a sample for it (one of Paul's records) to SAMPLE_OBJECTS in {__file__}."
            )
        objects[name] = samples[name](cast)
    return objects


def request_body(operation: Operation, cast: Any, user: Any) -> dict[str, Any] | None:
    if operation.method not in BODY_METHODS:
        return None
    if operation.id in SAMPLE_BODIES_BY_SENDER:
        return SAMPLE_BODIES_BY_SENDER[operation.id](cast, user)
    if operation.id in SAMPLE_BODIES:
        return SAMPLE_BODIES[operation.id](cast)
    if operation.spec.get("requestBody", {}).get("required"):
        pytest.fail(
            f"{operation} ({operation.id}) needs a request body. Add a minimal valid one to "
            f"SAMPLE_BODIES in {__file__}."
        )
    return {}


def request_query(operation: Operation) -> str:
    required = [
        p["name"]
        for p in operation.spec.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    ]
    if required and operation.id not in SAMPLE_QUERIES:
        pytest.fail(
            f"{operation} ({operation.id}) needs the query parameters {required}. Add a valid "
            f"query string to SAMPLE_QUERIES in {__file__}."
        )
    return SAMPLE_QUERIES.get(operation.id, "")


def declared_permission(view: Any, method: str) -> str:
    """The rule a view about a record names for `method`; it must exist in the rule set."""
    perm = object_permission_for(view, method)
    if not perm:
        pytest.fail(
            f"{view.__name__} serves a record but declares no object_permissions for {method}"
        )
    if not rules.perm_exists(perm):
        pytest.fail(f"{view.__name__} declares {perm!r}, which no rules module defines")
    return perm


def expected_statuses(user: Any, view: Any, method: str, objects: dict[str, Any]) -> frozenset[int]:
    """What `user` should get from `method` on `view` about `objects`, by the rules."""
    if user is None:
        return frozenset({401, 403})
    if user.is_staff_role and not user.has_mfa:
        return frozenset({403})
    if user.role in NO_PATIENT_DATA_ROLES and not getattr(view, "holds_no_patient_data", False):
        return frozenset({404})
    if objects:
        perm = declared_permission(view, method)
        if not all(user.has_perm(perm, obj) for obj in objects.values()):
            return frozenset({404})
    return SUCCESS


def call(client: Any, operation: Operation, url: str, body: dict[str, Any] | None) -> Any:
    if body is None:
        return client.generic(operation.method, url)
    return client.generic(
        operation.method, url, data=json.dumps(body), content_type="application/json"
    )


@pytest.fixture(autouse=True)
def fresh_throttle_counts(db):
    cache.clear()


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_each_person_gets_what_the_rules_allow(client, cast, operation, who):
    user = person(cast, who)
    objects = path_objects(operation, cast)
    url = operation.path.format(**{name: obj.pk for name, obj in objects.items()})
    view = resolve(url).func.cls
    expected = expected_statuses(user, view, operation.method, objects)
    url += request_query(operation)
    body = request_body(operation, cast, user)
    if user is not None:
        client.force_login(user)

    response = call(client, operation, url, body)

    assert response.status_code in expected, (
        f"{operation} as {who}: expected {sorted(expected)}, got {response.status_code}: "
        f"{response.content[:300]!r}"
    )
    assert str(response.status_code) in operation.spec["responses"], (
        f"{operation} answers {response.status_code}, which its schema does not document: add it "
        "to the view's extend_schema responses (navigator.api.schema.error_responses)."
    )
    if response.status_code not in SUCCESS:
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]


WRITE_OPERATIONS = [op for op in OPERATIONS if op.method in BODY_METHODS]


@pytest.mark.parametrize("operation", WRITE_OPERATIONS, ids=str)
def test_every_write_refuses_a_malformed_body_with_a_4xx_saying_why(client, cast, operation):
    """As someone the rules allow, so the refusal is about the body, not about who sent it."""
    objects = path_objects(operation, cast)
    url = operation.path.format(**{name: obj.pk for name, obj in objects.items()})
    view = resolve(url).func.cls
    allowed = [
        user
        for user in (person(cast, name) for name in CAST if name not in ("anonymous", "nora"))
        if expected_statuses(user, view, operation.method, objects) == SUCCESS
    ]
    assert allowed, f"nobody in the cast may call {operation}"
    client.force_login(allowed[0])

    broken = client.generic(
        operation.method, url, data='{"unclosed": ', content_type="application/json"
    )
    assert broken.status_code == 400, broken.content
    assert broken.json()["detail"].startswith("JSON parse error")

    not_json = client.generic(operation.method, url, data="a=1", content_type="text/plain")
    assert not_json.status_code == 415, not_json.content
    assert not_json.json()["detail"]


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if "{" in op.path], ids=str)
def test_records_in_paths_are_open_to_some_of_the_cast_and_closed_to_others(cast, operation):
    """Guards the expectation itself: a rule that lets everyone in, or no one, is a mistake."""
    objects = path_objects(operation, cast)
    url = operation.path.format(**{name: obj.pk for name, obj in objects.items()})
    view = resolve(url).func.cls
    outcomes = {
        name: expected_statuses(person(cast, name), view, operation.method, objects)
        for name in CAST
    }
    assert SUCCESS in outcomes.values(), f"nobody may call {operation}"
    assert frozenset({404}) in outcomes.values(), f"everyone signed in may call {operation}"


def _api_routes(resolver: Any = None, prefix: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    routes = set()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= _api_routes(pattern, route)
        elif route.startswith("api/"):
            routes.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return routes


def test_the_matrix_sees_every_api_route():
    """A route left out of the schema (`exclude=True`) would escape the matrix."""
    documentation = {"/api/schema/", "/api/docs/"}
    assert _api_routes() - documentation == {op.path for op in OPERATIONS}
