"""Both stacks' traces under their production servers, exported over OTLP/HTTP.

Issue #12, section 4. A small OTLP/HTTP receiver runs in the test (loopback); each
server is started with ``OTEL_EXPORTER_OTLP_ENDPOINT`` pointing at it and a short
batch delay. A request carrying a W3C ``traceparent`` must come back as a server
span under the caller's span, named and attributed with the route's template, with
the database statements as client spans under it; the access line carries the
trace's ids. Flask runs two gunicorn workers too: each sets up its exporter after
the fork, so every request's span arrives whichever worker served it.
"""

from __future__ import annotations

import gzip
import http.server
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from servers import migrate, serve
from wire import Request, post_json, send

from conftest import FRAMEWORKS

pytestmark = pytest.mark.venv

ITEMS = "/api/v1/items"
ITEM_ROUTE = ITEMS + "/{item_id}"
ACCESS = "inventory_service.access"
EXPORT_WAIT = 20.0  # seconds for the spans of the requests sent to arrive


@dataclass
class ExportedSpan:
    service: str
    span: Span

    @property
    def trace_id(self) -> str:
        return self.span.trace_id.hex()

    @property
    def span_id(self) -> str:
        return self.span.span_id.hex()

    @property
    def parent_id(self) -> str:
        return self.span.parent_span_id.hex()

    @property
    def attributes(self) -> dict[str, Any]:
        values = {}
        for attribute in self.span.attributes:
            value = attribute.value
            values[attribute.key] = getattr(value, value.WhichOneof("value"))
        return values


class Receiver:
    """OTLP/HTTP traces (protobuf) posted to ``/v1/traces``, kept in memory."""

    def __init__(self) -> None:
        self.spans: list[ExportedSpan] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path == "/v1/traces":
                    receiver.add(ExportTraceServiceRequest.FromString(body))
                    self.send_response(200)
                else:
                    self.send_response(404)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, export: ExportTraceServiceRequest) -> None:
        with self.lock:
            for resource_spans in export.resource_spans:
                service = next(
                    (
                        attribute.value.string_value
                        for attribute in resource_spans.resource.attributes
                        if attribute.key == "service.name"
                    ),
                    "",
                )
                for scope_spans in resource_spans.scope_spans:
                    self.spans.extend(ExportedSpan(service, span) for span in scope_spans.spans)

    def of_trace(self, trace_id: str) -> list[ExportedSpan]:
        with self.lock:
            return [span for span in self.spans if span.trace_id == trace_id]

    def wait_for(self, condition: Callable[[], bool], timeout: float = EXPORT_WAIT) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                with self.lock:
                    names = [(span.trace_id, span.span.name) for span in self.spans]
                raise AssertionError(f"spans did not arrive within {timeout}s; got {names}")
            time.sleep(0.05)


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join(timeout=10)


def traceparent() -> tuple[str, str, str]:
    trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
    return trace_id, parent_id, f"00-{trace_id}-{parent_id}-01"


def server_span(spans: list[ExportedSpan]) -> ExportedSpan:
    (server,) = [span for span in spans if span.span.kind == Span.SPAN_KIND_SERVER]
    return server


def access_lines(log: str) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    return [entry for entry in entries if entry.get("logger") == ACCESS]


CASES = [(framework, "1") for framework in FRAMEWORKS] + [("flask", "2")]


@pytest.mark.parametrize(("framework", "workers"), CASES)
def test_a_traced_request_is_exported_under_its_caller(
    framework: str,
    workers: str,
    generate: Callable[..., Path],
    stack_venv: Callable[[str], Path],
) -> None:
    venv = stack_venv(framework)
    project = generate(framework=framework)
    url = f"sqlite:///{project}/var/traces.db"
    (project / "var").mkdir(exist_ok=True)
    migrate(project, venv, DATABASE_URL=url)
    with (
        receiving() as receiver,
        serve(
            framework,
            project,
            venv,
            DATABASE_URL=url,
            WEB_CONCURRENCY=workers,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_BSP_SCHEDULE_DELAY="100",
        ) as server,
    ):
        created = send(server.url, post_json(ITEMS, {"name": "traced", "price": 1}))
        assert created.status == 201, created.show()
        path = f"{ITEMS}/{created.json()['id']}"
        traced = {}
        for _ in range(6 if workers != "1" else 1):
            trace_id, parent_id, header = traceparent()
            response = send(server.url, Request("GET", path, headers={"traceparent": header}))
            assert response.status == 200, response.show()
            traced[trace_id] = parent_id
        # A problem answer keeps its status and media type with tracing on.
        missing_trace, _, header = traceparent()
        lost = Request("GET", f"{ITEMS}/424242", headers={"traceparent": header})
        missing = send(server.url, lost)
        assert missing.status == 404
        assert missing.content_type == "application/problem+json"

        def all_arrived() -> bool:
            return all(
                any(s.span.kind == Span.SPAN_KIND_SERVER for s in receiver.of_trace(trace_id))
                for trace_id in [*traced, missing_trace]
            )

        receiver.wait_for(all_arrived)
    log = server.log()

    for trace_id, parent_id in traced.items():
        spans = receiver.of_trace(trace_id)
        served = server_span(spans)
        assert served.parent_id == parent_id
        assert served.service == "inventory-service"
        assert served.span.name == f"GET {ITEM_ROUTE}"
        assert served.attributes["http.route"] == ITEM_ROUTE
        statements = [span for span in spans if span.span.kind == Span.SPAN_KIND_CLIENT]
        assert any(
            str(span.attributes.get("db.statement", "")).startswith("SELECT") for span in statements
        ), [span.span.name for span in spans]
        assert all(span.parent_id == served.span_id for span in statements)
        (access,) = [entry for entry in access_lines(log) if entry.get("trace_id") == trace_id]
        assert access["path"] == path
        assert access["span_id"] == served.span_id

    missing_span = server_span(receiver.of_trace(missing_trace))
    assert missing_span.span.name == f"GET {ITEM_ROUTE}"
    assert missing_span.attributes["http.response.status_code"] == 404
