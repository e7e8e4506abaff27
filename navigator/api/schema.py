"""OpenAPI pieces shared by every API view, so the documented errors match what the API does."""

from drf_spectacular.utils import OpenApiResponse

from navigator.api.serializers import ErrorOutput

_ERRORS = {
    400: "The request is not valid: `detail` says why, and a problem with named fields also "
    "lists each field's messages under the field's name.",
    401: "Not signed in: send a session cookie or an `Authorization: Token …` header.",
    403: "Signed in, but not allowed: staff must set up multi-factor authentication first.",
    404: "No such record, or you do not have access to it (the API does not say which); on a "
    "list, no such page.",
    415: "The body is not JSON.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorOutput, description=_ERRORS[code]) for code in codes}
