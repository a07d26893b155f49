"""Checks on JSON request bodies that come before validation: 415, then 400."""

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from apiflask import HTTPError, Schema
from apiflask.schema_adapters.marshmallow import parser
from flask import Request, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from . import strict_json

View = Callable[..., Any]


def strict_body(req: Request) -> Any:
    """The request's body through ``strict_json``; 400 when it is not strict JSON."""
    try:
        return strict_json.loads(req.get_data(cache=True))
    except strict_json.InvalidJSONError as error:
        raise BadRequest(f"Request body is not valid JSON: {error}") from None


@parser.location_loader("json")
def load_json(req: Request, schema: Schema) -> Any:
    """What ``@input(..., location="json")`` validates, instead of webargs' ``json.loads``.

    Those bodies passed ``strict_json_body`` already; parsing them the same way
    reads every number as it did there (``json.loads`` fails on an integer of
    more than 4,300 digits).
    """
    return strict_body(req)


def strict_json_body(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse other media types (415) and anything but strict JSON (400).

    Place it above ``@input(..., location="json")``, so that the media type is
    checked first. A chunked body over the size limit stops here too, with 413,
    while it is read (see middleware.py).
    """

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not strict_json.is_json_content_type(request.content_type):
            raise UnsupportedMediaType("Request body must be application/json")
        strict_body(request)
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
                    body = strict_body(request)
                    body_errors = schema().validate(body)
                    if body_errors:
                        error.detail = {**messages, "json": body_errors}
                raise

        return checked

    return decorate
