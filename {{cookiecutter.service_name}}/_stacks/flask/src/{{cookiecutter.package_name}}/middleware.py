"""Pure WSGI middleware: request ids, headers, access log, CORS, HTTP limits and the body.

Plain WSGI wrappers around ``app.wsgi_app`` rather than Flask hooks: they see
every response (including the ones Flask never builds) and cost one call each.
"""

import io
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import Token
from typing import IO, TYPE_CHECKING

from gunicorn.http.errors import NoMoreData, ParseException  # type: ignore[import-untyped]
from werkzeug.exceptions import (
    BadRequest,
    ClientDisconnected,
    RequestEntityTooLarge,
    RequestTimeout,
)
from werkzeug.wsgi import get_path_info

from .cors import CorsPolicy
from .http_limits import BODY_TIMEOUT, MAX_HEADER_BYTES, SUPPORTED_VERSIONS
from .logs import AccessLog
from .problems import PROBLEM_CONTENT_TYPE, problem, title_for
from .request_context import (
    CLIENT_CLOSED_REQUEST,
    REQUEST_ID_HEADER,
    request_id_var,
    resolve_request_id,
)

if TYPE_CHECKING:
    from _typeshed import OptExcInfo, WriteableBuffer
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)
error_logger = logging.getLogger(f"{__package__}.errors")

NO_STORE_PREFIXES = ("/api/", "/healthz", "/readyz")


def send_problem(
    start_response: "StartResponse",
    status: int,
    detail: str,
    instance: str,
    extra_headers: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    body = json.dumps(problem(status, detail, instance)).encode()
    headers = [("Content-Type", PROBLEM_CONTENT_TYPE), ("Content-Length", str(len(body)))]
    headers.extend(extra_headers)
    start_response(f"{status} {title_for(status)}", headers)
    return [body]


class RequestContextMiddleware:
    """Outermost layer: request id, common headers, one access-log line, and the 500 net.

    The request id is set until the server closes the response (after sending
    it), so lines written between requests carry none. A client that goes away
    before its body is complete is not an error: one INFO line, and the access
    line shows status 499.
    """

    def __init__(self, app: "WSGIApplication") -> None:
        self.app = app
        self.access_log = AccessLog()

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        started_at = time.perf_counter()
        request_id = resolve_request_id(environ.get("HTTP_X_REQUEST_ID"))
        token = request_id_var.set(request_id)
        method: str = environ["REQUEST_METHOD"]
        path = get_path_info(environ)
        extra_headers = [(REQUEST_ID_HEADER, request_id), ("X-Content-Type-Options", "nosniff")]
        if path.startswith(NO_STORE_PREFIXES):
            extra_headers.append(("Cache-Control", "no-store"))
        status = 500
        response: Iterable[bytes]
        body = None
        if environ.get("CONTENT_LENGTH") or "HTTP_TRANSFER_ENCODING" in environ:
            body = environ["wsgi.input"] = WatchedInput(environ["wsgi.input"], environ)

        def start_with_headers(
            status_line: str, headers: list[tuple[str, str]], exc_info: "OptExcInfo | None" = None
        ) -> Callable[[bytes], object]:
            nonlocal status
            status = int(status_line[:3])
            headers.extend(extra_headers)
            return start_response(status_line, headers, exc_info)

        try:
            if path.startswith("//"):
                # Werkzeug routes "//healthz" as "/healthz"; the contract has no such
                # aliases, so this stack answers 404.
                response = send_problem(start_with_headers, 404, "Not Found", path)
            else:
                response = self.app(environ, start_with_headers)  # Flask builds the body here
        except Exception:
            error_logger.exception("Unhandled error on %s %s", method, path)
            response = send_problem(start_with_headers, 500, "Internal Server Error", path)
        except BaseException:
            request_id_var.reset(token)
            raise
        finally:
            if body is not None and body.disconnected:
                # The answer Flask made goes nowhere: the client is gone.
                status = CLIENT_CLOSED_REQUEST
                logger.info("Client disconnected before the request body was complete")
            self.access_log.log(method, path, status, started_at, request_id)
        return ResponseInContext(response, token)


class ResponseInContext:
    """The app's response; the request's id is unset when the server closes it."""

    __slots__ = ("response", "token")

    def __init__(self, response: Iterable[bytes], token: Token[str | None]) -> None:
        self.response = response
        self.token = token

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)

    def close(self) -> None:
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            request_id_var.reset(self.token)


