"""A route's own parameters and strings, read by the contract's rules on both stacks.

The routes (own_routes.py) are written for each stack as its documentation writes them:
UUIDs, booleans, numbers, lists, decimals and choices in a query, text and numbers in a path, an
integer in a header, text and an integer in cookies, plain strings in a body.
"""

from typing import Any
from uuid import UUID

import httpx
import pytest

from {{ cookiecutter.package_name }}.core.values import TEXT_PATTERN, decimal_pattern

from .helpers import (
    NUL_REFUSED,
    NUL_TAKEN,
    PARAMETERS_READ,
    PARAMETERS_REFUSED,
    PARAMETERS_UNSET,
    PATH_NUMBERS_READ,
    PATH_NUMBERS_REFUSED,
    UUIDS_READ,
    UUIDS_REFUSED,
    error_pairs,
)
from .own_routes import App, add_own_routes


@pytest.fixture
def own(app: App, client: httpx.Client) -> httpx.Client:
    """The client, its app serving own_routes.py too."""
    add_own_routes(app)
    return client


@pytest.mark.parametrize("text", UUIDS_READ)
def test_path_and_query_uuids_are_read_as_in_a_body(own: httpx.Client, text: str) -> None:
    answer = own.get(f"/api/v1/refs/{text}", params={"other": text})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ref": str(UUID(text)), "other": str(UUID(text))}


@pytest.mark.parametrize("text", UUIDS_REFUSED)
def test_path_and_query_uuids_in_other_forms_are_422(own: httpx.Client, text: str) -> None:
    in_path = own.get(f"/api/v1/refs/{text}")
    in_query = own.get(f"/api/v1/refs/{UUIDS_READ[0]}", params={"other": text})
    assert (in_path.status_code, in_query.status_code) == (422, 422)
    assert error_pairs(in_path.json()) == [(["path", "ref"], "uuid_type")]
    assert error_pairs(in_query.json()) == [(["query", "other"], "uuid_type")]


def test_path_uuids_are_documented(own: httpx.Client) -> None:
    document = own.get("/openapi.json").json()
    (parameter, _) = document["paths"]["/api/v1/refs/{ref}"]["get"]["parameters"]
    assert (parameter["schema"]["type"], parameter["schema"]["format"]) == ("string", "uuid")


@pytest.mark.parametrize(("query", "read"), PARAMETERS_READ)
def test_query_parameters_are_read_from_text_by_one_rule(
    own: httpx.Client, query: str, read: dict[str, Any]
) -> None:
    answer = own.get(f"/api/v1/search?{query}")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {**PARAMETERS_UNSET, **read}


@pytest.mark.parametrize(("query", "name", "error_type"), PARAMETERS_REFUSED)
def test_query_parameters_in_other_forms_are_422(
    own: httpx.Client, query: str, name: str, error_type: str
) -> None:
    answer = own.get(f"/api/v1/search?{query}")
    assert answer.status_code == 422, answer.text
    assert error_pairs(answer.json()) == [(["query", name], error_type)]


@pytest.mark.parametrize(
    ("query", "read", "refused"),
    [
        ("colour=blue&sort=date&page=2", {"colour": "blue", "sort": "date", "page": 2}, None),
        ("colour=green", None, (["query", "colour"], "enum")),
        ("sort=size", None, (["query", "sort"], "enum")),
        ("page=0", None, (["query", "page"], "greater_than")),
        # Sent twice, a choice is not one of the choices: as a body's choice, ``enum``.
        ("colour=red&colour=blue", None, (["query", "colour"], "enum")),
        ("sort=name&sort=date", None, (["query", "sort"], "enum")),
    ],
)
def test_query_choices_are_read_as_a_body_reads_them(
    own: httpx.Client, query: str, read: dict[str, Any] | None, refused: tuple[Any, str] | None
) -> None:
    answer = own.get(f"/api/v1/choices?{query}")
    if refused is None:
        assert (answer.status_code, answer.json()) == (200, read), answer.text
    else:
        assert answer.status_code == 422, answer.text
        assert error_pairs(answer.json()) == [refused]
        (error,) = answer.json()["errors"]
        assert "{" not in error["msg"]  # filled in: the choices are named


