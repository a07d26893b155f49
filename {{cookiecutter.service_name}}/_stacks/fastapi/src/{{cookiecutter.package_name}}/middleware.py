"""Pure ASGI middleware: request ids, headers, access log, HEAD, CORS and the body-size limit.

Pure ASGI on purpose: Starlette's ``BaseHTTPMiddleware`` costs most of the
throughput of a small endpoint.
"""

import json
import logging
import time
from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .cors import CorsPolicy
from .http_protocol import BODY_TIMED_OUT
from .logs import AccessLog
from .problems import PROBLEM_CONTENT_TYPE, problem
from .request_context import (
    CLIENT_CLOSED_REQUEST,
    REQUEST_ID_HEADER,
    request_id_var,
    resolve_request_id,
)

logger = logging.getLogger(__name__)
error_logger = logging.getLogger(f"{__package__}.errors")

NO_STORE_PREFIXES = ("/api/", "/healthz", "/readyz")
REQUEST_ID_HEADER_KEY = REQUEST_ID_HEADER.lower().encode()
NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _request_id_header(scope: Scope) -> str | None:
    """The one ``X-Request-ID`` value; ``None`` when there is none or more than one."""
    found = None
    for key, value in scope["headers"]:
        if key == b"x-request-id":
            if found is not None:
                return None
            found = value
    return None if found is None else str(found.decode("latin-1"))


async def send_problem(
    send: Send,
    status: int,
    detail: str,
    instance: str,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    body = json.dumps(problem(status, detail, instance)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Outermost layer: request id, common headers, ``HEAD``, one access-log line, the 500 net.

    A client that goes away before its body is complete is not an error: one
    INFO line, and the access line shows status 499 (no response is sent).

    ``HEAD`` is answered here too (on every ``GET`` route: the GET runs, no body is
    sent) rather than in a layer of its own: each layer costs every request a call.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.access_log = AccessLog()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started_at = time.perf_counter()
        request_id = resolve_request_id(_request_id_header(scope))
        token = request_id_var.set(request_id)
        method: str = scope["method"]
        path: str = scope["path"]
        head = method == "HEAD"
        extra_headers = [(REQUEST_ID_HEADER_KEY, request_id.encode()), NOSNIFF]
        if path.startswith(NO_STORE_PREFIXES):
            extra_headers.append(NO_STORE)
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *extra_headers]
            elif head:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        app_scope = {**scope, "method": "GET"} if head else scope
        try:
            await self.app(app_scope, receive, send_with_headers)
        except ClientDisconnect:
            status = CLIENT_CLOSED_REQUEST
            logger.info("Client disconnected before the request body was complete")
        except Exception:
            error_logger.exception("Unhandled error on %s %s", method, path)
            if not response_started:
                await send_problem(send_with_headers, 500, "Internal Server Error", path)
        finally:
            self.access_log.log(method, path, status, started_at, request_id)
            request_id_var.reset(token)


class ContentTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body is larger than {limit} bytes")


CONNECTION_CLOSE = (b"connection", b"close")


class BodyLimitMiddleware:
    """Refuse bodies over ``max_body_bytes`` (by Content-Length at once, or while reading),
    and bodies that do not arrive whole.

    A body that stops short (the client left: 400) or stalls (the server's body
    timeout: 408) fails the read, so the view never runs on part of a body. An
    answer sent before the whole body was read says ``Connection: close``: what
    is left of the body must not be read as the next request.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        chunked = _header(scope, b"transfer-encoding") is not None
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            detail = str(ContentTooLarge(self.max_body_bytes).detail)
            await send_problem(send, 413, detail, scope["path"], [CONNECTION_CLOSE])
            return
        if not chunked and (declared is None or declared == "0"):
            await self.app(scope, receive, send)  # no body: nothing to watch
            return

        received = 0
        complete = False

        async def receive_limited() -> Message:
            nonlocal received, complete
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # Raised inside the route's body read: the handler never runs.
                    raise ContentTooLarge(self.max_body_bytes)
                complete = not message.get("more_body", False)
            elif not complete:
                # The body stopped short; the answer is for the log (the client is gone).
                if scope.get("state", {}).get(BODY_TIMED_OUT):
                    raise HTTPException(408, "The request body did not arrive in time")
                raise HTTPException(400, "The request body ended before it was complete")
            return message

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and not complete:
                message["headers"] = [*message.get("headers", ()), CONNECTION_CLOSE]
            await send(message)

        await self.app(scope, receive_limited, send_closing)


class CorsMiddleware:
    """Answer preflights from listed origins; add CORS headers to their responses."""

    def __init__(self, app: ASGIApp, policy: CorsPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _header(scope, b"origin") if scope["type"] == "http" else None
        if not self.policy.allows(origin):
            await self.app(scope, receive, send)
            return
        assert origin is not None
        requested = _header(scope, b"access-control-request-method")
        if self.policy.is_preflight(scope["method"], origin, requested):
            headers = _encode(self.policy.preflight_headers(origin))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        extra = _encode(self.policy.response_headers(origin))

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode(), value.encode()) for name, value in headers]
