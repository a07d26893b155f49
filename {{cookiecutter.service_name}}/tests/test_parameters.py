"""A route's own parameters and strings, read by the contract's rules on both stacks.

The routes (own_routes.py) are written for each stack as its documentation writes them:
UUIDs, booleans, numbers, lists and decimals in a query, text and numbers in a path, an
integer in a header, plain strings in a body.
"""

from typing import Any
from uuid import UUID

import httpx
import pytest

from {{ cookiecutter.package_name }}.core.values import TEXT_PATTERN

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


def test_header_parameters_are_read_by_the_same_rules(own: httpx.Client) -> None:
    assert own.get("/api/v1/tenants", headers={"X-Tenant": "5"}).json() == {"tenant": 5}
    answer = own.get("/api/v1/tenants", headers={"X-Tenant": "5.0"})
    assert answer.status_code == 422, answer.text
    assert error_pairs(answer.json()) == [(["header", "x-tenant"], "int_type")]


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
