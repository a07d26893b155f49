"""The requests the black-box suite sends to both stacks, with the contract's answer for each.

``PARITY``: every rule of CONTRACT.md sections 2 to 5, in order (later cases
rely on the items earlier ones created). ``HOSTILE``: malformed and extreme
input; each is a 4xx problem+json and changes nothing stored.

The suite creates "target" (id 1, ``{id}`` in paths) and "other" (id 2) first.
Ids of items created later are not fixed (PostgreSQL sequences skip the ids of
refused inserts); such cases save the id under a name used as ``{name}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wire import Request, json_body, patch_json, post_json

ITEMS = "/api/v1/items"
TARGET = {"name": "target", "description": "kept", "price": 9.5, "quantity": 3}
OTHER = {"name": "other", "price": 1}
JSON = {"Content-Type": "application/json"}
MAX_BODY_BYTES = 1_048_576

Errors = list[tuple[list[str | int], str]]


@dataclass
class Case:
    id: str
    request: Request
    status: int
    # The ``(loc, type)`` pairs of a 422, in order.
    errors: Errors | None = None
    # Headers the answer must carry, exactly.
    headers: dict[str, str] = field(default_factory=dict)
    # Members the JSON answer must have, exactly.
    body: dict[str, object] | None = None
    # Remember the created item's id under this name, for ``{name}`` in later paths.
    saves: str | None = None


def item_path(suffix: str = "{id}") -> str:
    return f"{ITEMS}/{suffix}"


def raw(
    method: str, path: str, body: bytes, content_type: str | None = "application/json"
) -> Request:
    headers = {"Content-Type": content_type} if content_type else {}
    return Request(method, path, body, headers)


PROBLEM_ONLY = None  # a problem+json with no ``errors`` expected

PARITY: list[Case] = [
    # Section 2: endpoints and their successes.
    Case(
        "liveness",
        Request("GET", "/healthz"),
        200,
        body={"status": "pass"},
        headers={"content-type": "application/health+json", "cache-control": "no-store"},
    ),
    Case(
        "readiness",
        Request("GET", "/readyz"),
        200,
        body={"status": "pass", "checks": {"database": {"status": "pass"}}},
        headers={"content-type": "application/health+json", "cache-control": "no-store"},
    ),
    Case(
        "list",
        Request("GET", ITEMS),
        200,
        body={
            "total": 2,
            "total_exact": True,
            "limit": 20,
            "offset": 0,
            "after": 0,
            "next_after": None,
        },
        headers={"content-type": "application/json", "cache-control": "no-store"},
    ),
    Case(
        "create",
        post_json(ITEMS, {"name": "second", "price": 1}),
        201,
        body={"name": "second", "description": None, "price": 1, "quantity": 0},
        saves="second",
    ),
    Case(
        "create-full",
        post_json(
            ITEMS, {"name": "third", "description": "d", "price": 0, "quantity": 2_147_483_647}
        ),
        201,
        body={"name": "third", "description": "d", "price": 0, "quantity": 2_147_483_647},
        saves="third",
    ),
    Case(
        "create-bounds",
        post_json(ITEMS, {"name": "x" * 100, "description": "d" * 1000, "price": 1_000_000_000}),
        201,
    ),
    Case(
        "create-unicode",
        post_json(ITEMS, {"name": "caf\u00e9 \U0001f600", "price": 2.25}),
        201,
        body={"name": "caf\u00e9 \U0001f600", "price": 2.25},
    ),
    Case(
        "create-charset",
        raw("POST", ITEMS, b'{"name": "charset", "price": 1}', "application/json; charset=utf-8"),
        201,
    ),
    Case(
        "create-integral-float-quantity",
        post_json(ITEMS, {"name": "five", "price": 1, "quantity": 5.0}),
        201,
        body={"quantity": 5},
    ),
    Case("get", Request("GET", item_path()), 200, body={"id": 1, **TARGET}),
    Case("get-percent-encoded-id", Request("GET", item_path("%31")), 200, body={"id": 1}),
    Case(
        "list-page",
        Request("GET", f"{ITEMS}?limit=2&offset=1"),
        200,
        body={"limit": 2, "offset": 1},
    ),
    Case("list-unknown-parameter-ignored", Request("GET", f"{ITEMS}?colour=red"), 200),
    Case(
        "list-cursor",
        Request("GET", f"{ITEMS}?limit=1&after=1"),
        200,
        body={"limit": 1, "offset": 0, "after": 1, "next_after": 2},
    ),
    Case(
        "list-cursor-and-offset",
        Request("GET", f"{ITEMS}?limit=1&after=1&offset=1"),
        200,
        body={"limit": 1, "offset": 1, "after": 1},
    ),
    Case(
        "list-past-the-end",
        Request("GET", f"{ITEMS}?after={10**30}"),
        200,
        body={"items": [], "after": 10**30, "next_after": None},
    ),
    Case(
        "list-offset-at-the-cap",
        Request("GET", f"{ITEMS}?offset=10000"),
        200,
        body={"items": [], "offset": 10_000, "next_after": None},
    ),
    Case(
        "patch",
        patch_json(item_path("{second}"), {"quantity": 7, "description": "new"}),
        200,
        body={"quantity": 7, "description": "new", "name": "second"},
    ),
    Case("patch-empty", patch_json(item_path("{second}"), {}), 200, body={"quantity": 7}),
    Case(
        "patch-null-description",
        patch_json(item_path("{second}"), {"description": None}),
        200,
        body={"description": None},
    ),
    Case("rename-to-own-name", patch_json(item_path("{second}"), {"name": "second"}), 200),
    Case(
        "delete",
        Request("DELETE", item_path("{third}")),
        204,
        headers={"cache-control": "no-store"},
    ),
    Case("get-deleted", Request("GET", item_path("{third}")), 404),
    Case("delete-again", Request("DELETE", item_path("{third}")), 404),
    Case("patch-missing", patch_json(item_path("999"), {}), 404),
    Case("get-past-column-range", Request("GET", item_path("2147483648")), 404),
    # Section 4: conflicts.
    Case("create-taken-name", post_json(ITEMS, {"name": "second", "price": 1}), 409),
    Case("rename-to-taken-name", patch_json(item_path("{second}"), {"name": "target"}), 409),
    # Section 2: routing, methods, HEAD, no redirects.
    Case("trailing-slash", Request("GET", f"{ITEMS}/"), 404),
    Case("trailing-slash-health", Request("GET", "/healthz/"), 404),
    Case("unknown-path", Request("GET", "/nope"), 404),
    Case("double-slash", Request("GET", "//healthz"), 404),
    Case("nested-unknown", Request("GET", item_path("1/x")), 404),
    Case("post-healthz", Request("POST", "/healthz"), 405, headers={"allow": "GET, HEAD"}),
    Case("delete-readyz", Request("DELETE", "/readyz"), 405, headers={"allow": "GET, HEAD"}),
    Case("put-items", Request("PUT", ITEMS), 405, headers={"allow": "GET, HEAD, POST"}),
    Case("delete-items", Request("DELETE", ITEMS), 405, headers={"allow": "GET, HEAD, POST"}),
    Case("options-items", Request("OPTIONS", ITEMS), 405, headers={"allow": "GET, HEAD, POST"}),
    Case(
        "post-item",
        Request("POST", item_path()),
        405,
        headers={"allow": "DELETE, GET, HEAD, PATCH"},
    ),
    Case(
        "put-item", Request("PUT", item_path()), 405, headers={"allow": "DELETE, GET, HEAD, PATCH"}
    ),
    Case("trace-healthz", Request("TRACE", "/healthz"), 405, headers={"allow": "GET, HEAD"}),
    Case(
        "head-healthz",
        Request("HEAD", "/healthz"),
        200,
        headers={"content-type": "application/health+json"},
    ),
    Case("head-readyz", Request("HEAD", "/readyz"), 200),
    Case("head-items", Request("HEAD", ITEMS), 200, headers={"content-type": "application/json"}),
    Case("head-item", Request("HEAD", item_path()), 200),
    Case("head-missing-item", Request("HEAD", item_path("999")), 404),
    Case("head-bad-item-id", Request("HEAD", item_path("abc")), 422),
    # Section 3: strict types, the vocabulary and the order of ``errors``.
    Case(
        "missing-fields",
        post_json(ITEMS, {}),
        422,
        errors=[(["body", "name"], "missing"), (["body", "price"], "missing")],
    ),
    Case(
        "all-at-once",
        post_json(ITEMS, {"name": "", "price": "x", "quantity": -1, "zzz": 1}),
        422,
        errors=[
            (["body", "name"], "string_too_short"),
            (["body", "price"], "number_type"),
            (["body", "quantity"], "greater_than_equal"),
            (["body", "zzz"], "extra_forbidden"),
        ],
    ),
    Case("body-not-object", post_json(ITEMS, ["x"]), 422, errors=[(["body"], "object_type")]),
    Case(
        "patch-bad-path-and-body",
        patch_json(item_path("abc"), {"price": "x"}),
        422,
        errors=[(["body", "price"], "number_type"), (["path", "item_id"], "int_type")],
    ),
    Case(
        "patch-zero-id-and-list-body",
        patch_json(item_path("0"), []),
        422,
        errors=[(["body"], "object_type"), (["path", "item_id"], "greater_than_equal")],
    ),
    Case(
        "query-both-wrong",
        Request("GET", f"{ITEMS}?limit=0&offset=-1"),
        422,
        errors=[
            (["query", "limit"], "greater_than_equal"),
            (["query", "offset"], "greater_than_equal"),
        ],
    ),
    Case(
        "query-bad-cursor-and-deep-offset",
        Request("GET", f"{ITEMS}?after=next&offset=10001"),
        422,
        errors=[(["query", "after"], "int_type"), (["query", "offset"], "less_than_equal")],
    ),
    # Section 4: which status for which mistake.
    Case("not-json", raw("POST", ITEMS, b"{"), 400),
    Case("not-utf8", raw("POST", ITEMS, b'{"name": "\xff", "price": 1}'), 400),
    Case("no-content-type", raw("POST", ITEMS, b'{"name": "a", "price": 1}', None), 415),
    Case("text-plain", raw("PATCH", item_path(), b"{}", "text/plain"), 415),
    Case("too-large-declared", raw("POST", ITEMS, b" " * (MAX_BODY_BYTES + 1)), 413),
    # Section 5: request ids.
    Case(
        "request-id-echoed",
        Request("GET", "/healthz", headers={"X-Request-ID": "A.b_c-1"}),
        200,
        headers={"x-request-id": "A.b_c-1"},
    ),
    Case(
        "request-id-128",
        Request("GET", "/healthz", headers={"X-Request-ID": "x" * 128}),
        200,
        headers={"x-request-id": "x" * 128},
    ),
    Case(
        "request-id-too-long", Request("GET", "/healthz", headers={"X-Request-ID": "x" * 129}), 200
    ),
    Case(
        "request-id-bad-characters", Request("GET", ITEMS, headers={"X-Request-ID": "a b;c"}), 200
    ),
    Case(
        "request-id-on-errors",
        Request("GET", "/nope", headers={"X-Request-ID": "err-1"}),
        404,
        headers={"x-request-id": "err-1"},
    ),
]

VALID = {"name": "hostile", "price": 1.5}


def _field_cases() -> list[Case]:
    """Wrong JSON types and bounds +-1 for every field, on create and on update."""
    wrong: list[tuple[str, object, str]] = [
        ("name", 5, "string_type"),
        ("name", True, "string_type"),
        ("name", [], "string_type"),
        ("name", {}, "string_type"),
        ("name", None, "null_not_allowed"),
        ("name", "", "string_too_short"),
        ("name", "x" * 101, "string_too_long"),
        ("name", " ", "blank_string"),
        ("name", "\t\n\u00a0\u3000", "blank_string"),
        ("name", "\U0001f600" * 101, "string_too_long"),
        ("name", "nul\x00char", "string_pattern_mismatch"),
        ("name", "\x00", "string_pattern_mismatch"),
        ("name", "x" * 10_000, "string_too_long"),
        ("description", 7, "string_type"),
        ("description", False, "string_type"),
        ("description", "d" * 1001, "string_too_long"),
        ("description", "a\x00b", "string_pattern_mismatch"),
        ("price", "10", "number_type"),
        ("price", True, "number_type"),
        ("price", None, "null_not_allowed"),
        ("price", [], "number_type"),
        ("price", {}, "number_type"),
        ("price", -0.01, "greater_than_equal"),
        ("price", -1, "greater_than_equal"),
        ("price", 1_000_000_000.5, "less_than_equal"),
        ("price", 1_000_000_001, "less_than_equal"),
        ("price", 10**400, "less_than_equal"),
        ("price", -(10**400), "greater_than_equal"),
        ("price", 1e308, "less_than_equal"),
        ("quantity", 5.5, "int_type"),
        ("quantity", "5", "int_type"),
        ("quantity", True, "int_type"),
        ("quantity", None, "null_not_allowed"),
        ("quantity", [1], "int_type"),
        ("quantity", -1, "greater_than_equal"),
        ("quantity", 2_147_483_648, "less_than_equal"),
        ("quantity", 10**30, "less_than_equal"),
        ("quantity", 2**63, "less_than_equal"),
        ("quantity", 1e20, "less_than_equal"),
        ("id", 5, "extra_forbidden"),
        ("created_at", "2026-01-01T00:00:00Z", "extra_forbidden"),
    ]
    cases = []
    for number, (name, value, error_type) in enumerate(wrong):
        label = f"{name}-{error_type}-{number}"
        cases.append(
            Case(
                f"create-{label}",
                post_json(ITEMS, {**VALID, name: value}),
                422,
                errors=[(["body", name], error_type)],
            )
        )
        if name in {"name", "price", "quantity", "description"}:
            cases.append(
                Case(
                    f"update-{label}",
                    patch_json(item_path(), {name: value}),
                    422,
                    errors=[(["body", name], error_type)],
                )
            )
    return cases


# More digits than Python converts to an int by default (4,300): read as a number past
# every bound, like 10**400, never a 500. Written as raw bytes (json.dumps can't either).
HUGE = "9" * 5000


def _huge_number_cases() -> list[Case]:
    body = [
        (
            "create-price-huge-integer",
            "POST",
            ITEMS,
            f'{{"name": "h", "price": {HUGE}}}',
            "price",
            "less_than_equal",
        ),
        (
            "create-price-huge-negative-integer",
            "POST",
            ITEMS,
            f'{{"name": "h", "price": -{HUGE}}}',
            "price",
            "greater_than_equal",
        ),
        (
            "create-quantity-huge-integer",
            "POST",
            ITEMS,
            f'{{"name": "h", "price": 1, "quantity": {HUGE}}}',
            "quantity",
            "less_than_equal",
        ),
        (
            "update-quantity-huge-integer",
            "PATCH",
            item_path(),
            f'{{"quantity": {HUGE}}}',
            "quantity",
            "less_than_equal",
        ),
        (
            "update-quantity-huge-negative-integer",
            "PATCH",
            item_path(),
            f'{{"quantity": -{HUGE}}}',
            "quantity",
            "greater_than_equal",
        ),
        (
            "update-price-huge-exponent",
            "PATCH",
            item_path(),
            f'{{"price": 1e{HUGE}}}',
            "price",
            "less_than_equal",
        ),
        (
            "update-price-huge-fraction",
            "PATCH",
            item_path(),
            f'{{"price": {HUGE}.5}}',
            "price",
            "less_than_equal",
        ),
    ]
    cases = [
        Case(label, raw(method, path, text.encode()), 422, errors=[(["body", field], error)])
        for label, method, path, text, field, error in body
    ]
    cases += [
        Case(
            f"{method.lower()}-id-huge-negative-integer",
            raw(method, item_path(f"-{HUGE}"), b"{}")
            if method == "PATCH"
            else Request(method, item_path(f"-{HUGE}")),
            422,
            errors=[(["path", "item_id"], "greater_than_equal")],
        )
        for method in ("GET", "PATCH", "DELETE")
    ]
    cases += [
        Case(f"{method.lower()}-id-huge-integer", request, 404)
        for method, request in [
            ("GET", Request("GET", item_path(HUGE))),
            ("PATCH", raw("PATCH", item_path(HUGE), b"{}")),
            ("DELETE", Request("DELETE", item_path(HUGE))),
        ]
    ]
    cases += [
        Case(
            f"query-{label}",
            Request("GET", f"{ITEMS}?{query}"),
            422,
            errors=[(["query", name], error)],
        )
        for label, query, name, error in [
            ("limit-huge-integer", f"limit={HUGE}", "limit", "less_than_equal"),
            ("limit-huge-negative-integer", f"limit=-{HUGE}", "limit", "greater_than_equal"),
            ("offset-huge-negative-integer", f"offset=-{HUGE}", "offset", "greater_than_equal"),
            ("offset-huge-integer", f"offset={HUGE}", "offset", "less_than_equal"),
            ("after-huge-negative-integer", f"after=-{HUGE}", "after", "greater_than_equal"),
        ]
    ]
    return cases


def _chunks(total: int, size: int = 65_536) -> list[bytes]:
    return [b" " * min(size, total - start) for start in range(0, total, size)]


HOSTILE: list[Case] = [
    *_field_cases(),
    # Bodies that are not JSON objects, or not JSON at all.
    Case("json-null", raw("POST", ITEMS, b"null"), 422, errors=[(["body"], "object_type")]),
    Case("json-string", raw("POST", ITEMS, b'"widget"'), 422, errors=[(["body"], "object_type")]),
    Case("json-number", raw("POST", ITEMS, b"42"), 422, errors=[(["body"], "object_type")]),
    Case(
        "json-array-update",
        raw("PATCH", item_path(), b"[]"),
        422,
        errors=[(["body"], "object_type")],
    ),
    Case("empty-body", raw("POST", ITEMS, b""), 400),
    Case("whitespace-body", raw("POST", ITEMS, b"  \n "), 400),
    Case("truncated", raw("POST", ITEMS, b'{"name": "a", "price": 1'), 400),
    Case("single-quotes", raw("POST", ITEMS, b"{'name': 'a', 'price': 1}"), 400),
    Case("trailing-comma", raw("POST", ITEMS, b'{"name": "a", "price": 1,}'), 400),
    Case("trailing-garbage", raw("POST", ITEMS, b'{"name": "a", "price": 1} x'), 400),
    Case("nan", raw("POST", ITEMS, b'{"name": "a", "price": NaN}'), 400),
    Case("infinity", raw("POST", ITEMS, b'{"name": "a", "price": Infinity}'), 400),
    Case("minus-infinity", raw("PATCH", item_path(), b'{"price": -Infinity}'), 400),
    Case("duplicate-keys", raw("POST", ITEMS, b'{"name": "a", "name": "b", "price": 1}'), 400),
    Case(
        "duplicate-keys-update", raw("PATCH", item_path(), b'{"quantity": 1, "quantity": 2}'), 400
    ),
    Case("invalid-utf8", raw("POST", ITEMS, b'{"name": "\xc3\x28", "price": 1}'), 400),
    Case(
        "latin1-body",
        raw("POST", ITEMS, '{"name": "caf\u00e9", "price": 1}'.encode("latin-1")),
        400,
    ),
    Case("utf8-bom", raw("POST", ITEMS, b'\xef\xbb\xbf{"name": "a", "price": 1}'), 400),
    Case("utf16-body", raw("POST", ITEMS, '{"name": "a", "price": 1}'.encode("utf-16")), 400),
    Case("lone-surrogate", raw("POST", ITEMS, b'{"name": "\\ud800", "price": 1}'), 400),
    Case("lone-surrogate-update", raw("PATCH", item_path(), b'{"description": "x\\udfff"}'), 400),
    Case("raw-nul-byte", raw("POST", ITEMS, b'{"name": "a\x00", "price": 1}'), 400),
    Case("deep-nesting", raw("POST", ITEMS, b"[" * 100_000 + b"]" * 100_000), 400),
    Case(
        "deep-nesting-objects",
        raw("PATCH", item_path(), b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
        400,
    ),
    Case(
        "deep-nesting-in-field",
        raw("POST", ITEMS, b'{"name": ' + b"[" * 50_000 + b"]" * 50_000 + b', "price": 1}'),
        400,
    ),
    # Size limit: declared, chunked, and at the limit.
    Case("too-large-declared-update", raw("PATCH", item_path(), b" " * (MAX_BODY_BYTES + 1)), 413),
    Case(
        "too-large-chunked",
        Request("POST", ITEMS, headers=JSON, chunks=_chunks(MAX_BODY_BYTES + 1)),
        413,
    ),
    Case(
        "too-large-chunked-update",
        Request("PATCH", item_path(), headers=JSON, chunks=_chunks(2 * MAX_BODY_BYTES)),
        413,
    ),
    Case(
        "too-large-declared-wrong-type",
        raw("POST", ITEMS, b" " * (MAX_BODY_BYTES + 1), "text/plain"),
        413,
    ),
    # Content types.
    Case("no-content-type-update", raw("PATCH", item_path(), b"{}", None), 415),
    Case(
        "form-content-type",
        raw("POST", ITEMS, b"name=a&price=1", "application/x-www-form-urlencoded"),
        415,
    ),
    Case("xml-content-type", raw("POST", ITEMS, b"<item/>", "application/xml"), 415),
    Case(
        "json-suffix-content-type",
        raw("POST", ITEMS, json_body(VALID), "application/merge-patch+json"),
        415,
    ),
    Case(
        "multipart-content-type",
        raw("POST", ITEMS, b"--x--", "multipart/form-data; boundary=x"),
        415,
    ),
    Case("empty-content-type", raw("POST", ITEMS, json_body(VALID), ""), 415),
    # Path ids.
    *[
        Case(
            f"{method.lower()}-id-{label}",
            Request(method, item_path(segment), *((b"{}", JSON) if method == "PATCH" else ())),
            422,
            errors=[(["path", "item_id"], error_type)],
        )
        for method in ("GET", "PATCH", "DELETE")
        for label, segment, error_type in [
            ("zero", "0", "greater_than_equal"),
            ("negative", "-1", "greater_than_equal"),
            ("fraction", "1.5", "int_type"),
            ("integral-fraction", "1.0", "int_type"),
            ("word", "abc", "int_type"),
            ("exponent", "1e3", "int_type"),
            ("underscore", "1_000", "int_type"),
            ("hex", "0x10", "int_type"),
            ("arabic-digit", "%D9%A1", "int_type"),
            ("nul", "1%00", "int_type"),
            ("invalid-utf8", "%FF", "int_type"),
            ("huge-negative", "-" + "9" * 30, "greater_than_equal"),
        ]
    ],
    Case("get-id-huge", Request("GET", item_path("9" * 30)), 404),
    Case("delete-id-huge", Request("DELETE", item_path("9" * 30)), 404),
    Case("patch-id-huge", patch_json(item_path("9" * 30), {}), 404),
    # Long, but under gunicorn's 4094-byte request line (see test_parity.py).
    Case("get-id-4000-digits", Request("GET", item_path("1" * 4000)), 404),
    # Query parameters.
    *[
        Case(
            f"query-{label}",
            Request("GET", f"{ITEMS}?{query}"),
            422,
            errors=[(["query", name], error_type)],
        )
        for label, query, name, error_type in [
            ("limit-zero", "limit=0", "limit", "greater_than_equal"),
            ("limit-101", "limit=101", "limit", "less_than_equal"),
            ("limit-huge", f"limit={10**30}", "limit", "less_than_equal"),
            ("limit-word", "limit=abc", "limit", "int_type"),
            ("limit-fraction", "limit=2.5", "limit", "int_type"),
            ("limit-empty", "limit=", "limit", "int_type"),
            ("limit-underscore", "limit=1_0", "limit", "int_type"),
            ("offset-negative", "offset=-1", "offset", "greater_than_equal"),
            ("offset-word", "offset=x", "offset", "int_type"),
            ("offset-past-the-cap", "offset=10001", "offset", "less_than_equal"),
            ("offset-huge", f"offset={10**30}", "offset", "less_than_equal"),
            ("after-negative", "after=-1", "after", "greater_than_equal"),
            ("after-word", "after=abc", "after", "int_type"),
            ("after-fraction", "after=2.5", "after", "int_type"),
            ("after-exponent", "after=1e3", "after", "int_type"),
            ("after-empty", "after=", "after", "int_type"),
            ("after-opaque", "after=eyJpZCI6IDV9", "after", "int_type"),
            ("after-repeated", "after=1&after=2", "after", "int_type"),
            ("limit-repeated", "limit=5&limit=6", "limit", "int_type"),
            ("offset-repeated", "offset=0&offset=0", "offset", "int_type"),
            ("repeated-with-bad-value", "limit=abc&limit=6", "limit", "int_type"),
        ]
    ],
    Case(
        "query-both-repeated",
        Request("GET", f"{ITEMS}?offset=1&limit=1&offset=2&limit=2"),
        422,
        errors=[(["query", "limit"], "int_type"), (["query", "offset"], "int_type")],
    ),
    # Conflicts through odd spellings of a taken name.
    Case(
        "create-taken-name-escaped", raw("POST", ITEMS, b'{"name": "oth\\u0065r", "price": 1}'), 409
    ),
    Case(
        "rename-to-taken-name-with-other-fields",
        patch_json(item_path(), {"name": "other", "quantity": 99, "price": 5}),
        409,
    ),
    *_huge_number_cases(),
]