class WatchedInput(io.RawIOBase):
    """The request body as the server gives it, noting a client that went away.

    The server's stream ends early (or, for a chunked body, fails) when the
    client disconnects; this raises Werkzeug's ``ClientDisconnected`` then (Flask
    answers it as a 400 without logging an error) and remembers it for the log.
    """

    def __init__(self, stream: IO[bytes], environ: "WSGIEnvironment") -> None:
        self.stream = stream
        declared = environ.get("CONTENT_LENGTH", "")
        chunked = "HTTP_TRANSFER_ENCODING" in environ or not declared.isdigit()
        self.remaining = None if chunked else int(declared)
        self.disconnected = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "WriteableBuffer") -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self.stream.read(len(view))
        except (NoMoreData, ConnectionError) as error:
            self.disconnected = True
            raise ClientDisconnected() from error
        if self.remaining is not None:
            if not data and view.nbytes and self.remaining > 0:
                self.disconnected = True
                raise ClientDisconnected()
            self.remaining -= len(data)
        view[: len(data)] = data
        return len(data)


# The methods the other stack's HTTP parser (llhttp) knows: any other token is a
# malformed request (400) in both stacks, where gunicorn would pass it on.
KNOWN_METHODS = frozenset(
    {
        "ACL", "BIND", "CHECKOUT", "CONNECT", "COPY", "DELETE", "GET", "HEAD", "LINK", "LOCK",
        "M-SEARCH", "MERGE", "MKACTIVITY", "MKCALENDAR", "MKCOL", "MOVE", "NOTIFY", "OPTIONS",
        "PATCH", "POST", "PROPFIND", "PROPPATCH", "PURGE", "PUT", "QUERY", "REBIND", "REPORT",
        "SEARCH", "SOURCE", "SUBSCRIBE", "TRACE", "UNBIND", "UNLINK", "UNLOCK", "UNSUBSCRIBE",
    }
)  # fmt: skip
CONNECTION_CLOSE = ("Connection", "close")


def header_bytes(environ: "WSGIEnvironment") -> int:
    """The size of the request's header fields as "Name: value" lines (WSGI keeps no raw head)."""
    size = 0
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            size += len(key) - 5 + 2 + len(value)
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            size += len(key) + 2 + len(value)
    return size


class RequestLimitsMiddleware:
    """What the other stack's server refuses and gunicorn lets through (``http_limits``).

    HTTP versions other than 1.0 and 1.1 (505), unknown methods (400), codings
    other than chunked (501) and header fields over ``MAX_HEADER_BYTES`` together
    (431), each with ``Connection: close``: the body, if any, is not read.
    """

    def __init__(self, app: "WSGIApplication") -> None:
        self.app = app

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        refusal = self.refusal(environ)
        if refusal is None:
            return self.app(environ, start_response)
        status, detail = refusal
        return send_problem(
            start_response, status, detail, get_path_info(environ), [CONNECTION_CLOSE]
        )

    @staticmethod
    def refusal(environ: "WSGIEnvironment") -> tuple[int, str] | None:
        protocol = environ.get("SERVER_PROTOCOL", "HTTP/1.1")
        if protocol not in SUPPORTED_VERSIONS:
            return 505, f"{protocol} is not supported"
        if environ["REQUEST_METHOD"] not in KNOWN_METHODS:
            return 400, "Unknown request method"
        codings = environ.get("HTTP_TRANSFER_ENCODING")
        if codings is not None and codings.strip().lower() != "chunked":
            return 501, "Transfer-Encoding other than chunked is not supported"
        if header_bytes(environ) > MAX_HEADER_BYTES:
            return 431, f"The header fields are longer than {MAX_HEADER_BYTES} bytes together"
        return None


