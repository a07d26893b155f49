"""Strict types, the error vocabulary and the status for each mistake (contract sections 3, 4)."""

import json
from typing import Any

import httpx
import pytest

from {{ cookiecutter.package_name }}.core.problems import (
    ERROR_MESSAGES,
    FALLBACK_TYPE,
    error_item,
)
from {{ cookiecutter.package_name }}.settings import Settings

from .helpers import ITEMS, assert_problem, create, error_pairs

VALID = {"name": "widget", "price": 1.5}


def post_json(client: httpx.Client, body: Any, path: str = ITEMS) -> httpx.Response:
    # Not ``json=``: httpx sends no body at all for ``json=None``.
    content = json.dumps(body).encode()
    return client.post(path, content=content, headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"price": 1}, [(["body", "name"], "missing")]),
        ({"name": "a"}, [(["body", "price"], "missing")]),
        ({}, [(["body", "name"], "missing"), (["body", "price"], "missing")]),
        ({**VALID, "colour": "red"}, [(["body", "colour"], "extra_forbidden")]),
        ({**VALID, "name": 5}, [(["body", "name"], "string_type")]),
        ({**VALID, "name": True}, [(["body", "name"], "string_type")]),
        ({**VALID, "name": ""}, [(["body", "name"], "string_too_short")]),
        ({**VALID, "name": "x" * 101}, [(["body", "name"], "string_too_long")]),
        ({**VALID, "name": "  \t "}, [(["body", "name"], "blank_string")]),
        ({**VALID, "name": None}, [(["body", "name"], "null_not_allowed")]),
        # PostgreSQL text cannot hold NUL: refused on every database.
        ({**VALID, "name": "a\x00b"}, [(["body", "name"], "string_pattern_mismatch")]),
        ({**VALID, "name": "\x00"}, [(["body", "name"], "string_pattern_mismatch")]),
        ({**VALID, "description": "\x00"}, [(["body", "description"], "string_pattern_mismatch")]),
        ({**VALID, "description": "d" * 1001}, [(["body", "description"], "string_too_long")]),
        ({**VALID, "description": 7}, [(["body", "description"], "string_type")]),
        ({**VALID, "price": "10"}, [(["body", "price"], "number_type")]),
        ({**VALID, "price": True}, [(["body", "price"], "number_type")]),
        ({**VALID, "price": None}, [(["body", "price"], "null_not_allowed")]),
        ({**VALID, "price": -0.01}, [(["body", "price"], "greater_than_equal")]),
        ({**VALID, "price": 1_000_000_000.5}, [(["body", "price"], "less_than_equal")]),
        # Too large for a float, still a number: out of range, like 1e400.
        ({**VALID, "price": 10**400}, [(["body", "price"], "less_than_equal")]),
        ({**VALID, "price": -(10**400)}, [(["body", "price"], "greater_than_equal")]),
        ({**VALID, "quantity": 5.5}, [(["body", "quantity"], "int_type")]),
        # 5.0 is an integer (as in JSON Schema) but 1e20 is out of range.
        ({**VALID, "quantity": 1e20}, [(["body", "quantity"], "less_than_equal")]),
        ({**VALID, "quantity": "5"}, [(["body", "quantity"], "int_type")]),
        ({**VALID, "quantity": True}, [(["body", "quantity"], "int_type")]),
        ({**VALID, "quantity": None}, [(["body", "quantity"], "null_not_allowed")]),
        ({**VALID, "quantity": -1}, [(["body", "quantity"], "greater_than_equal")]),
        ({**VALID, "quantity": 2_147_483_648}, [(["body", "quantity"], "less_than_equal")]),
        ({**VALID, "quantity": 10**30}, [(["body", "quantity"], "less_than_equal")]),
        ([VALID], [(["body"], "object_type")]),
        ("widget", [(["body"], "object_type")]),
        (None, [(["body"], "object_type")]),
        (
            {"name": "", "price": "x", "quantity": -1, "zzz": 1},
            [
                (["body", "name"], "string_too_short"),
                (["body", "price"], "number_type"),
                (["body", "quantity"], "greater_than_equal"),
                (["body", "zzz"], "extra_forbidden"),
            ],
        ),
    ],
)
def test_invalid_create_is_422(client: httpx.Client, body: Any, expected: list[Any]) -> None:
    response = post_json(client, body)
    problem = assert_problem(response, 422, "Unprocessable Content", ITEMS)
    assert error_pairs(problem) == expected
    assert all(isinstance(error["msg"], str) and error["msg"] for error in problem["errors"])
    assert client.get(ITEMS).json()["total"] == 0


