"""Traces (core/tracing.py): off by default; on, a span per request and per statement.

Every app of this module is built with tracing on (the ``settings`` fixture below),
its spans kept in memory; ``settings`` parametrized with ``False`` builds one with
tracing off.
"""

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased
from opentelemetry.trace import SpanKind

from {{ cookiecutter.package_name }}.core import SERVICE_PACKAGE, logs, tracing
from {{ cookiecutter.package_name }}.core.logs import ACCESS_LOGGER, ServiceHandler
from {{ cookiecutter.package_name }}.settings import Settings, SettingsError

from .fixtures import PROJECT_ROOT, make_settings
from .helpers import ITEMS, assert_problem, create

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"
ITEM_ROUTE = ITEMS + "/{item_id}"
# What turning tracing on imports.
TRACING_MODULES = (
    "opentelemetry.sdk",
    "opentelemetry.exporter",
    "opentelemetry.instrumentation",
    "opentelemetry.proto",
)
OTEL_VARIABLES = [name for name in os.environ if name.startswith("OTEL_")]

SPANS = InMemorySpanExporter()


@pytest.fixture(scope="session")
def provider() -> TracerProvider:
    """The test's provider, spans kept in memory; not the process's (that would trace
    every app of the later tests)."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(SPANS))
    return provider


@pytest.fixture(scope="session")
def unsampled_provider() -> TracerProvider:
    """As ``provider``, with a sampler that records no new trace."""
    provider = TracerProvider(sampler=ParentBased(ALWAYS_OFF))
    provider.add_span_processor(SimpleSpanProcessor(SPANS))
    return provider


@pytest.fixture(params=[True])
def settings(
    request: pytest.FixtureRequest,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    provider: TracerProvider,
    unsampled_provider: TracerProvider,
) -> Iterator[Settings]:
    for name in OTEL_VARIABLES:
        monkeypatch.delenv(name)
    if request.param:
        monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
        chosen = unsampled_provider if request.param == "unsampled" else provider
        monkeypatch.setattr(tracing, "tracer_provider", lambda version: chosen)
    SPANS.clear()
    yield make_settings(database_url)
    # The database instrumentation is the process's: later tests' engines stay untraced.
    if SQLAlchemyInstrumentor().is_instrumented_by_opentelemetry:
        SQLAlchemyInstrumentor().uninstrument()
    logs.span_fields = None


@pytest.fixture
def log_output(client: httpx.Client) -> Iterator[io.StringIO]:
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, ServiceHandler)]
    previous, stream = handler.stream, io.StringIO()
    handler.setStream(stream)
    yield stream
    handler.flush()
    handler.setStream(previous)


def lines(output: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.getvalue().splitlines()]


def server_span(spans: tuple[ReadableSpan, ...]) -> ReadableSpan:
    (span,) = [span for span in spans if span.kind is SpanKind.SERVER]
    return span


def hex_ids(span: ReadableSpan) -> dict[str, str]:
    context = span.get_span_context()
    assert context is not None
    return {
        "trace_id": trace.format_trace_id(context.trace_id),
        "span_id": trace.format_span_id(context.span_id),
    }


def test_a_request_continues_the_callers_trace(
    client: httpx.Client, log_output: io.StringIO
) -> None:
    item = create(client)
    SPANS.clear()
    response = client.get(f"{ITEMS}/{item['id']}", headers={"traceparent": TRACEPARENT})
    assert response.status_code == 200
    assert "traceparent" not in response.headers

    spans = SPANS.get_finished_spans()
    server = server_span(spans)
    assert server.name == f"GET {ITEM_ROUTE}"
    assert server.attributes is not None
    assert server.attributes["http.route"] == ITEM_ROUTE
    assert server.parent is not None
    assert server.parent.is_remote
    assert trace.format_span_id(server.parent.span_id) == PARENT_ID
    ids = hex_ids(server)
    assert ids["trace_id"] == TRACE_ID

    database = [span for span in spans if span.kind is SpanKind.CLIENT]
    for span in database:  # the statements (and a connection, when one was opened)
        assert span.parent is not None
        assert trace.format_span_id(span.parent.span_id) == ids["span_id"]
    statements = [str((span.attributes or {}).get("db.statement")) for span in database]
    assert any(statement.startswith("SELECT") for statement in statements), statements

    access = [line for line in lines(log_output) if line["logger"] == ACCESS_LOGGER]
    assert access[-1]["path"] == f"{ITEMS}/{item['id']}"
    assert {key: access[-1][key] for key in ("trace_id", "span_id")} == ids


def test_a_new_trace_starts_without_a_caller(client: httpx.Client) -> None:
    client.get(ITEMS)
    server = server_span(SPANS.get_finished_spans())
    assert server.parent is None
    assert server.name == f"GET {ITEMS}"


def test_an_unmatched_path_is_not_a_span_name(client: httpx.Client) -> None:
    client.get("/no/such/path/42")
    server = server_span(SPANS.get_finished_spans())
    assert server.name == "GET"
    assert server.attributes is not None
    assert "http.route" not in server.attributes


def test_an_error_keeps_its_problem_and_its_trace(
    crashing_client: httpx.Client, log_output: io.StringIO
) -> None:
    response = crashing_client.get("/api/v1/crash", headers={"traceparent": TRACEPARENT})
    assert_problem(response, 500, "Internal Server Error", "/api/v1/crash")
    server = server_span(SPANS.get_finished_spans())
    assert server.status.status_code is trace.StatusCode.ERROR
    assert server.attributes is not None
    assert server.attributes["http.route"] == "/api/v1/crash"
    written = [line for line in lines(log_output) if line["logger"].startswith(SERVICE_PACKAGE)]
    assert len(written) >= 2
    for line in written:  # the error with its traceback and the access line
        assert line.get("trace_id") == TRACE_ID, line
        assert line["span_id"] == hex_ids(server)["span_id"]


def test_lines_outside_a_request_have_no_span(
    client: httpx.Client, log_output: io.StringIO
) -> None:
    logging.getLogger("some.library").warning("between requests")
    (line,) = lines(log_output)
    assert "trace_id" not in line


def test_a_wrong_method_is_named_after_the_method_only(client: httpx.Client) -> None:
    """A 405: the path matched a route, the method did not; no route answered."""
    assert client.delete("/healthz").status_code == 405
    server = server_span(SPANS.get_finished_spans())
    assert server.name == "DELETE"
    assert server.attributes is not None
    assert "http.route" not in server.attributes
    assert server.attributes["http.response.status_code"] == 405


def test_an_unknown_method_does_not_name_a_span(client: httpx.Client) -> None:
    client.request("BREW", "/healthz")
    server = server_span(SPANS.get_finished_spans())
    assert server.name == "HTTP"
    assert server.attributes is not None
    assert server.attributes["http.request.method"] == "_OTHER"
    assert server.attributes["http.request.method_original"] == "BREW"


def test_the_span_has_the_requests_attributes(client: httpx.Client) -> None:
    item = create(client)
    SPANS.clear()
    client.get(f"{ITEMS}/{item['id']}")
    server = server_span(SPANS.get_finished_spans())
    assert server.attributes is not None
    assert dict(server.attributes) == {
        "http.request.method": "GET",
        "url.path": f"{ITEMS}/{item['id']}",
        "url.scheme": "http",
        "http.route": ITEM_ROUTE,
        "http.response.status_code": 200,
    }


def test_metrics_scrapes_are_not_traced(client: httpx.Client) -> None:
    assert client.get("/metrics").status_code == 200
    assert SPANS.get_finished_spans() == ()


@pytest.fixture
def probes_untraced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before the app is built (list it before ``client``)."""
    monkeypatch.setenv("OTEL_PYTHON_EXCLUDED_URLS", "^/healthz$, ^/readyz")


