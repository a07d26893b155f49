"""Rules for single values that the contract leaves open, in one place.

The schemas and the request checks call these, so the same input gets the same answer.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

# Every character ``str.isspace()`` counts as whitespace (what ``str.strip()`` removes).
_WHITESPACE = "".join(f"\\u{code:04x}" for code in range(0x10000) if chr(code).isspace())
# Published as ``pattern`` in the OpenAPI document, so clients and fuzzers know the
# rules: no NUL anywhere (PostgreSQL text cannot hold it), and for names at least
# one character that is not whitespace. The service checks the same rules in code.
TEXT_PATTERN = "^[^\\u0000]*$"
NAME_PATTERN = f"^[^\\u0000]*[^\\u0000{_WHITESPACE}][^\\u0000]*$"

_INTEGER = re.compile(r"[+-]?[0-9]+")
# A date and a time of day as both stacks read them from JSON (pydantic and Python's parsers
# take more, differently): YYYY-MM-DD; HH:MM, then optional seconds and up to 6 digits of
# fraction, no offset.
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
TIME_TEXT = re.compile(_TIME)
# The OpenAPI document publishes a time of day as this pattern, not ``format: time``: that
# format is RFC 3339's full-time, which requires an offset (``09:30:00Z``) that a time of
# day does not have, so clients and fuzzers would send what the service refuses.
TIME_PATTERN = f"^{_TIME}$"
# A date and time: what pydantic reads, less Unix times ("1709209800") and digits it would drop
# (7+ after the point): a date, or a date, T (t, space, _), HH:MM[:SS[.ffffff]] (or ",") and
# an optional offset Z (z), +HH:MM or +HHMM; Python's parser takes more (20240229T12, weeks).
DATETIME_TEXT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([Tt _][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,6})?)?([Zz]|[+-][0-9]{2}:?[0-5][0-9])?)?"
)
# What an integer literal too long for Python to convert stands for (see integer_literal).
BEYOND_ANY_BOUND = 10**400


def text_violation(value: str, *, blank: bool) -> str | None:
    """The error type of a string that breaks a text rule, if any (NUL first, then blank)."""
    if "\x00" in value:
        return "string_pattern_mismatch"
    if not blank and not value.strip():
        return "blank_string"
    return None


def integer_from_text(value: str) -> int | None:
    """A path or query integer: optional sign and ASCII digits only.

    ``1_000``, ``1e3``, ``0x10`` and ``1.0`` are not integers here, though
    Python's ``int()`` or pydantic's lax mode take some of them.
    """
    if not _INTEGER.fullmatch(value.strip()):
        return None
    return integer_literal(value)


def integer_literal(digits: str) -> int:
    """The value of a decimal integer literal (optional sign, then digits; already checked).

    Python refuses to convert more than 4,300 digits (``sys.get_int_max_str_digits()``,
    a guard against slow conversions). Such a literal is read as ``BEYOND_ANY_BOUND``
    of its sign: past every bound, it fails the range check as a 400-digit one does,
    and it still prints.
    """
    try:
        return int(digits)
    except ValueError:
        return -BEYOND_ANY_BOUND if digits.strip().startswith("-") else BEYOND_ANY_BOUND


def integral_number(value: Any) -> Any:
    """``5.0`` as ``5``: in JSON Schema, which the OpenAPI document uses, 5.0 is an integer.

    Anything else is returned unchanged for the integer check to judge
    (``5.5``, ``"5"``, ``true`` and infinities stay refused).
    """
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def comparable_number(value: Any) -> Any:
    """An integer too large for a float, as an infinity of its sign.

    A JSON number such as ``1e400`` parses as infinity and fails the range
    check; an integer literal with 400 digits must fail it the same way, not
    as "not a number".
    """
    if type(value) is int:
        try:
            float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return value


def repeated_parameters(declared: Iterable[str], sent: Iterable[str]) -> list[str]:
    """Declared query parameters sent more than once, sorted.

    Web frameworks silently pick the first or the last of the values
    silently; the service refuses to guess (422). Unknown parameters are ignored.
    """
    counts = Counter(sent)
    return sorted(name for name in declared if counts[name] > 1)
