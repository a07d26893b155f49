"""uvicorn's httptools protocol with the service's HTTP limits and timeouts (``http_limits``).

uvicorn bounds neither the size of a request's head nor the time a client may
take to send it or its body, and answers malformed requests in plain text. This
subclass adds the limits, the header and body timeouts, and problem+json refusals.
"""

import asyncio
import json
import logging

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from .http_limits import (
    BODY_TIMEOUT,
    HEADER_TIMEOUT,
    KEEPALIVE_TIMEOUT,
    MAX_FIELD_SIZE,
    MAX_FIELDS,
    MAX_HEADER_BYTES,
    MAX_REQUEST_LINE,
)
from .problems import PROBLEM_CONTENT_TYPE, problem

logger = logging.getLogger(f"{__package__}.http")

# Raw bytes of a request head (line and fields, with their line ends) past which
# the request cannot be within the limits: refused before the parser buffers more.
MAX_HEAD_BYTES = MAX_REQUEST_LINE + MAX_HEADER_BYTES + 2 * MAX_FIELDS + 4
# scope["state"] key telling the body reader that the body timed out (408, not 400).
BODY_TIMED_OUT = "body_timed_out"


class RefusalError(Exception):
    """A request the service refuses before the application sees it."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def parser_error_status(error: httptools.HttpParserError) -> int:
    if str(error) == "Invalid HTTP version":
        return 505
    return 400


def unknown_codings(transfer_encoding: bytes) -> bool:
    """Whether ``Transfer-Encoding`` names anything but ``chunked``: 501, as in the other stack."""
    return any(part.strip().lower() != b"chunked" for part in transfer_encoding.split(b","))


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """httptools with limits on the request head, header and body timeouts, problem+json errors."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.head_deadline: asyncio.TimerHandle | None = None
        self.body_timer: asyncio.TimerHandle | None = None
        self.reading_head = False
        self.wait_for_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self.cancel_timers()
        super().connection_lost(exc)

    def cancel_timers(self) -> None:
        for timer in (self.head_deadline, self.body_timer):
            if timer is not None:
                timer.cancel()
        self.head_deadline = self.body_timer = None

    def wait_for_request(self) -> None:
        """Start the keep-alive and header timeouts: the next request's head is due."""
        self.reading_head = True
        self.url = b""
        self.head_bytes = 0
        self._unset_keepalive_if_required()
        self.timeout_keep_alive_task = self.loop.call_later(
            KEEPALIVE_TIMEOUT, self.timeout_keep_alive_handler
        )
        if self.head_deadline is not None:
            self.head_deadline.cancel()
        self.head_deadline = self.loop.call_later(HEADER_TIMEOUT, self.head_timed_out)

    def head_timed_out(self) -> None:
        logger.info("Closed a connection whose request head did not arrive in %ss", HEADER_TIMEOUT)
        self.transport.close()

    def body_timed_out(self) -> None:
        # The request's own access-log line says 408; this one is for debugging.
        logger.debug("Request body stopped arriving for %ss", BODY_TIMEOUT)
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.scope["state"][BODY_TIMED_OUT] = True
            if not cycle.response_started:
                self.write_problem(408, f"The request body did not arrive within {BODY_TIMEOUT}s")
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.reading_head:
            self.head_bytes += len(data)
        self.refusal: RefusalError | None = None
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:  # pragma: no cover  (the service has no WebSockets)
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError as error:
            refusal = self.refusal or RefusalError(parser_error_status(error), str(error))
            self.refuse(refusal)
            return
        finally:
            self._unset_keepalive_if_required()
        if self.transport.is_closing():
            return
        if self.reading_head and self.head_bytes > MAX_HEAD_BYTES:
            # Still no end of the head: refused before the parser buffers more of it.
            self.refuse(RefusalError(431, "Request header fields are too large"))
            return
        if self.reading_head:
            # Another byte arrived: the keep-alive (idle) timeout starts again.
            self.timeout_keep_alive_task = self.loop.call_later(
                KEEPALIVE_TIMEOUT, self.timeout_keep_alive_handler
            )
        elif self.body_timer is not None:
            self.body_timer.cancel()
            self.body_timer = self.loop.call_later(BODY_TIMEOUT, self.body_timed_out)

    def refuse(self, refusal: RefusalError) -> None:
        logger.warning("Invalid HTTP request: %s (%s)", refusal.detail, refusal.status)
        self.write_problem(refusal.status, refusal.detail)
        self.cancel_timers()
        self.transport.close()

    def write_problem(self, status: int, detail: str) -> None:
        path = getattr(self, "url", b"").partition(b"?")[0].decode("latin-1") or "/"
        body = json.dumps(problem(status, detail, path)).encode()
        head = [STATUS_LINE[status]]
        head += [
            name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers
        ]
        head += [
            b"content-type: " + PROBLEM_CONTENT_TYPE.encode() + b"\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)

    def fail(self, status: int, detail: str) -> None:
        """Refuse from a parser callback: the parser raises, ``data_received`` answers."""
        self.refusal = RefusalError(status, detail)
        raise self.refusal

    # Parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.field_count = 0
        self.field_bytes = 0
        self.host_count = 0
        self.transfer_encoding: bytes | None = None

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        method = self.parser.get_method()
        # "METHOD SP target SP HTTP/1.1", as the other stack's server measures it.
        if len(method) + len(self.url) + 10 > MAX_REQUEST_LINE:
            self.fail(414, f"The request line is longer than {MAX_REQUEST_LINE} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        self.field_count += 1
        size = len(name) + 2 + len(value)
        self.field_bytes += size
        if size > MAX_FIELD_SIZE:
            self.fail(431, f"A header field is longer than {MAX_FIELD_SIZE} bytes")
        if self.field_count > MAX_FIELDS:
            self.fail(431, f"More than {MAX_FIELDS} header fields")
        if self.field_bytes > MAX_HEADER_BYTES:
            self.fail(431, f"The header fields are longer than {MAX_HEADER_BYTES} bytes together")
        lowered = name.lower()
        if lowered == b"host":
            self.host_count += 1
            if self.host_count > 1:
                self.fail(400, "More than one Host header field")
        elif lowered == b"transfer-encoding":
            self.transfer_encoding = (self.transfer_encoding or b"") + b"," + value
            if unknown_codings(self.transfer_encoding[1:]):
                self.fail(501, "Transfer-Encoding other than chunked is not supported")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        version = self.parser.get_http_version()
        if version not in ("1.0", "1.1"):
            if version == "0.9":
                self.fail(400, "The request line has no HTTP version")
            self.fail(505, f"HTTP/{version} is not supported")
        if version == "1.0" and self.transfer_encoding is not None:
            self.fail(400, "Transfer-Encoding is not allowed in HTTP/1.0")
        self.reading_head = False
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None
        super().on_headers_complete()
        self.body_timer = self.loop.call_later(BODY_TIMEOUT, self.body_timed_out)

    def on_message_complete(self) -> None:
        if self.body_timer is not None:
            self.body_timer.cancel()
            self.body_timer = None
        super().on_message_complete()

    def on_response_complete(self) -> None:
        pipelined = bool(self.pipeline)
        super().on_response_complete()
        if not pipelined and not self.transport.is_closing():
            self.wait_for_request()
