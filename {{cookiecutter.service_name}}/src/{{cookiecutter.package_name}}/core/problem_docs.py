"""The error responses of every API operation, documented from the operation's shape.

One rule for the whole service, so a new route documents its problems without
listing them: every operation under ``/api/`` can answer 500 and 503 (the
database); a path parameter adds 404, 414 and 422, a query parameter 414 and 422
(a long value passes the request line's limit), a header or cookie parameter 431 and 422,
a request body 400, 413, 415 and 422, and a write (POST, PUT, PATCH, DELETE) 409.
"""

from typing import Any

from .problems import PROBLEM_CONTENT_TYPE, title_for

API_PREFIX = "/api/"
WRITES = {"post", "put", "patch", "delete"}

_STRING = {"type": "string"}
_PROBLEM_PROPERTIES: dict[str, Any] = {
    "type": _STRING,
    "title": _STRING,
    "status": {"type": "integer"},
    "detail": _STRING,
    "instance": _STRING,
}
# RFC 9457 problem details as the service sends them (components/schemas).
SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "type": "object",
        "properties": _PROBLEM_PROPERTIES,
        "required": list(_PROBLEM_PROPERTIES),
    },
    "ValidationErrorItem": {
        "type": "object",
        "properties": {
            "loc": {"type": "array", "items": {"anyOf": [_STRING, {"type": "integer"}]}},
            "type": _STRING,
            "msg": _STRING,
        },
        "required": ["loc", "type", "msg"],
    },
    "ValidationProblem": {
        "type": "object",
        "properties": {
            **_PROBLEM_PROPERTIES,
            "errors": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ValidationErrorItem"},
            },
        },
        "required": [*_PROBLEM_PROPERTIES, "errors"],
    },
}


def problem_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an API operation can answer, from its parameters and body."""
    places = {parameter["in"] for parameter in operation.get("parameters", [])}
    statuses = {500, 503}
    if "path" in places:
        statuses |= {404, 414, 422}
    if "query" in places:
        statuses |= {414, 422}
    if places & {"header", "cookie"}:
        statuses |= {422, 431}
    if "requestBody" in operation:
        statuses |= {400, 413, 415, 422}
    if method in WRITES:
        statuses.add(409)
    return sorted(statuses)


def problem_response(status: int) -> dict[str, Any]:
    schema = "ValidationProblem" if status == 422 else "Problem"
    return {
        "description": title_for(status),
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def document_problems(document: dict[str, Any]) -> None:
    """Add the problem responses and their schemas to an OpenAPI document, in place."""
    for path, path_item in document.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for status in problem_statuses(method, operation):
                responses[str(status)] = problem_response(status)
            operation["responses"] = dict(sorted(responses.items()))
    document.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
