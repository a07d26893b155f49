"""The HTTP limits and timeouts of the uvicorn protocol, on a transport in memory.

The same behaviour over a real server is checked by the template's own tests.
"""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.server import ServerState

from {{ cookiecutter.package_name }} import http_protocol
from {{ cookiecutter.package_name }}.http_limits import MAX_FIELD_SIZE, MAX_FIELDS, MAX_REQUEST_LINE
from {{ cookiecutter.package_name }}.http_protocol import BODY_TIMED_OUT, LimitedHttpToolsProtocol

HOST = b"Host: test\r\n"


class MemoryTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 5000)}.get(name)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def echo_length(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the whole body, answers 200 with its length."""
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = str(size).encode()
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    pending = asyncio.all_tasks(loop)  # requests a test left unfinished
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.wait(pending))
    loop.close()


def connect(loop: asyncio.AbstractEventLoop) -> tuple[LimitedHttpToolsProtocol, MemoryTransport]:
    config = Config(app=echo_length, lifespan="off", log_config=None)
    config.load()
    protocol = LimitedHttpToolsProtocol(config, ServerState(), {}, _loop=loop)
    transport = MemoryTransport()
    protocol.connection_made(transport)
    return protocol, transport


def run(loop: asyncio.AbstractEventLoop, seconds: float = 0.05) -> None:
    loop.run_until_complete(asyncio.sleep(seconds))


def status_of(transport: MemoryTransport) -> int:
    return int(bytes(transport.written).split(b" ", 2)[1])


def fields(count: int, size: int = 20) -> bytes:
    return b"".join(b"X-%03d: " % n + b"v" * (size - 7) + b"\r\n" for n in range(count))


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"GET /" + b"a" * MAX_REQUEST_LINE + b" HTTP/1.1\r\n" + HOST + b"\r\n", 414),
        (b"GET / HTTP/1.1\r\n" + fields(1, MAX_FIELD_SIZE + 1) + b"\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + fields(MAX_FIELDS + 1) + b"\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + fields(10, 8000) + b"\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: gzip\r\n\r\n", 501),
        (b"POST / HTTP/1.0\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        (b"GET / HTTP/1.7\r\n" + HOST + b"\r\n", 505),
        (b"GET / HTTP/2.0\r\n" + HOST + b"\r\n", 505),
        (b"GET /\r\n\r\n", 400),
        (b"FROB / HTTP/1.1\r\n" + HOST + b"\r\n", 400),
        (b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\nZZ\r\n", 400),
    ],
)
def test_malformed_or_oversized_heads_are_refused(
    loop: asyncio.AbstractEventLoop, data: bytes, status: int
) -> None:
    protocol, transport = connect(loop)
    protocol.data_received(data)
    assert status_of(transport) == status
    assert b"content-type: application/problem+json" in transport.written
    assert b"connection: close" in transport.written
    assert transport.closed


def test_head_larger_than_every_limit_together_is_refused_early(
    loop: asyncio.AbstractEventLoop,
) -> None:
    protocol, transport = connect(loop)
    protocol.data_received(b"GET / HTTP/1.1\r\nX-Big: " + b"v" * (1 << 20))
    assert status_of(transport) == 431
    assert transport.closed


def test_a_request_is_served_and_the_connection_kept(loop: asyncio.AbstractEventLoop) -> None:
    protocol, transport = connect(loop)
    protocol.data_received(b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: 4\r\n\r\nab")
    protocol.data_received(b"cd")
    run(loop)
    assert status_of(transport) == 200
    assert transport.written.endswith(b"\r\n\r\n4")
    assert not transport.closed
    protocol.connection_lost(None)


def test_idle_connection_is_closed_after_the_keep_alive_timeout(
    loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_protocol, "KEEPALIVE_TIMEOUT", 0.01)
    protocol, transport = connect(loop)
    protocol.data_received(b"GET / HT")
    run(loop)
    assert transport.closed
    assert not transport.written


def test_slow_head_is_closed_after_the_header_timeout(
    loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_protocol, "HEADER_TIMEOUT", 0.05)
    protocol, transport = connect(loop)
    for byte in b"GET / HTTP/1.1\r\n":
        protocol.data_received(bytes([byte]))
        run(loop, 0.005)
    run(loop, 0.1)
    assert transport.closed
    assert not transport.written


def test_stalled_body_is_answered_408(
    loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_protocol, "BODY_TIMEOUT", 0.02)
    protocol, transport = connect(loop)
    protocol.data_received(b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: 10\r\n\r\nab")
    run(loop, 0.1)
    assert status_of(transport) == 408
    assert b"connection: close" in transport.written
    assert transport.closed
    assert protocol.cycle.scope["state"][BODY_TIMED_OUT] is True


async def call(app: FastAPI, scope_state: dict[str, Any]) -> list[Message]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/items",
        "raw_path": b"/api/v1/items",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"20")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": scope_state,
    }
    messages: list[Message] = [
        {"type": "http.request", "body": b'{"name": ', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


@pytest.mark.parametrize(("state", "status"), [({}, 400), ({BODY_TIMED_OUT: True}, 408)])
def test_body_that_stops_short_fails_the_read(
    app: FastAPI, state: dict[str, Any], status: int
) -> None:
    sent = asyncio.run(call(app, state))
    start = sent[0]
    assert start["status"] == status
    assert (b"connection", b"close") in start["headers"]
