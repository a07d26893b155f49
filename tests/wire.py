"""Raw HTTP/1.1 exchanges with a running service, and how two answers are compared.

``http.client`` rather than a full client library: the hostile cases need
bodies no library sends on purpose (invalid UTF-8, chunked, a body without
``Content-Length``, a declared length the server refuses before reading).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import pprint
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

TIMEOUT = 30.0
PROBLEM = "application/problem+json"
REQUEST_ID = re.compile(r"[0-9a-f]{32}")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")

# Headers the contract lets differ (section 5), plus connection framing, which
# belongs to the server and not the service.
IGNORED_HEADERS = {
    "date",
    "server",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
}
# Members of bodies the contract lets differ: human text and clocks.
IGNORED_MEMBERS = {"detail", "msg", "created_at", "updated_at"}
# Their string values in the raw bytes (the spacing around the colon is kept: it must not differ).
_IGNORED_VALUES = re.compile(
    rb'("(?:%s)"\s*:\s*)"(?:[^"\\]|\\.)*"' % b"|".join(m.encode() for m in sorted(IGNORED_MEMBERS))
)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    request: str = ""
    reason: str = ""  # the status line's reason phrase

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    def json(self) -> Any:
        return json.loads(self.body)

    def normalised(self) -> dict[str, Any]:
        """What must be equal across stacks: the status line, headers, and the body as bytes.

        JSON bodies are compared parsed (for a readable diff) and as bytes with the
        values of ``IGNORED_MEMBERS`` masked: spacing, key order, number and string
        encoding and a final newline must not differ either.
        """
        headers = {
            name: value for name, value in self.headers.items() if name not in IGNORED_HEADERS
        }
        if "x-request-id" in headers and REQUEST_ID.fullmatch(headers["x-request-id"]):
            headers["x-request-id"] = "<generated>"
        body: Any
        raw = self.body
        if not self.body:
            body = None
        elif self.content_type and "json" in self.content_type:
            body = _drop_members(self.json())
            raw = _IGNORED_VALUES.sub(rb'\1"<varies>"', self.body)
        else:
            body = self.body
        status = f"{self.status} {self.reason}"
        return {"status": status, "headers": headers, "body": body, "raw": raw}

    def show(self) -> str:
        text = self.body[:2000].decode("utf-8", "replace")
        headers = "\n".join(f"  {name}: {value}" for name, value in sorted(self.headers.items()))
        return f"{self.status} {self.reason}\n{headers}\n  {text}"


def _drop_members(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: _drop_members(value) for key, value in node.items() if key not in IGNORED_MEMBERS
        }
    if isinstance(node, list):
        return [_drop_members(value) for value in node]
    return node


@dataclass
class Request:
    """One request, sent byte for byte as described."""

    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    # Send the body in these chunks with ``Transfer-Encoding: chunked`` (no length).
    chunks: Iterable[bytes] | None = None

    def describe(self) -> str:
        body = "" if self.body is None else f" body={self.body[:120]!r}"
        if self.body is not None and len(self.body) > 120:
            body += f"... ({len(self.body)} bytes)"
        return f"{self.method} {self.path} headers={dict(self.headers)}{body}"


def json_body(value: Any) -> bytes:
    return json.dumps(value).encode()


def post_json(path: str, value: Any, **headers: str) -> Request:
    return Request("POST", path, json_body(value), {"Content-Type": "application/json", **headers})


def patch_json(path: str, value: Any, **headers: str) -> Request:
    return Request("PATCH", path, json_body(value), {"Content-Type": "application/json", **headers})


def send(base_url: str, request: Request) -> Response:
    """Send one request on a fresh connection and read the whole answer."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=TIMEOUT)
    try:
        connection.putrequest(request.method, request.path, skip_accept_encoding=True)
        headers = dict(request.headers)
        if request.chunks is not None:
            headers["Transfer-Encoding"] = "chunked"
        elif request.body is not None:
            headers.setdefault("Content-Length", str(len(request.body)))
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        # The server may answer before reading everything (413): read that answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            _send_body(connection, request)
        answer = connection.getresponse()
        body = answer.read()
        return Response(
            answer.status,
            {name.lower(): value for name, value in answer.getheaders()},
            body,
            request.describe(),
            answer.reason,
        )
    finally:
        connection.close()


def _send_body(connection: http.client.HTTPConnection, request: Request) -> None:
    if request.chunks is not None:
        for chunk in request.chunks:
            connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        connection.send(b"0\r\n\r\n")
    elif request.body is not None:
        connection.send(request.body)


def side_by_side(responses: Mapping[str, Response]) -> str:
    """Both answers to one request, raw and normalised, for a failure message."""
    lines = []
    for name, response in responses.items():
        lines.append(f"--- {name}: {response.request}")
        lines.append(response.show())
    lines.append("--- normalised:")
    for name, response in responses.items():
        lines.append(f"{name}:\n{pprint.pformat(response.normalised(), width=100)}")
    return "\n".join(lines)


def assert_same(responses: Mapping[str, Response]) -> None:
    """Every stack gave the same answer, up to what the contract lets differ."""
    normalised = [response.normalised() for response in responses.values()]
    assert all(other == normalised[0] for other in normalised[1:]), (
        "the stacks answer differently:\n" + side_by_side(responses)
    )
