"""Prometheus metrics, named as OpenTelemetry's HTTP and database conventions export them.

- ``http_server_request_duration_seconds``: a histogram per ``http_request_method``,
  ``http_route`` (the route's template, ``/api/v1/items/{item_id}``; ``""`` for
  any request no route answered: unknown paths, 405s, refusals before routing)
  and ``http_response_status_code``;
- ``http_server_active_requests``: a gauge per ``http_request_method``;
- ``db_client_connection_count``: the pool's connections per
  ``db_client_connection_state`` (``idle``, ``used``).

Methods other than the standard ones are ``_OTHER``. ``/metrics`` itself is not
counted. With several workers (``PROMETHEUS_MULTIPROC_DIR`` set, see
``metrics_store``) every worker writes its values to that directory and a scrape
sums them, whichever worker answers it.
"""

import os
import re
import time
from functools import cache

from prometheus_client import (
    CollectorRegistry,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .metric_writes import gauge_writer, histogram_writer
from .metrics_store import MULTIPROC_DIR_VARIABLE, dead_worker_pids

METRICS_PATH = "/metrics"
# The classic text format, which every Prometheus version reads (newer clients announce 1.0.0).
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# The label of every request no route answered: one series, whatever scanners ask for.
UNMATCHED_ROUTE = ""
# Where a WSGI stack leaves the template for the middleware, in the request's environ.
ROUTE_ENVIRON_KEY = "metrics.http_route"
OTHER_METHOD = "_OTHER"
KNOWN_METHODS = frozenset(
    {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}
)
# OpenTelemetry's advice for http.server.request.duration.
DURATION_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
)  # fmt: skip

# Same series in one process and with several: no *_created series (not kept across workers).
disable_created_metrics()  # type: ignore[no-untyped-call]
# The service's own registry: no process or platform collectors, which a
# multiprocess scrape could not sum either.
REGISTRY = CollectorRegistry()

REQUEST_DURATION = Histogram(
    "http_server_request_duration_seconds",
    "Duration of HTTP server requests.",
    ["http_request_method", "http_route", "http_response_status_code"],
    buckets=DURATION_BUCKETS,
    registry=REGISTRY,
)
ACTIVE_REQUESTS = Gauge(
    "http_server_active_requests",
    "Number of active HTTP server requests.",
    ["http_request_method"],
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
DB_CONNECTIONS = Gauge(
    "db_client_connection_count",
    "The number of connections that are currently in the state described by the state label.",
    ["db_client_connection_state"],
    multiprocess_mode="livesum",
    registry=REGISTRY,
)

_RULE_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


@cache
def rule_template(rule: str) -> str:
    """A URL rule as OpenAPI spells it: ``/items/<id:item_id>`` -> ``/items/{item_id}``."""
    return _RULE_VARIABLE.sub(r"{\1}", rule)


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else OTHER_METHOD


class HttpMetrics:
    """The request metrics, recorded by the request-context middleware.

    The labelled series are looked up once and kept: ``labels()`` takes a lock
    and checks its arguments on every call; their values are written by
    ``metric_writes``.
    """

    def __init__(self) -> None:
        self._durations: dict[tuple[str, str, int], Histogram] = {}
        self._active: dict[str, Gauge] = {}

    def started(self, method: str) -> Gauge:
        """Count a request in; returns the gauge to give to ``finished``."""
        active = self._active.get(method)
        if active is None:
            active = self._active[method] = ACTIVE_REQUESTS.labels(method_label(method))
        gauge_writer(active).inc(1)
        return active

    def finished(
        self, active: Gauge, method: str, route: str, status: int, started_at: float
    ) -> None:
        key = (method, route, status)
        duration = self._durations.get(key)
        if duration is None:
            duration = self._durations[key] = REQUEST_DURATION.labels(
                method_label(method), route, str(status)
            )
        histogram_writer(duration).observe(time.perf_counter() - started_at)
        gauge_writer(active).inc(-1)  # last: a request is out of the gauge only once it is counted


def exposition() -> bytes:
    """The metrics in Prometheus' text format, summed over the workers when there are several."""
    directory = os.environ.get(MULTIPROC_DIR_VARIABLE)
    if not directory:
        return generate_latest(REGISTRY)
    for pid in dead_worker_pids(directory):
        mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]  # gone: not live
    registry = CollectorRegistry()
    MultiProcessCollector(registry, directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def watch_pool(engine: Engine) -> None:
    """Keep ``db_client_connection_count`` up to date from the engine's pool events.

    A new connection is idle until checked out; one closed while checked out (an
    invalidated one) is counted back as idle when it is checked in, which evens out.
    """
    idle = DB_CONNECTIONS.labels("idle")
    used = DB_CONNECTIONS.labels("used")

    def connected(*_: object) -> None:
        gauge_writer(idle).inc(1)

    def closed(*_: object) -> None:
        gauge_writer(idle).inc(-1)

    def checked_out(*_: object) -> None:
        gauge_writer(idle).inc(-1)
        gauge_writer(used).inc(1)

    def checked_in(*_: object) -> None:
        gauge_writer(used).inc(-1)
        gauge_writer(idle).inc(1)

    event.listen(engine, "connect", connected)
    event.listen(engine, "close", closed)
    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)
