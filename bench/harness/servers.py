"""The servers under test: one per app configuration, each in its own process group.

Every app runs under the generated project's own production server
(``python -m <package>.server --app bench_<framework>:<factory>``) with the project's
configuration, except the granian rows, which run the same WSGI app under granian from
the bench's virtualenv. Servers are stopped through their own process group, by the PID
this module started, even on failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from project_tools import clean_env, free_port, stop_group

from .common import APPS_DIR, PACKAGE, BenchError

STARTUP_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
SEED_ITEMS = 100
# A 4xx or 5xx status in the generated services' JSON access lines.
_ERROR_STATUS = re.compile(r'"status":([45]\d\d)[,}]')


@dataclass(frozen=True)
class App:
    """One server configuration of a stack: which app, which server, which settings."""

    framework: str
    label: str
    # ``bench_<framework>:<factory>``; "" for the project's own app (no ``--app``, which an
    # older template's server may lack: growth.py's before/after).
    factory: str = "template"
    env: tuple[tuple[str, str], ...] = ()
    # Pinned to one core with wrk on another; unpinned rows (several workers) share both.
    pinned: bool = True
    # "service": the generated project's server; "granian": granian's WSGI server.
    server: str = "service"
    threads: int = 0  # granian's blocking threads
    tracing: bool = False  # points the OTLP exporter at the bench's sink

    @property
    def key(self) -> str:
        return f"{self.framework}/{self.label}"

    @property
    def workers(self) -> int:
        return int(dict(self.env).get("WEB_CONCURRENCY", "1"))


@dataclass
class Server:
    app: App
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    cleanup: list[Path] = field(default_factory=list)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def logged_errors(self) -> dict[str, int]:
        """The 4xx and 5xx statuses of the access lines in the server's log, counted."""
        text = self.log_path.read_text(errors="replace")
        return dict(sorted(Counter(_ERROR_STATUS.findall(text)).items()))


@dataclass(frozen=True)
class Stack:
    """A generated project, its virtualenv and its database for this leg of the run."""

    framework: str
    project: Path
    venv: Path
    site_packages: str
    database_url: str
    granian: Path | None = None  # a python with granian (granian_venv.py)


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


def server_env(stack: Stack, port: int, app: App, extra: dict[str, str]) -> dict[str, str]:
    settings = {
        "APP_ENV": "production",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "DOCS_ENABLED": "false",
        "WEB_CONCURRENCY": "1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": stack.database_url,
        "PYTHONPATH": os.pathsep.join([str(stack.project / "src"), str(APPS_DIR)]),
        "BENCH_PACKAGE": PACKAGE,
    }
    env = clean_env(**{**settings, **dict(app.env), **extra})
    # Tracing only where a row asks for it: an exporter set in the caller's shell stays out.
    for name in [name for name in env if name.startswith("OTEL_")]:
        if name not in extra and name not in dict(app.env):
            del env[name]
    return env


def command(stack: Stack, app: App, port: int, cpu: int | None) -> list[str]:
    target = f"bench_{stack.framework}:{app.factory}"
    if app.server == "granian":
        argv = [
            str(stack.granian or sys.executable),
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--factory",
        ]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(app.workers)]
        argv += ["--blocking-threads", str(app.threads), "--log-level", "warning", target]
    else:
        argv = [str(stack.venv / "bin" / "python"), "-m", f"{PACKAGE}.server"]
        argv += ["--app", target] if app.factory else []
    return argv if cpu is None or not app.pinned else ["taskset", "-c", str(cpu), *argv]


@contextlib.contextmanager
def serve_all(
    stacks: dict[str, Stack],
    apps: list[App],
    cpu: int | None,
    work_dir: Path,
    tracing_env: dict[str, str],
) -> Iterator[dict[str, Server]]:
    """Start every app at once, wait until each answers ``/healthz``, stop them all after."""
    servers: dict[str, Server] = {}
    try:
        for app in apps:
            servers[app.key] = start(stacks[app.framework], app, cpu, work_dir, tracing_env)
        for server in servers.values():
            wait_until_up(server)
        yield servers
    finally:
        for server in servers.values():
            stop(server)


def start(
    stack: Stack, app: App, cpu: int | None, work_dir: Path, tracing_env: dict[str, str]
) -> Server:
    port = free_port()
    extra = dict(tracing_env) if app.tracing else {}
    cleanup = []
    if app.server == "granian":
        # The stack's packages for the app, before granian's own virtualenv.
        extra["PYTHONPATH"] = os.pathsep.join(
            [str(stack.project / "src"), str(APPS_DIR), stack.site_packages]
        )
        # The multiprocess metrics directory the project's server would prepare.
        metrics_dir = Path(tempfile.mkdtemp(prefix="bench-metrics-", dir=work_dir))
        extra["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        cleanup.append(metrics_dir)
    slug = app.key.replace("/", "-").replace(",", "").replace(" ", "-").replace("=", "")
    log_path = work_dir / f"{slug}-{port}.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            command(stack, app, port, cpu),
            cwd=stack.project,
            env=server_env(stack, port, app, extra),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(app, f"http://127.0.0.1:{port}", process, log_path, cleanup)


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if server.process.poll() is not None:
            raise BenchError(
                f"{server.app.key} exited {server.process.returncode}:\n{server.log()}"
            )
        with contextlib.suppress(OSError):
            if http("GET", server.url + "/healthz", timeout=2) == 200:
                return
        if time.monotonic() > deadline:
            raise BenchError(f"{server.app.key} not up in {STARTUP_TIMEOUT}s:\n{server.log()}")
        time.sleep(0.2)


def stop(server: Server) -> None:
    """SIGTERM the server's own process group; SIGKILL it if it does not stop in time."""
    stop_group(server.process, STOP_TIMEOUT)
    for path in server.cleanup:
        for child in sorted(path.glob("*"), reverse=True):
            child.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.rmdir()


def seed(url: str) -> None:
    for number in range(1, SEED_ITEMS + 1):
        body = {"name": f"seed-{number}", "description": "seed item", "price": 1.5, "quantity": 2}
        status = http("POST", url + "/api/v1/items", body)
        if status != 201:
            raise BenchError(f"seeding item {number} at {url}: status {status}")


# --- memory ------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _status_kb(pid: int, field_name: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def _is_helper(pid: int) -> bool:
    """multiprocessing's resource tracker: not a worker."""
    with contextlib.suppress(OSError):
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    return True


def worker_pids(root: int) -> list[int]:
    """The server's workers: its children (helpers left out), or the server itself if none."""
    return [pid for pid in _children(root) if not _is_helper(pid)] or [root]


def memory(server: Server) -> dict[str, float]:
    """Resident memory of the server's workers, MB: the largest worker's now and at its peak.

    The workers are the server process's children (gunicorn, uvicorn with several
    workers, granian), or the server process itself when it has none.
    """
    root = server.process.pid
    workers = worker_pids(root)
    rss = [_status_kb(pid, "VmRSS") for pid in workers]
    peak = [_status_kb(pid, "VmHWM") for pid in workers]
    return {
        "workers": len(workers),
        "rss_mb": round(max(rss) / 1024, 1),
        "peak_rss_mb": round(max(peak) / 1024, 1),
        "total_rss_mb": round(
            (sum(rss) + _status_kb(root, "VmRSS") * (root not in workers)) / 1024, 1
        ),
    }
