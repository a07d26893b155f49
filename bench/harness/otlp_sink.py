"""A stand-in OTLP/HTTP collector on the loopback: answers 200 to ``POST /v1/traces``.

The tracing rows export for real (serialisation, batching, HTTP) without a collector;
the sink only counts what arrives, so the results can say whether spans were sent.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    requests: int = 0
    bytes: int = 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received: Received

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.rstrip("/").endswith("/v1/traces"):
            self.received.requests += 1
            self.received.bytes += len(body)
            # An empty ExportTraceServiceResponse: a complete success.
            self.send_response(200)
            content_type = self.headers.get("Content-Type", "application/x-protobuf")
            self.send_header("Content-Type", content_type)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def otlp_sink() -> Iterator[tuple[str, Received]]:
    """The sink's base URL (an ``OTEL_EXPORTER_OTLP_ENDPOINT``) and its running count."""
    received = Received()
    handler = type("Handler", (_Handler,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="otlp-sink", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
