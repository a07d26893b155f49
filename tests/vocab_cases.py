"""Bad inputs for the "orders" resource of tests/resources/vocab, with the answer due.

Both stacks get each body (``VALID`` with one change) or query; each answer is a
422 whose ``(loc, type)`` pairs are exactly the ones listed here.
"""

from __future__ import annotations

from typing import Any

ORDERS = "/api/v1/orders"
LINE = {"sku": "ABC-12", "count": 2}
VALID: dict[str, Any] = {
    "kind": "retail",
    "colour": "red",
    "ref": "0f0e0d0c-0b0a-4908-8706-050403020100",
    "day": "2024-02-29",
    "at": "2024-02-29T12:30:00Z",
    "title": "order",
    "count": 5,
    "step": 10,
    "ratio": 0.5,
    "paid": True,
    "customer": {"name": "Ada", "email": "ada@example.com"},
    "lines": [LINE],
    "tags": ["a"],
    "note": "thanks",
    "amount": "12.50",
    "days": ["2024-02-29"],
    "moments": ["2024-02-29T12:30:00+02:00"],
}

Errors = list[tuple[list[str | int], str]]


def body(field: str, value: Any) -> dict[str, Any]:
    return {**VALID, field: value}


def at(field: str, error_type: str) -> Errors:
    return [(["body", field], error_type)]


# (id, body, errors)
BODY_CASES: list[tuple[str, Any, Errors]] = [
    ("literal", body("kind", "wholesale"), at("kind", "enum")),
    ("literal-null", body("kind", None), at("kind", "null_not_allowed")),
    ("enum", body("colour", "green"), at("colour", "enum")),
    ("enum-null", body("colour", None), at("colour", "null_not_allowed")),
    ("uuid", body("ref", "not-a-uuid"), at("ref", "uuid_type")),
    ("uuid-short", body("ref", "0f0e0d0c-0b0a"), at("ref", "uuid_type")),
    ("date", body("day", "2024-02-30"), at("day", "date_type")),
    ("date-words", body("day", "tomorrow"), at("day", "date_type")),
    ("datetime", body("at", "2024-02-29T25:00:00Z"), at("at", "datetime_type")),
    ("datetime-words", body("at", "noon"), at("at", "datetime_type")),
    ("string-too-short", body("title", "a"), at("title", "string_too_short")),
    ("string-too-long", body("title", "x" * 11), at("title", "string_too_long")),
    ("string-type", body("title", 5), at("title", "string_type")),
    ("greater-than", body("count", 0), at("count", "greater_than")),
    ("less-than", body("count", 10), at("count", "less_than")),
    ("int-type", body("count", 2.5), at("count", "int_type")),
    ("multiple-of", body("step", 7), at("step", "multiple_of")),
    ("greater-than-equal", body("ratio", -0.1), at("ratio", "greater_than_equal")),
    ("less-than-equal", body("ratio", 1.5), at("ratio", "less_than_equal")),
    ("number-type", body("ratio", "half"), at("ratio", "number_type")),
    ("bool-type", body("paid", "maybe"), at("paid", "bool_type")),
    ("bool-type-number", body("paid", 2), at("paid", "bool_type")),
    ("nested-object-type", body("customer", "Ada"), at("customer", "object_type")),
    ("nested-null", body("customer", None), at("customer", "null_not_allowed")),
    (
        "nested-missing",
        body("customer", {"name": "Ada"}),
        [(["body", "customer", "email"], "missing")],
    ),
    (
        "nested-too-short",
        body("customer", {"name": "A", "email": "ada@example.com"}),
        [(["body", "customer", "name"], "string_too_short")],
    ),
    (
        "nested-extra",
        body("customer", {**VALID["customer"], "age": 36}),
        [(["body", "customer", "age"], "extra_forbidden")],
    ),
    (
        "email",
        body("customer", {"name": "Ada", "email": "not-an-email"}),
        [(["body", "customer", "email"], "value_error")],
    ),
    ("list-too-short", body("lines", []), at("lines", "too_short")),
    ("list-too-long", body("lines", [LINE] * 4), at("lines", "too_long")),
    ("list-type", body("lines", LINE), at("lines", "list_type")),
    (
        "list-item-pattern",
        body("lines", [LINE, {**LINE, "sku": "abc"}]),
        [(["body", "lines", 1, "sku"], "string_pattern_mismatch")],
    ),
    (
        "list-item-missing",
        body("lines", [{"count": 1}]),
        [(["body", "lines", 0, "sku"], "missing")],
    ),
    (
        "list-item-range",
        body("lines", [{**LINE, "count": 100}]),
        [(["body", "lines", 0, "count"], "less_than_equal")],
    ),
    (
        "list-item-object-type",
        body("lines", [LINE, 7]),
        [(["body", "lines", 1], "object_type")],
    ),
    (
        "list-item-string-too-long",
        body("tags", ["a", "toolong"]),
        [(["body", "tags", 1], "string_too_long")],
    ),
    ("list-item-null", body("tags", [None]), [(["body", "tags", 0], "null_not_allowed")]),
    ("custom-validator", body("note", "LOUD"), at("note", "value_error")),
    ("decimal-places", body("amount", "1.234"), at("amount", "decimal_max_places")),
    ("decimal-whole-digits", body("amount", "12345.6"), at("amount", "decimal_whole_digits")),
    ("decimal-max-digits", body("amount", "1234567"), at("amount", "decimal_max_digits")),
    ("decimal-nan", body("amount", "NaN"), at("amount", "number_type")),
    ("decimal-bool", body("amount", True), at("amount", "number_type")),
    ("decimal-range", body("amount", "-1"), at("amount", "greater_than_equal")),
    ("list-date", body("days", ["2024-02-30"]), [(["body", "days", 0], "date_type")]),
    ("list-date-number", body("days", [20240229]), [(["body", "days", 0], "date_type")]),
    (
        "list-datetime-no-utc-form",
        body("moments", ["0001-01-01T00:00:00+01:00"]),
        [(["body", "moments", 0], "datetime_type")],
    ),
    # Date-time bounds, compared in UTC: "since" is after 2000-01-01T00:00:00 (no offset: UTC),
    # each of "stamps" at or after 2000-01-01T00:00:00Z. A value without an offset is UTC.
    ("datetime-bound-utc", body("since", "2000-01-01T00:00:00Z"), at("since", "greater_than")),
    (
        "datetime-bound-offset",  # 1999-12-31T23:00:00Z
        body("since", "2000-01-01T01:00:00+02:00"),
        at("since", "greater_than"),
    ),
    (
        "list-datetime-bound-naive",
        body("stamps", ["2000-01-01T00:00:00", "1999-12-31"]),
        [(["body", "stamps", 1], "greater_than_equal")],
    ),
    ("date-bound", body("due", "2000-01-01"), at("due", "greater_than")),  # after 2000-01-01
    ("missing", {k: v for k, v in VALID.items() if k != "kind"}, at("kind", "missing")),
    ("extra", body("zzz", 1), at("zzz", "extra_forbidden")),
    ("body-not-object", [VALID], [(["body"], "object_type")]),
    (
        "several",
        {**VALID, "kind": "x", "count": 0, "lines": [{"sku": "bad", "count": 0}]},
        [
            (["body", "count"], "greater_than"),
            (["body", "kind"], "enum"),
            (["body", "lines", 0, "count"], "greater_than_equal"),
            (["body", "lines", 0, "sku"], "string_pattern_mismatch"),
        ],
    ),
]

