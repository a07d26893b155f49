"""Every error the framework raises, answered as RFC 9457 problem+json."""

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from .database import is_unavailable
from .problems import (
    PROBLEM_CONTENT_TYPE,
    ValidationErrorItem,
    error_item,
    problem,
    validation_problem,
)

logger = logging.getLogger(__name__)

# pydantic's error types with other names in the shared vocabulary (problems.ERROR_MESSAGES);
# the rest keep pydantic's name, and a type the vocabulary lacks becomes its fallback.
ERROR_TYPES = {
    "int_parsing": "int_type",
    "int_from_float": "int_type",
    "float_type": "number_type",
    "float_parsing": "number_type",
    "bool_parsing": "bool_type",
    "model_type": "object_type",
    "model_attributes_type": "object_type",
    "dict_type": "object_type",
    "literal_error": "enum",
    "uuid_parsing": "uuid_type",
    "date_parsing": "date_type",
    "date_from_datetime_parsing": "date_type",
    "date_from_datetime_inexact": "date_type",
    "datetime_parsing": "datetime_type",
    "datetime_from_date_parsing": "datetime_type",
    "datetime_object_invalid": "datetime_type",
}
# A JSON null where a value of some type is due: ``null_not_allowed`` (not for the body itself).
NULL_REFUSING_TYPES = {
    "string_type",
    "int_type",
    "number_type",
    "bool_type",
    "object_type",
    "list_type",
    "uuid_type",
    "date_type",
    "datetime_type",
    "enum",
}
CANDIDATE_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_CONTENT_TYPE


def to_error_items(errors: Sequence[Any]) -> list[ValidationErrorItem]:
    """pydantic's errors in the shared vocabulary, with its messages (filled from ``ctx``)."""
    items: list[ValidationErrorItem] = []
    for error in errors:
        loc = list(error["loc"])
        error_type = ERROR_TYPES.get(error["type"], error["type"])
        if error_type in NULL_REFUSING_TYPES and len(loc) > 1 and error.get("input", ...) is None:
            error_type = "null_not_allowed"
        items.append(error_item(loc, error_type, error.get("ctx")))
    return items


def allowed_methods(request: Request) -> str:
    """Every method some route answers on this path (for ``Allow``)."""
    methods = {
        method
        for method in CANDIDATE_METHODS
        for route in request.app.router.routes
        if route.matches({**request.scope, "method": method})[0] is Match.FULL
    }
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def handle_http_exception(request: Request, error: Exception) -> ProblemResponse:
    assert isinstance(error, HTTPException)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = allowed_methods(request)
    detail = error.detail if isinstance(error.detail, str) else None
    body = problem(error.status_code, detail or "", request.url.path)
    if not detail:
        body["detail"] = body["title"]
    return ProblemResponse(body, status_code=error.status_code, headers=headers)


async def handle_validation_error(request: Request, error: Exception) -> ProblemResponse:
    assert isinstance(error, RequestValidationError)
    body = validation_problem(to_error_items(error.errors()), request.url.path)
    return ProblemResponse(body, status_code=422)


async def handle_database_error(request: Request, error: Exception) -> ProblemResponse:
    """The database is not available now: 503 (retry later); any other error is a bug: 500."""
    if not is_unavailable(error):
        raise error  # the 500 net logs it with its traceback
    logger.warning("Database unavailable: %s", type(error).__name__)
    body = problem(503, "The database is unavailable; try again later", request.url.path)
    return ProblemResponse(body, status_code=503)


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, handle_http_exception)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    # OSError and TimeoutError: asyncpg raises them bare; is_unavailable() checks where.
    for error_class in (DBAPIError, PoolTimeoutError, OSError, TimeoutError):
        app.add_exception_handler(error_class, handle_database_error)
