"""Small helpers for assertions the tests repeat."""

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

import httpx

PROBLEM = "application/problem+json"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
ITEMS = "/api/v1/items"


def assert_problem(
    response: httpx.Response, status: int, title: str, instance: str
) -> dict[str, Any]:
    """The response is an RFC 9457 problem with the contract's members; returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == "about:blank"
    assert body["title"] == title
    assert body["status"] == status
    assert body["instance"] == instance
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def error_pairs(body: dict[str, Any]) -> list[tuple[list[str | int], str]]:
    """The ``(loc, type)`` pairs of a validation problem, in the order sent."""
    return [(error["loc"], error["type"]) for error in body["errors"]]


def create(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": "widget", "price": 9.5, **fields}
    response = client.post(ITEMS, json=body)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


# A valid body for the ``Sample`` schema (test_vocabulary.py), whose fields
# use every kind of validator, and bad values with the ``(loc, type)`` pairs due: the
# same failure gives the same type whatever the framework.
SAMPLE: dict[str, Any] = {
    "kind": "a",
    "colour": "red",
    "code": "ABC",
    "size": 5,
    "ratio": 0.5,
    "units": 2.0,
    "weights": [1.5, 2],
    "ref": "0f0e0d0c-0b0a-4908-8706-050403020100",
    "day": "2024-02-29",
    "at": "2024-02-29T12:30:00Z",
    "opens": "09:30",
    "paid": False,
    "amount": "1.50",
    "email": "ada@example.com",
    "lines": [{"sku": "ABC"}],
    "note": "",
    # Types JSON lacks, alone and inside containers: read as the plain type is.
    "price": "12.50",
    "prices": ["1.5", 2],
    "days": ["2024-02-29"],
    "moments": ["2024-02-29T12:30:00+02:00"],
    "by_day": {"leap": "2024-02-29"},
    "stock": {"2024-02-29": 3},
    "span": ["2024-02-29", "0.5"],
    "refs": ["0f0e0d0c-0b0a-4908-8706-050403020100"],
    "colours": ["blue"],
    # A nested model (or TypedDict) is read as the body is.
    "address": {"day": "2024-02-29", "n": 1},
    "place": {"day": "2024-02-29", "n": 1},
}
# What the sample's containers hold once read: the value sent, never rounded or reshaped.
SAMPLE_READ: dict[str, Any] = {
    "price": Decimal("12.50"),
    "units": 2,
    "prices": [Decimal("1.5"), Decimal("2")],
    "days": [date(2024, 2, 29)],
    "moments": [datetime(2024, 2, 29, 10, 30, tzinfo=UTC)],
    "by_day": {"leap": date(2024, 2, 29)},
    "stock": {date(2024, 2, 29): 3},
    "span": (date(2024, 2, 29), Decimal("0.5")),
    "refs": [UUID("0f0e0d0c-0b0a-4908-8706-050403020100")],
}
# A UUID in a path or a query is read as in a body: 8-4-4-4-12 hex digits, either case.
UUIDS_READ = ["0f0e0d0c-0b0a-4908-8706-050403020100", "0F0E0D0C-0B0A-4908-8706-050403020100"]
UUIDS_REFUSED = [
    "nope",
    "0f0e0d0c0b0a49088706050403020100",
    "{0f0e0d0c-0b0a-4908-8706-050403020100}",
    "urn:uuid:0f0e0d0c-0b0a-4908-8706-050403020100",
    "0f0e-0d0c-0b0a-4908-8706-050403020100",
    "0f0e0d0c-0b0a-4908-8706-0504030201000",
]
# A route's own query parameters (active: bool, ratio: float, n: int, tag: a list of strings,
# price: a decimal), as both stacks read them from text: what each query gives, and what each
# refuses.
PARAMETERS_UNSET = {"active": None, "ratio": None, "n": None, "tag": None, "price": None}
PARAMETERS_READ: list[tuple[str, dict[str, Any]]] = [
    ("active=true", {"active": True}),
    ("active=True", {"active": True}),
    ("active=1", {"active": True}),
    ("active=yes", {"active": True}),
    ("active=OFF", {"active": False}),
    ("active=n", {"active": False}),
    ("ratio=1.5", {"ratio": 1.5}),
    ("ratio=-2e3", {"ratio": -2000.0}),
    ("ratio=%2B0.5", {"ratio": 0.5}),
    ("n=5", {"n": 5}),
    ("n=%2B5", {"n": 5}),
    ("n=05", {"n": 5}),
    ("tag=a", {"tag": ["a"]}),
    ("tag=a&tag=b", {"tag": ["a", "b"]}),
]
PARAMETERS_REFUSED: list[tuple[str, str, str]] = [
    ("active=tRuE", "active", "bool_type"),
    ("active=2", "active", "bool_type"),
    ("active=", "active", "bool_type"),
    ("ratio=nan", "ratio", "number_type"),
    ("ratio=inf", "ratio", "number_type"),
    ("ratio=1e999", "ratio", "number_type"),
    ("ratio=1_0", "ratio", "number_type"),
    ("ratio=0x10", "ratio", "number_type"),
    ("ratio=.5", "ratio", "number_type"),
    ("n=5.0", "n", "int_type"),
    ("n=1e3", "n", "int_type"),
    ("n=1_000", "n", "int_type"),
    # A decimal as a body's decimal string: plain digits.
    ("price=1e3", "price", "number_type"),
    ("price=.5", "price", "number_type"),
    ("price=nan", "price", "number_type"),
    # A single value sent twice: which one counts would be a guess.
    ("active=true&active=false", "active", "bool_type"),
    ("ratio=1&ratio=2", "ratio", "number_type"),
    ("n=1&n=2", "n", "int_type"),
]
# No request text may hold a NUL (PostgreSQL's text cannot): a route's own strings, each where
# it is sent (GET when there is no body, else POST), and the error's location.
NUL_REFUSED: list[tuple[str, dict[str, Any] | None, list[str | int]]] = [
    ("/api/v1/texts?q=a%00b", None, ["query", "q"]),
    ("/api/v1/texts/a%00b", None, ["path", "code"]),
    ("/api/v1/texts", {"text": "a\x00b"}, ["body", "text"]),
    ("/api/v1/texts", {"text": "a", "tags": ["x\x00"]}, ["body", "tags", 0]),
    ("/api/v1/texts", {"text": "a", "meta": {"k": "v\x00"}}, ["body", "meta", "k"]),
]
# A dict's keys are stored in JSON, which holds a NUL: taken.
NUL_TAKEN: dict[str, Any] = {"text": "a", "tags": [], "meta": {"k\x00": "v"}}
# A route's own integer and number path parameters (n: int, x: float), by the same rules.
PATH_NUMBERS_READ: list[tuple[str, dict[str, Any]]] = [
    ("/api/v1/numbers/5", {"n": 5}),
    ("/api/v1/numbers/-5", {"n": -5}),
    ("/api/v1/numbers/x/1", {"x": 1.0}),
    ("/api/v1/numbers/x/-2e3", {"x": -2000.0}),
]
PATH_NUMBERS_REFUSED: list[tuple[str, str, str]] = [
    ("/api/v1/numbers/abc", "n", "int_type"),
    ("/api/v1/numbers/5.0", "n", "int_type"),
    ("/api/v1/numbers/1_000", "n", "int_type"),
    ("/api/v1/numbers/x/abc", "x", "number_type"),
    ("/api/v1/numbers/x/nan", "x", "number_type"),
]
# Whole numbers sent as floats inside containers: integers there too, as at the top level.
WHOLE_NUMBERS_INSIDE: dict[str, Any] = {
    "stock": {"2024-02-29": 3.0},
    "address": {"day": "2024-02-29", "n": 1.0},
    "place": {"day": "2024-02-29", "n": 1.0},
}
# A time of day as both stacks read it (values.TIME_TEXT): seconds and fraction optional.
TIMES_READ = {
    "09:30": time(9, 30),
    "23:59:59": time(23, 59, 59),
    "00:00:00.5": time(0, 0, 0, 500000),
    "12:30:00.123456": time(12, 30, 0, 123456),
}
# An email address as both stacks read it (email-validator, as pydantic's EmailStr uses it).
EMAILS_READ = {
    " ada@example.com": "ada@example.com",
    "Ada@EXAMPLE.com": "Ada@example.com",
    "Ada Lovelace <ada@example.com>": "ada@example.com",
    "ada@xn--bcher-kva.de": "ada@bücher.de",
}
# A date and time as both stacks read it (values.DATETIME_TEXT): "z" as well as "Z".
DATETIMES_READ = {
    "2024-02-29T12:30:00z": datetime(2024, 2, 29, 12, 30, tzinfo=UTC),
    "0001-01-01T00:00:00-01:00": datetime(1, 1, 1, 1, 0, tzinfo=UTC),
    "0001-01-01T00:00:00+00:00": datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    "9999-12-31T23:00:00+01:00": datetime(9999, 12, 31, 22, 0, tzinfo=UTC),
    "9999-12-31T23:59:59-00:00": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    "2024-02-29t12:30:00.5z": datetime(2024, 2, 29, 12, 30, 0, 500000, tzinfo=UTC),
}
# Date-time bounds, compared in UTC: a bound or a value without an offset is UTC. A body of
# ``after`` (after 2000-01-01T00:00:00), ``stamps`` (each at or after 2000-01-01T00:00:00Z),
# ``by_key`` (each value at or after 2000-01-01T00:00:00), ``until`` (null or before
# 2000-01-01T00:00:00Z), and what is read of it, or the one error it gets.
BOUNDED_DATETIMES_READ: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"after": "2000-01-01T00:00:01"}, {"after": datetime(2000, 1, 1, 0, 0, 1, tzinfo=UTC)}),
    (
        {"after": "1999-12-31T23:00:00-02:00"},  # 01:00 UTC
        {"after": datetime(1999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-2)))},
    ),
    ({"stamps": ["2000-01-01"]}, {"stamps": [datetime(2000, 1, 1, tzinfo=UTC)]}),
    (
        {"by_key": {"a": "2000-01-01T00:00:00Z"}},
        {"by_key": {"a": datetime(2000, 1, 1, tzinfo=UTC)}},
    ),
    ({"until": None}, {"until": None}),
    ({"until": "1999-12-31T23:59:59"}, {"until": datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)}),
]
BOUNDED_DATETIMES_REFUSED: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"after": "2000-01-01T00:00:00Z"}, {"loc": ["body", "after"], "type": "greater_than"}),
    ({"after": "2000-01-01T01:00:00+02:00"}, {"loc": ["body", "after"], "type": "greater_than"}),
    (
        {"stamps": ["1999-12-31T23:59:59"]},
        {"loc": ["body", "stamps", 0], "type": "greater_than_equal"},
    ),
    (
        {"by_key": {"a": "2000-01-01T00:30:00+01:00"}},
        {"loc": ["body", "by_key", "a"], "type": "greater_than_equal"},
    ),
    ({"until": "1999-12-31T23:00:00-01:00"}, {"loc": ["body", "until"], "type": "less_than"}),
]
# All a date and time's schema says: JSON Schema bounds numbers only, so neither stack
# documents a bound of one (not even as pydantic's ``gt`` or apispec's ``x-minimum``).
DATETIME_SCHEMA_KEYS = {"type", "format", "pattern", "title", "default"}
# The bound in the message, as pydantic writes it.
BOUND_MESSAGES = {
    "greater_than": "Input should be greater than 2000-01-01T00:00:00Z",
    "greater_than_equal": "Input should be greater than or equal to 2000-01-01T00:00:00Z",
    "less_than": "Input should be less than 2000-01-01T00:00:00Z",
}
# How the document bounds ``size`` (greater than 0, less than 10): the ends are left out.
SIZE_BOUNDS = {"exclusiveMinimum": 0, "exclusiveMaximum": 10}


def bounds(schema: dict[str, Any]) -> dict[str, Any]:
    """The bounds a schema documents, inclusive or not."""
    keys = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    return {key: value for key, value in schema.items() if key in keys}


# The whole message for some of SAMPLE_ERRORS, the same bytes on both stacks.
SAMPLE_MESSAGES: list[tuple[dict[str, Any], str]] = [
    ({"size": 0}, "Input should be greater than 0"),
    ({"ratio": -1}, "Input should be greater than or equal to 0.0"),  # a float's bounds are
    ({"ratio": 2}, "Input should be less than or equal to 1.0"),  # floats, as pydantic has them
    ({"opens": "noon"}, "Input should be a valid time (HH:MM[:SS[.ffffff]])"),
    ({"code": "abcde"}, "String should have at most 4 characters"),
    ({"size": 12}, "Input should be a multiple of 5"),
]
# How the OpenAPI document shows a decimal: what a request takes (a number, or a string
# holding one) and what a response sends (a string, so no digit is lost).
# For ``price`` (at least 0, at most 6 digits, 2 after the point): numbers below 10**4 in
# cents, strings of plain digits within those limits (``values.decimal_choices``).
DECIMAL_IN = {
    "anyOf": [
        {"type": "number", "minimum": 0.0, "exclusiveMaximum": 10000, "multipleOf": 0.01},
        {"type": "string", "pattern": "^\\+?(0*[0-9]{1,4}(\\.[0-9]{1,2}0*)?)$"},
    ]
}
DECIMAL_OUT = {"type": "string"}
DECIMAL_OUT_OR_NULL = {"anyOf": [{"type": "string"}, {"type": "null"}]}
# Decimals as sent, and whether ``price`` (as above) and a decimal without limits take them:
# the published schema must say exactly that (``published_takes``). Not "-0": ``price``
# takes it (it is not below 0), its pattern has no "-".
DECIMALS: list[tuple[Any, bool, bool]] = [
    *[(text, True, True) for text in ["12.50", "+1", "0", "00.5", "001.50", "0.00", "0.0000"]],
    *[(text, True, True) for text in ["1.500", "9999.99", "0001234.5", "1234.500", "1.000000"]],
    *[(text, False, True) for text in ["-1", "-1.5", "10000", "10000.0", "0.001", "1234567"]],
    *[(text, False, False) for text in ["abc", "", "1e3", "1E3", " 1.5", "1.5 ", "1.5\n"]],
    *[(text, False, False) for text in ["1_000", ".5", "5.", "NaN", "Infinity", "-Infinity"]],
    *[(text, False, False) for text in ["0x10", "1,5", "\u0661", "0E-8", "+-1", "1.2.3"]],
    *[(number, True, True) for number in [12.5, 0, -0.0, 9999.99, 0.1, 1234.5, 5]],
    *[(number, False, True) for number in [1.005, 1e-05, 10000, 1e308, 1.7976931348623157e308]],
    *[(number, False, True) for number in [-1, -0.01, 12345.0]],
]


def published_takes(schema: dict[str, Any], value: Any) -> bool:
    """Whether a request decimal's published ``anyOf`` holds ``value``, by JSON Schema's rules.

    Numbers compare exactly, as written (JSON Schema's 0.07 is a multiple of 0.01); a
    pattern's ``$`` is the very end (Python's also matches before a final newline).
    """
    number, text = schema["anyOf"]
    if isinstance(value, str):
        return re.search(text["pattern"].replace("$", "\\Z"), value) is not None
    exact = Fraction(repr(value))
    limit = {key: Fraction(repr(bound)) for key, bound in number.items() if key != "type"}
    return (
        exact >= limit.get("minimum", exact)
        and exact > limit.get("exclusiveMinimum", exact - 1)
        and exact <= limit.get("maximum", exact)
        and exact < limit.get("exclusiveMaximum", exact + 1)
        and ("multipleOf" not in limit or (exact / limit["multipleOf"]).denominator == 1)
    )


SAMPLE_ERRORS: list[tuple[dict[str, Any], list[tuple[list[str | int], str]]]] = [
    ({"kind": "c"}, [(["body", "kind"], "enum")]),
    ({"kind": None}, [(["body", "kind"], "null_not_allowed")]),
    ({"colour": "green"}, [(["body", "colour"], "enum")]),
    ({"code": "abc"}, [(["body", "code"], "string_pattern_mismatch")]),
    ({"code": "A"}, [(["body", "code"], "string_too_short")]),
    # A pattern's "$" is the end of the text, not also before a last newline.
    ({"code": "ABC\n"}, [(["body", "code"], "string_pattern_mismatch")]),
    ({"code": "ABCDE"}, [(["body", "code"], "string_too_long")]),
    ({"size": 0}, [(["body", "size"], "greater_than")]),
    ({"size": 10}, [(["body", "size"], "less_than")]),
    ({"size": 7}, [(["body", "size"], "multiple_of")]),
    # One error for a value that breaks several rules: the one pydantic checks first, whatever
    # the order declared (the length before the pattern, multiple_of before the range).
    ({"code": "abcde"}, [(["body", "code"], "string_too_long")]),
    ({"code": "a"}, [(["body", "code"], "string_too_short")]),
    ({"size": 12}, [(["body", "size"], "multiple_of")]),
    ({"size": -3}, [(["body", "size"], "multiple_of")]),
    # JSON's numbers only, never cut down: not 2.5 or "2" for an integer, not "1.5" for a number.
    ({"units": 2.5}, [(["body", "units"], "int_type")]),
    ({"units": 1e-42}, [(["body", "units"], "int_type")]),
    ({"units": "2"}, [(["body", "units"], "int_type")]),
    ({"units": True}, [(["body", "units"], "int_type")]),
    ({"weights": ["1.5"]}, [(["body", "weights", 0], "number_type")]),
    ({"weights": [False]}, [(["body", "weights", 0], "number_type")]),
    ({"ratio": -1}, [(["body", "ratio"], "greater_than_equal")]),
    ({"ratio": 2}, [(["body", "ratio"], "less_than_equal")]),
    ({"ref": "nope"}, [(["body", "ref"], "uuid_type")]),
    # A UUID is 8-4-4-4-12 hex digits: no other spelling Python's parser takes.
    ({"ref": "0f0e0d0c0b0a49088706050403020100"}, [(["body", "ref"], "uuid_type")]),
    ({"ref": "{0f0e0d0c-0b0a-4908-8706-050403020100}"}, [(["body", "ref"], "uuid_type")]),
    ({"ref": "urn:uuid:0f0e0d0c-0b0a-4908-8706-050403020100"}, [(["body", "ref"], "uuid_type")]),
    ({"ref": "0f0e-0d0c-0b0a-4908-8706-050403020100"}, [(["body", "ref"], "uuid_type")]),
    ({"day": "2024-02-30"}, [(["body", "day"], "date_type")]),
    ({"at": "soon"}, [(["body", "at"], "datetime_type")]),
    # A time of day: HH:MM[:SS[.ffffff]], no offset, no other spelling.
    ({"opens": "25:00"}, [(["body", "opens"], "time_type")]),
    ({"opens": "12:30:60"}, [(["body", "opens"], "time_type")]),
    ({"opens": "24:00"}, [(["body", "opens"], "time_type")]),
    ({"opens": "12:60"}, [(["body", "opens"], "time_type")]),
    ({"opens": "noon"}, [(["body", "opens"], "time_type")]),
    ({"opens": "9:30"}, [(["body", "opens"], "time_type")]),
    ({"opens": "0930"}, [(["body", "opens"], "time_type")]),
    ({"opens": "09"}, [(["body", "opens"], "time_type")]),
    ({"opens": "T09:30"}, [(["body", "opens"], "time_type")]),
    ({"opens": "09:30:00Z"}, [(["body", "opens"], "time_type")]),
    ({"opens": "09:30:00+02:00"}, [(["body", "opens"], "time_type")]),
    ({"opens": "09:30:00,5"}, [(["body", "opens"], "time_type")]),
    ({"opens": "09:30:00.1234567"}, [(["body", "opens"], "time_type")]),
    ({"opens": 930}, [(["body", "opens"], "time_type")]),
    ({"opens": None}, [(["body", "opens"], "null_not_allowed")]),
    ({"paid": "maybe"}, [(["body", "paid"], "bool_type")]),
    # JSON's own kinds only: no 1 or "true" for a boolean, no Unix time for a date.
    ({"paid": 1}, [(["body", "paid"], "bool_type")]),
    ({"paid": "true"}, [(["body", "paid"], "bool_type")]),
    ({"day": 20240229}, [(["body", "day"], "date_type")]),
    ({"day": "2024-02-29T00:00:00"}, [(["body", "day"], "date_type")]),
    # A date is YYYY-MM-DD only: not ISO 8601's other forms, which Python's parser takes.
    ({"day": "20240229"}, [(["body", "day"], "date_type")]),
    ({"day": "2024-W09-4"}, [(["body", "day"], "date_type")]),
    ({"at": 1709209800}, [(["body", "at"], "datetime_type")]),
    # A date and time is YYYY-MM-DD[THH:MM[:SS[.ffffff]][offset]] only: no Unix time in a string,
    # no other ISO 8601 form, no hour alone, no digit that would be dropped.
    ({"at": "1709209800"}, [(["body", "at"], "datetime_type")]),
    ({"at": "1709209800.5"}, [(["body", "at"], "datetime_type")]),
    ({"at": "0"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12Z"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12+01:00"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12.5Z"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12:30.5Z"}, [(["body", "at"], "datetime_type")]),
    ({"at": "20240229T123000Z"}, [(["body", "at"], "datetime_type")]),
    ({"at": "20240229T12:30:00Z"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T123000Z"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-W09-4T12:00"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12:30:00.Z"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12:30:00.1234567Z"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12:30:00.123456789+01:00"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12:30:00+01"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12:30:00-00"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12:30:00+01:60"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12:30:00+0160"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12:30:00+01:30:15"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12:30:00+01:00:00"}, [(["body", "at"], "datetime_type")]),
    ({"at": "2024-02-29T12:30:00 Z"}, [(["body", "at"], "datetime_type")]),
    # Stored in UTC: on 0001-01-01 no offset ahead of UTC, on 9999-12-31 none behind it.
    ({"at": "0001-01-01T00:00:00+01:00"}, [(["body", "at"], "datetime_type")]),
    ({"at": "0001-01-01T23:00:00+01:00"}, [(["body", "at"], "datetime_type")]),
    ({"at": "0001-01-01T12:00:00+0001"}, [(["body", "at"], "datetime_type")]),
    ({"at": "9999-12-31T23:30:00-01:00"}, [(["body", "at"], "datetime_type")]),
    ({"at": "9999-12-31T00:00:00-00:01"}, [(["body", "at"], "datetime_type")]),
    ({"ref": 5}, [(["body", "ref"], "uuid_type")]),
    ({"colour": 1}, [(["body", "colour"], "enum")]),
    ({"amount": True}, [(["body", "amount"], "number_type")]),
    ({"amount": "abc"}, [(["body", "amount"], "number_type")]),
    # A decimal string is plain digits (values.DECIMAL_TEXT), whatever Python's Decimal reads.
    ({"amount": "1e3"}, [(["body", "amount"], "number_type")]),
    ({"amount": " 1.5"}, [(["body", "amount"], "number_type")]),
    ({"amount": "1_000"}, [(["body", "amount"], "number_type")]),
    ({"amount": ".5"}, [(["body", "amount"], "number_type")]),
    ({"amount": "5."}, [(["body", "amount"], "number_type")]),
    ({"amount": "0E-8"}, [(["body", "amount"], "number_type")]),
    ({"prices": ["1e-2"]}, [(["body", "prices", 0], "number_type")]),
    ({"span": ["2024-02-29", " 1"]}, [(["body", "span", 1], "number_type")]),
    ({"amount": -1}, [(["body", "amount"], "greater_than_equal")]),
    ({"amount": None}, [(["body", "amount"], "null_not_allowed")]),
    ({"email": "ada"}, [(["body", "email"], "value_error")]),
    # No special-use or local name, IP literal or quoted part (email-validator's rules).
    ({"email": "ada@localhost"}, [(["body", "email"], "value_error")]),
    ({"email": "ada@example.local"}, [(["body", "email"], "value_error")]),
    ({"email": "ada@[127.0.0.1]"}, [(["body", "email"], "value_error")]),
    ({"email": '"ada"@example.com'}, [(["body", "email"], "value_error")]),
    ({"email": "ada@b"}, [(["body", "email"], "value_error")]),
    ({"email": 5}, [(["body", "email"], "string_type")]),
    ({"lines": []}, [(["body", "lines"], "too_short")]),
    ({"lines": [{"sku": "ABC"}] * 3}, [(["body", "lines"], "too_long")]),
    ({"lines": {"sku": "ABC"}}, [(["body", "lines"], "list_type")]),
    ({"lines": [{"sku": "ABC"}, {}]}, [(["body", "lines", 1, "sku"], "missing")]),
    ({"lines": [None]}, [(["body", "lines", 0], "null_not_allowed")]),
    ({"lines": ["ABC"]}, [(["body", "lines", 0], "object_type")]),
    ({"note": "LOUD"}, [(["body", "note"], "value_error")]),
    # A decimal's digits (at most 6, 2 after the point) are checked, never rounded away.
    ({"price": "1.234"}, [(["body", "price"], "decimal_max_places")]),
    ({"price": 1.234}, [(["body", "price"], "decimal_max_places")]),
    ({"price": "12345.6"}, [(["body", "price"], "decimal_whole_digits")]),
    ({"price": "1234567"}, [(["body", "price"], "decimal_max_digits")]),
    ({"price": "-1"}, [(["body", "price"], "greater_than_equal")]),
    # One error for a value, as for any field: the digits are checked before the bounds.
    ({"price": "-1.234"}, [(["body", "price"], "decimal_max_places")]),
    ({"price": "NaN"}, [(["body", "price"], "number_type")]),
    ({"price": "Infinity"}, [(["body", "price"], "number_type")]),
    ({"prices": ["1.005"]}, [(["body", "prices", 0], "decimal_max_places")]),
    ({"prices": [True]}, [(["body", "prices", 0], "number_type")]),
    ({"prices": ["ten"]}, [(["body", "prices", 0], "number_type")]),
    # Inside containers, the rules of the plain types.
    ({"days": ["2024-02-30"]}, [(["body", "days", 0], "date_type")]),
    ({"days": [20240229]}, [(["body", "days", 0], "date_type")]),
    ({"days": ["2024-02-29T00:00:00"]}, [(["body", "days", 0], "date_type")]),
    ({"days": "2024-02-29"}, [(["body", "days"], "list_type")]),
    ({"moments": ["soon"]}, [(["body", "moments", 0], "datetime_type")]),
    ({"moments": [1709209800]}, [(["body", "moments", 0], "datetime_type")]),
    ({"moments": ["0001-01-01T00:00:00+01:00"]}, [(["body", "moments", 0], "datetime_type")]),
    ({"by_day": {"leap": "2024-02-30"}}, [(["body", "by_day", "leap"], "date_type")]),
    ({"by_day": {"leap": None}}, [(["body", "by_day", "leap"], "null_not_allowed")]),
    ({"by_day": ["2024-02-29"]}, [(["body", "by_day"], "object_type")]),
    ({"stock": {"soon": 3}}, [(["body", "stock", "soon", "[key]"], "date_type")]),
    ({"stock": {"2024-02-29": "3"}}, [(["body", "stock", "2024-02-29"], "int_type")]),
    ({"stock": {"2024-02-29": 3.5}}, [(["body", "stock", "2024-02-29"], "int_type")]),
    ({"stock": {"2024-02-29": True}}, [(["body", "stock", "2024-02-29"], "int_type")]),
    ({"span": ["2024-02-30", "1"]}, [(["body", "span", 0], "date_type")]),
    (
        {"span": ["2024-02-30"]},
        [(["body", "span", 0], "date_type"), (["body", "span", 1], "missing")],
    ),
    ({"span": ["2024-02-29", "1", "2"]}, [(["body", "span"], "too_long")]),
    ({"span": ["2024-02-29", "1.234"]}, [(["body", "span", 1], "decimal_max_places")]),
    ({"span": "2024-02-29"}, [(["body", "span"], "list_type")]),
    ({"refs": ["nope"]}, [(["body", "refs", 0], "uuid_type")]),
    ({"colours": ["green"]}, [(["body", "colours", 0], "enum")]),
    # Inside a nested model, the body's rules: strict types, dates from strings, no extra field.
    ({"address": {"day": "2024-02-29", "n": "1"}}, [(["body", "address", "n"], "int_type")]),
    ({"address": {"day": 1709164800, "n": 1}}, [(["body", "address", "day"], "date_type")]),
    (
        {"address": {"day": "2024-02-29", "n": 1, "x": 1}},
        [(["body", "address", "x"], "extra_forbidden")],
    ),
    (
        {"place": {"day": "2024-02-29", "n": 1, "x": 1}},
        [(["body", "place", "x"], "extra_forbidden")],
    ),
    ({"place": {"day": "2024-02-29", "n": "1"}}, [(["body", "place", "n"], "int_type")]),
    ({"address": {"day": "2024-02-29", "n": 1.5}}, [(["body", "address", "n"], "int_type")]),
    ({"place": {"day": "2024-02-29", "n": 1.5}}, [(["body", "place", "n"], "int_type")]),
    ({"place": {"day": "2024-02-29", "n": True}}, [(["body", "place", "n"], "int_type")]),
]
