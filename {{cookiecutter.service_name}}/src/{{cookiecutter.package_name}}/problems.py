"""RFC 9457 problem details, built the same way by both stacks."""

from http import HTTPStatus
from typing import Any, NotRequired, TypedDict

PROBLEM_CONTENT_TYPE = "application/problem+json"

# RFC 9110 reason phrases; Python's HTTPStatus still has older ones for 413 and 422.
_TITLES = {
    413: "Content Too Large",
    422: "Unprocessable Content",
}

# Human messages for the shared error ``type`` vocabulary (contract section 4).
ERROR_MESSAGES = {
    "missing": "Field required",
    "extra_forbidden": "Extra inputs are not permitted",
    "string_type": "Input should be a valid string",
    "string_too_short": "String should have at least {limit} characters",
    "string_too_long": "String should have at most {limit} characters",
    "blank_string": "String should contain at least one non-whitespace character",
    # Added to the contract's list: a NUL character in a string (values.TEXT_PATTERN).
    "string_pattern_mismatch": "String should not contain NUL characters",
    "int_type": "Input should be a valid integer",
    "number_type": "Input should be a valid number",
    "greater_than_equal": "Input should be greater than or equal to {limit}",
    "less_than_equal": "Input should be less than or equal to {limit}",
    "null_not_allowed": "Input should not be null",
    "object_type": "Input should be a JSON object",
}


class ValidationErrorItem(TypedDict):
    loc: list[str | int]
    type: str
    msg: str


class Problem(TypedDict):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: NotRequired[list[ValidationErrorItem]]


def title_for(status: int) -> str:
    return _TITLES.get(status) or HTTPStatus(status).phrase


def problem(status: int, detail: str, instance: str) -> Problem:
    return {
        "type": "about:blank",
        "title": title_for(status),
        "status": status,
        "detail": detail,
        "instance": instance,
    }


def validation_problem(errors: list[ValidationErrorItem], instance: str) -> Problem:
    """A 422 problem with its ``errors`` sorted by ``loc``, as the contract asks."""
    body = problem(422, "Request validation failed", instance)
    body["errors"] = sorted(errors, key=lambda error: [str(part) for part in error["loc"]])
    return body


def error_item(loc: list[str | int], error_type: str, **context: Any) -> ValidationErrorItem:
    """One entry of ``errors`` with the shared message for ``error_type``."""
    return {"loc": loc, "type": error_type, "msg": ERROR_MESSAGES[error_type].format(**context)}
