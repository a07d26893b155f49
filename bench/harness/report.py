"""``results.md``: the run's tables, from the report ``run.py`` assembles."""

from __future__ import annotations

from typing import Any

from .databases import LABELS
from .load import WRK_TIMEOUT
from .scenarios import BY_NAME, GENERATED, ONE_WORKER, RUN_ORDER, TWO_WORKERS
from .summary import FLASK_IO_ROWS, ratio


def fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _label(name: str, database: str) -> str:
    scenario = BY_NAME[name]
    return f"{scenario.label} ({LABELS[database]})" if scenario.database else scenario.label


def _table(header: list[str], rows: list[list[str]], right_from: int = 1) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows] + [""]


def _ratio_table(report: dict[str, Any], kinds: list[tuple[str, str]]) -> list[str]:
    """One line per scenario and database, a column per stack and ratio kind."""
    summary = report["summary"]
    stacks = list(report["stacks"])
    header = ["scenario"] + [f"{title}: {stack}" for title, _ in kinds for stack in stacks]
    rows = []
    for database in report["results"]:
        for name in RUN_ORDER:
            values = [
                ratio(summary, kind, database, stack, name) for _, kind in kinds for stack in stacks
            ]
            if any(v is not None for v in values):
                rows.append([_label(name, database)] + [fmt(v) for v in values])
    return _table(header, rows)


def _cost_rows(report: dict[str, Any]) -> list[str]:
    """Metrics, tracing and access log on ÷ off; nothing when no such rows ran (--quick)."""
    table = _ratio_table(
        report,
        [
            ("metrics on ÷ off", "metrics on / off"),
            ("tracing ÷ off", "tracing 10% / off"),
            ("access log on ÷ off", "access log on / off"),
        ],
    )
    if len(table) <= 3:  # header, alignment and blank line: no row
        return []
    sink = report.get("tracing_sink", {})
    return [
        "## Cost rows: metrics, tracing, access log",
        "",
        "metrics on ÷ `METRICS_ENABLED=false`; tracing (OTLP/HTTP to a sink on the loopback, "
        "`OTEL_TRACES_SAMPLER=parentbased_traceidratio`, `OTEL_TRACES_SAMPLER_ARG=0.1`) ÷ "
        "tracing off; access log on ÷ `LOG_LEVEL=WARNING`.",
        "",
        *table,
        f"The OTLP sink received {sink.get('requests', 0)} export requests "
        f"({sink.get('bytes', 0)} bytes) during the tracing rows"
        + (
            ": spans were exported."
            if sink.get("requests")
            else ": **none**, so this build does not trace yet and the tracing rows measure "
            "the generated service with the tracing variables set and nothing more."
        ),
        "",
    ]


def _side_by_side_text(opts: dict[str, Any]) -> list[str]:
    if not opts.get("side_by_side"):
        return []
    return [
        "Side by side: on the GET scenarios, the template's costs (generated ÷ bare; metrics, "
        "access log and tracing on ÷ off) and FastAPI ÷ Flask come from "
        f"{opts['side_by_side']} more runs of {opts['duration']} s per pair with both rows "
        "loaded at once, their servers on the same core, which the kernel shares equally "
        "between them (its autogroup: per server, not per thread; without it, no FastAPI ÷ "
        "Flask pair): the ratio of their requests/s compares what a request costs each, at "
        "the same moment (two runs seconds apart moved by ±0.2 on this machine). The tables "
        "of requests/s are the rows' own runs; `POST` and the I/O-bound scenario keep the "
        "sequential ratio.",
        "",
    ]