def test_excluded_urls_are_not_traced(probes_untraced: None, client: httpx.Client) -> None:
    client.get("/healthz")
    client.get("/readyz")
    assert SPANS.get_finished_spans() == ()
    client.get(ITEMS)
    assert server_span(SPANS.get_finished_spans()).name == f"GET {ITEMS}"


def test_a_request_its_caller_did_not_sample_records_nothing(
    client: httpx.Client, log_output: io.StringIO
) -> None:
    """The default sampler follows the caller: flags 00, no span, no statement span; the
    log lines still carry the caller's trace id."""
    client.get(ITEMS, headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-00"})
    assert SPANS.get_finished_spans() == ()
    access = [line for line in lines(log_output) if line["logger"] == ACCESS_LOGGER]
    assert access[-1]["trace_id"] == TRACE_ID


@pytest.mark.parametrize("settings", ["unsampled"], indirect=True)
def test_a_request_the_sampler_drops_records_nothing(client: httpx.Client) -> None:
    client.get(ITEMS)
    client.get("/no/such/path")
    assert SPANS.get_finished_spans() == ()


@pytest.mark.parametrize("settings", [False], indirect=True)
def test_off_by_default_nothing_is_traced(client: httpx.Client) -> None:
    assert logs.span_fields is None
    client.get(ITEMS)
    assert SPANS.get_finished_spans() == ()


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"},
        {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"},
    ],
)
def test_off_nothing_is_imported(tmp_path: Path, environ: dict[str, str]) -> None:
    """Off, creating the app imports none of the SDK, exporter or instrumentation modules
    (a fresh interpreter; the web framework may import the API for telemetry of its own)."""
    script = (
        "import sys\n"
        "from {{ cookiecutter.package_name }}.app import create_app\n"
        "from {{ cookiecutter.package_name }}.settings import load_settings\n"
        f"create_app(load_settings(database_url={f'sqlite:///{tmp_path}/app.db'!r}))\n"
        f"print(sorted(name for name in sys.modules if name.startswith({TRACING_MODULES!r})))\n"
    )
    # Only what the interpreter needs: nothing of the developer's or of other tests.
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(PROJECT_ROOT / "src"),
            **environ,
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("environ", "on"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, False),
        ({"OTEL_SDK_DISABLED": "false", "OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_TRACES_EXPORTER": "otlp"}, True),
    ],
)
def test_the_variables_that_turn_tracing_on(environ: dict[str, str], on: bool) -> None:
    assert tracing.tracing_requested(environ) is on


