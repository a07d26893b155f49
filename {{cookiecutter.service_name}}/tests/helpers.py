"""Small helpers for assertions the tests repeat."""

import re
from typing import Any

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
