"""Benchmark the services this template generates: FastAPI vs Flask, and the template's overhead.

``make bench`` (or ``python bench/run.py``) generates both stacks into a temporary directory,
installs each in its own virtualenv (cached under ``.cache/venvs/`` like the template's tests),
migrates a fresh database per app (SQLite, or ``DATABASE_URL`` of a PostgreSQL server), and
serves three apps per stack with the generated project's own production server,
``python -m <package>.server --app MODULE:FACTORY`` and ``WEB_CONCURRENCY=1``:

- ``generated``: the generated ``create_app()`` (plus a 50 ms "downstream" route);
- ``bare``: the same framework doing the same work without the template's layers;
- ``raw``: a raw ASGI / WSGI callable, the ceiling of one core under the same server.

The server is pinned to one CPU and wrk to another (``taskset``). Every scenario is warmed
up, then measured ``--repeats`` times; the median is quoted. Results go to
``bench/results/`` as ``results.md``, ``results.json`` and ``results.png``.

``--smoke`` is the short run ``tests/test_bench_smoke.py`` makes: ``GET /healthz`` for a
second per stack, nothing written.

Servers run in their own process group and are stopped through it, by the PID this
script started, even on failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from project_tools import cached_venv, clean_env, free_port

BENCH_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = BENCH_DIR.parent
APPS_DIR = BENCH_DIR / "apps"
RESULTS_DIR = BENCH_DIR / "results"

FRAMEWORKS = ("fastapi", "flask")
PACKAGE = "inventory_service"  # the default answers
SERVICE = "inventory-service"
VARIANTS = ("generated", "bare", "raw")
FACTORIES = {"generated": "template", "bare": "bare", "raw": "raw"}
SEED_ITEMS = 100
READ_ID = 42

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
INSTALL_TIMEOUT = 1200
# wrk's own default: an answer slower than this is a timeout (a socket error).
WRK_TIMEOUT = "2s"

# Targets of the issue (generated / bare requests per second).
HEALTHZ_TARGET = 0.90
DATABASE_TARGET = 0.85
METRICS_TARGET = 0.95

# The Flask stack on gunicorn's thread worker (32 threads), its former configuration,
# against the gevent worker it now uses: every scenario.
TUNED_THREADS = 32
TUNED = f"generated, gthread {TUNED_THREADS} threads"
# The generated service without its access log (LOG_LEVEL=WARNING), on GET /healthz: what
# the one JSON line per request costs of the template's overhead.
NO_ACCESS_LOG = "generated, LOG_LEVEL=WARNING"
# The generated service with METRICS_ENABLED=false, on GET /healthz and GET /api/v1/items/{id}:
# what recording the request metrics costs (issue target: on / off >= METRICS_TARGET).
NO_METRICS = "generated, METRICS_ENABLED=false"
METRICS_SCENARIOS = ("healthz", "read")
# The FastAPI bare app with its routes on the app instead of an included APIRouter, on
# GET /healthz: what FastAPI's include_router costs per request (a framework cost).
FLAT = "bare, routes on the app"


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    path: str
    method: str = "GET"
    io_bound: bool = False
    database: bool = True


SCENARIOS = (
    Scenario("healthz", "GET /healthz", "/healthz", database=False),
    Scenario("create", "POST /api/v1/items", "/api/v1/items", method="POST"),
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
# Reads first, writes after: every app reads a table of the same size.
RUN_ORDER = ("healthz", "read", "list", "create", "downstream")


@dataclass
class Options:
    duration: int = 3
    warmup: int = 1
    repeats: int = 3
    connections: int = 32
    io_connections: int = 256
    database_url: str | None = None
    sqlite_dir: str | None = None


@dataclass
class Measurement:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    socket_errors: int
    non_2xx: int
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.socket_errors > 0 or self.non_2xx > 0


class BenchError(RuntimeError):
    """Something the benchmark needs failed; the message says what, in a line or a log."""


# --- environment -------------------------------------------------------------


def check(command: list[str], cwd: Path, timeout: float = 900, **env: str) -> str:
    result = subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(**env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(
            f"`{' '.join(command)}` exited {result.returncode} in {cwd}:\n{result.stdout}"
        )
    return result.stdout


def ensure_wrk() -> str:
    """The path of wrk, installed from Debian's packages if it is missing (needs root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(command, env=env, capture_output=True, timeout=600, check=False)
        found = shutil.which("wrk")
        if found:
            return found
    raise BenchError("wrk is not installed and cannot be installed here (apt-get install wrk)")