@pytest.mark.parametrize(
    "environ",
    [
        {"OTEL_TRACES_EXPORTER": "zipkin"},
        {"OTEL_TRACES_EXPORTER": "otlp,console"},
        {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
        {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"},
    ],
)
def test_an_unsupported_choice_stops_the_service(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=r"^configuration error: OTEL_"):
        tracing.tracing_requested(environ)


@pytest.mark.parametrize(
    ("environ", "name"),
    [
        ({}, "{{ cookiecutter.service_name }}"),
        ({"OTEL_SERVICE_NAME": "checkout"}, "checkout"),
        ({"OTEL_RESOURCE_ATTRIBUTES": "service.name=billing,team=blue"}, "billing"),
    ],
)
def test_the_service_name_defaults_to_the_services(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], name: str
) -> None:
    for variable in OTEL_VARIABLES:
        monkeypatch.delenv(variable)
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value)
    # As in a process where no provider was set yet; the new one is not made the process's.
    monkeypatch.setattr(trace, "get_tracer_provider", trace.ProxyTracerProvider)
    monkeypatch.setattr(trace, "set_tracer_provider", lambda provider: None)
    provider = tracing.tracer_provider("1.2.3")
    try:
        assert provider.resource.attributes["service.name"] == name
        assert provider.resource.attributes["service.version"] == "1.2.3"
    finally:
        provider.shutdown()
