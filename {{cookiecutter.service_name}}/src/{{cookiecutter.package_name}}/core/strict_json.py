"""Request bodies as strict RFC 8259 JSON.

The standard library accepts ``NaN``, ``Infinity`` and duplicate keys, crashes with
``RecursionError`` on deeply nested input, fails on integers of more than 4,300
digits and decodes lone surrogate escapes (``"\\ud800"``) into strings no UTF-8
encoder or database takes; every body is parsed here so the same bytes get
the same answer.
"""

import json
import re
from typing import Any

from .values import integer_literal

# A \uD800-\uDFFF escape: usually half of a pair, but worth checking the result.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class InvalidJSONError(ValueError):
    """The body is not UTF-8 encoded RFC 8259 JSON."""


def _reject_constant(name: str) -> Any:
    raise InvalidJSONError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Refuse ``{"a": 1, "a": 2}``: which value counts is a guess (RFC 8259 section 4)."""
    result = dict(pairs)
    if len(result) != len(pairs):
        raise InvalidJSONError("duplicate key in an object")
    return result


def loads(body: bytes) -> Any:
    """Parse a request body or raise :class:`InvalidJSONError` with a short reason."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidJSONError("body is not valid UTF-8") from None
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=integer_literal,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as error:
        raise InvalidJSONError(f"{error.msg} at position {error.pos}") from None
    except RecursionError:
        raise InvalidJSONError("body is nested too deeply") from None
    if _SURROGATE_ESCAPE.search(text):
        _check_unicode(value)
    return value


def _check_unicode(value: Any) -> None:
    """Refuse strings with lone surrogates: they are not Unicode text (so not UTF-8)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidJSONError("body has a lone surrogate escape (not Unicode)") from None


def is_json_content_type(content_type: str | None) -> bool:
    """``application/json``, with or without parameters such as ``charset``."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == "application/json"