def test_a_type_outside_the_vocabulary_gets_the_fallback() -> None:
    item = error_item(["body", "code"], "luhn_checksum")
    assert item == {
        "loc": ["body", "code"],
        "type": FALLBACK_TYPE,
        "msg": ERROR_MESSAGES[FALLBACK_TYPE],
    }


def test_messages_carry_their_numbers() -> None:
    assert error_item(["query", "limit"], "less_than_equal", {"le": 100})["msg"] == (
        "Input should be less than or equal to 100"
    )
    # A message whose numbers are missing is sent as written, never an error.
    assert error_item(["body"], "greater_than")["msg"] == ERROR_MESSAGES["greater_than"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"name": None}, [(["body", "name"], "null_not_allowed")]),
        ({"price": None}, [(["body", "price"], "null_not_allowed")]),
        ({"quantity": None}, [(["body", "quantity"], "null_not_allowed")]),
        ({"name": " "}, [(["body", "name"], "blank_string")]),
        ({"price": "1"}, [(["body", "price"], "number_type")]),
        ({"id": 5}, [(["body", "id"], "extra_forbidden")]),
        ([], [(["body"], "object_type")]),
    ],
)
def test_invalid_update_is_422_and_changes_nothing(
    client: httpx.Client, body: Any, expected: list[Any]
) -> None:
    item = create(client)
    path = f"{ITEMS}/{item['id']}"
    problem = assert_problem(client.patch(path, json=body), 422, "Unprocessable Content", path)
    assert error_pairs(problem) == expected
    assert client.get(path).json() == item


def test_integers_are_numbers(client: httpx.Client) -> None:
    assert create(client, price=10)["price"] == 10


