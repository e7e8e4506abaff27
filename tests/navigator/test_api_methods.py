"""Every HTTP method on every API path answers sensibly: never a 5xx.

The schema documents the methods each path serves; the others must still answer 405, and
OPTIONS (which DRF answers from the view's serializer) must describe the path. Paths name
Paul's records (the API matrix's samples), so the views get as far as they can.
"""

import re

import pytest
from django.core.cache import cache

from tests.navigator.test_api_matrix import OPERATION_OBJECTS, SAMPLE_OBJECTS, schema_operations

pytestmark = pytest.mark.django_db

# DELETE last: it may remove the record the other methods name.
METHODS = ("GET", "HEAD", "OPTIONS", "TRACE", "POST", "PUT", "PATCH", "DELETE")
PATHS = sorted({op.path for op in schema_operations()})
OPERATION_IDS = {(op.path, op.method): op.id for op in schema_operations()}


def url_for(path: str, method: str, cast) -> str:
    samples = SAMPLE_OBJECTS | OPERATION_OBJECTS.get(OPERATION_IDS.get((path, method), ""), {})
    names = re.findall(r"{(\w+)}", path)
    return path.format(**{name: samples[name](cast).pk for name in names})


@pytest.mark.parametrize("who", ["nadia", "paul"])
@pytest.mark.parametrize("path", PATHS)
def test_no_method_on_any_path_is_a_server_error(client, cast, path, who):
    client.force_login(getattr(cast, who))
    documented = {method for (p, method) in OPERATION_IDS if p == path}
    urls = {method: url_for(path, method, cast) for method in METHODS}
    for method in METHODS:
        cache.clear()  # the user's throttle: this test is many requests in a moment
        response = client.generic(method, urls[method], data="{}", content_type="application/json")
        assert response.status_code < 500, (
            f"{method} {path} as {who}: {response.status_code} {response.content[:300]!r}"
        )
        if method not in documented | {"HEAD", "OPTIONS"}:
            assert response.status_code == 405, f"{method} {path}: {response.status_code}"
        if method == "OPTIONS":
            assert response.status_code == 200
            body = response.json()
            assert body["name"] and body["renders"] == ["application/json"]
            allowed = {m.strip() for m in response["Allow"].split(",")}
            assert documented <= allowed, f"OPTIONS {path}: Allow {allowed}"
            for method_with_body in documented & {"POST", "PUT"}:
                assert method_with_body in body.get("actions", {}), (
                    f"OPTIONS {path} does not describe the body {method_with_body} takes"
                )