def test_header_parameters_are_read_by_the_same_rules(own: httpx.Client) -> None:
    read = own.get("/api/v1/tenants", headers={"X-Tenant": "5", "X-Region": "eu, us,,"})
    assert read.json() == {"tenant": 5, "regions": ["eu", "us"]}  # a list: comma-separated
    answer = own.get("/api/v1/tenants", headers={"X-Tenant": "5.0"})
    assert answer.status_code == 422, answer.text
    assert error_pairs(answer.json()) == [(["header", "x-tenant"], "int_type")]


@pytest.mark.parametrize(
    ("cookie", "read", "refused"),
    [
        ("size=5; theme=dark", {"size": 5, "theme": "dark"}, None),
        ("size=5.0", None, (["cookie", "size"], "int_type")),
        ('theme="a\\000b"', None, (["cookie", "theme"], "string_pattern_mismatch")),
        # Clients send the cookie of the longest path first: that one is read.
        ("size=1; size=2", {"size": 1, "theme": None}, None),
        ("size=1; size=x", {"size": 1, "theme": None}, None),
    ],
)
def test_cookie_parameters_are_read_by_the_same_rules(
    own: httpx.Client, cookie: str, read: dict[str, Any] | None, refused: tuple[Any, str] | None
) -> None:
    answer = own.get("/api/v1/prefs", headers={"Cookie": cookie})
    if refused is None:
        assert (answer.status_code, answer.json()) == (200, read), answer.text
    else:
        assert answer.status_code == 422, answer.text
        assert error_pairs(answer.json()) == [refused]


COLOUR = "#/components/schemas/Colour"


def _as_sent(operation: dict[str, Any]) -> list[dict[str, Any]]:
    """An operation's parameters without the titles only one stack writes."""
    return [
        {**parameter, "schema": {k: v for k, v in parameter["schema"].items() if k != "title"}}
        for parameter in operation["parameters"]
    ]


def test_parameters_are_documented_as_the_text_they_are_sent_as(own: httpx.Client) -> None:
    """Optional ones without null (text cannot be null), a header's name in lower case, the
    query's default style unwritten, a decimal as a body's: as the contract's OpenAPI rules."""
    document = own.get("/openapi.json").json()
    paths = document["paths"]
    colour = document["components"]["schemas"]["Colour"]
    assert (colour["type"], colour["enum"]) == ("string", ["red", "blue"])
    digits = decimal_pattern(signed=True, max_digits=None, decimal_places=None)
    decimal = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": digits}]}
    text = {"type": "string", "pattern": TEXT_PATTERN}
    assert _as_sent(paths["/api/v1/search"]["get"]) == [
        {"in": "query", "name": name, "required": False, "schema": schema}
        for name, schema in [
            ("active", {"type": "boolean"}),
            ("ratio", {"type": "number"}),
            ("n", {"type": "integer"}),
            ("tag", {"type": "array", "items": text}),
            ("price", decimal),
        ]
    ]
    integer, regions = {"type": "integer"}, {"type": "array", "items": text}
    assert _as_sent(paths["/api/v1/tenants"]["get"]) == [
        {"in": "header", "name": "x-tenant", "required": False, "schema": integer},
        {"in": "header", "name": "x-region", "required": False, "schema": regions},
    ]
    assert _as_sent(paths["/api/v1/choices"]["get"]) == [
        {"in": "query", "name": "colour", "required": False, "schema": {"$ref": COLOUR}},
        {
            "in": "query",
            "name": "sort",
            "required": False,
            "schema": {"type": "string", "enum": ["name", "date"], "default": "name"},
        },
        {
            "in": "query",
            "name": "page",
            "required": False,
            "schema": {"type": "integer", "exclusiveMinimum": 0, "default": 1},
        },
    ]
    prefs = paths["/api/v1/prefs"]["get"]
    assert _as_sent(prefs) == [
        {"in": "cookie", "name": "theme", "required": False, "schema": text},
        {"in": "cookie", "name": "size", "required": False, "schema": integer},
    ]
    assert {"422", "431"} <= set(prefs["responses"])