def cpus() -> tuple[int | None, int | None]:
    """One CPU for the server, another for wrk; (None, None) on a single-CPU machine."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2 or shutil.which("taskset") is None:
        return None, None
    return available[0], available[1]


def pinned(cpu: int | None, command: list[str]) -> list[str]:
    return command if cpu is None else ["taskset", "-c", str(cpu), *command]


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


# --- projects and virtualenvs ---------------------------------------------------


def generate(framework: str, output_dir: Path) -> tuple[Path, float]:
    """``cookiecutter --no-input`` of the template; the project and the seconds it took."""
    home = output_dir / "cookiecutter-home"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "config.yaml"
    config.write_text(f'cookiecutters_dir: "{home / "c"}"\nreplay_dir: "{home / "r"}"\n')
    out = output_dir / framework
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
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
            str(TEMPLATE_DIR),
            f"framework={framework}",
        ],
        TEMPLATE_DIR,
        timeout=300,
    )
    return out / SERVICE, time.perf_counter() - started


def stack_venv(framework: str, project: Path) -> Path:
    """The stack's virtualenv, shared with the template's tests."""

    def install(venv: Path) -> None:
        log(f"{framework}: make install (once; cached in {venv})")
        check(["make", "install", f"VENV={venv}"], project, timeout=INSTALL_TIMEOUT)

    return cached_venv(framework, project, install)


def versions(venv: Path, framework: str) -> dict[str, str]:
    names = {
        "fastapi": ["fastapi", "starlette", "uvicorn", "pydantic", "sqlalchemy", "uvloop"],
        "flask": ["flask", "apiflask", "werkzeug", "gunicorn", "marshmallow", "sqlalchemy"],
    }[framework]
    code = (
        "import importlib.metadata as m, json, sys\n"
        "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))\n"
    )
    output = check([str(venv / "bin" / "python"), "-c", code, *names], TEMPLATE_DIR)
    return dict(
        json.loads(output),
        python=check(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import platform; print(platform.python_version())",
            ],
            TEMPLATE_DIR,
        ).strip(),
    )


def project_tests(project: Path, venv: Path) -> tuple[float, str]:
    """Seconds the generated project's own ``make test`` takes, and pytest's last line.

    A failing suite is reported, not fatal: the benchmark measures the servers.
    """
    started = time.perf_counter()
    result = subprocess.run(
        ["make", "test", f"VENV={venv}"],
        cwd=project,
        env=clean_env(PYTHONPATH=str(project / "src")),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = [
        line.strip("= ")
        for line in result.stdout.splitlines()
        if " in " in line and ("passed" in line or "failed" in line)
    ]
    outcome = lines[-1] if lines else f"exit status {result.returncode}"
    if result.returncode != 0:
        outcome = f"FAILED: {outcome}"
    return seconds, outcome


# --- servers -------------------------------------------------------------------


def http(method: str, url: str, body: object | None = None, timeout: float = 5) -> int:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def server_env(project: Path, port: int, database_url: str, **extra: str) -> dict[str, str]:
    settings = {
        "APP_ENV": "production",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "DOCS_ENABLED": "false",
        "WEB_CONCURRENCY": "1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join([str(project / "src"), str(APPS_DIR)]),
        "BENCH_PACKAGE": PACKAGE,
    }
    return clean_env(**{**settings, **extra})


def migrate(project: Path, venv: Path, database_url: str) -> None:
    """A fresh schema: drop everything (PostgreSQL is reused), then upgrade to head."""
    env = {"DATABASE_URL": database_url, "PYTHONPATH": str(project / "src")}
    alembic = str(venv / "bin" / "alembic")
    check([alembic, "downgrade", "base"], project, **env)
    check([alembic, "upgrade", "head"], project, **env)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@contextlib.contextmanager
def serve(
    framework: str,
    project: Path,
    venv: Path,
    factory: str,
    database_url: str,
    cpu: int | None,
    log_path: Path,
    **extra_env: str,
) -> Iterator[Server]:
    """``python -m <package>.server --app bench_<framework>:<factory>``, pinned to ``cpu``."""
    port = free_port()
    command = pinned(
        cpu,
        [
            str(venv / "bin" / "python"),
            "-m",
            f"{PACKAGE}.server",
            "--app",
            f"bench_{framework}:{factory}",
        ],
    )
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=project,
            env=server_env(project, port, database_url, **extra_env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        wait_until_up(server)
        yield server
    finally:
        stop(process)


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if server.process.poll() is not None:
            raise BenchError(f"server exited {server.process.returncode}:\n{server.log()}")
        try:
            if http("GET", server.url + "/healthz", timeout=2) == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise BenchError(f"server not up in {STARTUP_TIMEOUT}s:\n{server.log()}")
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's own process group; SIGKILL it if it does not stop in time."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


def seed(server: Server) -> None:
    for number in range(1, SEED_ITEMS + 1):
        body = {"name": f"seed-{number}", "description": "seed item", "price": 1.5, "quantity": 2}
        status = http("POST", server.url + "/api/v1/items", body)
        if status != 201:
            raise BenchError(f"seeding item {number}: status {status}\n{server.log()}")


# --- wrk -----------------------------------------------------------------------


def wrk_script(work_dir: Path, scenario: Scenario) -> Path:
    path = work_dir / f"wrk-{scenario.name}.lua"
    if not path.exists():
        parts = [(BENCH_DIR / "wrk" / "report.lua").read_text()]
        if scenario.method == "POST":
            parts.append((BENCH_DIR / "wrk" / "post.lua").read_text())
        path.write_text("\n".join(parts))
    return path


_run_counter = 0


def wrk(
    wrk_path: str,
    url: str,
    scenario: Scenario,
    seconds: int,
    connections: int,
    cpu: int | None,
    work_dir: Path,
) -> dict[str, Any]:
    """One wrk run; its summary (``wrk/report.lua``) as a dict, with requests per second."""
    global _run_counter
    _run_counter += 1
    command = pinned(
        cpu,
        [
            wrk_path,
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
        command += ["--", f"b{os.getpid()}x{_run_counter}x{time.time_ns()}"]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if result.returncode != 0 or not lines:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    summary: dict[str, Any] = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    summary["socket_errors"] = sum(
        summary[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return summary


def median_of(runs: list[dict[str, Any]], warmups: list[dict[str, Any]]) -> Measurement:
    """The median of each figure over the measured runs; errors counted in every run."""
    every = runs + warmups
    return Measurement(
        rps=statistics.median(run["rps"] for run in runs),
        p50_ms=statistics.median(run["p50_us"] for run in runs) / 1000,
        p99_ms=statistics.median(run["p99_us"] for run in runs) / 1000,
        requests=sum(run["requests"] for run in runs),
        socket_errors=sum(run["socket_errors"] for run in every),
        non_2xx=sum(run["non_2xx_3xx"] for run in every),
        runs=runs + [{**run, "warmup": True} for run in warmups],
    )


# --- the benchmark -------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def database_url_for(work_dir: Path, framework: str, options: Options) -> str:
    if options.database_url:
        return options.database_url
    return f"sqlite:///{Path(options.sqlite_dir or work_dir) / f'{framework}.db'}"


def default_sqlite_dir() -> str | None:
    """tmpfs when there is one: SQLite's fsync per commit would time the disk, not the service."""
    shm = Path("/dev/shm")  # noqa: S108
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def bench_stack(
    framework: str,
    project: Path,
    venv: Path,
    options: Options,
    work_dir: Path,
    variants: tuple[str, ...] = VARIANTS,
    scenarios: tuple[str, ...] = RUN_ORDER,
    extra: bool = True,
) -> dict[str, dict[str, Measurement]]:
    """Every scenario on every variant of one stack: ``{variant: {scenario: Measurement}}``.

    The variants' servers run side by side (each idle while another is measured) and
    their runs are interleaved, so a change of background load hits all of them alike
    and the ratios between them stay honest.
    """
    wrk_path = ensure_wrk()
    server_cpu, wrk_cpu = cpus()
    by_name = {scenario.name: scenario for scenario in SCENARIOS}
    plans: list[tuple[str, str, dict[str, str]]] = [
        (variant, FACTORIES[variant], {}) for variant in variants
    ]
    if extra and framework == "flask":
        gthread = f"--worker-class gthread --threads {TUNED_THREADS}"
        plans.append((TUNED, "template", {"GUNICORN_CMD_ARGS": gthread}))
    if extra and set(METRICS_SCENARIOS) & set(scenarios):
        plans.append((NO_METRICS, "template", {"METRICS_ENABLED": "false"}))
    if extra and "healthz" in scenarios:
        plans.append((NO_ACCESS_LOG, "template", {"LOG_LEVEL": "WARNING"}))
        if framework == "fastapi":
            plans.append((FLAT, "bare_flat", {}))
    # One database for the stack, migrated and seeded once: every app reads the same rows.
    database_url = database_url_for(work_dir, framework, options)
    needs_database = any(by_name[name].database for name in scenarios)
    if needs_database:
        migrate(project, venv, database_url)
    servers: dict[str, Server] = {}
    with contextlib.ExitStack() as stack:
        for variant, factory, extra_env in plans:
            slug = variant.replace(",", "").replace(" ", "-")
            log_path = work_dir / f"{framework}-{slug}.log"
            servers[variant] = stack.enter_context(
                serve(
                    framework,
                    project,
                    venv,
                    factory,
                    database_url,
                    server_cpu,
                    log_path,
                    **extra_env,
                )
            )
        if needs_database:
            seed(servers[plans[0][0]])
        results: dict[str, dict[str, Measurement]] = {}
        for name in scenarios:
            scenario = by_name[name]
            connections = options.io_connections if scenario.io_bound else options.connections
            taking_part = [
                v
                for v in servers
                if (v not in (NO_ACCESS_LOG, FLAT) or name == "healthz")
                and (v != NO_METRICS or name in METRICS_SCENARIOS)
            ]

            def run(
                variant: str,
                seconds: int,
                scenario: Scenario = scenario,
                connections: int = connections,
            ) -> dict[str, Any]:
                url = servers[variant].url
                return wrk(wrk_path, url, scenario, seconds, connections, wrk_cpu, work_dir)

            warmups = {v: [run(v, options.warmup)] if options.warmup else [] for v in taking_part}
            runs: dict[str, list[dict[str, Any]]] = {v: [] for v in taking_part}
            for repeat in range(options.repeats):
                # A rotating order: no app always runs first, or right after the same one.
                shift = repeat % len(taking_part)
                for variant in taking_part[shift:] + taking_part[:shift]:
                    runs[variant].append(run(variant, options.duration))
            for variant in taking_part:
                measurement = median_of(runs[variant], warmups[variant])
                results.setdefault(variant, {})[name] = measurement
                flag = "  FAILED: errors" if measurement.failed else ""
                log(
                    f"{framework:7} {variant:29} {scenario.label:26} "
                    f"{measurement.rps:8.0f} req/s  p50 {measurement.p50_ms:7.2f} ms  "
                    f"p99 {measurement.p99_ms:8.2f} ms  non-2xx {measurement.non_2xx}  "
                    f"socket errors {measurement.socket_errors}{flag}"
                )
    return results


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return numerator / denominator


