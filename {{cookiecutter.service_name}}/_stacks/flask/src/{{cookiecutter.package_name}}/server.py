"""The production server: gunicorn with ``gunicorn.conf.py``, configured from the settings.

``python -m {{ cookiecutter.package_name }}.server`` (``make serve``); ``--reload`` for
development runs Flask's own server with the reloader instead.
"""

import contextlib
import importlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import gevent  # type: ignore[import-untyped]
from gunicorn.http import errors  # type: ignore[import-untyped]
from gunicorn.http.body import ChunkedReader  # type: ignore[import-untyped]
from gunicorn.workers.base_async import AsyncWorker  # type: ignore[import-untyped]
from gunicorn.workers.ggevent import GeventWorker  # type: ignore[import-untyped]
from werkzeug.serving import WSGIRequestHandler

from .cli import parse_args
from .http_limits import BODY_TIMEOUT, HEADER_TIMEOUT, KEEPALIVE_TIMEOUT
from .problems import PROBLEM_CONTENT_TYPE, problem, title_for
from .settings import load_settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Read from the working directory (the project root), like gunicorn's own default.
GUNICORN_CONFIG = "gunicorn.conf.py"
# A chunk size past 64 bits is an attack or a bug, refused as the other stack's parser does.
MAX_CHUNK_SIZE = (1 << 64) - 1


def refusal_status(error: Exception) -> int | None:
    """The status for one of gunicorn's request parse errors; None for anything else."""
    if isinstance(error, errors.LimitRequestLine):
        return 414
    if isinstance(error, errors.LimitRequestHeaders):
        return 431
    if isinstance(error, errors.UnsupportedTransferCoding):
        return 501
    if isinstance(error, errors.InvalidHTTPVersion):
        # A version gunicorn read as numbers (HTTP/2.0) is unsupported; anything else is malformed.
        return 505 if isinstance(error.version, tuple) else 400
    if isinstance(error, errors.InvalidHeader) and error.hdr == "TRANSFER-ENCODING":
        # gunicorn refuses a coding it knows but does not decode (gzip) as a bad
        # header; like any coding but chunked, it is one the service does not support.
        headers = getattr(error.req, "headers", [])
        codings = ",".join(value for name, value in headers if name == "TRANSFER-ENCODING")
        unsupported = any(part.strip().lower() != "chunked" for part in codings.split(","))
        return 501 if unsupported else 400
    if isinstance(error, errors.ParseException | errors.NoMoreData):
        return 400
    return None


def problem_response(status: int, detail: str, instance: str) -> bytes:
    """A complete HTTP/1.1 problem+json response that closes the connection."""
    body = json.dumps(problem(status, detail, instance)).encode()
    head = (
        f"HTTP/1.1 {status} {title_for(status)}\r\n"
        f"Content-Type: {PROBLEM_CONTENT_TYPE}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


class BoundedChunkedReader(ChunkedReader):  # type: ignore[misc]
    """gunicorn's chunked body reader, refusing chunk sizes past 64 bits (it waits for them)."""

    def parse_chunk_size(self, unreader: Any, data: bytes | None = None) -> tuple[int, Any]:
        size, rest = super().parse_chunk_size(unreader, data)
        if size > MAX_CHUNK_SIZE:
            raise errors.InvalidChunkSize(b"chunk size over 64 bits")
        return size, rest


def honour_connection_close(app: "WSGIApplication") -> "WSGIApplication":
    """gunicorn drops an application's ``Connection`` header; make ``close`` close."""

    def closing_app(environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if ("Connection", "close") in headers:
                start_response.__self__.force_close()  # type: ignore[attr-defined]
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return closing_app


# Server glue, run only under gunicorn: the template's tests check it over real servers.
class ServiceWorker(GeventWorker):  # type: ignore[misc]  # pragma: no cover
    """gunicorn's gevent worker with the service's HTTP timeouts and problem+json refusals.

    gevent, not threads: a client that sends slowly costs a greenlet, not one of
    a few threads, so stalled connections cannot starve the others (README:
    Limits and timeouts). On SIGTERM it stops listening, finishes the requests
    in flight and exits 0, as gunicorn's gevent worker does.
    """

    wsgi: "WSGIApplication"

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = honour_connection_close(self.wsgi)

    @contextlib.contextmanager
    def timeout_ctx(self) -> Iterator[None]:
        """Around the reading of each request head: the header timeout; idle reads time out too."""
        deadline = gevent.Timeout(HEADER_TIMEOUT)
        deadline.start()
        try:
            yield
        except gevent.Timeout as timeout:
            if timeout is not deadline:
                raise
            self.log.info("Closed a connection whose request head took over %ss", HEADER_TIMEOUT)
        except TimeoutError:
            pass  # idle for KEEPALIVE_TIMEOUT: closed without an answer
        finally:
            deadline.close()

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        # gevent's handle() would make the socket blocking; it gets the idle timeout instead.
        client.settimeout(KEEPALIVE_TIMEOUT)
        AsyncWorker.handle(self, listener, client, addr)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> bool:
        if isinstance(req.body.reader, ChunkedReader):
            req.body.reader = BoundedChunkedReader(req, req.unreader)
        sock.settimeout(BODY_TIMEOUT)  # the longest pause while the body arrives or is sent
        try:
            return bool(super().handle_request(listener_name, req, sock, addr))
        except TimeoutError:
            self.log.info("Closed a connection idle for %ss during a request", BODY_TIMEOUT)
            raise StopIteration from None
        finally:
            sock.settimeout(KEEPALIVE_TIMEOUT)

    def handle_error(self, req: Any, client: Any, addr: Any, exc: Exception) -> None:
        status = refusal_status(exc)
        if status is None:
            super().handle_error(req, client, addr, exc)
            return
        self.log.warning("Invalid HTTP request: %s (%s)", exc, status)
        request = req or getattr(exc, "req", None)
        instance = getattr(request, "path", "") or "/"
        with contextlib.suppress(OSError):
            client.sendall(problem_response(status, str(exc) or title_for(status), instance))


class QuietRequestHandler(WSGIRequestHandler):
    """The development server, without its own line per request: the service logs one."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def load_factory(target: str) -> Any:
    module, _, factory = target.partition(":")
    return getattr(importlib.import_module(module), factory)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = load_settings()  # bad configuration stops here, with one line
    if args.reload:
        load_factory(args.app)().run(
            host=settings.host,
            port=settings.port,
            debug=False,
            use_reloader=True,
            request_handler=QuietRequestHandler,
        )
        return
    # gunicorn replaces this process, so it receives SIGTERM directly.
    command = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG, f"{args.app}()"]
    os.execv(sys.executable, command)  # noqa: S606


if __name__ == "__main__":
    main()