def test_integral_numbers_are_integers(client: httpx.Client) -> None:
    """JSON Schema (the OpenAPI document's) counts 5.0 as an integer; so does the service."""
    item = create(client, quantity=5.0)
    assert item["quantity"] == 5
    body = b'{"name": "exp", "price": 1, "quantity": 1e400}'  # infinity: no integer
    response = client.post(ITEMS, content=body, headers={"content-type": "application/json"})
    problem = assert_problem(response, 422, "Unprocessable Content", ITEMS)
    assert error_pairs(problem) == [(["body", "quantity"], "int_type")]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "a", "price": 1',
        b"",
        b"{'name': 'a'}",
        b'{"name": "a", "price": NaN}',
        b'{"name": "a", "price": Infinity}',
        b'{"name": "\xff\xfe", "price": 1}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"name": "a", "name": "b", "price": 1}',
        b'{"name": "\\ud800", "price": 1}',
        b'{"name": "a", "price": 1, "description": "\\udc00x"}',
    ],
    ids=[
        "truncated",
        "empty",
        "single-quotes",
        "nan",
        "infinity",
        "not-utf8",
        "deep-nesting",
        # Which value would count is a guess: refused rather than picked.
        "duplicate-keys",
        # A lone surrogate escape is no Unicode character (no UTF-8 for it).
        "lone-surrogate",
        "lone-low-surrogate",
    ],
)
def test_body_that_is_not_json_is_400(client: httpx.Client, raw: bytes) -> None:
    response = client.post(ITEMS, content=raw, headers={"content-type": "application/json"})
    assert_problem(response, 400, "Bad Request", ITEMS)
    assert client.get(ITEMS).json()["total"] == 0


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_body_that_is_not_declared_json_is_415(
    client: httpx.Client, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(ITEMS, content=b'{"name": "a", "price": 1}', headers=headers)
    assert_problem(response, 415, "Unsupported Media Type", ITEMS)
    item = create(client)
    path = f"{ITEMS}/{item['id']}"
    response = client.patch(path, content=b"{}", headers=headers)
    assert_problem(response, 415, "Unsupported Media Type", path)


def test_charset_parameter_is_allowed(client: httpx.Client) -> None:
    response = client.post(
        ITEMS,
        content=b'{"name": "caf\xc3\xa9", "price": 1}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201
    assert response.json()["name"] == "café"


@pytest.mark.parametrize(
    ("query", "loc", "error_type"),
    [
        ("limit=0", ["query", "limit"], "greater_than_equal"),
        ("limit=101", ["query", "limit"], "less_than_equal"),
        ("limit=abc", ["query", "limit"], "int_type"),
        ("limit=2.5", ["query", "limit"], "int_type"),
        ("offset=-1", ["query", "offset"], "greater_than_equal"),
        ("offset=x", ["query", "offset"], "int_type"),
        ("offset=10001", ["query", "offset"], "less_than_equal"),
        ("after=-1", ["query", "after"], "greater_than_equal"),
        ("after=abc", ["query", "after"], "int_type"),
        ("after=1.5", ["query", "after"], "int_type"),
        ("after=", ["query", "after"], "int_type"),
        ("after=1&after=2", ["query", "after"], "int_type"),
        ("limit=1_0", ["query", "limit"], "int_type"),
        # A query parameter sent twice: which one counts would be a guess.
        ("limit=5&limit=6", ["query", "limit"], "int_type"),
        ("offset=1&limit=2&offset=1", ["query", "offset"], "int_type"),
    ],
)
def test_bad_query_is_422(
    client: httpx.Client, query: str, loc: list[str], error_type: str
) -> None:
    problem = assert_problem(client.get(f"{ITEMS}?{query}"), 422, "Unprocessable Content", ITEMS)
    assert error_pairs(problem) == [(loc, error_type)]


@pytest.mark.parametrize(
    ("item_id", "error_type"),
    [
        ("0", "greater_than_equal"),
        ("-1", "greater_than_equal"),
        ("abc", "int_type"),
        ("1.5", "int_type"),
        ("1_000", "int_type"),
        ("1e3", "int_type"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_bad_item_id_is_422(
    client: httpx.Client, method: str, item_id: str, error_type: str
) -> None:
    path = f"{ITEMS}/{item_id}"
    kwargs: dict[str, Any] = {"json": {}} if method == "PATCH" else {}
    problem = assert_problem(
        client.request(method, path, **kwargs), 422, "Unprocessable Content", path
    )
    assert error_pairs(problem) == [(["path", "item_id"], error_type)]


def test_unknown_query_parameters_are_ignored(client: httpx.Client) -> None:
    assert client.get(f"{ITEMS}?colour=red&colour=blue").status_code == 200


def test_bad_item_id_and_bad_body_are_both_reported(client: httpx.Client) -> None:
    path = f"{ITEMS}/abc"
    response = client.patch(path, json={"price": "x", "zzz": 1})
    problem = assert_problem(response, 422, "Unprocessable Content", path)
    assert error_pairs(problem) == [
        (["body", "price"], "number_type"),
        (["body", "zzz"], "extra_forbidden"),
        (["path", "item_id"], "int_type"),
    ]
    response = client.patch(f"{ITEMS}/0", json=[])
    assert error_pairs(response.json()) == [
        (["body"], "object_type"),
        (["path", "item_id"], "greater_than_equal"),
    ]


class TestBodyLimit:
    LIMIT = 1024

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"max_body_bytes": self.LIMIT})

    def big_body(self) -> bytes:
        return b'{"name": "a", "price": 1, "description": "' + b"x" * self.LIMIT + b'"}'

    def test_declared_length_over_the_limit_is_413(self, client: httpx.Client) -> None:
        response = client.post(
            ITEMS, content=self.big_body(), headers={"content-type": "application/json"}
        )
        assert_problem(response, 413, "Content Too Large", ITEMS)
        assert client.get(ITEMS).json()["total"] == 0

    def test_chunked_body_over_the_limit_is_413(self, client: httpx.Client) -> None:
        body = self.big_body()
        chunks = iter([body[:512], body[512:]])
        response = client.post(ITEMS, content=chunks, headers={"content-type": "application/json"})
        assert_problem(response, 413, "Content Too Large", ITEMS)
        assert client.get(ITEMS).json()["total"] == 0

    def test_body_at_the_limit_is_read(self, client: httpx.Client) -> None:
        body = b'{"name": "a", "price": 1}'
        body += b" " * (self.LIMIT - len(body))
        response = client.post(ITEMS, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 201


# Past Python's 4,300-digit limit for int(): read as a number past every bound.
HUGE = "9" * 5000


def raw_object(**members: str) -> bytes:
    """A JSON object of members written as is (json.dumps cannot write HUGE either)."""
    return ("{" + ", ".join(f'"{name}": {value}' for name, value in members.items()) + "}").encode()


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ({"price": HUGE}, [(["body", "price"], "less_than_equal")]),
        ({"price": "-" + HUGE}, [(["body", "price"], "greater_than_equal")]),
        ({"price": "1e" + HUGE}, [(["body", "price"], "less_than_equal")]),
        ({"price": "1", "quantity": HUGE}, [(["body", "quantity"], "less_than_equal")]),
        ({"price": "1", "quantity": "-" + HUGE}, [(["body", "quantity"], "greater_than_equal")]),
        ({"name": HUGE, "price": "1"}, [(["body", "name"], "string_type")]),
    ],
)
def test_huge_numbers_in_the_body_are_422(
    client: httpx.Client, members: dict[str, str], expected: list[Any]
) -> None:
    body = raw_object(**{"name": '"a"', **members})
    response = client.post(ITEMS, content=body, headers={"content-type": "application/json"})
    assert error_pairs(assert_problem(response, 422, "Unprocessable Content", ITEMS)) == expected
    assert client.get(ITEMS).json()["total"] == 0


def test_huge_numbers_in_an_update_are_422(client: httpx.Client) -> None:
    item = create(client)
    path = f"{ITEMS}/{item['id']}"
    body = raw_object(quantity=HUGE)
    response = client.patch(path, content=body, headers={"content-type": "application/json"})
    assert error_pairs(assert_problem(response, 422, "Unprocessable Content", path)) == [
        (["body", "quantity"], "less_than_equal")
    ]
    assert client.get(path).json() == item


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("limit=" + HUGE, [(["query", "limit"], "less_than_equal")]),
        ("limit=-" + HUGE, [(["query", "limit"], "greater_than_equal")]),
        ("offset=-" + HUGE, [(["query", "offset"], "greater_than_equal")]),
        ("offset=" + HUGE, [(["query", "offset"], "less_than_equal")]),
        ("after=-" + HUGE, [(["query", "after"], "greater_than_equal")]),
    ],
)
def test_huge_numbers_in_the_query_are_422(
    client: httpx.Client, query: str, expected: list[Any]
) -> None:
    response = client.get(f"{ITEMS}?{query}")
    assert error_pairs(assert_problem(response, 422, "Unprocessable Content", ITEMS)) == expected


def test_huge_cursor_is_past_the_end(client: httpx.Client) -> None:
    create(client)
    page = client.get(f"{ITEMS}?after={HUGE}").json()
    assert (page["items"], page["total"], page["next_after"]) == ([], 1, None)
