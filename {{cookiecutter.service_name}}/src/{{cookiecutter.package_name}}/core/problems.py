"""RFC 9457 problem details, built the same way for every error."""

import contextlib
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, NotRequired, TypedDict

import orjson

PROBLEM_CONTENT_TYPE = "application/problem+json"

# RFC 9110 reason phrases; Python's HTTPStatus still has older ones for 413 and 422.
_TITLES = {
    413: "Content Too Large",
    422: "Unprocessable Content",
}

# The error ``type`` vocabulary and its messages (docs/contract.md, README "Validation errors").
# The names are pydantic's, and so are the placeholders: the numbers reported with each
# error (pydantic's ``ctx``), under the same names whatever the schema library.
ERROR_MESSAGES = {
    "missing": "Field required",
    "extra_forbidden": "Extra inputs are not permitted",
    "null_not_allowed": "Input should not be null",
    "string_type": "Input should be a valid string",
    "int_type": "Input should be a valid integer",
    "number_type": "Input should be a valid number",
    "bool_type": "Input should be a valid boolean",
    "object_type": "Input should be a JSON object",
    "list_type": "Input should be a JSON array",
    "uuid_type": "Input should be a valid UUID",
    "date_type": "Input should be a valid date (YYYY-MM-DD)",
    "datetime_type": "Input should be a valid date and time (ISO 8601)",
    "time_type": "Input should be a valid time (HH:MM[:SS[.ffffff]])",
    "enum": "Input should be {expected}",
    "string_too_short": "String should have at least {min_length} characters",
    "string_too_long": "String should have at most {max_length} characters",
    "string_pattern_mismatch": "String should match pattern '{pattern}'",
    "blank_string": "String should contain at least one non-whitespace character",
    "too_short": "List should have at least {min_length} items",
    "too_long": "List should have at most {max_length} items",
    "greater_than": "Input should be greater than {gt}",
    "greater_than_equal": "Input should be greater than or equal to {ge}",
    "less_than": "Input should be less than {lt}",
    "less_than_equal": "Input should be less than or equal to {le}",
    "multiple_of": "Input should be a multiple of {multiple_of}",
    "decimal_max_digits": "Decimal input should have no more than {max_digits} digits in total",
    "decimal_max_places": "Decimal input should have no more than {decimal_places} decimal places",
    "decimal_whole_digits": (
        "Decimal input should have no more than {whole_digits} digits before the decimal point"
    ),
    # The fallback: a custom validator, an email address, any check without a type here.
    "value_error": "Input is not valid",
}
FALLBACK_TYPE = "value_error"


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


def problem_body(body: Problem) -> bytes:
    """The bytes every problem is sent as, whichever layer answers: compact UTF-8 JSON."""
    return orjson.dumps(body)


def validation_problem(errors: list[ValidationErrorItem], instance: str) -> Problem:
    """A 422 problem with its ``errors`` sorted by ``loc``, as the contract asks."""
    body = problem(422, "Request validation failed", instance)
    body["errors"] = sorted(errors, key=lambda error: [str(part) for part in error["loc"]])
    return body


def error_item(
    loc: list[str | int], error_type: str, context: Mapping[str, Any] | None = None
) -> ValidationErrorItem:
    """One entry of ``errors``: ``error_type`` if the vocabulary has it, else the fallback.

    ``context`` fills the message's placeholders; a message whose numbers are
    missing is sent as written rather than failing the whole answer.
    """
    if error_type not in ERROR_MESSAGES:
        error_type = FALLBACK_TYPE
    message = ERROR_MESSAGES[error_type]
    with contextlib.suppress(KeyError, IndexError, ValueError):
        message = message.format_map(context or {})
    return {"loc": loc, "type": error_type, "msg": message}