@pytest.mark.parametrize(
    ("target", "headers", "errors"),
    [
        (
            "/api/v1/reports",
            {},
            [
                (["cookie", "session"], "missing"),
                (["header", "x-tenant"], "missing"),
                (["query", "n"], "missing"),
            ],
        ),
        (
            "/api/v1/reports?n=x",
            {"X-Tenant": "y", "Cookie": "session=s"},
            [(["header", "x-tenant"], "int_type"), (["query", "n"], "int_type")],
        ),
        (
            f"/api/v1/refs/{UUIDS_REFUSED[0]}?other=x",
            {},
            [(["path", "ref"], "uuid_type"), (["query", "other"], "uuid_type")],
        ),
    ],
)
def test_every_parameter_error_is_reported_at_once(
    own: httpx.Client, target: str, headers: dict[str, str], errors: list[Any]
) -> None:
    answer = own.get(target, headers=headers)
    assert answer.status_code == 422, answer.text
    assert error_pairs(answer.json()) == errors


def test_a_request_that_breaks_no_rule_is_read(own: httpx.Client) -> None:
    headers = {"X-Tenant": "7", "Cookie": "session=s"}
    answer = own.get("/api/v1/reports?n=5", headers=headers)
    assert answer.json() == {"n": 5, "tenant": 7, "session": "s"}


@pytest.mark.parametrize(
    ("target", "answer"),
    [
        ("/api/v1/codes/abc", {"code": "abc"}),
        ("/api/v1/codes/ab", (["path", "code"], "string_too_short")),
        ("/api/v1/codes/abcdef", (["path", "code"], "string_too_long")),
        ("/api/v1/pages/10", {"n": 10}),
        ("/api/v1/pages/0", (["path", "n"], "greater_than_equal")),
        ("/api/v1/pages/11", (["path", "n"], "less_than_equal")),
    ],
)
def test_path_bounds_are_422s(own: httpx.Client, target: str, answer: Any) -> None:
    """A segment out of its length or bounds is a 422, never a 404."""
    response = own.get(target)
    if isinstance(answer, dict):
        assert (response.status_code, response.json()) == (200, answer), response.text
    else:
        assert response.status_code == 422, response.text
        assert error_pairs(response.json()) == [answer]


def test_path_bounds_are_documented(own: httpx.Client) -> None:
    paths = own.get("/openapi.json").json()["paths"]
    code = {"type": "string", "minLength": 3, "maxLength": 5, "pattern": TEXT_PATTERN}
    page = {"type": "integer", "minimum": 1, "maximum": 10}
    for path, name, schema in [("codes/{code}", "code", code), ("pages/{n}", "n", page)]:
        assert _as_sent(paths[f"/api/v1/{path}"]["get"]) == [
            {"in": "path", "name": name, "required": True, "schema": schema}
        ]


@pytest.mark.parametrize(("target", "read"), PATH_NUMBERS_READ)
def test_path_numbers_are_read_by_the_text_rules(
    own: httpx.Client, target: str, read: dict[str, Any]
) -> None:
    answer = own.get(target)
    assert answer.status_code == 200, answer.text
    assert answer.json() == read


@pytest.mark.parametrize(("target", "name", "error_type"), PATH_NUMBERS_REFUSED)
def test_path_numbers_in_other_forms_are_422(
    own: httpx.Client, target: str, name: str, error_type: str
) -> None:
    answer = own.get(target)
    assert answer.status_code == 422, answer.text
    assert error_pairs(answer.json()) == [(["path", name], error_type)]


@pytest.mark.parametrize(("target", "body", "loc"), NUL_REFUSED)
def test_no_request_text_holds_a_nul(
    own: httpx.Client, target: str, body: dict[str, Any] | None, loc: list[str | int]
) -> None:
    answer = own.get(target) if body is None else own.post(target, json=body)
    assert answer.status_code == 422, answer.text
    assert error_pairs(answer.json()) == [(loc, "string_pattern_mismatch")]


def test_a_dict_key_may_hold_a_nul(own: httpx.Client) -> None:
    answer = own.post("/api/v1/texts", json=NUL_TAKEN)
    assert answer.status_code == 200, answer.text
    assert answer.json() == NUL_TAKEN


def test_the_text_rule_is_documented(own: httpx.Client) -> None:
    document = own.get("/openapi.json").json()
    text = document["components"]["schemas"]["Text"]["properties"]
    (query,) = document["paths"]["/api/v1/texts"]["get"]["parameters"]
    (path,) = document["paths"]["/api/v1/texts/{code}"]["get"]["parameters"]
    documented = [
        text["text"],
        text["tags"]["items"],
        text["meta"]["additionalProperties"],
        query["schema"],
        path["schema"],
    ]
    assert [schema.get("pattern") for schema in documented] == [TEXT_PATTERN] * 5
