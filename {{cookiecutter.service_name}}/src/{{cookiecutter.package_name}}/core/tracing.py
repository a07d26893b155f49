"""Traces (OpenTelemetry): off unless the standard ``OTEL_*`` variables ask for them.

On when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is
set, or ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp``, the only one shipped);
``OTEL_TRACES_EXPORTER=none`` and ``OTEL_SDK_DISABLED=true`` keep it off. Then each
request is a server span (``core/spans.py``, opened by the request-context
middleware), each database statement a client span under it (SQLAlchemy's
instrumentation), and every log line written inside carries ``trace_id`` and
``span_id``. Spans leave in batches over OTLP/HTTP (protobuf); the SDK reads the rest
of its settings (sampler, batching, endpoint, headers, resource) from the
environment (docs/operations.md).

Off, nothing of OpenTelemetry's SDK is imported: the imports live in the functions.
"""

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from ..settings import SettingsError
from . import logs

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

    from .spans import RequestSpans

# service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES names another.
SERVICE_NAME = "{{ cookiecutter.service_name }}"
EXPORTERS = {"otlp", "none"}
PROTOCOL = "http/protobuf"


def tracing_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for traces; stops with one line on what is unsupported."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    for variable in ("OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"):
        protocol = environ.get(variable, "").strip()
        if protocol and protocol != PROTOCOL:
            raise SettingsError(f"configuration error: {variable}: only {PROTOCOL} is supported")
    exporters = {
        name.strip() for name in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if name.strip()
    }
    if exporters - EXPORTERS:
        raise SettingsError("configuration error: OTEL_TRACES_EXPORTER: must be otlp or none")
    if exporters:
        return "otlp" in exporters
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def tracer_provider(version: str) -> "TracerProvider":
    """The process's provider: one set before (by the team's code or a test), else a new one."""
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    defaults = {"service.name": SERVICE_NAME, "service.version": version}
    # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win; the SDK's placeholder does not.
    found = {
        key: value
        for key, value in Resource.create().attributes.items()
        if not (key == "service.name" and str(value).startswith("unknown_service"))
    }
    # The sampler comes from OTEL_TRACES_SAMPLER(_ARG); the batches from OTEL_BSP_*;
    # the exporter's endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_*.
    provider = TracerProvider(resource=Resource({**defaults, **found}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


def start_tracing(engine: Engine, version: str) -> "RequestSpans":
    """Trace ``engine``'s statements; the server spans for the request-context middleware.

    Called in each worker (``create_app``), after the production server forked it:
    the span processor's thread does not survive a fork.
    """
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    from .spans import RequestSpans, span_fields

    provider = tracer_provider(version)
    database = SQLAlchemyInstrumentor()
    if database.is_instrumented_by_opentelemetry:
        database.uninstrument()  # one traced engine per process: the newest app's
    # skip_dep_check: the instrumentation declares SQLAlchemy < 2.1 only; the tests
    # show it works with this one.
    database.instrument(engine=engine, tracer_provider=provider, skip_dep_check=True)
    logs.span_fields = span_fields
    return RequestSpans(provider, os.environ.get("OTEL_PYTHON_EXCLUDED_URLS", ""))
