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
figures against the 1,000-row ones.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from project_tools import cached_venv, clean_env, free_port

BENCH_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
sys.path.insert(0, str(TEMPLATE_DIR / "tests"))

from postgres import Postgres  # noqa: E402 (the template's test helper)

FRAMEWORKS = ("fastapi", "flask")
PACKAGE = "inventory_service"  # the default answers
SERVICE = "inventory-service"
SIZES = (1_000, 100_000, 1_000_000)
ITEMS = "/api/v1/items"
LIMIT = 20
MAX_OFFSET = 10_000
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
WRK_TIMEOUT = "2s"
# Goal of the issue: at 1,000,000 rows within 1.5x of the 1,000-row figures.
GOAL = 1.5
GOAL_SCENARIOS = ("get_by_id", "first_page")

RANDOM_ID_LUA = """
-- GET /api/v1/items/{id} with a random id of the bulk-loaded rows (1..max).
local max_id = 1000
function init(args)
  max_id = tonumber(args[1]) or max_id
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  return wrk.format("GET", "/api/v1/items/" .. math.random(1, max_id))
end
"""


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    path: str
    method: str = "GET"


def scenarios(size: int) -> list[Scenario]:
    deep = int(size * 0.9)
    capped = min(deep, MAX_OFFSET - LIMIT)
    return [
        Scenario("get_by_id", "GET /api/v1/items/{random id}", f"{ITEMS}/1"),
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
        Scenario("create", "POST /api/v1/items", ITEMS, method="POST"),
    ]


class GrowthError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[growth] {message}", flush=True)


def check(command: list[str], cwd: Path, timeout: float = 900, **env: str) -> str:
    result = subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(**env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise GrowthError(
            f"`{' '.join(command)}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def generate(framework: str, work_dir: Path, template: Path) -> Path:
    home = work_dir / "cookiecutter-home"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "config.yaml"
    config.write_text(f'cookiecutters_dir: "{home / "c"}"\nreplay_dir: "{home / "r"}"\n')
    out = work_dir / framework
    check(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "--config-file",
            str(config),
            "--output-dir",
            str(out),
            str(template),
            f"framework={framework}",
        ],
        TEMPLATE_DIR,
        timeout=300,
    )
    return out / SERVICE


def stack_venv(framework: str, project: Path) -> Path:
    def install(venv: Path) -> None:
        log(f"{framework}: make install (once; cached in {venv})")
        check(["make", "install", f"VENV={venv}"], project, timeout=1200)

    return cached_venv(framework, project, install)


def cpus() -> tuple[int | None, int | None]:
    available = sorted(os.sched_getaffinity(0))
    return (available[0], available[1]) if len(available) >= 2 else (None, None)


def pinned(cpu: int | None, command: list[str]) -> list[str]:
    return command if cpu is None else ["taskset", "-c", str(cpu), *command]


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
        raise GrowthError(f"psql failed: {result.stderr.strip()}")
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


# --- servers and wrk ------------------------------------------------------------------


def http_get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return int(response.status), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


@contextlib.contextmanager
def serve(
    project: Path, venv: Path, database_url: str, cpu: int | None, log_path: Path
) -> Iterator[str]:
    port = free_port()
    env = clean_env(
        APP_ENV="production",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        DOCS_ENABLED="false",
        WEB_CONCURRENCY="1",
        HOST="127.0.0.1",
        PORT=str(port),
        PYTHONPATH=str(project / "src"),
        DATABASE_URL=database_url,
    )
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            pinned(cpu, [str(venv / "bin" / "python"), "-m", f"{PACKAGE}.server"]),
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                raise GrowthError(f"server exited:\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if http_get(url + "/healthz")[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise GrowthError(f"server not up:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)


def wrk_script(work_dir: Path, scenario: Scenario) -> Path:
    path = work_dir / f"wrk-{scenario.name}.lua"
    parts = [(BENCH_DIR / "wrk" / "report.lua").read_text()]
    if scenario.method == "POST":
        parts.append((BENCH_DIR / "wrk" / "post.lua").read_text())
    elif scenario.name == "get_by_id":
        parts.append(RANDOM_ID_LUA)
    path.write_text("\n".join(parts))
    return path


_runs = 0


def wrk(
    url: str,
    scenario: Scenario,
    size: int,
    seconds: int,
    connections: int,
    cpu: int | None,
    work_dir: Path,
) -> dict[str, Any]:
    global _runs
    _runs += 1
    command = pinned(
        cpu,
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={WRK_TIMEOUT}",
            "--latency",
            "-s",
            str(wrk_script(work_dir, scenario)),
            url + scenario.path,
        ],
    )
    if scenario.method == "POST":
        command += ["--", f"g{os.getpid()}x{_runs}x{time.time_ns()}"]
    elif scenario.name == "get_by_id":
        command += ["--", str(size)]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if result.returncode != 0 or not lines:
        raise GrowthError(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    summary: dict[str, Any] = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    return summary


def probe(url: str, scenario: Scenario) -> int | str:
    """200 when the scenario runs as meant; else the status (or why) to report instead."""
    if scenario.method != "GET":
        return 201
    status, body = http_get(url + scenario.path)
    if status == 200 and scenario.name == "deep_cursor" and "after" not in body:
        return "no cursor"  # a service without ``after`` would serve the first page
    return status


def summary(runs: list[dict[str, Any]], status: int | str) -> dict[str, Any]:
    return {
        "status": status,
        "rps": statistics.median(run["rps"] for run in runs),
        "p50_ms": statistics.median(run["p50_us"] for run in runs) / 1000,
        "p99_ms": statistics.median(run["p99_us"] for run in runs) / 1000,
        "errors": sum(
            run[key]
            for run in runs
            for key in ("non_2xx_3xx", "timeouts", "connect_errors", "read_errors", "write_errors")
        ),
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
        projects = {}
        for framework in args.frameworks:
            project = generate(framework, work_dir, args.template)
            projects[framework] = (project, stack_venv(framework, project))
        Postgres.check_available()
        pg = Postgres()
        try:
            pg.init()
            pg.start()
            project, venv = projects[args.frameworks[0]]
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
                served = {
                    (framework, size): servers.enter_context(
                        serve(
                            *projects[framework],
                            urls[size],
                            server_cpu,
                            work_dir / f"{framework}-{size}.log",
                        )
                    )
                    for framework in args.frameworks
                    for size in sizes
                }
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
                        run = wrk(url, scenario, size, seconds, args.connections, wrk_cpu, work_dir)
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
        finally:
            pg.remove()
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
