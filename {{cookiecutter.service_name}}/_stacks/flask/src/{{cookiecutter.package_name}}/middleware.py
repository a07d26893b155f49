"""Pure WSGI middleware: request ids, headers, access log, CORS and the body-size limit.

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

from gunicorn.http.errors import NoMoreData  # type: ignore[import-untyped]
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.wsgi import get_path_info

from .cors import CorsPolicy
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
    start_response: "StartResponse", status: int, detail: str, instance: str
) -> list[bytes]:
    body = json.dumps(problem(status, detail, instance)).encode()
    headers = [("Content-Type", PROBLEM_CONTENT_TYPE), ("Content-Length", str(len(body)))]
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


class CappedInput(io.RawIOBase):
    """A request body that fails with 413 once more than ``limit`` bytes are read."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.remaining = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "WriteableBuffer") -> int:
        view = memoryview(buffer).cast("B")
        data = self.stream.read(len(view))
        if len(data) > self.remaining:
            raise RequestEntityTooLarge(f"Request body is larger than {self.limit} bytes")
        self.remaining -= len(data)
        view[: len(data)] = data
        return len(data)


class BodyLimitMiddleware:
    """Refuse bodies over ``max_body_bytes`` before the view runs.

    A declared ``Content-Length`` is checked before Flask runs. A chunked body
    has no length up front: it is counted while read, and reading past the
    limit raises a 413 in the view, before the view uses it. (Flask's
    ``MAX_CONTENT_LENGTH`` would cut such a body at the limit without an error.)
    """

    def __init__(self, app: "WSGIApplication", max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        declared = environ.get("CONTENT_LENGTH")
        if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
            detail = f"Request body is larger than {self.max_body_bytes} bytes"
            return send_problem(start_response, 413, detail, get_path_info(environ))
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            environ["wsgi.input"] = CappedInput(environ["wsgi.input"], self.max_body_bytes)
            # WSGI servers hand over the body de-chunked, ending at EOF (PEP 3333);
            # this tells Werkzeug so, or it would read a chunked body as empty.
            environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)


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
