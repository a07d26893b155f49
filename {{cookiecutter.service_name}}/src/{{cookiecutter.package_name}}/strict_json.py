"""Request bodies as strict RFC 8259 JSON.

The standard library accepts ``NaN`` and ``Infinity`` and crashes with
``RecursionError`` on deeply nested input; both stacks parse through here so
the same bytes get the same answer.
"""

import json
from typing import Any


class InvalidJSONError(ValueError):
    """The body is not UTF-8 encoded RFC 8259 JSON."""


def _reject_constant(name: str) -> Any:
    raise InvalidJSONError(f"{name} is not valid JSON")


def loads(body: bytes) -> Any:
    """Parse a request body or raise :class:`InvalidJSONError` with a short reason."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidJSONError("body is not valid UTF-8") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise InvalidJSONError(f"{error.msg} at position {error.pos}") from None
    except RecursionError:
        raise InvalidJSONError("body is nested too deeply") from None


def is_json_content_type(content_type: str | None) -> bool:
    """``application/json``, with or without parameters such as ``charset``."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == "application/json"
