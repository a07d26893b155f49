"""Both stacks' logs under their production servers: JSON only, and each id on its own request.

Issue #9, section 5. Each server gets a mix (ordinary requests, 404 and 422,
every hostile case, clients that go away mid-body, repeated and padded
``X-Request-ID`` headers), is stopped with SIGTERM, and then every line it
wrote (``make serve``'s stdout and stderr) must be one JSON object; every line
with a request id must belong to the request that caused it.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from contract_cases import HOSTILE
from servers import Server, migrate, serve
from wire import REQUEST_ID, Request, post_json, send

from conftest import FRAMEWORKS

pytestmark = pytest.mark.venv

ITEMS = "/api/v1/items"
KEYS = {"timestamp", "level", "logger", "message", "request_id"}
SERVER_LOGGERS = {"flask": "gunicorn.error", "fastapi": "uvicorn.error"}
# The last line each server writes on a clean stop.
LAST_WORDS = {"flask": "Shutting down: Master", "fastapi": "Finished server process"}
ACCESS = "inventory_service.access"
JSON = b"Content-Type: application/json\r\n"


def raw_exchange(server: Server, data: bytes, *, read: bool = True) -> bytes:
    """Send bytes on a fresh connection; read until the server closes it (or not at all)."""
    url = urlsplit(server.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(data)
        if not read:
            return b""
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def response_request_id(answer: bytes) -> str:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    (value,) = re.findall(r"(?im)^x-request-id:\s*(\S+)\s*$", head)
    return value


def get_with(headers: list[str], path: str = "/healthz") -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: test", "Connection: close", *headers, "", ""]
    return "\r\n".join(lines).encode()


def parse(log: str) -> list[dict[str, Any]]:
    """Every line as JSON; a line that is not one object fails the test."""
    entries = []
    for number, line in enumerate(log.splitlines(), 1):
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        assert isinstance(entry, dict), f"line {number} is not a JSON object: {line!r}\n{log}"
        assert entry.keys() >= KEYS, f"line {number} lacks {KEYS - entry.keys()}: {line}"
        entries.append(entry)
    return entries


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_log_is_json_lines_each_with_its_own_request_id(
    framework: str, generate: Callable[..., Path], stack_venv: Callable[[str], Path]
) -> None:
    venv = stack_venv(framework)
    project = generate(framework=framework)
    url = f"sqlite:///{project}/var/logs.db"
    (project / "var").mkdir(exist_ok=True)
    migrate(project, venv, DATABASE_URL=url)
    # request id -> (method, status) of the one request that sent it
    sent: dict[str, tuple[str, int]] = {}

    def exchange(request: Request, request_id: str) -> None:
        headers = {**request.headers, "X-Request-ID": request_id}
        path = request.path.replace("{id}", "1")  # the item created first
        tagged = Request(request.method, path, request.body, headers, request.chunks)
        response = send(server.url, tagged)
        assert response.headers["x-request-id"] == request_id
        sent[request_id] = (request.method, response.status)

    with serve(framework, project, venv, DATABASE_URL=url) as server:
        exchange(Request("GET", "/healthz"), "plain-1")
        exchange(post_json(ITEMS, {"name": "target", "price": 1}), "create-1")
        exchange(Request("GET", f"{ITEMS}/424242"), "missing-1")
        exchange(post_json(ITEMS, {"price": "free"}), "invalid-1")
        for number, case in enumerate(HOSTILE):
            if not any(name.lower() == "x-request-id" for name in case.request.headers):
                exchange(case.request, f"hostile-{number}")

        # Two clients that go away mid-body: a declared length, and a chunked body.
        gone = {
            "gone-length": b"Content-Length: 100\r\n" + JSON + b'\r\n{"name": "half',
            "gone-chunked": b"Transfer-Encoding: chunked\r\n" + JSON + b'\r\n20\r\n{"name": "half',
        }
        for request_id, rest in gone.items():
            head = f"POST {ITEMS} HTTP/1.1\r\nHost: test\r\nX-Request-ID: {request_id}\r\n"
            raw_exchange(server, head.encode() + rest, read=False)

        # Requests the servers refuse themselves, each after one of the service's on the
        # same worker: the servers' lines about them carry no id (none was made).
        for number in range(3):
            exchange(Request("GET", "/healthz"), f"before-garbage-{number}")
            raw_exchange(server, b"NOT AN HTTP REQUEST\r\n\r\n")

        twice = raw_exchange(server, get_with(["X-Request-ID: dup-a", "X-Request-ID: dup-b"]))
        assert twice.startswith(b"HTTP/1.1 200"), twice
        generated = response_request_id(twice)
        assert REQUEST_ID.fullmatch(generated), f"two ids kept as {generated!r}"
        padded = raw_exchange(server, get_with(["X-Request-ID: \t padded-1  "]))
        assert response_request_id(padded) == "padded-1"
        # The id goes away with its request: a later request without one is not logged
        # under it (a new id is made), whichever thread or task serves it.
        after = [response_request_id(raw_exchange(server, get_with([]))) for _ in range(5)]
        assert all(REQUEST_ID.fullmatch(value) for value in after)
    entries = parse(server.log())

    assert not [e for e in entries if e["level"] in ("ERROR", "CRITICAL")], server.log()
    server_lines = [e for e in entries if e["logger"] == SERVER_LOGGERS[framework]]
    assert server_lines, "no line from the server itself"
    assert LAST_WORDS[framework] in server_lines[-1]["message"], server.log()
    # Lines of the server's own, and anything logged outside a request, carry no id.
    assert all(e["request_id"] is None for e in server_lines), server_lines

    by_id: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        if entry["request_id"] is not None:
            by_id.setdefault(entry["request_id"], []).append(entry)
    for request_id, (method, status) in sent.items():
        access = [e for e in by_id.pop(request_id, []) if e["logger"] == ACCESS]
        assert [(e["method"], e["status"]) for e in access] == [(method, status)], request_id
    for request_id in gone:
        lines = by_id.pop(request_id, [])
        assert [(e["level"], e["logger"]) for e in lines] == [
            ("INFO", "inventory_service.core.middleware"),
            ("INFO", ACCESS),
        ], lines
        assert "disconnected" in lines[0]["message"].lower()
        assert (lines[1]["method"], lines[1]["status"]) == ("POST", 499)
    assert [e["path"] for e in by_id.pop(generated)] == ["/healthz"]
    assert [e["path"] for e in by_id.pop("padded-1")] == ["/healthz"]
    assert not {"dup-a", "dup-b"} & by_id.keys()
    for request_id in after:
        assert [e["logger"] for e in by_id.pop(request_id)] == [ACCESS]
    # The readiness probe of ``serve`` is the only other traffic: one access line each.
    assert all([e["logger"] for e in lines] == [ACCESS] for lines in by_id.values()), by_id