def markdown(report: dict[str, Any]) -> str:
    opts, host, summary = report["options"], report["machine"], report["summary"]
    results = report["results"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {report['date']} with `make bench` ({report['wall_minutes']:.0f} min). Machine: "
        f"**{host['cpu']}, {host['cores']} cores** ({host['system']}), **shared with other "
        f"jobs** (load average {host['load_before']} before the run, {host['load_after']} "
        "after): absolute figures move by tens of percent between runs; the ratios, between "
        "rows measured interleaved in this one run, are what count.",
        "",
        "Each server runs with `WEB_CONCURRENCY=1` pinned to one core and wrk (1 thread) pinned "
        "to the other, except the worker-scaling rows (below), which leave both unpinned. "
        f"Each scenario: {opts['warmup']} s warm-up, then {opts['repeats']} runs of "
        f"{opts['duration']} s per row, the rows of both stacks interleaved in an order that "
        "rotates every repeat; requests/s and latencies are medians, a ratio is the median of "
        f"each repeat's ratio. {opts['connections']} connections, {opts['io_connections']} for "
        f"the 50 ms downstream scenario; wrk's timeout {WRK_TIMEOUT}.",
        "",
        *_side_by_side_text(opts),
        "Databases: "
        + "; ".join(f"**{LABELS[db]}**: {text}" for db, text in report["databases"].items())
        + ". `GET /healthz` and the downstream route do not touch the database: they run once, "
        "with the first database.",
        "",
        "## Targets",
        "",
    ]
    lines += _table(
        ["check", "value", "met"],
        [[c["check"], str(c["value"]), "yes" if c["ok"] else "**no**"] for c in summary["checks"]],
        right_from=3,
    )
    lines += [
        "## What the template costs (generated ÷ bare, access log on)",
        "",
        "The generated service as deployed (`LOG_LEVEL=INFO`, one JSON access line per request, "
        "metrics on) against the same framework doing the same work without the template's "
        "layers; ÷ raw is against a raw ASGI/WSGI callable under the same server.",
        "",
    ]
    lines += _ratio_table(report, [("÷ bare", "generated / bare"), ("÷ raw", "generated / raw")])
    lines += _cost_rows(report)
    lines += [
        "## FastAPI ÷ Flask, per core",
        "",
        "The generated services of both stacks, interleaved in the same scenario runs.",
        "",
    ]
    rows = []
    for database in results:
        for name in RUN_ORDER:
            value = ratio(summary, "FastAPI / Flask", database, "both", name)
            if value is not None:
                rows.append([_label(name, database), fmt(value)])
    lines += _table(["scenario", "FastAPI ÷ Flask (requests/s)"], rows)
    lines += _flask_io(report)
    lines += _workers(report)
    lines += _profiles(report)
    lines += ["## Every row", ""]
    rows = []
    for database, by_stack in results.items():
        for name in RUN_ORDER:
            for stack, by_label in by_stack.items():
                for label, measured in by_label.items():
                    m = measured.get(name)
                    if m is None:
                        continue
                    rows.append(
                        [
                            _label(name, database),
                            stack,
                            label,
                            f"{m['rps']:.0f}",
                            f"{m['p50_ms']:.2f}",
                            f"{m['p99_ms']:.2f}",
                            str(m["memory"].get("peak_rss_mb", "–")),
                            str(m["non_2xx"]),
                            str(m["socket_errors"]),
                        ]
                    )
    lines += _table(
        [
            "scenario",
            "stack",
            "row",
            "requests/s",
            "p50 ms",
            "p99 ms",
            "peak RSS/worker MB",
            "non-2xx",
            "socket errors",
        ],
        rows,
        right_from=3,
    )
    lines += ["## Generation and test suites", ""]
    rows = []
    for framework, stack in report["stacks"].items():
        versions_text = ", ".join(f"{k} {v}" for k, v in stack["versions"].items())
        rows.append(
            [
                framework,
                fmt(stack["generation_s"]),
                fmt(stack.get("tests_s"), 1),
                stack.get("tests", "not run"),
                versions_text,
            ]
        )
    lines += _table(
        [
            "stack",
            "`cookiecutter --no-input` s",
            "generated `make test` s",
            "its outcome",
            "versions",
        ],
        rows,
    )
    return "\n".join(lines)


def _flask_io(report: dict[str, Any]) -> list[str]:
    """The downstream scenario: FastAPI and each Flask server configuration."""
    database = next(iter(report["results"]), None)
    by_stack = report["results"].get(database, {}) if database else {}
    fastapi = by_stack.get("fastapi", {}).get(GENERATED, {}).get("downstream")
    flask = by_stack.get("flask", {})
    if not flask.get(GENERATED, {}).get("downstream"):
        return []
    summary = report["summary"]
    rows = []
    if fastapi:
        rows.append(
            [
                "FastAPI, uvicorn (the generated default)",
                f"{fastapi['rps']:.0f}",
                f"{fastapi['p50_ms']:.0f}",
                f"{fastapi['p99_ms']:.0f}",
                str(fastapi["memory"].get("peak_rss_mb")),
                "–",
                "1.00" if fastapi else "–",
            ]
        )
    for label in FLASK_IO_ROWS:
        m = flask.get(label, {}).get("downstream")
        if m is None:
            continue
        name = (
            "Flask, gunicorn gevent (the generated default)"
            if label == GENERATED
            else ("Flask, " + label.removeprefix("generated, "))
        )
        to_gevent = (
            1.0
            if label == GENERATED
            else ratio(summary, f"{label} / gevent", database, "flask", "downstream")
        )
        kind = "FastAPI / Flask" + (
            "" if label == GENERATED else f" ({label.removeprefix('generated, ')})"
        )
        rows.append(
            [
                name,
                f"{m['rps']:.0f}",
                f"{m['p50_ms']:.0f}",
                f"{m['p99_ms']:.0f}",
                str(m["memory"].get("peak_rss_mb")),
                fmt(to_gevent),
                fmt(ratio(summary, kind, database, "both", "downstream")),
            ]
        )
    return [
        "## Flask under I/O: 50 ms downstream wait, "
        f"{report['options']['io_connections']} connections, one worker",
        "",
        "One worker per server, pinned to one core. The route waits 50 ms (`asyncio.sleep` on "
        "FastAPI; `time.sleep` on Flask, which gevent's monkey-patching makes cooperative). "
        "The gthread rows are gunicorn's thread worker via `GUNICORN_CMD_ARGS` (without the "
        "generated `ServiceWorker`'s timeouts and problem+json refusals); granian runs the same "
        "WSGI app from the bench's virtualenv (not a dependency of the generated project). "
        "RSS is the worker's peak resident memory after the runs.",
        "",
        *_table(
            [
                "server",
                "requests/s",
                "p50 ms",
                "p99 ms",
                "peak RSS/worker MB",
                "÷ Flask gevent",
                "FastAPI ÷ this",
            ],
            rows,
        ),
    ]


