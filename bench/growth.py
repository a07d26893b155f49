"""Growth with the table: how the item endpoints hold up as the table grows (PostgreSQL).

``python bench/growth.py`` generates both stacks, starts a throwaway PostgreSQL 15 (the
template's ``tests/postgres.py``: the ``postgres`` OS user, loopback only, stopped even on
failure), and:

1. loads one database per table size (1,000, 100,000 and 1,000,000 rows by default) in the
   database itself (``INSERT ... SELECT generate_series``, then ``VACUUM ANALYZE``), never
   through the API;
2. serves each stack's generated project on each database with its own production server
   (``python -m <package>.server``, ``WEB_CONCURRENCY=1``), all side by side, the servers
   pinned to one CPU and wrk to another;
3. runs wrk on GET by id (random ids), the first page of the list, a page at 90% depth by
   ``offset`` and by the ``after`` cursor, and POST (whose rows are deleted after each run,
   so every run reads a table of its intended size).

The runs are interleaved (each repeat goes through every scenario, size and stack in turn),
so a change of background load on a shared machine hits every size alike and the ratios
between sizes stay honest. The median of the repeats is quoted. A scenario the service
refuses (its probe is not a 200, e.g. an ``offset`` past the cap) is reported with its status
instead of figures. Results: ``bench/results/growth.md`` and ``growth.json``, each size's
figures against the 1,000-row ones. Generation, servers, wrk and PostgreSQL are the
benchmark harness's (``bench/harness/``); this script adds the sizes, loading and report.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import projects
from harness.common import RESULTS_DIR, TEMPLATE_DIR, BenchError, check, log
from harness.databases import Postgres, throwaway_postgres
from harness.load import cpus, median_of, wrk
from harness.scenarios import GENERATED, Scenario
from harness.servers import App, Stack, serve_all

FRAMEWORKS = ("fastapi", "flask")
SIZES = (1_000, 100_000, 1_000_000)
ITEMS = "/api/v1/items"
LIMIT = 20
MAX_OFFSET = 10_000
# Goal of the issue: at 1,000,000 rows within 1.5x of the 1,000-row figures.
GOAL = 1.5
GOAL_SCENARIOS = ("get_by_id", "first_page")


def scenarios(size: int) -> list[Scenario]:
    deep = int(size * 0.9)
    capped = min(deep, MAX_OFFSET - LIMIT)
    return [
        # Random ids of the loaded rows, 1..size.
        Scenario(
            "get_by_id",
            "GET /api/v1/items/{random id}",
            f"{ITEMS}/1",
            script="random_id.lua",
            script_args=(str(size),),
        ),
        Scenario("first_page", f"GET ?limit={LIMIT}", f"{ITEMS}?limit={LIMIT}"),
        Scenario(
            "deep_offset",
            f"GET ?limit={LIMIT}&offset={deep}",
            f"{ITEMS}?limit={LIMIT}&offset={deep}",
        ),
        # The deepest page ``offset`` reaches (the contract caps it at 10,000).
        Scenario(
            "capped_offset",
            f"GET ?limit={LIMIT}&offset={capped}",
            f"{ITEMS}?limit={LIMIT}&offset={capped}",
        ),
        Scenario(
            "deep_cursor", f"GET ?limit={LIMIT}&after={deep}", f"{ITEMS}?limit={LIMIT}&after={deep}"
        ),
        Scenario("create", "POST /api/v1/items", ITEMS, method="POST", script="post.lua"),
    ]


# --- the database ---------------------------------------------------------------------


def psql(pg: Postgres, database: str, sql: str) -> str:
    result = subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            "/usr/lib/postgresql/15/bin/psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(pg.port),
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-Atqc",
            sql,
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


def load(pg: Postgres, database: str, size: int) -> None:
    """Bulk-load rows ``item-<n>``, ids 1..size; the sequence continues after them."""
    psql(
        pg,
        database,
        "INSERT INTO items (id, name, description, price, quantity, created_at, updated_at) "
        "SELECT g, 'item-' || g, 'bulk-loaded item', 9.5, 3, now(), now() "
        f"FROM generate_series(1, {size}) AS g",
    )
    psql(
        pg,
        database,
        "SELECT setval(pg_get_serial_sequence('items', 'id'), (SELECT max(id) FROM items))",
    )
    psql(pg, database, "VACUUM ANALYZE items")


def shrink_to(pg: Postgres, database: str, size: int) -> None:
    """Remove the rows POST added: every run reads a table of the intended size."""
    psql(pg, database, f"DELETE FROM items WHERE id > {size}")


# --- probes and figures ---------------------------------------------------------------


def http_get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return int(response.status), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def probe(url: str, scenario: Scenario) -> int | str:
    """200 when the scenario runs as meant; else the status (or why) to report instead."""
    if scenario.method != "GET":
        return 201
    status, body = http_get(url + scenario.path)
    if status == 200 and scenario.name == "deep_cursor" and "after" not in body:
        return "no cursor"  # a service without ``after`` would serve the first page
    return status


def summary(runs: list[dict[str, Any]], status: int | str) -> dict[str, Any]:
    figures = median_of(runs, warmups=[])
    return {
        "status": status,
        "rps": figures.rps,
        "p50_ms": figures.p50_ms,
        "p99_ms": figures.p99_ms,
        "errors": figures.socket_errors + figures.non_2xx,
        "runs": [{key: run[key] for key in ("rps", "p50_us", "p99_us")} for run in runs],
    }


# --- report ---------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    sizes = report["sizes"]
    base = str(sizes[0])
    lines = [
        "# Growth with the table (PostgreSQL)",
        "",
        f"Measured {report['date']} on {report['machine']} ({report['cores']} cores, shared with "
        "other work: figures are noisy). Rows bulk-loaded in the database, not through the API. "
        "One worker per server (`WEB_CONCURRENCY=1`), one server per stack and size, side by "
        "side, pinned to one CPU, wrk on another; runs interleaved across sizes and stacks, "
        f"{report['connections']} connections, a {report['warmup']} s warm-up round then "
        f"{report['repeats']} rounds of {report['duration']} s; medians. `x` = the figure "
        f"against the {int(base):,}-row one (p50 latency; req/s inverted, so above 1 is slower).",
        "",
    ]
    for framework in FRAMEWORKS:
        stack = report["results"].get(framework)
        if not stack:
            continue
        lines += [
            f"## {framework}",
            "",
            "| scenario | rows | req/s | p50 ms | p99 ms | x p50 | x req/s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for scenario in stack[base]:
            for size in sizes:
                result = stack[str(size)][scenario]
                first = stack[base][scenario]
                if "rps" not in result:
                    lines.append(f"| {scenario} | {size:,} | refused: {result['status']} | | | | |")
                    continue
                x_p50 = result["p50_ms"] / first["p50_ms"] if "p50_ms" in first else None
                x_rps = first["rps"] / result["rps"] if "rps" in first else None
                lines.append(
                    f"| {scenario} | {size:,} | {result['rps']:.0f} | {fmt(result['p50_ms'])} | "
                    f"{fmt(result['p99_ms'])} | {fmt(x_p50)} | {fmt(x_rps)} |"
                )
        lines.append("")
    lines += [
        "## Goals",
        "",
        f"GET by id and the first page within {GOAL}x of their "
        f"{int(base):,}-row figures at {sizes[-1]:,} rows (p50 and req/s):",
        "",
    ]
    for goal in report["goals"]:
        verdict = "met" if goal["met"] else "NOT met"
        lines.append(
            f"- {goal['framework']} {goal['scenario']}: p50 x{fmt(goal['x_p50'])}, "
            f"req/s x{fmt(goal['x_rps'])}: {verdict}"
        )
    return "\n".join(lines) + "\n"


def goals(results: dict[str, Any], sizes: list[int]) -> list[dict[str, Any]]:
    found = []
    for framework, stack in results.items():
        for scenario in GOAL_SCENARIOS:
            first, last = stack[str(sizes[0])][scenario], stack[str(sizes[-1])][scenario]
            if "rps" not in first or "rps" not in last:
                continue
            x_p50 = last["p50_ms"] / first["p50_ms"]
            x_rps = first["rps"] / last["rps"]
            found.append(
                {
                    "framework": framework,
                    "scenario": scenario,
                    "x_p50": x_p50,
                    "x_rps": x_rps,
                    "met": x_p50 <= GOAL and x_rps <= GOAL,
                }
            )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS))
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "growth")
    # Another copy of the template, e.g. an older commit's (``git archive``), for a before/after.
    parser.add_argument("--template", type=Path, default=TEMPLATE_DIR)
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    server_cpu, wrk_cpu = cpus()
    results: dict[str, dict[str, dict[str, Any]]] = {
        name: {str(size): {} for size in sizes} for name in args.frameworks
    }
    with tempfile.TemporaryDirectory(prefix="growth-") as tmp:
        work_dir = Path(tmp)
        os.chmod(work_dir, 0o755)
        built = {}
        for framework in args.frameworks:
            project, _ = projects.generate(framework, work_dir, args.template)
            venv = projects.stack_venv(framework, project)
            built[framework] = (project, venv, projects.site_packages(venv))
        with throwaway_postgres() as pg:
            project, venv, _ = built[args.frameworks[0]]
            urls = {}
            for size in sizes:
                database = f"rows{size}"
                urls[size] = pg.url(database)
                check(
                    [str(venv / "bin" / "alembic"), "upgrade", "head"],
                    project,
                    DATABASE_URL=urls[size],
                    PYTHONPATH=str(project / "src"),
                )
                started = time.monotonic()
                load(pg, database, size)
                log(f"{size:,} rows loaded in {time.monotonic() - started:.1f} s")
            with contextlib.ExitStack() as servers:
                # The project's own app (factory ""), one server per stack and size.
                apps = [App(framework, GENERATED, factory="") for framework in args.frameworks]
                served = {}
                for size in sizes:
                    stacks = {f: Stack(f, *built[f], database_url=urls[size]) for f in built}
                    running = servers.enter_context(
                        serve_all(stacks, apps, server_cpu, work_dir, tracing_env={})
                    )
                    for app in apps:
                        served[app.framework, size] = running[app.key].url
                plan = [
                    (scenario, size, framework, served[framework, size])
                    for index in range(len(scenarios(sizes[0])))
                    for size in sizes
                    for framework in args.frameworks
                    for scenario in [scenarios(size)[index]]
                ]
                statuses = {(s.name, z, f): probe(url, s) for s, z, f, url in plan}
                runs: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
                for repeat in range(-1, args.repeats):  # -1: the warm-up round
                    for scenario, size, framework, url in plan:
                        key = (scenario.name, size, framework)
                        if statuses[key] not in (200, 201):
                            continue
                        seconds = args.warmup if repeat < 0 else args.duration
                        run = wrk(url, scenario, seconds, args.connections, wrk_cpu, work_dir)
                        if scenario.method == "POST":
                            shrink_to(pg, f"rows{size}", size)
                        if repeat >= 0:
                            runs.setdefault(key, []).append(run)
                    log(f"round {repeat + 1} of {args.repeats} done")
            for (name, size, framework), status in statuses.items():
                key = (name, size, framework)
                figures = summary(runs[key], status) if key in runs else {"status": status}
                results[framework][str(size)][name] = figures
                shown = {k: v for k, v in figures.items() if k != "runs"}
                log(f"{framework} {size:,} {name}: {shown}")
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": cpu_model,
        "cores": os.cpu_count(),
        "sizes": sizes,
        "duration": args.duration,
        "warmup": args.warmup,
        "repeats": args.repeats,
        "connections": args.connections,
        "results": results,
        "goals": goals(results, sizes),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    args.output.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