class CappedInput(io.RawIOBase):
    """A request body that must arrive whole and stay within ``limit`` bytes.

    Reading fails with 413 past ``limit``, 400 when the body ends before its
    declared length or its chunked framing is broken, and 408 when it stops
    arriving (the server's read timeout): the view never runs on part of a body.
    """

    def __init__(self, stream: IO[bytes], limit: int, declared: int | None) -> None:
        self.stream = stream
        self.limit = limit
        self.declared = declared
        self.received = 0
        self.complete = declared == 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "WriteableBuffer") -> int:
        view = memoryview(buffer).cast("B")
        if self.complete or not len(view):
            return 0
        try:
            data = self.stream.read(len(view))
        except TimeoutError:
            raise RequestTimeout(
                f"The request body did not arrive within {BODY_TIMEOUT}s"
            ) from None
        except (ParseException, NoMoreData) as error:
            raise BadRequest(f"The request body is badly framed: {error}") from None
        self.received += len(data)
        if self.received > self.limit:
            raise RequestEntityTooLarge(f"Request body is larger than {self.limit} bytes")
        if not data:
            if self.declared is not None and self.received < self.declared:
                raise BadRequest("The request body ended before its Content-Length")
            self.complete = True
        elif self.received == self.declared:
            self.complete = True
        view[: len(data)] = data
        return len(data)


class BodyLimitMiddleware:
    """Refuse bodies over ``max_body_bytes`` and bodies that do not arrive whole.

    A declared ``Content-Length`` over the limit is refused before Flask runs.
    Any body is read through :class:`CappedInput`: a chunked body, which has no
    length up front, fails with 413 while read past the limit (Flask's
    ``MAX_CONTENT_LENGTH`` would cut it at the limit without an error), and a
    truncated, badly framed or stalled one fails the read before the view uses
    it. An answer sent before the whole body was read says ``Connection: close``:
    what is left of the body must not be read as the next request.
    """

    def __init__(self, app: "WSGIApplication", max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        declared = environ.get("CONTENT_LENGTH")
        length = int(declared) if declared and declared.isdigit() else None
        chunked = "HTTP_TRANSFER_ENCODING" in environ
        if length is not None and length > self.max_body_bytes:
            detail = f"Request body is larger than {self.max_body_bytes} bytes"
            return send_problem(
                start_response, 413, detail, get_path_info(environ), [CONNECTION_CLOSE]
            )
        if not chunked and not length:
            return self.app(environ, start_response)  # no body: nothing to watch
        body = CappedInput(environ["wsgi.input"], self.max_body_bytes, length)
        environ["wsgi.input"] = body
        if chunked:
            # WSGI servers hand over the body de-chunked, ending at EOF (PEP 3333);
            # this tells Werkzeug so, or it would read a chunked body as empty.
            environ["wsgi.input_terminated"] = True

        def start_closing(
            status: str, headers: list[tuple[str, str]], exc_info: "OptExcInfo | None" = None
        ) -> Callable[[bytes], object]:
            if not body.complete:
                headers.append(CONNECTION_CLOSE)
            return start_response(status, headers, exc_info)

        return self.app(environ, start_closing)


class CorsMiddleware:
    """Answer preflights from listed origins; add CORS headers to their responses."""

    def __init__(self, app: "WSGIApplication", policy: CorsPolicy) -> None:
        self.app = app
        self.policy = policy

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        if not self.policy.allows(origin):
            return self.app(environ, start_response)
        assert origin is not None
        requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if self.policy.is_preflight(environ["REQUEST_METHOD"], origin, requested):
            start_response(
                "200 OK", [*self.policy.preflight_headers(origin), ("Content-Length", "0")]
            )
            return [b""]
        extra = self.policy.response_headers(origin)

        def start_with_cors(
            status_line: str, headers: list[tuple[str, str]], exc_info: "OptExcInfo | None" = None
        ) -> Callable[[bytes], object]:
            headers.extend(extra)
            return start_response(status_line, headers, exc_info)

        return self.app(environ, start_with_cors)