def _workers(report: dict[str, Any]) -> list[str]:
    summary = report["summary"]
    rows = []
    for database, by_stack in report["results"].items():
        for name in RUN_ORDER:
            for stack, by_label in by_stack.items():
                one = by_label.get(ONE_WORKER, {}).get(name)
                two = by_label.get(TWO_WORKERS, {}).get(name)
                if one and two:
                    rows.append(
                        [
                            _label(name, database),
                            stack,
                            f"{one['rps']:.0f}",
                            f"{two['rps']:.0f}",
                            fmt(ratio(summary, "2 workers / 1 worker", database, stack, name)),
                            f"{one['memory'].get('total_rss_mb')} / "
                            f"{two['memory'].get('total_rss_mb')}",
                        ]
                    )
    if not rows:
        return []
    return [
        "## Worker scaling: WEB_CONCURRENCY=1 vs 2",
        "",
        f"The generated service with one and with two workers on this {report['machine']['cores']}"
        "-core machine, server and wrk **unpinned** (wrk's one thread competes with the "
        "workers for the same two cores, and so does the machine's other load), so 2.0 is out "
        "of reach by construction: the ratio says how much of a second core each stack turns "
        "into requests, not how it scales on a dedicated host.",
        "",
        *_table(
            [
                "scenario",
                "stack",
                "1 worker req/s",
                "2 workers req/s",
                "2 ÷ 1",
                "total RSS MB (1 / 2)",
            ],
            rows,
            right_from=2,
        ),
    ]


def _profiles(report: dict[str, Any]) -> list[str]:
    profiles = report.get("profiles") or {}
    if not profiles:
        return []
    lines = [
        "## Where the time goes on `GET /api/v1/items/{id}` (py-spy)",
        "",
        "Share of py-spy samples (all threads, 250 Hz, 6 s under the same 32-connection load) "
        "whose innermost Python frame is in each layer. Time in C code counts against the Python "
        "frame that called it: the sqlite3 module's C calls, made straight from SQLAlchemy, "
        "count as SQLAlchemy; aiosqlite's helper thread and asyncpg's protocol count as the "
        "driver. A profile of one short run, py-spy's sampling included: proportions, not "
        "requests/s.",
        "",
    ]
    for database, by_app in profiles.items():
        if "error" in by_app:
            lines += [f"{LABELS[database]}: no profile ({by_app['error']}).", ""]
            continue
        apps = [key for key in by_app if "error" not in by_app[key]]
        layers = sorted(
            {name for key in apps for name in by_app[key]["layers"]},
            key=lambda name: -max(by_app[key]["layers"].get(name, 0) for key in apps),
        )
        rows = [
            [layer] + [f"{by_app[key]['layers'].get(layer, 0) * 100:.0f}%" for key in apps]
            for layer in layers
        ]
        rows.append(
            ["(main thread / other threads)"] + [_threads(by_app[key]["threads"]) for key in apps]
        )
        lines += [f"### {LABELS[database]}", ""]
        lines += _table(["layer"] + apps, rows)
        errors = [f"{key}: {value['error']}" for key, value in by_app.items() if "error" in value]
        if errors:
            lines += ["No profile for " + "; ".join(errors), ""]
    # The reading of the profiles, added to results.json by whoever ran and read them.
    notes = [f"- {note}" for note in report.get("notes", [])]
    return lines + notes + [""] if notes else lines


def _threads(shares: dict[str, float]) -> str:
    """Main / other threads; "–" where py-spy did not name them (a gunicorn worker)."""
    if shares.get("unnamed") or not shares.get("main thread"):
        return "–"
    main, other = shares.get("main thread", 0), shares.get("other threads", 0)
    return f"{main * 100:.0f}% / {other * 100:.0f}%"
