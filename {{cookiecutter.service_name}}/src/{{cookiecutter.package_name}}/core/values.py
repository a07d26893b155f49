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
# A number in a parameter (path, query, header, cookie): a JSON number, a "+" allowed
# ("1_0", "0x10", ".5", "nan" and "inf" are not, though Python's ``float()`` takes them).
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
# A boolean in a parameter (path, query, header, cookie): the words Python's validation
# libraries agree on, in lower case, capitalised or in upper case ("True" is what Python's
# clients send).
_BOOLEAN_WORDS = {
    True: ("true", "t", "yes", "y", "on", "1"),
    False: ("false", "f", "no", "n", "off", "0"),
}
BOOLEAN_TEXT = {
    form: value
    for value, words in _BOOLEAN_WORDS.items()
    for word in words
    for form in (word, word.capitalize(), word.upper())
}
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
# A UUID as the document's ``format: uuid`` has it: hex digits 8-4-4-4-12 (not the
# hyphenless, braced or "urn:uuid:" forms pydantic and Python's parser also take).
UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
# A date and time the service can store in UTC: on 0001-01-01 no offset ahead of UTC, on
# 9999-12-31 none behind it (+00:00 and -00:00 are UTC). Simpler than "has a UTC form", which
# refuses only some of those, and a pattern can say it: the document publishes it.
_IN_UTC_YEARS = r"(?!0001-01-01.*\+(?!00:?00$))(?!9999-12-31.*-(?!00:?00$))"
DATETIME_PATTERN = f"^{_IN_UTC_YEARS}"
# A date and time: what pydantic reads, less Unix times ("1709209800") and digits it would drop
# (7+ after the point): a date, or a date, T (t, space, _), HH:MM[:SS[.ffffff]] (or ",") and
# an optional offset Z (z), +HH:MM or +HHMM; Python's parser takes more (20240229T12, weeks).
DATETIME_TEXT = re.compile(
    _IN_UTC_YEARS + r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([Tt _][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,6})?)?([Zz]|[+-][0-9]{2}:?[0-5][0-9])?)?"
)
# A decimal sent as a JSON string: plain digits, an optional sign and point. Not "1e3", " 1.5",
# "1_000", ".5", "5.", "NaN" or "Infinity", which Python's ``Decimal`` and so both stacks took.
DECIMAL_TEXT = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_BOUNDS = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
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


def number_from_text(value: str) -> float | None:
    """A parameter's number (``_NUMBER``), finite: ``1e999`` is not one."""
    text = value.strip()
    if not _NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


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


def decimal_choices(
    number: dict[str, Any], *, max_digits: int | None, decimal_places: int | None
) -> list[dict[str, Any]]:
    """A request decimal's two JSON forms: ``number`` (its bounds) and a string, with its digits.

    The number is bounded by the whole digits (``-10**whole < x < 10**whole``) and is a
    multiple of ``10**-decimal_places``. With ``max_digits`` alone, only the bounds can be
    stated: JSON Schema cannot count a number's digits (1.2345678 has more than 6).
    The string says it all: ``decimal_pattern``.
    """
    bounds = {key: number[key] for key in _BOUNDS if key in number}
    whole = max_digits
    if max_digits is not None and decimal_places is not None:
        whole = max_digits - decimal_places
    if whole is not None:
        bounds = _tighter(bounds, 10**whole)
    published: dict[str, Any] = {"type": "number", **bounds}
    if decimal_places is not None:
        published["multipleOf"] = float(f"1e-{decimal_places}")
    low = bounds.get("minimum", bounds.get("exclusiveMinimum"))
    signed = low is None or low < 0
    pattern = decimal_pattern(signed=signed, max_digits=max_digits, decimal_places=decimal_places)
    return [published, {"type": "string", "pattern": pattern}]


def _tighter(bounds: dict[str, Any], limit: int) -> dict[str, Any]:
    """``bounds`` and ``-limit < x < limit``: on each side the tighter bound only."""
    lows = [(bounds[key], key == "exclusiveMinimum") for key in _BOUNDS[:2] if key in bounds]
    highs = [(bounds[key], key == "maximum") for key in _BOUNDS[2:] if key in bounds]
    low, low_open = max([*lows, (-limit, True)])  # at the same value, the open bound is tighter
    high, high_closed = min([*highs, (limit, False)])
    return {
        "exclusiveMinimum" if low_open else "minimum": low,
        "maximum" if high_closed else "exclusiveMaximum": high,
    }


def decimal_pattern(*, signed: bool, max_digits: int | None, decimal_places: int | None) -> str:
    """The ``pattern`` of the strings a decimal field takes (``DECIMAL_TEXT`` within its limits).

    Digits are counted as both stacks count them: zeros before the first significant digit
    and after the last one after the point do not count ("001.50" has 2), but a zero without
    a point is one digit. Without ``signed`` no "-": "-0" is then refused, though the
    service takes it.
    """
    sign = "[+-]?" if signed else "\\+?"
    if max_digits is None:
        forms = [_digits(None, decimal_places)]
    elif decimal_places is not None:
        forms = [_digits(max_digits - decimal_places, decimal_places)]
    else:  # each way to split the digits between the two sides of the point
        forms = [_digits(whole, max_digits - whole) for whole in range(max_digits + 1)]
    return f"^{sign}({'|'.join(forms)})$"


def _digits(whole: int | None, places: int | None) -> str:
    """Up to ``whole`` significant digits before the point and ``places`` after it."""
    after = "[0-9]+" if places is None else "0+" if places == 0 else _up_to(places) + "0*"
    if whole == 0:  # a zero without a point counts as a digit before it
        return f"0+\\.{after}"
    before = "[0-9]+" if whole is None else "0*" + _up_to(whole)
    return f"{before}(\\.{after})?"


def _up_to(count: int) -> str:
    return "[0-9]{1," + str(count) + "}"  # no f-string: its doubled braces are template syntax


def repeated_parameters(declared: Iterable[str], sent: Iterable[str]) -> list[str]:
    """Declared query parameters sent more than once, sorted.

    Web frameworks silently pick the first or the last of the values
    silently; the service refuses to guess (422). Unknown parameters are ignored.
    """
    counts = Counter(sent)
    return sorted(name for name in declared if counts[name] > 1)


def expected(choices: Iterable[Any]) -> str:
    """Choices as the ``enum`` message lists them: ``'a', 'b' or 'c'``."""
    shown = [repr(choice) for choice in choices]
    return " or ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)


def header_list_items(lines: Iterable[str]) -> list[str]:
    """A list header's items: its lines' comma-separated values (RFC 9110 5.3: servers join
    the lines of a field sent twice with commas), without spaces around them or empty ones."""
    return [item.strip() for line in lines for item in line.split(",") if item.strip()]
