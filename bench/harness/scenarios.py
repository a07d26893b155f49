"""What the benchmark measures: the scenarios, the app rows, and which rows run where.

A *row* is one server configuration of a stack (``servers.App``). Every scenario runs
its rows side by side, interleaved (``measure.py``), so the ratios between rows of one
scenario are from one run. Database scenarios run on every database of the run; the
others do not touch the database and run once, with the first database.
"""

from __future__ import annotations

from dataclasses import dataclass

from .servers import App

READ_ID = 42


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    path: str
    method: str = "GET"
    io_bound: bool = False
    database: bool = True
    script: str = ""  # a Lua file of bench/wrk/ that makes the requests, after report.lua
    script_args: tuple[str, ...] = ()  # its arguments (wrk ... -- ARGS)


SCENARIOS = (
    Scenario("healthz", "GET /healthz", "/healthz", database=False),
    Scenario("create", "POST /api/v1/items", "/api/v1/items", method="POST", script="post.lua"),
    Scenario("read", "GET /api/v1/items/{id}", f"/api/v1/items/{READ_ID}"),
    Scenario("list", "GET /api/v1/items?limit=20", "/api/v1/items?limit=20"),
    Scenario(
        "downstream",
        "GET 50 ms downstream wait",
        "/bench/downstream",
        io_bound=True,
        database=False,
    ),
)
BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}
# Reads first, writes after: every app reads a table of the same size.
RUN_ORDER = ("healthz", "read", "list", "create", "downstream")


@dataclass
class Options:
    duration: int = 3
    warmup: int = 1
    repeats: int = 3
    connections: int = 32
    io_connections: int = 256
    side_by_side: int = 3  # runs of each pair in SIDE_BY_SIDE


# Targets (issue 13): generated / bare, and metrics on / off (issue 12).
HEALTHZ_TARGET = 0.90
DATABASE_TARGET = 0.95
METRICS_TARGET = 0.95

GENERATED = "generated"
BARE = "bare"
RAW = "raw"
# The generated service without its access log: what the one JSON line per request costs.
NO_ACCESS_LOG = "generated, LOG_LEVEL=WARNING"
# METRICS_ENABLED=false: what recording the request metrics costs (target on/off >= 0.95).
NO_METRICS = "generated, METRICS_ENABLED=false"
# OTLP tracing switched on by its standard variables, 10% sampled, exported to the
# bench's sink on the loopback (otlp_sink.py).
TRACING = "generated, tracing 10%"
# The bare app with its routes on the app instead of on an APIRouter / APIBlueprint.
FLAT = "bare, routes on the app"
# Worker scaling: the generated service unpinned with 1 and with 2 workers; wrk unpinned too.
ONE_WORKER = "generated, 1 worker, unpinned"
TWO_WORKERS = "generated, 2 workers, unpinned"
# The Flask stack under I/O: gunicorn's thread worker and granian's WSGI server.
GTHREADS = (32, 64, 128)
GRANIAN_THREADS = 128
GRANIAN = f"generated, granian {GRANIAN_THREADS} threads"
TRACING_SAMPLING = "0.1"


def gthread(threads: int) -> str:
    return f"generated, gthread {threads} threads"


def tracing_variables(endpoint: str) -> dict[str, str]:
    """Tracing on by the standard OpenTelemetry variables, 10% of traces sampled."""
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": TRACING_SAMPLING,
    }


# The template's costs, also measured side by side: both rows loaded at once, their servers
# on one core, which the kernel shares equally between them. Their requests/s then compare
# what a request costs each at the same moment, where two runs seconds apart moved by ±0.2
# on a shared machine. (this row, the row it is divided by); not for writes (one SQLite
# file), nor for the I/O-bound scenario (not bound by the core).
SIDE_BY_SIDE = (
    (GENERATED, BARE),
    (GENERATED, NO_METRICS),
    (GENERATED, NO_ACCESS_LOG),
    (TRACING, GENERATED),
)


def side_by_side_pairs(
    apps: list[App], scenario: str, across_stacks: bool = True
) -> list[tuple[App, App]]:
    """The pairs of ``apps`` measured side by side in ``scenario``: the SIDE_BY_SIDE rows of
    each stack, and FastAPI's generated service against Flask's when ``across_stacks``."""
    if BY_NAME[scenario].io_bound or BY_NAME[scenario].method != "GET":
        return []
    by_key = {(app.framework, app.label): app for app in apps if app.pinned}
    pairs = [
        (by_key[framework, top], by_key[framework, bottom])
        for framework in dict.fromkeys(app.framework for app in apps)
        for top, bottom in SIDE_BY_SIDE
        if (framework, top) in by_key and (framework, bottom) in by_key
    ]
    if across_stacks and ("fastapi", GENERATED) in by_key and ("flask", GENERATED) in by_key:
        pairs.append((by_key["fastapi", GENERATED], by_key["flask", GENERATED]))
    return pairs


def rows(framework: str, scenario: str, first_database: bool, granian: bool) -> list[App]:
    """The rows of ``framework`` that take part in ``scenario`` on one database."""
    base = [App(framework, GENERATED), App(framework, BARE, "bare")]
    workers = [
        App(framework, ONE_WORKER, env=(("WEB_CONCURRENCY", "1"),), pinned=False),
        App(framework, TWO_WORKERS, env=(("WEB_CONCURRENCY", "2"),), pinned=False),
    ]
    costs = [
        App(framework, NO_METRICS, env=(("METRICS_ENABLED", "false"),)),
        App(framework, TRACING, tracing=True),
    ]
    if BY_NAME[scenario].database:
        return base + (costs + workers if scenario == "read" else [])
    if not first_database:
        return []
    if scenario == "healthz":
        extra = [
            App(framework, RAW, "raw"),
            App(framework, NO_ACCESS_LOG, env=(("LOG_LEVEL", "WARNING"),)),
            App(framework, FLAT, "bare_flat"),
        ]
        return base + extra + costs + workers
    # downstream
    extra = [App(framework, RAW, "raw")]
    if framework == "flask":
        extra += [
            App(framework, gthread(n), env=(("GUNICORN_CMD_ARGS", gthread_args(n)),))
            for n in GTHREADS
        ]
        if granian:
            extra.append(App(framework, GRANIAN, server="granian", threads=GRANIAN_THREADS))
    return base + extra + workers


def gthread_args(threads: int) -> str:
    return f"--worker-class gthread --threads {threads}"
