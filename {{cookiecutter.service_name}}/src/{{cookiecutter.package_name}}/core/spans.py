"""A server span per request, opened and closed by the request-context middleware.

Written here rather than taken from OpenTelemetry's ASGI/WSGI instrumentations: those
collect a dozen attributes (URL parsing, header decoding, two generations of
semantic conventions) for every request before the sampler decides, which cost a
third of a small request's time at 10 % sampling. Here an unsampled request costs a
header lookup, the sampler's decision and a context switch; the attributes are
added only to spans that are recorded. Both stacks share this file: same names,
same attributes.
"""

import re

from opentelemetry import context, propagate, trace

# The instrumentations' (SQLAlchemy's here) common switch: nothing is traced under it.
from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, StatusCode

from .metrics import KNOWN_METHODS, OTHER_METHOD


def span_fields() -> dict[str, str]:
    """The current span's ids for a log line; none outside a span."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return {}
    return {
        "trace_id": trace.format_trace_id(span_context.trace_id),
        "span_id": trace.format_span_id(span_context.span_id),
    }


class RequestSpan:
    """One request's span, current until ``finish``; ``span`` is ``None`` for an excluded
    path, and then nothing under it (a probe's statements) is traced either."""

    __slots__ = ("name", "span", "token")

    def __init__(self, span: trace.Span | None, name: str, parent: context.Context) -> None:
        self.span = span
        self.name = name
        if span is None:
            self.token = context.attach(context.set_value(_SUPPRESS_INSTRUMENTATION_KEY, True))
        else:
            current = trace.set_span_in_context(span, parent)
            if not span.is_recording():
                # Nothing under a span left out is recorded either: spare the database
                # instrumentation its work for each statement (attributes, a span).
                current = context.set_value(_SUPPRESS_INSTRUMENTATION_KEY, True, current)
            self.token = context.attach(current)

    def finish(self, route: str, status: int) -> None:
        """Name the span after ``route``'s template (``""``: no route answered) and end it."""
        span = self.span
        try:
            if span is None:
                return
            if span.is_recording():
                if route:
                    span.update_name(f"{self.name} {route}")
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_attribute("error.type", str(status))
                    span.set_status(StatusCode.ERROR)
            span.end()
        finally:
            context.detach(self.token)


class RequestSpans:
    """Server spans continuing the caller's trace (``OTEL_PROPAGATORS``, W3C by default).

    ``excluded`` is ``OTEL_PYTHON_EXCLUDED_URLS``: comma-separated regular expressions,
    a request whose path one of them matches (anywhere in it) is not traced.
    """

    def __init__(self, provider: TracerProvider, excluded: str = "") -> None:
        self.tracer = provider.get_tracer(__name__)
        # The request headers the propagators read, lower-case (traceparent, tracestate...).
        self.fields = frozenset(name.lower() for name in propagate.get_global_textmap().fields)
        patterns = [pattern.strip() for pattern in excluded.split(",") if pattern.strip()]
        self.excluded = re.compile("|".join(patterns)) if patterns else None

    def start(self, method: str, path: str, scheme: str, headers: dict[str, str]) -> RequestSpan:
        """The request's span, made current; ``headers`` holds the request's values of
        ``fields`` (lower-case names)."""
        if self.excluded is not None and self.excluded.search(path):
            return RequestSpan(None, method, context.get_current())
        parent = propagate.extract(headers)
        attributes = {"http.request.method": method, "url.path": path, "url.scheme": scheme}
        name = method
        if method not in KNOWN_METHODS:  # as the metrics have it: no name from a scanner
            name, attributes["http.request.method"] = "HTTP", OTHER_METHOD
            attributes["http.request.method_original"] = method
        span = self.tracer.start_span(
            name, context=parent, kind=SpanKind.SERVER, attributes=attributes
        )
        return RequestSpan(span, name, parent)