# (id, body): bodies both stacks take (201).
ACCEPTED_CASES: list[tuple[str, Any]] = [
    ("datetime-bound-utc", body("since", "2000-01-01T00:00:01Z")),
    ("datetime-bound-offset", body("since", "1999-12-31T23:00:00-02:00")),  # 01:00Z
    ("list-datetime-bound-naive", body("stamps", ["2000-01-01T00:00:00", "2000-01-01"])),
    ("date-bound", body("due", "2000-01-02")),
]

# (query string, errors)
QUERY_CASES: list[tuple[str, Errors]] = [
    ("sort=size", [(["query", "sort"], "enum")]),
    ("size=0", [(["query", "size"], "greater_than_equal")]),
    ("size=11", [(["query", "size"], "less_than_equal")]),
    ("size=x", [(["query", "size"], "int_type")]),
]

# Date-time and date query parameters (``ORDERS/moments``): "since" after 2000-01-01T00:00:00
# (no offset: UTC), "until" at or before 2100-01-01T00:00:00Z, "day" after 2000-01-01. Read
# as a body's: a date-time without an offset is UTC, each compared with its bound in UTC.
MOMENTS = f"{ORDERS}/moments"
# (query string, errors)
MOMENT_CASES: list[tuple[str, Errors]] = [
    ("since=2000-01-01T00:00:00Z", [(["query", "since"], "greater_than")]),
    ("since=2000-01-01T01:00:00%2B02:00", [(["query", "since"], "greater_than")]),  # 23:00Z
    ("until=2100-01-01T00:00:01", [(["query", "until"], "less_than_equal")]),
    ("until=2099-12-31T23:00:00-02:00", [(["query", "until"], "less_than_equal")]),  # 01:00Z
    ("since=noon", [(["query", "since"], "datetime_type")]),
    ("day=2000-01-01", [(["query", "day"], "greater_than")]),
    ("day=2000-01-01T00:00:00", [(["query", "day"], "date_type")]),
]
# (query string, answer): what the handler got, an aware date-time (isoformat), and whether
# "since" is before "until" (compared in Python: a naive value would fail the request).
MOMENT_ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("", {"since": "", "until": "", "day": "", "later": False}),
    (
        "since=2000-01-01T00:00:01&until=2000-01-01T00:00:00-00:01",
        {
            "since": "2000-01-01T00:00:01+00:00",
            "until": "2000-01-01T00:00:00-00:01",
            "day": "",
            "later": True,
        },
    ),
    (
        "since=1999-12-31T23:00:00-02:00&until=2100-01-01T01:00:00%2B01:00&day=2000-01-02",
        {
            "since": "1999-12-31T23:00:00-02:00",
            "until": "2100-01-01T01:00:00+01:00",
            "day": "2000-01-02",
            "later": True,
        },
    ),
    (
        "since=2099-12-31T23:00:00&until=2099-12-31T23:00:00%2B01:00",  # 22:00Z
        {
            "since": "2099-12-31T23:00:00+00:00",
            "until": "2099-12-31T23:00:00+01:00",
            "day": "",
            "later": False,
        },
    ),
]
