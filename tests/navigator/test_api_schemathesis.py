"""schemathesis over every API operation: no server errors, every response as the schema says.

The schema is the one drf-spectacular serves at /api/schema/; schemathesis generates requests
from it and sends them to the WSGI application in process (no server), with an API token, as
Nadia (a navigator) and as Paul (a patient). Per operation it sends:

- valid requests about Paul's records (the API matrix's samples), so bodies reach the
  serializers and services;
- invalid requests (wrong types, missing fields, bad query values) about the same records,
  which must be refused with a 4xx;
- valid requests naming records that do not exist (generated ids), which must be a 404.

Every response is checked for: not a 5xx, a documented status code, the documented content
type, headers and body schema, and (for invalid requests) a refusal. Hypothesis runs
derandomized (a fixed seed per operation) with no example database, so every run sends the same
requests and nothing is written into the repository. Marked `api_fuzz`: in the default run,
alone with `pytest -m api_fuzz`.
"""

import re
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from navigator.api.services import api_token_issue
from tests.navigator.test_api_matrix import OPERATION_OBJECTS, SAMPLE_OBJECTS

pytestmark = [pytest.mark.django_db, pytest.mark.api_fuzz]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Requests per operation and person, by kind. 37 operations x 2 people x these finish in about
# two to three minutes on two busy cores (about 40 s of CPU).
EXAMPLES = {"paul's records": 8, "invalid": 5, "unknown ids": 2}
DJANGO = get_wsgi_application()


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The WSGI application, keeping the test's database connection open across requests.

    At the start and end of each request Django closes a connection that is not in autocommit,
    which the test's transaction never is (on PostgreSQL that would end the test). Django's test
    client disconnects the same handler for the same reason; this does it for schemathesis.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = DJANGO(environ, start_response)
        try:
            return list(response)
        finally:
            response.close()  # sends request_finished, as a WSGI server would
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def api_schema() -> Any:
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def operation_id(operation: Any) -> str:
    return operation.definition.raw["operationId"]


def paul_records(operation: Any, cast: Any) -> dict[str, str]:
    samples = SAMPLE_OBJECTS | OPERATION_OBJECTS.get(operation_id(operation), {})
    return {name: str(samples[name](cast).pk) for name in re.findall(r"{(\w+)}", operation.path)}


def run(operation: Any, strategy: Any, examples: int, token: str) -> list[str]:
    """Send `examples` requests drawn from `strategy`; the failures, described."""
    failures: list[str] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        # Hypothesis runs inside one test: the cast and the database are meant to be shared.
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def send(case: Any) -> None:
        cache.clear()  # the per-user throttle: these are many requests in a moment
        try:
            case.call_and_validate(
                app=wsgi_app, headers={"Authorization": f"Token {token}"}, checks=CHECKS
            )
        except BaseException as failure:  # schemathesis's FailureGroup is a BaseExceptionGroup
            if not isinstance(failure, Exception | BaseExceptionGroup):
                raise
            failures.append(f"{operation.label}:\n{failure}")

    send()
    return failures


@pytest.mark.parametrize("who", ["nadia", "paul"])
def test_every_operation_answers_as_its_schema_says(cast, who):
    token = api_token_issue(user=getattr(cast, who)).key
    schema = api_schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 36
    failures: list[str] = []
    for operation in operations:
        records = paul_records(operation, cast)
        failures += run(
            operation,
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=records),
            EXAMPLES["paul's records"],
            token,
        )
        # Only a body or the query can be made invalid: a path of Paul's records is valid.
        if len(operation.body) or len(operation.query):
            failures += run(
                operation,
                operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=records),
                EXAMPLES["invalid"],
                token,
            )
        if records:
            failures += run(
                operation,
                operation.as_strategy(GenerationMode.POSITIVE),
                EXAMPLES["unknown ids"],
                token,
            )
    assert not failures, f"{len(failures)} failures; the first five:\n\n" + "\n\n".join(
        failures[:5]
    )
