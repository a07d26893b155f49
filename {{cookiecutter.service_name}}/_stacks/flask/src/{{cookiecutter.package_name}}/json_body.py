"""Checks on JSON request bodies that come before validation: 415, then 400."""

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from apiflask import HTTPError, Schema
from flask import request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from . import strict_json

View = Callable[..., Any]


def strict_json_body(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse other media types (415) and anything but strict JSON (400).

    Place it above ``@input(..., location="json")``: webargs parses the body
    again with ``json.loads``, which takes ``NaN`` and crashes on deep nesting,
    so only bodies that passed here may reach it. A chunked body over the
    size limit stops here too, with 413, while it is read (see middleware.py).
    """

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not strict_json.is_json_content_type(request.content_type):
            raise UnsupportedMediaType("Request body must be application/json")
        try:
            strict_json.loads(request.get_data(cache=True))
        except strict_json.InvalidJSONError as error:
            raise BadRequest(f"Request body is not valid JSON: {error}") from None
        return view(*args, **kwargs)

    return checked


def with_body_errors(schema: type[Schema]) -> Callable[[View], View]:
    """Report the body's 422 errors along with the path's, as the contract asks.

    Place it above the ``@input`` decorators: webargs stops at the first one
    that fails, so a bad ``item_id`` would hide a bad body.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except HTTPError as error:
                messages = error.detail
                path_only = isinstance(messages, Mapping) and "json" not in messages
                if error.status_code == 422 and path_only:
                    body = strict_json.loads(request.get_data(cache=True))
                    body_errors = schema().validate(body)
                    if body_errors:
                        error.detail = {**messages, "json": body_errors}
                raise

        return checked

    return decorate
