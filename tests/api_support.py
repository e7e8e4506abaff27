"""Reading the API's error bodies in tests."""

from typing import Any


def field_errors(response: Any) -> dict[str, Any]:
    """A 400's messages by field, after checking it also says why in one `detail` sentence."""
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"], body
    return {name: messages for name, messages in body.items() if name != "detail"}
