"""Routing, methods, headers and body bytes on every response (contract sections 2, 4 and 5)."""

import json
import re

import httpx
import pytest

from .helpers import ITEMS, assert_problem, create


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/healthz", "GET, HEAD"),
        ("DELETE", "/readyz", "GET, HEAD"),
        ("PUT", ITEMS, "GET, HEAD, POST"),
        ("DELETE", ITEMS, "GET, HEAD, POST"),
        ("POST", f"{ITEMS}/1", "DELETE, GET, HEAD, PATCH"),
        ("PUT", f"{ITEMS}/1", "DELETE, GET, HEAD, PATCH"),
    ],
)
def test_wrong_method_is_405_with_allow(
    client: httpx.Client, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    assert_problem(response, 405, "Method Not Allowed", path)
    assert response.headers["allow"] == allow


@pytest.mark.parametrize(
    "path", ["/nope", f"{ITEMS}/", "/healthz/", "/api/v1", "/api/v1/items/1/x"]
)
def test_unknown_path_is_404_without_redirect(client: httpx.Client, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert_problem(response, 404, "Not Found", path)


def test_leading_double_slash_is_404(client: httpx.Client) -> None:
    """Some routers treat "//healthz" as "/healthz"; the contract has no aliases."""
    response = client.get("http://testserver//healthz")  # a full URL keeps the "//"
    assert_problem(response, 404, "Not Found", "//healthz")


def test_head_answers_like_get_without_a_body(client: httpx.Client) -> None:
    item = create(client)
    for path in ("/healthz", "/readyz", ITEMS, f"{ITEMS}/{item['id']}"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]


def test_head_of_a_missing_item_is_404(client: httpx.Client) -> None:
    response = client.head(f"{ITEMS}/9")
    assert response.status_code == 404
    assert response.content == b""


@pytest.mark.parametrize("path", ["/healthz", ITEMS, "/nope", f"{ITEMS}/0"])
def test_common_headers(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


@pytest.mark.parametrize("path", ["/healthz", "/readyz", ITEMS, f"{ITEMS}/1"])
def test_no_store_on_api_and_probes(client: httpx.Client, path: str) -> None:
    assert client.get(path).headers["cache-control"] == "no-store"


@pytest.mark.parametrize("request_id", ["abc", "A.b_c-1", "x" * 128])
def test_valid_request_id_is_echoed(client: httpx.Client, request_id: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": request_id})
    assert response.headers["x-request-id"] == request_id


@pytest.mark.parametrize("request_id", ["", "x" * 129, "has space", "semi;colon", "ü"])
def test_invalid_request_id_is_replaced(client: httpx.Client, request_id: str) -> None:
    response = client.get("/healthz", headers=[(b"X-Request-ID", request_id.encode())])
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_unexpected_error_is_500_without_internals(crashing_client: httpx.Client) -> None:
    path = "/api/v1/crash"
    response = crashing_client.get(path, headers={"X-Request-ID": "crash-1"})
    body = assert_problem(response, 500, "Internal Server Error", path)
    assert body["detail"] == "Internal Server Error"
    assert response.headers["x-request-id"] == "crash-1"
    for secret in ("Traceback", "secret", "/etc/", "SELECT", "RuntimeError"):
        assert secret not in response.text


def compact(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def test_json_bodies_are_compact_utf8_without_a_final_newline(client: httpx.Client) -> None:
    """Every stack sends the same bytes: no spaces, text as UTF-8, keys in the documented order."""
    created = client.post(ITEMS, json={"name": "Caf\u00e9 \u2603", "price": 0.000015})
    assert created.status_code == 201
    assert created.content.startswith(
        b'{"id":%d,"name":"Caf\xc3\xa9 \xe2\x98\x83","description":null,"price":0.000015,'
        % created.json()["id"]
    )
    assert created.content.endswith(b'"}')  # updated_at, then no newline
    assert client.get("/healthz").content == b'{"status":"pass"}'
    missing = client.get(f"{ITEMS}/999")
    assert missing.content == compact(
        {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": missing.json()["detail"],
            "instance": f"{ITEMS}/999",
        }
    )
    invalid = client.post(ITEMS, json={"name": "x", "price": -1})
    assert invalid.status_code == 422
    assert invalid.content == compact(invalid.json())
    assert list(invalid.json()) == ["type", "title", "status", "detail", "instance", "errors"]
