"""Every error, from routing to the database, answered as RFC 9457 problem+json."""

import json
import logging
from collections.abc import Mapping
from typing import Any

from apiflask import APIFlask, HTTPError
from flask import Response, request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .database import is_unavailable
from .problems import (
    PROBLEM_CONTENT_TYPE,
    Problem,
    ValidationErrorItem,
    error_item,
    problem,
    validation_problem,
)

logger = logging.getLogger(__name__)  # "<package>.errors", as the middleware's 500 net

# webargs names the request part that failed; the contract's ``loc`` starts with these.
LOCATIONS = {"json": "body", "query": "query", "path": "path"}
# marshmallow's key for errors of a whole object (e.g. it is not an object).
SCHEMA_ERRORS = "_schema"


def problem_response(body: Problem, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), body["status"], headers=headers, content_type=PROBLEM_CONTENT_TYPE
    )


def to_error_items(messages: Mapping[str, Any]) -> list[ValidationErrorItem]:
    """webargs' ``{location: {field: messages}}`` as the contract's ``errors``."""
    items: list[ValidationErrorItem] = []
    for location, fields in messages.items():
        items += _error_items([LOCATIONS.get(location, location)], fields)
    return items


def _error_items(loc: list[str | int], messages: Any) -> list[ValidationErrorItem]:
    """marshmallow nests the messages of objects and list items: ``{"lines": {0: {...}}}``."""
    if isinstance(messages, Mapping):
        return [
            item
            for key, nested in messages.items()
            for item in _error_items(loc if key == SCHEMA_ERRORS else [*loc, key], nested)
        ]
    if isinstance(messages, str):
        # A type of the vocabulary (schemas.Violation keeps its numbers, e.g. ``ge``);
        # any other text, e.g. from a ``@validates`` method, gets the fallback type.
        return [error_item(loc, messages, getattr(messages, "context", None))]
    return [item for message in messages for item in _error_items(loc, message)]


def handle_http_exception(error: HTTPException) -> Response:
    """Routing (404, 405), body (400, 413, 415) and ``raise NotFound(...)`` in views."""
    status = error.code or 500
    body = problem(status, "", request.path)
    body["detail"] = error.description or body["title"]
    headers = {}
    if isinstance(error, MethodNotAllowed):
        # Werkzeug lists the methods in no particular order.
        headers["Allow"] = ", ".join(sorted(error.valid_methods or ()))
    return problem_response(body, headers)


def handle_validation_error(error: HTTPError) -> Response:
    """APIFlask's ``@input`` failed: 422 with the contract's ``errors``."""
    if error.status_code == 422 and isinstance(error.detail, Mapping):
        body = validation_problem(to_error_items(error.detail), request.path)
    else:  # ``apiflask.abort``: not used by the service, answered all the same
        body = problem(error.status_code, error.message or "", request.path)
    return problem_response(body)


def handle_database_error(error: Exception) -> Response:
    """The database is not available now: 503 (retry later); any other error is a bug: 500."""
    if not is_unavailable(error):
        return handle_unexpected_error(error)
    logger.warning("Database unavailable: %s", type(error).__name__)
    body = problem(503, "The database is unavailable; try again later", request.path)
    return problem_response(body)


def handle_unexpected_error(error: Exception) -> Response:
    """500 without internals; the traceback goes to the log with the request id."""
    logger.exception("Unhandled error on %s %s", request.method, request.path, exc_info=error)
    return problem_response(problem(500, "Internal Server Error", request.path))


def register_error_handlers(app: APIFlask) -> None:
    # These replace the handlers APIFlask registers for the same classes.
    handlers: dict[type[Exception], Any] = {
        HTTPException: handle_http_exception,
        HTTPError: handle_validation_error,
        DBAPIError: handle_database_error,
        PoolTimeoutError: handle_database_error,
        OSError: handle_database_error,  # only the database layer's are 503
        Exception: handle_unexpected_error,
    }
    for error_class, handler in handlers.items():
        app.register_error_handler(error_class, handler)
