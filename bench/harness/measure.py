"""One leg of the run: every selected scenario on one database, its rows interleaved.

For each scenario the rows of both stacks that take part are started side by side
(each idle while another is measured), warmed up, then measured ``repeats`` times in
an order that rotates from repeat to repeat, so a change of the machine's background
load hits them all alike and the ratios between rows stay honest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import log
from .load import Measurement, cpus, median_of, shares_per_server, wrk, wrk_side_by_side
from .projects import migrate
from .scenarios import BY_NAME, GENERATED, Options, rows, side_by_side_pairs
from .servers import App, Stack, memory, seed, serve_all

Results = dict[str, dict[str, dict[str, Measurement]]]  # framework -> row -> scenario


def prepare_database(stacks: dict[str, Stack], work_dir: Path) -> None:
    """A fresh schema and the same seeded rows for every stack (once per distinct database)."""
    done: set[str] = set()
    for stack in stacks.values():
        if stack.database_url in done:
            continue
        done.add(stack.database_url)
        migrate(stack.project, stack.venv, stack.database_url)
        app = App(stack.framework, GENERATED)
        with serve_all({stack.framework: stack}, [app], None, work_dir, {}) as servers:
            seed(servers[app.key].url)


def measure_leg(
    stacks: dict[str, Stack],
    scenarios: tuple[str, ...],
    options: Options,
    work_dir: Path,
    *,
    first_database: bool = True,
    granian: bool = False,
    tracing_env: dict[str, str] | None = None,
    only_rows: tuple[str, ...] | None = None,
) -> Results:
    """Every scenario of ``scenarios`` with the rows of every stack in ``stacks``."""
    server_cpu, wrk_cpu = cpus()
    if any(BY_NAME[name].database for name in scenarios):
        prepare_database(stacks, work_dir)
    results: Results = {}
    for name in scenarios:
        scenario = BY_NAME[name]
        apps = [
            app
            for framework in stacks
            for app in rows(framework, name, first_database, granian)
            if only_rows is None or app.label in only_rows
        ]
        if not apps:
            continue
        connections = options.io_connections if scenario.io_bound else options.connections
        with serve_all(stacks, apps, server_cpu, work_dir, tracing_env or {}) as servers:

            def run(app: App, seconds: int) -> dict[str, Any]:
                # A pinned server has wrk on the other core; unpinned rows leave it unpinned.
                return wrk(
                    servers[app.key].url,
                    scenario,  # noqa: B023 (used at once)
                    seconds,
                    connections,  # noqa: B023
                    wrk_cpu if app.pinned else None,
                    work_dir,
                )

            warmups = {app: [run(app, options.warmup)] if options.warmup else [] for app in apps}
            runs: dict[App, list[dict[str, Any]]] = {app: [] for app in apps}
            for repeat in range(options.repeats):
                # A rotating order: no row always runs first, or right after the same one.
                shift = repeat % len(apps)
                for app in apps[shift:] + apps[:shift]:
                    runs[app].append(run(app, options.duration))
            side_runs: dict[App, list[dict[str, Any]]] = {app: [] for app in apps}
            ratios: dict[App, dict[str, list[float]]] = {app: {} for app in apps}
            pairs = side_by_side_pairs(apps, name, across_stacks=shares_per_server())
            for _ in range(options.side_by_side):
                for top, bottom in pairs:
                    first, second = wrk_side_by_side(
                        (servers[top.key].url, servers[bottom.key].url),
                        scenario,
                        options.duration,
                        connections,
                        wrk_cpu,
                        work_dir,
                    )
                    side_runs[top].append(first)
                    side_runs[bottom].append(second)
                    if second["rps"]:
                        ratios[top].setdefault(bottom.key, []).append(first["rps"] / second["rps"])
            for app in apps:
                # Errors in the side-by-side runs count too; figures are the rows' own runs'.
                measurement = median_of(runs[app], warmups[app], side_runs[app])
                measurement.side_by_side = ratios[app]
                measurement.memory = memory(servers[app.key])
                measurement.logged_errors = servers[app.key].logged_errors()
                results.setdefault(app.framework, {}).setdefault(app.label, {})[name] = measurement
                flag = "  FAILED: errors" if measurement.failed else ""
                log(
                    f"{app.framework:7} {app.label:31} {scenario.label:26} "
                    f"{measurement.rps:8.0f} req/s  p50 {measurement.p50_ms:7.2f} ms  "
                    f"p99 {measurement.p99_ms:8.2f} ms  non-2xx {measurement.non_2xx}  "
                    f"socket errors {measurement.socket_errors}  "
                    f"RSS/worker {measurement.memory['peak_rss_mb']} MB{flag}"
                )
    return results