def paired_ratio(
    numerator: dict[str, Any] | None, denominator: dict[str, Any] | None
) -> float | None:
    """The median over the repeats of each repeat's ratio of requests/s.

    In a repeat the two apps ran seconds apart, so a change of the machine's background
    load between repeats cancels out of the ratio instead of landing on one app.
    """
    if not numerator or not denominator:
        return None
    tops = [run["rps"] for run in numerator["runs"] if not run.get("warmup")]
    bottoms = [run["rps"] for run in denominator["runs"] if not run.get("warmup")]
    if len(tops) != len(bottoms) or not all(bottoms):
        return ratio(numerator["rps"], denominator["rps"])
    return statistics.median(top / bottom for top, bottom in zip(tops, bottoms, strict=True))


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """Ratios and target checks from the measurements."""
    rows = []
    checks = []
    for scenario in SCENARIOS:
        for framework in report["stacks"]:
            stack = report["stacks"][framework]["results"]
            generated = stack.get("generated", {}).get(scenario.name)
            if generated is None:
                continue
            bare = stack.get("bare", {}).get(scenario.name)
            raw = stack.get("raw", {}).get(scenario.name)
            to_bare = paired_ratio(generated, bare)
            rows.append(
                {
                    "scenario": scenario.name,
                    "stack": framework,
                    "to_bare": to_bare,
                    "to_ceiling": paired_ratio(generated, raw),
                }
            )
            if to_bare is not None and not scenario.io_bound:
                target = HEALTHZ_TARGET if not scenario.database else DATABASE_TARGET
                checks.append(
                    {
                        "check": f"{framework} {scenario.label}: generated / bare >= {target:.2f}",
                        "value": round(to_bare, 3),
                        "ok": to_bare >= target,
                    }
                )
            metrics_off = stack.get(NO_METRICS, {}).get(scenario.name)
            metrics_cost = paired_ratio(generated, metrics_off)
            if metrics_cost is not None:
                checks.append(
                    {
                        "check": f"{framework} {scenario.label}: metrics on / off "
                        f">= {METRICS_TARGET:.2f}",
                        "value": round(metrics_cost, 3),
                        "ok": metrics_cost >= METRICS_TARGET,
                    }
                )
    for framework, stack in report["stacks"].items():
        for variant, measured in stack["results"].items():
            for name, measurement in measured.items():
                if measurement["socket_errors"] or measurement["non_2xx"]:
                    checks.append(
                        {
                            "check": f"{framework} {variant} {name}: no non-2xx, no socket errors",
                            "value": f"{measurement['non_2xx']} non-2xx, "
                            f"{measurement['socket_errors']} socket errors",
                            "ok": False,
                        }
                    )
    errors_free = all(
        not (m["socket_errors"] or m["non_2xx"])
        for stack in report["stacks"].values()
        for measured in stack["results"].values()
        for m in measured.values()
    )
    checks.append(
        {
            "check": "every scenario: zero non-2xx and zero socket errors",
            "value": "",
            "ok": errors_free,
        }
    )
    return {"ratios": rows, "checks": checks}


def fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    opts = report["options"]
    host = report["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {report['date']} with `make bench`. "
        f"Machine: **{host['cpu']}, {host['cores']} cores** ({host['system']}). "
        "Each server runs with `WEB_CONCURRENCY=1` pinned to one core, "
        f"wrk (1 thread) pinned to another. Database: {report['database']}.",
        f"Each scenario: {opts['warmup']} s warm-up, then {opts['repeats']} runs of "
        f"{opts['duration']} s; the median is quoted. {opts['connections']} connections, "
        f"{opts['io_connections']} for the I/O-bound scenario; wrk's timeout {WRK_TIMEOUT}.",
        "",
        "Ratios are requests/s of the generated service divided by requests/s of the bare app "
        "of the same framework (the template's own overhead), and by the raw ASGI/WSGI "
        "callable under the same server (the ceiling of one core): the median over the "
        "repeats of each repeat's ratio (the apps of a repeat run seconds apart, in an order "
        "that rotates from repeat to repeat).",
        "",
        "## Generated service",
        "",
        "| scenario | stack | requests/s | p50 ms | p99 ms | ÷ bare | ÷ ceiling | non-2xx "
        "| socket errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ratios = {(row["scenario"], row["stack"]): row for row in report["summary"]["ratios"]}
    for scenario in SCENARIOS:
        for framework, stack in report["stacks"].items():
            m = stack["results"].get("generated", {}).get(scenario.name)
            if m is None:
                continue
            row = ratios[(scenario.name, framework)]
            lines.append(
                f"| {scenario.label} | {framework} | {m['rps']:.0f} | {m['p50_ms']:.2f} | "
                f"{m['p99_ms']:.2f} | {fmt(row['to_bare'])} | {fmt(row['to_ceiling'])} | "
                f"{m['non_2xx']} | {m['socket_errors']} |"
            )
    lines += [
        "",
        "## Baselines",
        "",
        "| scenario | stack | app | requests/s | p50 ms | p99 ms | non-2xx | socket errors |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scenario in SCENARIOS:
        for framework, stack in report["stacks"].items():
            for variant, measured in stack["results"].items():
                m = measured.get(scenario.name)
                if variant == "generated" or m is None:
                    continue
                lines.append(
                    f"| {scenario.label} | {framework} | {variant} | {m['rps']:.0f} | "
                    f"{m['p50_ms']:.2f} | {m['p99_ms']:.2f} | {m['non_2xx']} | "
                    f"{m['socket_errors']} |"
                )
    lines += ["", "## Targets", "", "| check | value | met |", "| --- | --- | --- |"]
    for item in report["summary"]["checks"]:
        lines.append(f"| {item['check']} | {item['value']} | {'yes' if item['ok'] else '**no**'} |")
    lines += [
        "",
        "## Generation and test suites",
        "",
        "| stack | `cookiecutter --no-input` s | generated `make test` s | its outcome "
        "| versions |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for framework, stack in report["stacks"].items():
        versions_text = ", ".join(f"{k} {v}" for k, v in stack["versions"].items())
        lines.append(
            f"| {framework} | {fmt(stack['generation_s'])} | {fmt(stack.get('tests_s'), 1)} | "
            f"{stack.get('tests', 'not run')} | {versions_text} |"
        )
    lines.append("")
    return "\n".join(lines)


def chart(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frameworks = list(report["stacks"])
    figure, axes = plt.subplots(
        1, len(frameworks), figsize=(6.5 * len(frameworks), 4.8), sharey=True, squeeze=False
    )
    colours = {"generated": "#1f77b4", "bare": "#9ecae1", "raw": "#bdbdbd"}
    for axis, framework in zip(axes[0], frameworks, strict=True):
        results = report["stacks"][framework]["results"]
        names = [s for s in SCENARIOS if s.name in results.get("generated", {})]
        width = 0.27
        for offset, variant in enumerate(VARIANTS):
            values = [results.get(variant, {}).get(s.name, {}).get("rps", 0) for s in names]
            positions = [i + (offset - 1) * width for i in range(len(names))]
            bars = axis.bar(positions, values, width, label=variant, color=colours[variant])
            if variant == "generated":
                for bar, scenario in zip(bars, names, strict=True):
                    row = next(
                        r
                        for r in report["summary"]["ratios"]
                        if r["scenario"] == scenario.name and r["stack"] == framework
                    )
                    if row["to_bare"]:
                        axis.annotate(
                            f"{row['to_bare']:.2f}×",
                            (bar.get_x() + width / 2, bar.get_height()),
                            ha="center",
                            va="bottom",
                            fontsize=8,
                        )
        axis.set_xticks(range(len(names)))
        axis.set_xticklabels(
            [s.label.replace(" /api/v1", "\n/api/v1") for s in names], fontsize=7, rotation=0
        )
        axis.set_yscale("log")
        axis.set_title(f"{framework} (WEB_CONCURRENCY=1, one core)")
        axis.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("requests/s (log scale; label: generated ÷ bare)")
    axes[0][-1].legend(loc="upper right", fontsize=8)
    host = report["machine"]
    opts = report["options"]
    figure.suptitle(
        f"{host['cpu']}, {host['cores']} cores: median of {opts['repeats']} x {opts['duration']} s",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def to_json(results: dict[str, dict[str, Measurement]]) -> dict[str, dict[str, Any]]:
    return {
        variant: {name: asdict(m) for name, m in measured.items()}
        for variant, measured in results.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stacks", default=",".join(FRAMEWORKS), help="fastapi,flask")
    parser.add_argument("--duration", type=int, default=Options.duration, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=Options.warmup, help="seconds")
    parser.add_argument("--repeats", type=int, default=Options.repeats)
    parser.add_argument("--connections", type=int, default=Options.connections)
    parser.add_argument("--io-connections", type=int, default=Options.io_connections)
    parser.add_argument("--output", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--no-project-tests",
        action="store_true",
        help="skip timing each generated project's make test",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="GET /healthz for 1 s per stack on the generated app; writes nothing",
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(RUN_ORDER),
        help=f"{','.join(RUN_ORDER)}; a subset is a quick look: it prints and writes nothing",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target or an error check fails"
    )
    parser.add_argument(
        "--sqlite-dir",
        default="tmpfs",
        help="where the SQLite file lives: tmpfs (default, /dev/shm when "
        "present), work (the temporary directory, on disk) or a directory",
    )
    args = parser.parse_args(argv)

    frameworks = tuple(name for name in args.stacks.split(",") if name)
    scenarios = tuple(name for name in args.scenarios.split(",") if name)
    unknown = set(scenarios) - set(RUN_ORDER)
    if unknown:
        parser.error(f"unknown scenario: {', '.join(sorted(unknown))}")
    partial = args.smoke or set(scenarios) != set(RUN_ORDER)
    options = Options(
        duration=1 if args.smoke else args.duration,
        warmup=0 if args.smoke else args.warmup,
        repeats=1 if args.smoke else args.repeats,
        connections=args.connections,
        io_connections=args.io_connections,
        database_url=os.environ.get("DATABASE_URL") or None,
    )
    ensure_wrk()
    work_dir = Path(tempfile.mkdtemp(prefix="template-bench-"))
    if args.sqlite_dir == "tmpfs":
        options.sqlite_dir = default_sqlite_dir()
        if options.sqlite_dir:
            options.sqlite_dir = tempfile.mkdtemp(prefix="template-bench-", dir=options.sqlite_dir)
    elif args.sqlite_dir != "work":
        options.sqlite_dir = args.sqlite_dir
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "options": asdict(options) | {"database_url": None},
        "database": "PostgreSQL (DATABASE_URL)"
        if options.database_url
        else (
            "SQLite file on tmpfs (/dev/shm: no fsync cost)"
            if (options.sqlite_dir or "").startswith("/dev/shm")
            else "SQLite file on disk"
        ),
        "stacks": {},
    }
    failed = False
    try:
        for framework in frameworks:
            project, generation_s = generate(framework, work_dir / "projects")
            log(f"{framework}: generated in {generation_s:.2f} s")
            venv = stack_venv(framework, project)
            stack: dict[str, Any] = {
                "generation_s": generation_s,
                "versions": versions(venv, framework),
            }
            if not (partial or args.no_project_tests):
                stack["tests_s"], stack["tests"] = project_tests(project, venv)
                log(
                    f"{framework}: generated project's make test in {stack['tests_s']:.1f} s"
                    f" ({stack['tests']})"
                )
            if args.smoke:
                results = bench_stack(
                    framework,
                    project,
                    venv,
                    options,
                    work_dir,
                    variants=("generated",),
                    scenarios=("healthz",),
                    extra=False,
                )
            else:
                results = bench_stack(
                    framework, project, venv, options, work_dir, scenarios=scenarios
                )
            stack["results"] = to_json(results)
            report["stacks"][framework] = stack
        report["summary"] = summarise(report)
        failed = not all(item["ok"] for item in report["summary"]["checks"])
        if partial:
            return 1 if failed and args.smoke else 0
        args.output.mkdir(parents=True, exist_ok=True)
        (args.output / "results.json").write_text(json.dumps(report, indent=2) + "\n")
        (args.output / "results.md").write_text(markdown(report))
        try:
            chart(report, args.output / "results.png")
        except ImportError:
            log("matplotlib is not installed: no chart (pip install -r requirements-bench.txt)")
        print()
        print(markdown(report))
        log(f"written to {args.output}")
        if failed:
            log(
                "some targets are not met (see the Targets table)"
                + ("" if args.strict else "; --strict makes that a failure")
            )
    finally:
        if args.keep:
            log(f"kept {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
            if options.sqlite_dir and Path(options.sqlite_dir).name.startswith("template-bench-"):
                shutil.rmtree(options.sqlite_dir, ignore_errors=True)
    return 1 if failed and (args.strict or args.smoke) else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    try:
        sys.exit(main())
    except BenchError as error:
        sys.exit(f"bench: {error}")
